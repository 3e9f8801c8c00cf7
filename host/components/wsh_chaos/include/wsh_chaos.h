/*
 * Chaos mode: seeded random yields and short sleeps at synchronisation and I/O points, to shake out races
 * that need an unlucky interleaving. Off unless the environment sets WSH_CHAOS_SEED=<n> (decimal, 0..2^32-1).
 *
 * Each thread draws its decisions from its own PRNG, seeded from (seed, thread name, how many threads of that
 * name came before it). So one thread's sequence of decisions is the same on every run with the same seed;
 * which thread reaches a point first still depends on the OS scheduler, so whole runs are reproducible only
 * as far as thread scheduling allows. Thread-safe; callable from any thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Counts over the whole process since start. */
typedef struct {
    uint64_t points;  /* wsh_chaos_point calls while chaos mode is on */
    uint64_t yields;  /* decisions to sched_yield */
    uint64_t sleeps;  /* decisions to sleep (0-200 us, sometimes up to 2 ms) */
} wsh_chaos_stats_t;

/* A possible yield or sleep, decided by the calling thread's PRNG; `where` names the point. No-op when off. */
void wsh_chaos_point(const char *where);

bool wsh_chaos_enabled(void);

/* The seed in use (0 when chaos mode is off). */
uint32_t wsh_chaos_seed(void);

/* A digest of the calling thread's points and decisions so far: equal seeds give equal digests for a thread
 * that passes the same points in the same order. */
uint32_t wsh_chaos_thread_digest(void);

void wsh_chaos_get_stats(wsh_chaos_stats_t *stats);

#ifdef __cplusplus
}
#endif
