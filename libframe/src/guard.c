/* SIGBUS guard: a segment truncated under its mapping becomes an error. */
#include "frame_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

/*
 * Another process of the same user can ftruncate() the segment; touching a
 * page past the new end raises SIGBUS. Like libwayland's wl_shm, the handler
 * maps anonymous zero pages over the whole registered range and flags it, so
 * the faulting access completes, validation fails, and the caller gets an
 * error code instead of a dead process.
 *
 * A signal handler can only find its state through globals, so this table
 * is the library's one piece of global state. Entries are claimed with a
 * compare-and-swap and read lock-free from the handler.
 *
 * Removal must not race the handler: a handler that read an entry's base
 * just before another thread removed it, unmapped the range and let a new
 * mapping take the entry (or the addresses) would map zeros over memory
 * that is not ours. So the handler announces itself in `in_handler` before
 * it reads the table, and frame__guard_remove() clears the entry and then
 * waits for handlers already inside to leave before the caller unmaps.
 * Both sides use sequentially consistent operations: either the handler
 * sees the entry cleared, or the remover sees the handler inside. A
 * handler is a few loads and one mmap(), so the wait is microseconds, and
 * the handler never waits, so it cannot deadlock, even on the remover's
 * own thread.
 */
#define GUARD_SLOTS 256
#define CLAIMED ((uintptr_t)1)

struct frame__guard {
    _Atomic uintptr_t base; /* 0: free, CLAIMED: being filled, else live */
    _Atomic size_t len;
    _Atomic int prot;
    _Atomic int faulted;
};

static struct frame__guard table[GUARD_SLOTS];
static atomic_int in_handler; /* handlers between their first and last look */
static struct sigaction previous;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

/* Not a fault on one of our mappings: behave as if we were not there. */
static void pass_on(int sig, siginfo_t *info, void *ctx, bool fault)
{
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) {
            previous.sa_sigaction(sig, info, ctx);
            return;
        }
    } else if (previous.sa_handler != SIG_DFL &&
               previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    if (!fault) {
        /* Sent with kill() or sigqueue(): ignored stays ignored; the
         * default action is carried out now. */
        if (previous.sa_handler == SIG_DFL) {
            signal(SIGBUS, SIG_DFL);
            raise(SIGBUS);
        }
        return;
    }
    /* A real fault we do not own: with the default action restored the
     * faulting instruction runs again and the process dies as it would
     * have (an ignored SIGBUS cannot stop a fault either). */
    signal(SIGBUS, SIG_DFL);
}

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
    int saved = errno;
    /* Only the kernel's own fault reports (si_code > 0) carry an address
     * worth believing; a sent signal could name any. */
    bool fault = info && info->si_code > 0;
    uintptr_t addr = fault ? (uintptr_t)info->si_addr : 0;
    atomic_fetch_add(&in_handler, 1);
    for (size_t i = 0; fault && i < GUARD_SLOTS; i++) {
        uintptr_t base = atomic_load(&table[i].base);
        if (base <= CLAIMED)
            continue;
        size_t len = atomic_load_explicit(&table[i].len, memory_order_relaxed);
        if (addr < base || addr - base >= len)
            continue;
        int prot = atomic_load_explicit(&table[i].prot, memory_order_relaxed);
        if (mmap((void *)base, len, prot,
                 MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1,
                 0) == MAP_FAILED) {
            break; /* cannot recover: let it be fatal */
        }
        atomic_store_explicit(&table[i].faulted, 1, memory_order_release);
        atomic_fetch_sub(&in_handler, 1);
        errno = saved;
        return;
    }
    /* Out before passing on: the previous handler may never return. */
    atomic_fetch_sub(&in_handler, 1);
    errno = saved;
    pass_on(sig, info, ctx, fault);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    struct sigaction now;
    if (sigaction(SIGBUS, &sa, &previous) != 0 ||
        sigaction(SIGBUS, NULL, &now) != 0)
        install_error = -errno;
    else if (now.sa_sigaction != on_sigbus)
        /* Something (AddressSanitizer with allow_user_segv_handler=0)
         * refused our handler: fail loudly rather than guard nothing. */
        install_error = -ENOTSUP;
}

int frame__guard_add(void *base, size_t len, int prot,
                     struct frame__guard **out)
{
    pthread_once(&install_once, install);
    if (install_error)
        return install_error;
    for (size_t i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t expected = 0;
        if (!atomic_compare_exchange_strong(&table[i].base, &expected, CLAIMED))
            continue;
        atomic_store_explicit(&table[i].len, len, memory_order_relaxed);
        atomic_store_explicit(&table[i].prot, prot, memory_order_relaxed);
        atomic_store_explicit(&table[i].faulted, 0, memory_order_relaxed);
        atomic_store_explicit(&table[i].base, (uintptr_t)base,
                              memory_order_release);
        *out = &table[i];
        return 0;
    }
    return -EMFILE;
}

bool frame__guard_faulted(struct frame__guard *g)
{
    return atomic_load_explicit(&g->faulted, memory_order_acquire) != 0;
}

/* Call before munmap(), so the range is never guarded once it may be
 * reused by an unrelated mapping. NULL is a no-op. */
void frame__guard_remove(struct frame__guard *g)
{
    if (!g)
        return;
    atomic_store(&g->base, 0);
    while (atomic_load(&in_handler))
        sched_yield();
}
