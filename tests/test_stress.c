/* Multi-process stress: a writer at full speed, three readers in place. */
#include "proc.h"
#include "runner.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

/* GCC names sanitizers with macros, Clang with __has_feature. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Unoptimised and sanitised builds (CI's ASan build is -O0) verify many
 * times slower, so they get a quarter of the pixels. */
#if defined(SANITIZED) || !defined(__OPTIMIZE__)
#define WIDTH 128
#define HEIGHT 64
#else
#define WIDTH 256
#define HEIGHT 128
#endif
#define READERS 3
/* Two slots, the fewest allowed: the writer comes back to a reader's slot
 * after a single frame, so overlaps are as frequent as they can be. */
#define SLOTS 2

/* 200,000 is for the normal build, where it is asserted; sanitised builds
 * run fewer frames to stay well inside the ctest timeout. */
#ifdef SANITIZED
#define ACCEPT_PER_READER 20000
#define ACCEPT_TOTAL 60000
#else
#define ACCEPT_PER_READER 70000
#define ACCEPT_TOTAL 200000
#endif
#define VALIDATED_LIMIT_S 45
#define UNVALIDATED_LIMIT_S 20
/* Without validation, each reader stops once it has seen this many. */
#ifdef SANITIZED
#define TORN_PER_READER 10
#else
#define TORN_PER_READER 100
#endif

struct reader_result {
    uint64_t checked;   /* frames whose pixels were verified */
    uint64_t accepted;  /* distinct frames accepted and verified intact */
    uint64_t torn;      /* accepted although their pixels were mixed */
    uint64_t discarded; /* mixed, and rejected by still_valid() */
    uint64_t retries;   /* frame_stats.retries */
    uint64_t skipped;   /* frame_stats.frames_skipped */
    int64_t elapsed_ns;
    int error; /* the library error that ended the reader early, or 0 */
};

/* A MAP_SHARED anonymous page the children fill in. The parent reads the
 * results only after waitpid(), which orders them. */
struct shared {
    _Atomic int ready; /* 1: segment created, -1: the writer failed */
    _Atomic int stop_writer;
    int64_t deadline_ns;
    bool validate;
    uint64_t published;
    int writer_error;
    struct reader_result r[READERS];
};

#include "pattern.h"

static void run_writer(struct shared *sh, const char *name)
{
    struct frame_format fmt = {
        .max_width = WIDTH, .max_height = HEIGHT, .slot_count = SLOTS};
    frame_writer *w;
    int rc = frame_writer_create(name, &fmt, &w, NULL);
    if (rc) {
        sh->writer_error = rc;
        atomic_store(&sh->ready, -1);
        _exit(2);
    }
    atomic_store(&sh->ready, 1);
    uint64_t n = 0;
    while (!atomic_load_explicit(&sh->stop_writer, memory_order_relaxed)) {
        struct frame_buffer fb;
        if ((rc = frame_writer_begin(w, WIDTH, HEIGHT, &fb)))
            break;
        fill_frame(fb.pixels, fb.stride, fb.frame_no);
        if ((rc = frame_writer_commit(w, 0, fb.frame_no)))
            break;
        n++;
    }
    sh->published = n;
    sh->writer_error = rc;
    frame_writer_destroy(w);
    _exit(rc ? 1 : 0);
}

static int open_when_ready(struct shared *sh, const char *name,
                           frame_reader **r)
{
    const struct timespec ms = {0, 1000000};
    for (;;) {
        int ready = atomic_load(&sh->ready);
        if (ready < 0)
            return FRAME_ELOST;
        if (ready > 0)
            return frame_reader_open(name, r);
        if (now_ns() >= sh->deadline_ns)
            return -ETIMEDOUT;
        nanosleep(&ms, NULL);
    }
}

static bool reader_done(const struct shared *sh,
                        const struct reader_result *res)
{
    if (sh->validate)
        return res->accepted >= ACCEPT_PER_READER;
    return res->torn >= TORN_PER_READER;
}

static void run_reader(struct shared *sh, int idx, const char *name)
{
    struct reader_result *res = &sh->r[idx];
    int64_t start = now_ns();
    frame_reader *r;
    int rc = open_when_ready(sh, name, &r);
    if (rc) {
        res->error = rc;
        _exit(1);
    }
    uint64_t last = 0;
    while (!reader_done(sh, res) && now_ns() < sh->deadline_ns) {
        /* Sleeps on the futex only if we have caught up with the writer,
         * and never verifies the same frame twice. */
        rc = frame_reader_wait(r, 100);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc)
            break;
        struct frame_view v;
        rc = frame_reader_acquire(r, &v);
        if (rc == FRAME_EBUSY)
            continue; /* counted in retries */
        if (rc)
            break;
        if (v.width != WIDTH || v.height != HEIGHT || v.stride < WIDTH * 4) {
            rc = FRAME_EBADFRAME;
            break;
        }
        bool intact = verify_frame(v.pixels, v.stride, v.frame_no);
        res->checked++;
        if (sh->validate && !frame_reader_still_valid(r, &v)) {
            if (!intact)
                res->discarded++;
            continue;
        }
        if (!intact) {
            if (sh->validate && res->torn == 0)
                fprintf(stderr, "reader %d: frame %llu validated but torn\n",
                        idx, (unsigned long long)v.frame_no);
            res->torn++;
        } else if (v.frame_no != last) {
            res->accepted++;
            last = v.frame_no;
        }
    }
    struct frame_stats st;
    frame_reader_stats(r, &st);
    res->retries = st.retries;
    res->skipped = st.frames_skipped;
    res->elapsed_ns = now_ns() - start;
    res->error = rc == -ETIMEDOUT ? 0 : rc;
    frame_reader_close(r);
    _exit(res->error ? 1 : 0);
}

/* The exit status, or 128 + the signal that killed it. */
static int end_code(pid_t pid)
{
    int st = reap_within(pid, NO_LIMIT);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void run_stress(bool validate, const char *tag, int limit_s)
{
    const char *name = test_name(tag);
    struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(sh != MAP_FAILED);
    int64_t start = now_ns();
    sh->deadline_ns = start + (int64_t)limit_s * 1000000000;
    sh->validate = validate;

    pid_t writer = fork_child();
    if (writer == 0)
        run_writer(sh, name);
    pid_t readers[READERS];
    for (int i = 0; i < READERS; i++) {
        readers[i] = fork_child();
        if (readers[i] == 0)
            run_reader(sh, i, name);
    }

    int reader_rc[READERS];
    for (int i = 0; i < READERS; i++)
        reader_rc[i] = end_code(readers[i]);
    atomic_store(&sh->stop_writer, 1);
    int writer_rc = end_code(writer);
    double secs = (double)(now_ns() - start) / 1e9;

    /* frame_writer_destroy() must have removed the name. */
    struct frame_info info;
    int gone = frame_segment_info(name, &info);
    test_unlink(name);

    struct reader_result sum = {0};
    for (int i = 0; i < READERS; i++) {
        const struct reader_result *res = &sh->r[i];
        fprintf(stderr,
                "  reader %d: exit %d, %llu checked, %llu accepted, "
                "%llu torn, %llu discarded, %llu retries, %llu skipped, "
                "%.1f s%s%s\n",
                i, reader_rc[i], (unsigned long long)res->checked,
                (unsigned long long)res->accepted,
                (unsigned long long)res->torn,
                (unsigned long long)res->discarded,
                (unsigned long long)res->retries,
                (unsigned long long)res->skipped,
                (double)res->elapsed_ns / 1e9, res->error ? ": " : "",
                res->error ? frame_strerror(res->error) : "");
        sum.checked += res->checked;
        sum.accepted += res->accepted;
        sum.torn += res->torn;
        sum.discarded += res->discarded;
        sum.retries += res->retries;
    }
    fprintf(stderr,
            "stress %s: %dx%d, %d slots, %d readers, %.1f s: writer "
            "published %llu; readers checked %llu, accepted %llu distinct "
            "frames, %llu torn accepted, %llu torn discarded by "
            "validation, %llu retries\n",
            validate ? "validated" : "unvalidated", WIDTH, HEIGHT, SLOTS,
            READERS, secs, (unsigned long long)sh->published,
            (unsigned long long)sum.checked,
            (unsigned long long)sum.accepted, (unsigned long long)sum.torn,
            (unsigned long long)sum.discarded,
            (unsigned long long)sum.retries);

    CHECK(writer_rc == 0);
    CHECK(sh->writer_error == 0);
    for (int i = 0; i < READERS; i++)
        CHECK(reader_rc[i] == 0);
    CHECK_RC(gone, -ENOENT);
    if (validate) {
        CHECK(sum.torn == 0);
        CHECK(sum.accepted >= ACCEPT_TOTAL);
    } else {
        /* The same pixels, checked the same way, without the seqlock's
         * last word: if this finds nothing, a zero above proves nothing. */
        CHECK(sum.torn > 0);
    }
    munmap(sh, sizeof(*sh));
}

static void validated(void)
{
    run_stress(true, "stress-v", VALIDATED_LIMIT_S);
}

static void unvalidated_detects_tearing(void)
{
    run_stress(false, "stress-u", UNVALIDATED_LIMIT_S);
}

TEST_MAIN(CASE(validated), CASE(unvalidated_detects_tearing))
