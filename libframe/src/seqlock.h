/* The per-slot seqlock. Single writer: only the process holding the
 * segment's writer lock may call the write side. Readers never store. */
#ifndef LIBFRAME_SEQLOCK_H
#define LIBFRAME_SEQLOCK_H

#include "frame_internal.h"

#include <stdbool.h>

/* Returns the even value q the slot had; the slot now holds q + 1. */
static inline uint64_t frame__seq_write_begin(struct frame__slot *s)
{
    uint64_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
    /* The odd value must be visible before any pixel or field store that
     * follows: a reader that sees one of those stores then sees seq moved. */
    atomic_thread_fence(memory_order_release);
    return q;
}

static inline void frame__seq_write_end(struct frame__slot *s, uint64_t q)
{
    /* Release: pixels and fields are visible to whoever sees q + 2. */
    atomic_store_explicit(&s->seq, q + 2, memory_order_release);
}

static inline uint64_t frame__seq_read_begin(struct frame__slot *s)
{
    /* Acquire: the pixels and fields of the completed write are visible. */
    return atomic_load_explicit(&s->seq, memory_order_acquire);
}

static inline bool frame__seq_read_valid(struct frame__slot *s, uint64_t s0)
{
    /* Every load of the frame made before this point is ordered before the
     * re-read of seq, so a write that overlapped them shows as a change. */
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&s->seq, memory_order_relaxed) == s0;
}

#endif
