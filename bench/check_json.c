/* framebench-check: a --json file has every row and key issue 5 asks for. */

/* Completeness only, never speed: CI machines are shared and slow. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "framebench-check"

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
    enum jtype t;
    double num;
    char *str;
    struct jval **item;
    char **key; /* objects only */
    size_t n;
};

struct parser {
    const char *s;
    const char *err;
    size_t at;
};

static struct jval *parse_value(struct parser *p, int depth);

static void skip_ws(struct parser *p)
{
    while (isspace((unsigned char)p->s[p->at]))
        p->at++;
}

static struct jval *fail(struct parser *p, const char *why)
{
    if (!p->err)
        p->err = why;
    return NULL;
}

static struct jval *node(enum jtype t)
{
    struct jval *v = calloc(1, sizeof(*v));
    if (v)
        v->t = t;
    return v;
}

static void jfree(struct jval *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        jfree(v->item[i]);
        if (v->key)
            free(v->key[i]);
    }
    free(v->item);
    free(v->key);
    free(v->str);
    free(v);
}

/* Escapes are kept as \u....; only our own ASCII output is checked. */
static char *parse_string(struct parser *p)
{
    if (p->s[p->at] != '"')
        return (char *)fail(p, "expected a string");
    size_t start = ++p->at;
    while (p->s[p->at] && p->s[p->at] != '"') {
        if (p->s[p->at] == '\\' && p->s[p->at + 1])
            p->at++;
        p->at++;
    }
    if (p->s[p->at] != '"')
        return (char *)fail(p, "unterminated string");
    size_t len = p->at - start;
    char *out = malloc(len + 1);
    if (!out)
        return (char *)fail(p, "out of memory");
    memcpy(out, p->s + start, len);
    out[len] = 0;
    p->at++;
    return out;
}

static bool push(struct jval *v, struct jval *item, char *key)
{
    struct jval **it = realloc(v->item, (v->n + 1) * sizeof(*it));
    if (!it)
        return false;
    v->item = it;
    if (v->t == J_OBJ) {
        char **k = realloc(v->key, (v->n + 1) * sizeof(*k));
        if (!k)
            return false;
        v->key = k;
        v->key[v->n] = key;
    }
    v->item[v->n++] = item;
    return true;
}

static struct jval *parse_container(struct parser *p, int depth, bool obj)
{
    struct jval *v = node(obj ? J_OBJ : J_ARR);
    if (!v)
        return fail(p, "out of memory");
    char close = obj ? '}' : ']';
    p->at++;
    skip_ws(p);
    if (p->s[p->at] == close) {
        p->at++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (obj) {
            if (!(key = parse_string(p)))
                break;
            skip_ws(p);
            if (p->s[p->at++] != ':') {
                free(key);
                fail(p, "expected ':'");
                break;
            }
        }
        struct jval *item = parse_value(p, depth + 1);
        if (!item || !push(v, item, key)) {
            jfree(item);
            free(key);
            fail(p, "out of memory");
            break;
        }
        skip_ws(p);
        if (p->s[p->at] == ',') {
            p->at++;
            continue;
        }
        if (p->s[p->at] == close) {
            p->at++;
            return v;
        }
        fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        break;
    }
    jfree(v);
    return NULL;
}

static struct jval *parse_value(struct parser *p, int depth)
{
    if (depth > 64)
        return fail(p, "nested too deeply");
    skip_ws(p);
    const char *s = p->s + p->at;
    if (*s == '{' || *s == '[')
        return parse_container(p, depth, *s == '{');
    if (*s == '"') {
        struct jval *v = node(J_STR);
        if (v && !(v->str = parse_string(p))) {
            free(v);
            return NULL;
        }
        return v;
    }
    static const char *const words[] = {"null", "true", "false"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (!strncmp(s, words[i], n)) {
            p->at += n;
            return node(i ? J_BOOL : J_NULL);
        }
    }
    char *end;
    double d = strtod(s, &end);
    if (end == s)
        return fail(p, "unexpected character");
    p->at += (size_t)(end - s);
    struct jval *v = node(J_NUM);
    if (v)
        v->num = d;
    return v;
}

static const struct jval *get(const struct jval *o, const char *key)
{
    if (!o || o->t != J_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->key[i], key))
            return o->item[i];
    return NULL;
}

static const char *get_str(const struct jval *o, const char *key)
{
    const struct jval *v = get(o, key);
    return v && v->t == J_STR ? v->str : NULL;
}

static int problems;

static void problem(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    problems++;
}

static const char *const row_keys[] = {
    "section", "transport", "reader_work", "size", "readers", "slots",
    "status", "fps",
    "writer_fps", "gbps", "lat_p50_us", "lat_p99_us", "lat_p999_us",
    "lat_max_us", "skipped", "retries", "bad_frames", "writer_cpu_pct",
    "reader_cpu_pct", "spread", "ratios"};

static const char *const sizes[] = {"640x360", "1920x1080", "3840x2160"};

/* The row with these identities, or NULL (size NULL: any; slots < 0:
 * any). */
static const struct jval *find_row(const struct jval *rows, const char *sec,
                                   const char *tr, const char *work,
                                   const char *size, int readers, int slots)
{
    for (size_t i = 0; i < rows->n; i++) {
        const struct jval *r = rows->item[i];
        const struct jval *rd = get(r, "readers"), *sl = get(r, "slots");
        const char *a = get_str(r, "section"), *b = get_str(r, "transport");
        const char *c = get_str(r, "reader_work"), *d = get_str(r, "size");
        if (a && b && c && d && rd && rd->t == J_NUM && !strcmp(a, sec) &&
            !strcmp(b, tr) && !strcmp(c, work) && (!size || !strcmp(d, size)) &&
            (int)rd->num == readers &&
            (slots < 0 || (sl && sl->t == J_NUM && (int)sl->num == slots)))
            return r;
    }
    return NULL;
}

static void need_number(const struct jval *r, const char *key,
                        const char *what)
{
    const struct jval *v = get(r, key);
    if (!v || v->t != J_NUM)
        problem("%s: '%s' is not a number", what, key);
}

/* measured: the row must be "ok" with figures; latency: and latencies. */
static void check_row(const struct jval *rows, const char *sec,
                      const char *tr, const char *work, const char *size,
                      int readers, int slots, bool measured, bool latency,
                      const char *const *ratios)
{
    char what[160];
    snprintf(what, sizeof(what), "row %s %s %s %s readers=%d slots=%d", sec,
             tr, work, size ? size : "*", readers, slots);
    const struct jval *r = find_row(rows, sec, tr, work, size, readers,
                                    slots);
    if (!r) {
        problem("%s: missing%s", what, "");
        return;
    }
    const char *status = get_str(r, "status");
    if (!status)
        problem("%s: no status%s", what, "");
    if (measured && status && strcmp(status, "ok"))
        problem("%s: not measured: %s", what, status);
    if (status && !strcmp(status, "ok")) {
        need_number(r, "fps", what);
        need_number(r, "gbps", what);
        /* A reader slower than the writer may see every frame it reads
         * overwritten (a sanitized build, a short --quick run): then it
         * has no latency to report, which is a result, not a gap. */
        const struct jval *fps = get(r, "fps");
        if (latency && fps && fps->t == J_NUM && fps->num > 0) {
            need_number(r, "lat_p50_us", what);
            need_number(r, "lat_p99_us", what);
            need_number(r, "lat_max_us", what);
            need_number(r, "skipped", what);
            need_number(r, "retries", what);
        }
    }
    const struct jval *rat = get(r, "ratios");
    for (size_t i = 0; ratios && ratios[i]; i++) {
        const struct jval *q = get(rat, ratios[i]);
        if (!q || !get(q, "median") || !get(q, "min") || !get(q, "max") ||
            !get(q, "per_rep") || !get(q, "target") || !get(q, "met"))
            problem("%s: ratio '%s' missing or incomplete", what, ratios[i]);
    }
}

/* slots, full_slots: the settings the rows were made with. */
static void check_rows(const struct jval *rows, int slots, int full_slots)
{
    static const char *const touch_ratios[] = {
        "vs_memcpy_warm", "vs_memcpy_slots", "vs_memcpy_cold", "vs_gstreamer",
        "vs_unix_socket", "vs_pipe", NULL};
    static const char *const full_ratios[] = {"vs_unix_socket", "vs_pipe",
                                              NULL};
    static const char *const streams[] = {"pipe", "unix-socket"};
    static const char *const lfs[] = {"libframe-futex", "libframe-poll"};
    for (size_t i = 0; i < rows->n; i++)
        for (size_t k = 0; k < sizeof(row_keys) / sizeof(row_keys[0]); k++)
            if (!get(rows->item[i], row_keys[k])) {
                char which[32];
                snprintf(which, sizeof(which), "%zu", i);
                problem("row %s has no '%s'", which, row_keys[k]);
            }
    bool extra = full_slots > 0 && full_slots != slots;
    for (int s = 0; s < 3; s++) {
        const char *z = sizes[s];
        for (int k = 0; k < 2; k++) {
            check_row(rows, "transport", lfs[k], "touch", z, 1, slots, true,
                      true, touch_ratios);
            check_row(rows, "transport", lfs[k], "full", z, 1, slots, true,
                      true, full_ratios);
            if (extra)
                check_row(rows, "transport", lfs[k], "full", z, 1, full_slots,
                          true, true, full_ratios);
            check_row(rows, "transport", streams[k], "touch", z, 1, -1, true,
                      true, NULL);
            check_row(rows, "transport", streams[k], "full", z, 1, -1, true,
                      true, NULL);
        }
        check_row(rows, "transport", "gstreamer-shm", "touch", z, 1, -1,
                  false, false, NULL);
        check_row(rows, "transport", "gstreamer-shm", "full", z, 1, -1, false,
                  false, NULL);
        check_row(rows, "transport", "memcpy-warm", "none", z, 0, -1, true,
                  false, NULL);
        check_row(rows, "transport", "memcpy-slots", "none", z, 0, slots,
                  true, false, NULL);
        check_row(rows, "transport", "memcpy-cold", "none", z, 0, -1, true,
                  false, NULL);
    }
    static const char *const readers_ratio[] = {"writer_vs_1_reader", NULL};
    check_row(rows, "readers", "libframe-futex", "touch", "1920x1080", 1,
              slots, true, true, NULL);
    check_row(rows, "readers", "libframe-futex", "touch", "1920x1080", 2,
              slots, true, true, readers_ratio);
    check_row(rows, "readers", "libframe-futex", "touch", "1920x1080", 4,
              slots, true, true, readers_ratio);
    static const char *const wake_ratio[] = {"p50_vs_pipe_woken", NULL};
    check_row(rows, "wake", "libframe-futex", "touch", "1920x1080", 1, slots,
              true, true, wake_ratio);
    check_row(rows, "wake", "pipe-woken", "touch", "1920x1080", 1, -1, true,
              true, NULL);
    /* The PNG rows depend on the producer and make-samples being built:
     * present always, measured when they are. */
    static const char *const png[] = {"libpng-loop", "producer-1-thread",
                                      "producer-all-cores", "producer-cache"};
    for (int k = 0; k < 4; k++)
        check_row(rows, "png", png[k], "none", NULL, 0, -1, false, false,
                  NULL);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = 0;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "Usage: " PROG " FILE\n");
        return 2;
    }
    char *text = slurp(argv[1]);
    if (!text) {
        fprintf(stderr, PROG ": %s: cannot read\n", argv[1]);
        return 1;
    }
    struct parser p = {.s = text};
    struct jval *root = parse_value(&p, 0);
    skip_ws(&p);
    if (!root || text[p.at]) {
        fprintf(stderr, PROG ": %s: not JSON at byte %zu: %s\n", argv[1],
                p.at, p.err ? p.err : "trailing text");
        jfree(root);
        free(text);
        return 1;
    }
    const struct jval *machine = get(root, "machine");
    static const char *const mkeys[] = {"cpu", "cores", "kernel", "libframe",
                                        "libpng"};
    for (size_t i = 0; i < 5; i++)
        if (!get(machine, mkeys[i]))
            problem("machine has no '%s'%s", mkeys[i], "");
    const struct jval *settings = get(root, "settings");
    const struct jval *slots = get(settings, "slots");
    const struct jval *full_slots = get(settings, "full_slots");
    if (!settings)
        problem("no '%s'%s", "settings", "");
    else if (!slots || slots->t != J_NUM || !full_slots ||
             full_slots->t != J_NUM)
        problem("settings: no '%s' or '%s'", "slots", "full_slots");
    const struct jval *rows = get(root, "rows");
    const struct jval *targets = get(root, "targets");
    if (!rows || rows->t != J_ARR)
        problem("no '%s' array%s", "rows", "");
    else
        check_rows(rows, slots && slots->t == J_NUM ? (int)slots->num : -1,
                   full_slots && full_slots->t == J_NUM
                       ? (int)full_slots->num
                       : 0);
    if (!targets || targets->t != J_ARR || targets->n == 0)
        problem("no '%s' array%s", "targets", "");
    if (problems == 0)
        printf(PROG ": %s: %zu rows, every row and key present\n", argv[1],
               rows->n);
    jfree(root);
    free(text);
    return problems ? 1 : 0;
}
