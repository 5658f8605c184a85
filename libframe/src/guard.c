/* SIGBUS guard: a segment truncated under its mapping becomes an error. */
#include "frame_internal.h"

#include <errno.h>
#include <pthread.h>
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
static struct sigaction previous;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

static void pass_on(int sig, siginfo_t *info, void *ctx)
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
    /* Not ours and nobody else's: restore the default and return, so the
     * faulting instruction runs again and the process dies as it would
     * have without us. */
    sigaction(SIGBUS, &previous, NULL);
}

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
    int saved = errno;
    uintptr_t addr = (uintptr_t)info->si_addr;
    for (size_t i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t base = atomic_load_explicit(&table[i].base,
                                              memory_order_acquire);
        if (base <= CLAIMED)
            continue;
        size_t len = atomic_load_explicit(&table[i].len, memory_order_relaxed);
        if (addr < base || addr - base >= len)
            continue;
        int prot = atomic_load_explicit(&table[i].prot, memory_order_relaxed);
        if (mmap((void *)base, len, prot,
                 MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) ==
            MAP_FAILED) {
            break; /* cannot recover: let it be fatal */
        }
        atomic_store_explicit(&table[i].faulted, 1, memory_order_release);
        errno = saved;
        return;
    }
    errno = saved;
    pass_on(sig, info, ctx);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous) != 0)
        install_error = -errno;
}

int frame__guard_add(void *base, size_t len, int prot,
                     struct frame__guard **out)
{
    pthread_once(&install_once, install);
    if (install_error)
        return install_error;
    for (size_t i = 0; i < GUARD_SLOTS; i++) {
        uintptr_t expected = 0;
        if (!atomic_compare_exchange_strong(&table[i].base, &expected,
                                            CLAIMED))
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
    if (g)
        atomic_store_explicit(&g->base, 0, memory_order_release);
}
