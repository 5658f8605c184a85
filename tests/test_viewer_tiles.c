/* Several segments in one viewer window (issue 17): real producers and
 * writers, the real viewer under xvfb-run with SDL2, SDL2_ttf and the
 * font; its test mode (FRAME_VIEWER_SCRIPT) drives the mouse and keys
 * through SDL's event queue and says what the probe read and where the
 * HUD was drawn. */
#include "test_viewer_util.h"

#include "png_decode.h"

#include <png.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ------------------------------------------------------------------ */
/* What the viewer prints                                               */

/* Lines of file starting with "NAME: shown " whose rate is above 0, from
 * the from'th such line of that name on. */
static int shown_lines(const char *path, const char *name, int from)
{
    char *s = read_text(path);
    char want[FRAME_NAME_MAX + 16];
    snprintf(want, sizeof(want), "%s: shown ", name);
    int k = 0, yes = 0;
    for (char *p = s; p && *p;) {
        double fps;
        if (strncmp(p, want, strlen(want)) == 0) {
            if (k >= from && sscanf(p + strlen(want), "%lf fps", &fps) == 1 &&
                fps > 0)
                yes++;
            k++;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    free(s);
    return yes;
}

/* How many --stats lines name has printed. */
static int stats_lines(const char *path, const char *name)
{
    char want[FRAME_NAME_MAX + 16];
    snprintf(want, sizeof(want), "%s: shown ", name);
    return file_count(path, want);
}

/* Until name's lines from the from'th on say frames were shown n times. */
static void wait_shown(const char *out, const char *err, const char *name,
                       int from, int n)
{
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    while (shown_lines(out, name, from) < n) {
        if (now_ns() > end) {
            fprintf(stderr, "'%s' showed no frames\n", name);
            print_file("viewer stdout", out);
            print_file("viewer stderr", err);
            CHECK(!"a tile showed no frame");
        }
        sleep_ms(50);
    }
}

static void write_script(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

/* ------------------------------------------------------------------ */
/* Two tiles' snapshots                                                 */

/* Two producers of two images, one viewer with both: one PNG per tile,
 * named after FILE and the segment, byte-exact. `pattern`: FILE has %s. */
static void two_snapshots(enum mode m, bool pattern)
{
    setup(mode_name(m));
    const char *seg_b = seg_more("b");
    struct image a, b;
    const char *png_a = write_image(RGBA_ALPHA, &a);
    const char *png_b = write_image(PALETTE_TRNS, &b);
    const char *perr = path_in_dir("producer.err");
    const char *err = path_in_dir("viewer.err");
    char file[160], snap_a[160], snap_b[160];
    if (pattern) {
        snprintf(file, sizeof(file), "%s/tile-%%s.png", dir);
        snprintf(snap_a, sizeof(snap_a), "%s/tile-%s.png", dir, seg);
        snprintf(snap_b, sizeof(snap_b), "%s/tile-%s.png", dir, seg_b);
    } else {
        snprintf(file, sizeof(file), "%s/snap.png", dir);
        snprintf(snap_a, sizeof(snap_a), "%s/snap-%s.png", dir, seg);
        snprintf(snap_b, sizeof(snap_b), "%s/snap-%s.png", dir, seg_b);
    }
    path_in_dir(strrchr(snap_a, '/') + 1);
    path_in_dir(strrchr(snap_b, '/') + 1);
    pid_t pa = start_producer(png_a, "60", perr);
    const char *argv_b[] = {PRODUCER_PATH, "--quiet", "--name", seg_b,
                            "--fps",       "60",      png_b,    NULL};
    pid_t pb = start(argv_b, NULL, NULL, perr);
    const char *args[] = {seg,          seg_b, "--frames", "3",  "--no-vsync",
                          "--snapshot", file,  "--wait",   "30", NULL};
    pid_t v = start_viewer_with(m, args, NULL, NULL, err);
    expect_end(v, 0, "viewer", err);
    stop_producer(pa, perr);
    stop_producer(pb, perr);
    check_snapshot(snap_a, &a, "first tile");
    check_snapshot(snap_b, &b, "second tile");
    free_image(&a);
    free_image(&b);
}

static void snapshots_xvfb(void) { two_snapshots(XVFB, false); }
static void snapshots_headless(void) { two_snapshots(HEADLESS, true); }

/* ------------------------------------------------------------------ */
/* One producer killed and restarted; the other goes on                */

static void follow_restart(void)
{
    setup("restart");
    const char *seg_b = seg_more("b");
    struct image a, a2, b;
    const char *png_a = write_image(RGBA_ALPHA, &a);
    const char *png_a2 = write_image(GREY_ODD, &a2);
    const char *png_b = write_image(RGB_WIDE, &b);
    const char *perr = path_in_dir("producer.err");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    char file[160], snap_a[160];
    snprintf(file, sizeof(file), "%s/snap.png", dir);
    snprintf(snap_a, sizeof(snap_a), "%s/snap-%s.png", dir, seg);
    path_in_dir(strrchr(snap_a, '/') + 1);
    char snap_b[160];
    snprintf(snap_b, sizeof(snap_b), "%s/snap-%s.png", dir, seg_b);
    path_in_dir(strrchr(snap_b, '/') + 1);

    const char *argv_b[] = {PRODUCER_PATH, "--quiet", "--name", seg_b,
                            "--fps",       "20",      png_b,    NULL};
    pid_t pb = start(argv_b, NULL, NULL, perr);
    const char *args[] = {seg, seg_b, "--stats", "--snapshot", file, NULL};
    pid_t v = start_viewer_with(XVFB, args, NULL, out, err);
    pid_t pa = start_producer(png_a, "20", perr);
    wait_shown(out, err, seg, 0, 1);
    wait_shown(out, err, seg_b, 0, 1);
    /* A dies; B's tile never stops: it shows frames while A is dead and
     * after A is back (waits, with a generous bound only against hangs:
     * nothing here depends on how fast the viewer is). */
    kill_child(pa, EXIT_TIMEOUT_MS, "producer", perr);
    int a_dead = stats_lines(out, seg) + 1; /* A is dead in all of these */
    int b_dead = stats_lines(out, seg_b) + 1;
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    while (stats_lines(out, seg) < a_dead + 2) {
        CHECK(now_ns() < end);
        sleep_ms(50);
    }
    wait_shown(out, err, seg_b, b_dead, 1);
    pid_t pa2 = start_producer(png_a2, "20", perr);
    int b_back = stats_lines(out, seg_b) + 1;
    wait_shown(out, err, seg, a_dead + 2, 1);
    wait_shown(out, err, seg_b, b_back, 1);
    print_file("viewer stdout", out);

    stop_viewer(v, XVFB);
    expect_end(v, 0, "viewer", err);
    stop_producer(pa2, perr);
    stop_producer(pb, perr);
    check_snapshot(snap_a, &a2, "restarted tile");
    check_snapshot(snap_b, &b, "steady tile");
    free_image(&a);
    free_image(&a2);
    free_image(&b);
}

/* ------------------------------------------------------------------ */
/* --all                                                                */

/* A segment made after the viewer started gets a tile; once its producer
 * closed it (the name removed), the tile goes. */
static void all_picks_up(void)
{
    setup("all");
    const char *seg_b = seg_more("late");
    struct image a, b;
    const char *png_a = write_image(GREY_ODD, &a);
    const char *png_b = write_image(RGBA_ALPHA, &b);
    const char *perr = path_in_dir("producer.err");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    pid_t pa = start_producer(png_a, "10", perr);
    const char *args[] = {"--all", "--stats", NULL};
    pid_t v = start_viewer_with(XVFB, args, NULL, out, err);
    wait_shown(out, err, seg, 0, 1);
    CHECK(stats_lines(out, seg_b) == 0);
    const char *argv_b[] = {PRODUCER_PATH, "--quiet", "--name", seg_b,
                            "--fps",       "10",      png_b,    NULL};
    pid_t pb = start(argv_b, NULL, NULL, perr);
    wait_shown(out, err, seg_b, 0, 1);

    /* Closed and removed: within a scan and a stats line, no more lines
     * for it, while the other tile goes on. */
    stop_producer(pb, perr);
    int from = stats_lines(out, seg);
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    while (stats_lines(out, seg) < from + 3) {
        CHECK(now_ns() < end);
        sleep_ms(50);
    }
    int late = stats_lines(out, seg_b);
    from = stats_lines(out, seg);
    while (stats_lines(out, seg) < from + 2) {
        CHECK(now_ns() < end);
        sleep_ms(50);
    }
    print_file("viewer stdout", out);
    CHECK(stats_lines(out, seg_b) == late);
    stop_viewer(v, XVFB);
    expect_end(v, 0, "viewer", err);
    stop_producer(pa, perr);
    free_image(&a);
    free_image(&b);
}

/* ------------------------------------------------------------------ */
/* The probe, driven by synthetic events                               */

/* Sample c of (x, y): every byte of a 16-bit one varies. */
static unsigned sample(uint32_t format, uint32_t x, uint32_t y, unsigned c)
{
    if (format == FRAME_FORMAT_GRAY16)
        return ((x * 37 + y * 101) & 0xff) << 8 | ((x * 11 + y * 3) & 0xff);
    return (x * 7 + y * 13 + c * 60) & 0xff;
}

/* In a child: name's writer of w x h frames of format with sample(),
 * every 50 ms until killed. */
static pid_t start_writer(const char *name, uint32_t format, uint32_t w,
                          uint32_t h)
{
    pid_t pid = fork_child();
    if (pid)
        return pid;
    const struct frame_format_desc *d = frame_format_desc(format);
    struct frame_format fmt = {
        .max_width = w, .max_height = h, .pixel_format = format};
    frame_writer *wr;
    if (!d || frame_writer_create(name, &fmt, &wr, NULL))
        _exit(1);
    for (;;) {
        struct frame_buffer b;
        if (frame_writer_begin_format(wr, format, w, h, 1, &b))
            _exit(1);
        uint32_t n = d->plane[0].samples;
        for (uint32_t y = 0; y < h; y++) {
            uint8_t *row = b.image.plane[0] + (size_t)y * b.image.stride[0];
            for (uint32_t x = 0; x < w; x++)
                for (uint32_t c = 0; c < n; c++) {
                    unsigned v = sample(format, x, y, c);
                    uint8_t *s =
                        row + ((size_t)x * n + c) * d->bytes_per_sample;
                    s[0] = (uint8_t)v;
                    if (d->bytes_per_sample == 2)
                        s[1] = (uint8_t)(v >> 8);
                }
        }
        if (frame_writer_commit(wr, 0, 0))
            _exit(1);
        sleep_ms(50);
    }
}

/* The probe's line for name at (x, y) must hold sample()'s values. */
static void check_probe(const char *out, const char *name, uint32_t format,
                        uint32_t x, uint32_t y)
{
    char want[256];
    int n = snprintf(want, sizeof(want), "probe %s %u %u", name, x, y);
    unsigned channels = frame_format_desc(format)->plane[0].samples;
    for (unsigned c = 0; c < channels; c++)
        n += snprintf(want + n, sizeof(want) - (size_t)n, " %u",
                      sample(format, x, y, c));
    snprintf(want + n, sizeof(want) - (size_t)n, " : ");
    if (!file_has(out, want)) {
        fprintf(stderr, "no '%s'\n", want);
        print_file("viewer stdout", out);
        CHECK(!"the probe did not read the pixel's value");
    }
}

static void probe(void)
{
    setup("probe");
    const char *seg_b = seg_more("g16");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    const char *script = path_in_dir("script.txt");
    pid_t wa = start_writer(seg, FRAME_FORMAT_RGBA8, 64, 48);
    pid_t wb = start_writer(seg_b, FRAME_FORMAT_GRAY16, 37, 23);
    /* Fitted, then zoomed in around the cursor (nearest-neighbour), dragged,
     * then out: each move lands on the centre of the pixel asked for, wherever
     * zoom put it, and the probe must read that very pixel. */
    char text[512];
    snprintf(text, sizeof(text),
             "frames 1\nkey p\nmove %s 10 7\nwheel 4\nmove %s 20 12\n"
             "move %s 5 6\nwheel 6\nmove %s 8 9\ndrag -100 0\nmove %s 9 8\n"
             "wheel -3\nmove %s 2 3\n"
             "move %s 21 13\nkey 0\nmove %s 63 47\nquit\n",
             seg, seg, seg_b, seg_b, seg_b, seg_b, seg, seg);
    write_script(script, text);
    char env_script[256];
    snprintf(env_script, sizeof(env_script), "FRAME_VIEWER_SCRIPT=%s", script);
    const char *env[] = {env_script, NULL};
    const char *args[] = {seg, seg_b, "--wait", "30", NULL};
    pid_t v = start_viewer_with(XVFB, args, env, out, err);
    expect_end(v, 0, "viewer", err);
    print_file("viewer stdout", out);
    check_probe(out, seg, FRAME_FORMAT_RGBA8, 10, 7);
    check_probe(out, seg, FRAME_FORMAT_RGBA8, 20, 12);
    check_probe(out, seg, FRAME_FORMAT_RGBA8, 21, 13);
    check_probe(out, seg, FRAME_FORMAT_RGBA8, 63, 47);
    check_probe(out, seg_b, FRAME_FORMAT_GRAY16, 5, 6);
    check_probe(out, seg_b, FRAME_FORMAT_GRAY16, 8, 9);
    check_probe(out, seg_b, FRAME_FORMAT_GRAY16, 9, 8);
    /* The drag took the frame along with the cursor: the pixel under it
     * stayed (8, 9), so the next reading is the move to (9, 8). */
    char *text_out = read_text(out), at[96], next[96];
    snprintf(at, sizeof(at), "probe %s 8 9 ", seg_b);
    snprintf(next, sizeof(next), "\nprobe %s 9 8 ", seg_b);
    char *p = text_out ? strstr(text_out, at) : NULL;
    CHECK(p && strchr(p, '\n') &&
          strncmp(strchr(p, '\n'), next, strlen(next)) == 0);
    free(text_out);
    check_probe(out, seg_b, FRAME_FORMAT_GRAY16, 2, 3);
    kill_child(wa, EXIT_TIMEOUT_MS, "writer", NULL);
    kill_child(wb, EXIT_TIMEOUT_MS, "writer", NULL);
}

/* ------------------------------------------------------------------ */
/* The HUD: SDL2_ttf's text, and a graph that moves                    */

struct box {
    int x, y, w, h;
};

/* The label and graph boxes of name from the test mode's layout line. */
static void find_layout(const char *out, const char *name, struct box *label,
                        struct box *graph)
{
    char *s = read_text(out);
    char want[FRAME_NAME_MAX + 16];
    snprintf(want, sizeof(want), "layout %s ", name);
    char *p = s ? strstr(s, want) : NULL;
    CHECK(p);
    struct box t;
    CHECK(sscanf(p + strlen(want),
                 "%d %d %d %d label %d %d %d %d graph %d %d %d %d", &t.x, &t.y,
                 &t.w, &t.h, &label->x, &label->y, &label->w, &label->h,
                 &graph->x, &graph->y, &graph->w, &graph->h) == 12);
    CHECK(label->w > 0 && label->h > 0 && graph->w > 0 && graph->h > 0);
    free(s);
}

/* Pixels of box in a read-back PNG: how many differ from its first, and
 * from the same box of another. */
static void compare_box(const struct decoded *a, const struct decoded *b,
                        const struct box *r, size_t *varied, size_t *differ)
{
    *varied = *differ = 0;
    CHECK(r->x >= 0 && r->y >= 0 && (uint32_t)(r->x + r->w) <= a->w &&
          (uint32_t)(r->y + r->h) <= a->h);
    const uint8_t *first = a->data + (size_t)r->y * a->rowbytes + r->x * 4u;
    for (int y = r->y; y < r->y + r->h; y++)
        for (int x = r->x; x < r->x + r->w; x++) {
            const uint8_t *pa = a->data + (size_t)y * a->rowbytes + x * 4u;
            const uint8_t *pb = b->data + (size_t)y * b->rowbytes + x * 4u;
            *varied += memcmp(pa, first, 3) != 0;
            *differ += memcmp(pa, pb, 3) != 0;
        }
}

/* One run with the HUD on: shots before and after more frames; the
 * layout printed. font NULL: the default (SDL2_ttf). */
static void hud_run(const char *tag, const char *font, const char *out,
                    char shot1[160], char shot2[160])
{
    char script[160], err[160];
    snprintf(shot1, 160, "%s/%s-1.png", dir, tag);
    snprintf(shot2, 160, "%s/%s-2.png", dir, tag);
    snprintf(script, sizeof(script), "%s-script.txt", tag);
    const char *spath = path_in_dir(script);
    path_in_dir(strrchr(shot1, '/') + 1);
    path_in_dir(strrchr(shot2, '/') + 1);
    snprintf(err, sizeof(err), "%s.err", tag);
    const char *epath = path_in_dir(err);
    char text[512];
    snprintf(text, sizeof(text),
             "frames 3\nkey h\nlayout\nshot %s\nframes 15\nshot %s\nquit\n",
             shot1, shot2);
    write_script(spath, text);
    char env_script[256], env_font[64];
    snprintf(env_script, sizeof(env_script), "FRAME_VIEWER_SCRIPT=%s", spath);
    snprintf(env_font, sizeof(env_font), "FRAME_VIEWER_FONT=%s",
             font ? font : "");
    const char *env[] = {env_script, font ? env_font : "FRAME_VIEWER_FONT",
                         NULL};
    const char *seg_b = seg_more(tag);
    pid_t wb = start_writer(seg_b, FRAME_FORMAT_GRAY16, 37, 23);
    const char *args[] = {seg, seg_b, "--wait", "30", NULL};
    pid_t v = start_viewer_with(XVFB, args, env, out, epath);
    expect_end(v, 0, "viewer", epath);
    kill_child(wb, EXIT_TIMEOUT_MS, "writer", NULL);
    print_file("viewer stderr", epath);
}

static void hud(void)
{
    setup("hud");
    pid_t wa = start_writer(seg, FRAME_FORMAT_RGBA8, 64, 48);
    const char *out_ttf = path_in_dir("ttf.out");
    const char *out_test = path_in_dir("testfont.out");
    char ttf1[160], ttf2[160], test1[160], test2[160];
    hud_run("ttf", NULL, out_ttf, ttf1, ttf2);
    hud_run("testfont", "none", out_test, test1, test2);
    kill_child(wa, EXIT_TIMEOUT_MS, "writer", NULL);

    struct box label, graph, label2, graph2;
    find_layout(out_ttf, seg, &label, &graph);
    find_layout(out_test, seg, &label2, &graph2);
    struct decoded t1, t2, f1, f2;
    decode_png(ttf1, false, &t1);
    decode_png(ttf2, false, &t2);
    decode_png(test1, false, &f1);
    decode_png(test2, false, &f2);
    CHECK(t1.color_type == PNG_COLOR_TYPE_RGB_ALPHA && t1.bit_depth == 8);
    size_t varied, differ;
    /* Text is there: the label is not one colour. */
    compare_box(&t1, &f1, &label, &varied, &differ);
    fprintf(stderr,
            "label %dx%d: %zu pixels not the first's colour, %zu "
            "differ from the test font's\n",
            label.w, label.h, varied, differ);
    CHECK(varied > (size_t)(label.w * label.h) / 20);
    /* And SDL2_ttf drew it, not the test font (same text, same place). */
    CHECK(differ > (size_t)(label.w * label.h) / 20);
    compare_box(&f1, &t1, &label2, &varied, &differ);
    CHECK(varied > (size_t)(label2.w * label2.h) / 20);
    /* The graph moved on as frames came. */
    compare_box(&t1, &t2, &graph, &varied, &differ);
    fprintf(stderr, "graph %dx%d: %zu pixels changed between the shots\n",
            graph.w, graph.h, differ);
    CHECK(differ > 0);
    decoded_free(&t1);
    decoded_free(&t2);
    decoded_free(&f1);
    decoded_free(&f2);
}

/* ------------------------------------------------------------------ */
/* Idle                                                                 */

static double rusage_seconds(const struct rusage *ru)
{
    return ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
           ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* Two tiles at 1 frame a second each, HUD and graphs on: the window draws
 * when frames come, not in a loop. The bar is test_viewer.idle_cpu's for
 * one tile under Xvfb. */
static void idle_cpu(void)
{
    setup("idle");
    const char *seg_b = seg_more("b");
    struct image a, b;
    const char *png_a = write_image(RGBA_ALPHA, &a);
    const char *png_b = write_image(GREY_ODD, &b);
    const char *perr = path_in_dir("producer.err");
    const char *err = path_in_dir("viewer.err");
    const char *script = path_in_dir("script.txt");
    write_script(script, "key h\n");
    pid_t pa = start_producer(png_a, "1", perr);
    const char *argv_b[] = {PRODUCER_PATH, "--quiet", "--name", seg_b,
                            "--fps",       "1",       png_b,    NULL};
    pid_t pb = start(argv_b, NULL, NULL, perr);
    char env_script[256];
    snprintf(env_script, sizeof(env_script), "FRAME_VIEWER_SCRIPT=%s", script);
    const char *env[] = {env_script, NULL};
    /* No vsync: a redraw loop would spin at a full core, not wait for
     * the display. */
    const char *args[] = {seg, seg_b, "--seconds", "4", "--no-vsync", NULL};
    struct rusage before, after;
    CHECK(getrusage(RUSAGE_CHILDREN, &before) == 0);
    pid_t v = start_viewer_with(XVFB, args, env, NULL, err);
    expect_end(v, 0, "viewer", err);
    CHECK(getrusage(RUSAGE_CHILDREN, &after) == 0);
    double cpu = rusage_seconds(&after) - rusage_seconds(&before);
    fprintf(stderr,
            "two tiles at 1 fps: %.3f s of CPU in 4 s (with Xvfb "
            "and xvfb-run)\n",
            cpu);
    CHECK(cpu < 2.5);
    stop_producer(pa, perr);
    stop_producer(pb, perr);
    free_image(&a);
    free_image(&b);
}

TEST_MAIN(CASE(snapshots_xvfb), CASE(snapshots_headless), CASE(follow_restart),
          CASE(all_picks_up), CASE(probe), CASE(hud), CASE(idle_cpu))
