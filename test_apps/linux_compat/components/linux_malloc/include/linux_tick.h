/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * linux_tick.h: the POSIX port's tick (SIGALRM) held off in the calling thread around a call into glibc that
 * takes one of glibc's own locks, so no task is parked by the tick while it holds one (linux_malloc,
 * linux_pthread). The caller's signal mask and errno come back as they were.
 *
 * Locking: none; the mask is the calling thread's own.
 */
#pragma once

#include <errno.h>
#include <pthread.h>
#include <signal.h>

static inline sigset_t linux_tick_off(void)
{
    sigset_t tick;
    sigset_t before;
    sigemptyset(&tick);
    sigaddset(&tick, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &tick, &before);
    return before;
}

static inline void linux_tick_back(const sigset_t *before)
{
    int kept = errno; /* ENOMEM from the allocator, say, outlives the mask's restore */
    pthread_sigmask(SIG_SETMASK, before, NULL);
    errno = kept;
}
