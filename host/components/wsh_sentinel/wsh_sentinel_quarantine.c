/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * wsh_sentinel_quarantine: host/'s own transports hand a destroyed transport here instead of freeing it, so
 * a late call through the stale handle is reported as io_after_close rather than being a use-after-free.
 *
 * Locking: the ring's slots are exchanged acq_rel, so the thread freeing an old block sees the writes of the
 * thread that retired it (only destroyers synchronise with each other); the byte count is relaxed.
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "wsh_heap_retained.h"
#include "wsh_sentinel.h"

static _Atomic(void *) s_quarantine[WSH_SENTINEL_QUARANTINE];
static atomic_uint s_quarantine_next;
static atomic_size_t s_quarantine_bytes;      /* usable bytes of the blocks in the ring */

void wsh_sentinel_retire(void *block)
{
    if (block == NULL) {
        return;
    }
    unsigned slot = atomic_fetch_add_explicit(&s_quarantine_next, 1, memory_order_relaxed) % WSH_SENTINEL_QUARANTINE;
    atomic_fetch_add_explicit(&s_quarantine_bytes, malloc_usable_size(block), memory_order_relaxed);
    void *oldest = atomic_exchange_explicit(&s_quarantine[slot], block, memory_order_acq_rel);
    if (oldest != NULL) {
        atomic_fetch_sub_explicit(&s_quarantine_bytes, malloc_usable_size(oldest), memory_order_relaxed);
        free(oldest);
    }
}

/* The quarantine is host/'s own memory, not the application's: the heap figures leave it out. */
size_t wsh_host_retained_bytes(void)
{
    return atomic_load_explicit(&s_quarantine_bytes, memory_order_relaxed);
}

