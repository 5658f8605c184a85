/* Replays a fuzz corpus without libFuzzer, with any compiler, for ctest. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Each file named, or in a directory named, goes through it once. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input gets a buffer of exactly its size, as under libFuzzer, so a
 * sanitizer sees any read past its end. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_main: '%s': %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        fprintf(stderr, "fuzz_main: '%s': not a regular file\n", path);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    if (!data || fread(data, 1, size, f) != size) {
        fprintf(stderr, "fuzz_main: '%s': cannot read it\n", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    /* Named first: if the input crashes, this is the last line printed. */
    fprintf(stderr, "fuzz_main: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int hidden(const struct dirent *d) { return d->d_name[0] != '.'; }

/* Every file of dir, in name order; returns how many, or -1. */
static int replay_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, hidden, alphasort);
    if (n < 0) {
        fprintf(stderr, "fuzz_main: '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    int done = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (done >= 0 && replay_file(path) == 0)
            done++;
        else
            done = -1;
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
        return 2;
    }
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                    ? replay_dir(argv[i])
                    : (replay_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0)
            return 1;
        total += n;
    }
    /* An empty corpus would prove nothing: a wrong path must not pass. */
    if (total == 0) {
        fprintf(stderr, "fuzz_main: no inputs found\n");
        return 1;
    }
    fprintf(stderr, "fuzz_main: %d input(s) replayed\n", total);
    return 0;
}
