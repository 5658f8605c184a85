/* make-samples: writes the PNGs the demo, the tests and the benchmark use. */
#include "bad_images.h"
#include "files.h"
#include "png_write.h"
#include "sequence.h"
#include "test_images.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FRAME_VERSION
#define FRAME_VERSION "0.1.0"
#endif

/* The producer's limit per side (PNG_LOAD_MAX_DIM): a larger frame made
 * here could never be played. */
#define MAX_SIDE 16384

enum mode { NONE, DEMO, PHOTO, TEST_IMAGES, BAD_IMAGES };

static const char *prog = "make-samples";

/* The help text is laid out in the source as it prints. */
/* clang-format off */
static void usage(FILE *to)
{
    fprintf(to,
        "usage: %s --demo DIR [--size WxH] [--frames N] [--fps N]\n"
        "       %s --photo DIR [--size WxH] [--frames N]\n"
        "       %s --test-images DIR\n"
        "       %s --bad-images DIR\n"
        "\n"
        "Writes the PNG files libframe's demo, tests and benchmark read.\n"
        "DIR and its parents are created if missing.\n"
        "\n"
        "  --demo DIR         animated test card, DIR/frame0001.png ...\n"
        "                     (default 1280x720, 90 frames at 30 fps)\n"
        "  --photo DIR        the test card with per-pixel noise, so the\n"
        "                     files compress and decode like photos\n"
        "                     (default 1920x1080, 10 frames)\n"
        "  --test-images DIR  every PNG colour type, depth and tRNS kind:\n"
        "                     NAME.png, NAME.rgba (the RGBA8 a decoder must\n"
        "                     give), NAME.size (\"W H\"), test-images.txt\n"
        "  --bad-images DIR   corrupt PNGs, listed in bad-images.txt\n"
        "\n"
        "  --size WxH         frame size, each side 1..%d\n"
        "  --frames N         number of frames\n"
        "  --fps N            frames per second the motion is made for\n"
        "  --noise N          noise amplitude 0..255 (demo 0, photo 8)\n"
        "  --level N          zlib level 0..9 (demo 2, photo 3)\n"
        "  --jobs N           threads (default: one per CPU)\n"
        "  -h, --help         this help\n"
        "  -V, --version      version\n",
        prog, prog, prog, prog, MAX_SIDE);
}
/* clang-format on */

static bool parse_uint(const char *s, unsigned long min, unsigned long max,
                       unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_size(const char *s, uint32_t *w, uint32_t *h)
{
    char buf[32];
    unsigned long a, b;
    const char *x = strchr(s, 'x');
    if (!x || (size_t)(x - s) >= sizeof(buf))
        return false;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = '\0';
    if (!parse_uint(buf, 1, MAX_SIDE, &a) ||
        !parse_uint(x + 1, 1, MAX_SIDE, &b))
        return false;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return true;
}

static int fail_file(const char *dir, const char *name, const char *why)
{
    fprintf(stderr, "%s: cannot write %s/%s: %s\n", prog, dir, name, why);
    return 1;
}

/* NAME.png, NAME.rgba, NAME.size for each variant, then the list. */
static int write_test_images(const char *dir)
{
    char path[PATH_MAX], name[256], why[200];
    char *list = NULL;
    size_t list_len = 0;
    FILE *lf = open_memstream(&list, &list_len);
    if (!lf) {
        fprintf(stderr, "%s: cannot list test images: %s\n", prog,
                strerror(errno));
        return 1;
    }
    int status = 0;

    for (size_t i = 0; i < test_image_count() && status == 0; i++) {
        struct test_image img;
        const char *base = test_image_name(i);
        int rc = test_image_make(i, &img);
        if (rc) {
            fprintf(stderr, "%s: cannot make test image %s: %s\n", prog, base,
                    strerror(-rc));
            status = 1;
            break;
        }
        char size_text[32];
        int size_len = snprintf(size_text, sizeof(size_text), "%u %u\n",
                                (unsigned)img.width, (unsigned)img.height);

        snprintf(name, sizeof(name), "%s.png", base);
        rc = join_path(path, sizeof(path), dir, name);
        if (rc == 0)
            rc = pngw_write_file(path, &img.spec, why, sizeof(why));
        else
            snprintf(why, sizeof(why), "%s", strerror(-rc));
        if (rc == 0) {
            snprintf(name, sizeof(name), "%s.rgba", base);
            rc = join_path(path, sizeof(path), dir, name);
            if (rc == 0)
                rc = write_file(path, img.expected, img.expected_len);
            if (rc == 0) {
                snprintf(name, sizeof(name), "%s.size", base);
                rc = join_path(path, sizeof(path), dir, name);
            }
            if (rc == 0)
                rc = write_file(path, size_text, (size_t)size_len);
            if (rc)
                snprintf(why, sizeof(why), "%s", strerror(-rc));
        }
        if (rc)
            status = fail_file(dir, name, why);
        fprintf(lf, "%s\n", base);
        test_image_free(&img);
    }

    if (fclose(lf) != 0 && status == 0) {
        fprintf(stderr, "%s: cannot list test images: %s\n", prog,
                strerror(errno));
        status = 1;
    }
    if (status == 0) {
        int rc = join_path(path, sizeof(path), dir, "test-images.txt");
        if (rc == 0)
            rc = write_file(path, list, list_len);
        if (rc)
            status = fail_file(dir, "test-images.txt", strerror(-rc));
    }
    free(list);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"demo", required_argument, NULL, 'd'},
        {"photo", required_argument, NULL, 'p'},
        {"test-images", required_argument, NULL, 't'},
        {"bad-images", required_argument, NULL, 'b'},
        {"size", required_argument, NULL, 's'},
        {"frames", required_argument, NULL, 'n'},
        {"fps", required_argument, NULL, 'f'},
        {"noise", required_argument, NULL, 'N'},
        {"level", required_argument, NULL, 'l'},
        {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    enum mode mode = NONE;
    const char *dir = NULL;
    bool have_size = false, have_seq_opt = false;
    unsigned long frames = 0, fps = 30, noise = ULONG_MAX, level = ULONG_MAX;
    unsigned long jobs = 0, v;
    uint32_t width = 0, height = 0;
    int c;

    if (argc > 0 && argv[0][0])
        prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

    opterr = 0; /* our own messages, in our format */
    while ((c = getopt_long(argc, argv, ":hV", options, NULL)) != -1) {
        switch (c) {
        case 'd':
        case 'p':
        case 't':
        case 'b':
            if (mode != NONE) {
                fprintf(stderr,
                        "%s: give only one of --demo, --photo, "
                        "--test-images, --bad-images\n",
                        prog);
                return 2;
            }
            mode = c == 'd'   ? DEMO
                   : c == 'p' ? PHOTO
                   : c == 't' ? TEST_IMAGES
                              : BAD_IMAGES;
            dir = optarg;
            break;
        case 's':
            if (!parse_size(optarg, &width, &height)) {
                fprintf(stderr,
                        "%s: bad --size '%s': want WxH, each side "
                        "1..%d\n",
                        prog, optarg, MAX_SIDE);
                return 2;
            }
            have_size = have_seq_opt = true;
            break;
        case 'n':
        case 'f':
        case 'N':
        case 'l':
        case 'j': {
            static const struct {
                char opt;
                const char *name;
                unsigned long min, max;
            } lim[] = {
                {'n', "--frames", 1, 999999}, {'f', "--fps", 1, 1000},
                {'N', "--noise", 0, 255},     {'l', "--level", 0, 9},
                {'j', "--jobs", 1, 64},
            };
            size_t k = 0;
            while (lim[k].opt != c)
                k++;
            if (!parse_uint(optarg, lim[k].min, lim[k].max, &v)) {
                fprintf(stderr, "%s: bad %s '%s': want %lu..%lu\n", prog,
                        lim[k].name, optarg, lim[k].min, lim[k].max);
                return 2;
            }
            switch (c) {
            case 'n':
                frames = v;
                break;
            case 'f':
                fps = v;
                break;
            case 'N':
                noise = v;
                break;
            case 'l':
                level = v;
                break;
            default:
                jobs = v;
                break;
            }
            have_seq_opt = true;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("%s %s\n", prog, FRAME_VERSION);
            return 0;
        case ':':
            fprintf(stderr, "%s: option '%s' needs an argument\n", prog,
                    argv[optind - 1]);
            fprintf(stderr, "Try '%s --help'.\n", prog);
            return 2;
        default:
            fprintf(stderr, "%s: unknown option '%s'\n", prog,
                    argv[optind - 1]);
            fprintf(stderr, "Try '%s --help'.\n", prog);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
        return 2;
    }
    if (mode == NONE) {
        fprintf(stderr,
                "%s: nothing to do: give --demo, --photo, "
                "--test-images or --bad-images DIR\n",
                prog);
        usage(stderr);
        return 2;
    }
    if ((mode == TEST_IMAGES || mode == BAD_IMAGES) && have_seq_opt) {
        fprintf(stderr,
                "%s: --size, --frames, --fps, --noise, --level and "
                "--jobs only go with --demo or --photo\n",
                prog);
        return 2;
    }

    int rc = ensure_dir(dir);
    if (rc) {
        fprintf(stderr, "%s: cannot create directory %s: %s\n", prog, dir,
                strerror(-rc));
        return 1;
    }
    if (mode == TEST_IMAGES)
        return write_test_images(dir);

    char err[PATH_MAX + 300];
    if (mode == BAD_IMAGES) {
        rc = bad_images_write(dir, err, sizeof(err));
        if (rc)
            fprintf(stderr, "%s: %s\n", prog, err);
        return rc ? 1 : 0;
    }

    bool photo = mode == PHOTO;
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n < 1 ? 1 : n > 64 ? 64 : (unsigned long)n;
    }
    struct sequence seq = {
        .dir = dir,
        .width = have_size ? width
                 : photo   ? 1920
                           : 1280,
        .height = have_size ? height
                  : photo   ? 1080
                            : 720,
        .frames = (unsigned)(frames  ? frames
                             : photo ? 10
                                     : 90),
        .fps = (unsigned)fps,
        .noise = (unsigned)(noise != ULONG_MAX ? noise
                            : photo            ? 8
                                               : 0),
        .level = (int)(level != ULONG_MAX ? level
                       : photo            ? 3
                                          : 2),
        .jobs = (unsigned)jobs,
    };
    rc = sequence_write(&seq, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    return 0;
}
