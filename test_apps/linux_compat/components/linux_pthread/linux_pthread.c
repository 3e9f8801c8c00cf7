/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * linux_pthread.c: pthread_join for ESP-IDF's linux target (CMakeLists.txt says why): it goes to glibc's with
 * the POSIX port's tick blocked in the calling thread, so the idle task is not parked while it holds glibc's
 * stack cache lock. (pthread_create needs nothing: the port calls it inside a critical section, every signal
 * blocked.)
 *
 * Locking: none of its own; glibc's stack cache lock is only ever held by a reaper with the tick blocked.
 */
#include <pthread.h>

#include "linux_tick.h"

int __real_pthread_join(pthread_t thread, void **result);
int __wrap_pthread_join(pthread_t thread, void **result);

int __wrap_pthread_join(pthread_t thread, void **result)
{
    sigset_t before = linux_tick_off();
    int err = __real_pthread_join(thread, result);
    linux_tick_back(&before);
    return err;
}
