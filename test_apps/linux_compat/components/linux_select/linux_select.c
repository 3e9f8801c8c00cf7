/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * linux_select.c: select() for FreeRTOS tasks on ESP-IDF's linux target (see CMakeLists.txt for why). The
 * wait is a loop of non-blocking checks and vTaskDelay() of at most POLL_TICKS, so the scheduler runs the
 * other tasks meanwhile. Readiness is seen at most POLL_TICKS late; a timeout ends within a tick of its time.
 * The checks are pselect() calls, never ESP-IDF's select(): v5.3's calls dlsym() each time, and a task
 * switched out by the tick signal inside dlsym() holds the dynamic linker's lock, so the next task to enter
 * dlsym() blocks the process (seen here: the hammer app hung that way in multi_send).
 *
 * Locking: none; every call works on its caller's own fd sets and stack.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/select.h>
#include <time.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#define POLL_TICKS 1

int __wrap_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout);

typedef struct {
    fd_set read, write, except;
} fd_sets_t;

static void save(fd_sets_t *saved, fd_set *readfds, fd_set *writefds, fd_set *exceptfds)
{
    if (readfds) {
        saved->read = *readfds;
    }
    if (writefds) {
        saved->write = *writefds;
    }
    if (exceptfds) {
        saved->except = *exceptfds;
    }
}

static void restore(const fd_sets_t *saved, fd_set *readfds, fd_set *writefds, fd_set *exceptfds)
{
    if (readfds) {
        *readfds = saved->read;
    }
    if (writefds) {
        *writefds = saved->write;
    }
    if (exceptfds) {
        *exceptfds = saved->except;
    }
}

static int blocking_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout)
{
    struct timespec wait;
    if (timeout) {
        wait.tv_sec = timeout->tv_sec;
        wait.tv_nsec = timeout->tv_usec * 1000;
    }
    return pselect(nfds, readfds, writefds, exceptfds, timeout ? &wait : NULL, NULL);
}

static TickType_t ticks_of(const struct timeval *timeout)
{
    uint64_t ms = (uint64_t)timeout->tv_sec * 1000 + ((uint64_t)timeout->tv_usec + 999) / 1000;
    return pdMS_TO_TICKS(ms);
}

int __wrap_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout)
{
    if (xTaskGetSchedulerState() != taskSCHEDULER_RUNNING) {
        return blocking_select(nfds, readfds, writefds, exceptfds, timeout); /* no task to give the CPU to */
    }
    fd_sets_t saved;
    save(&saved, readfds, writefds, exceptfds);
    TickType_t start = xTaskGetTickCount();
    TickType_t limit = timeout ? ticks_of(timeout) : portMAX_DELAY;
    for (;;) {
        const struct timespec now = {0};
        int ready = pselect(nfds, readfds, writefds, exceptfds, &now, NULL);
        if (ready != 0 && !(ready < 0 && errno == EINTR)) {
            return ready;
        }
        TickType_t spent = xTaskGetTickCount() - start;
        if (limit != portMAX_DELAY && spent >= limit) {
            return 0; /* the sets are cleared by the last check, as select() leaves them on a timeout */
        }
        restore(&saved, readfds, writefds, exceptfds);
        TickType_t left = limit == portMAX_DELAY ? POLL_TICKS : limit - spent;
        vTaskDelay(left < POLL_TICKS ? left : POLL_TICKS);
    }
}
