/*
 * The host kernel's core: the tick clock, deadlines, the blocking primitive every FreeRTOS wait goes through,
 * and fatal error reporting.
 *
 * Locking: no state of its own beyond the tick origin (written once under pthread_once). wsh_kernel_wait()
 * runs under the caller's object lock (see wsh_kernel.h); it is the only place a task sleeps, and deletion by
 * another task is honoured there and nowhere else. A deleter cannot safely signal an object the victim may
 * be leaving, so a waiting task wakes at least every DELETE_POLL_MS to look for a deletion.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "esp_log.h"
#include "wsh_kernel.h"

static const char *TAG = "freertos";

/* Longest a deleted task stays asleep before it notices; bounds vTaskDelete's wait. */
#define DELETE_POLL_MS 10

static pthread_once_t s_kernel_once = PTHREAD_ONCE_INIT;
static struct timespec s_tick_zero;

static void kernel_init(void)
{
    clock_gettime(CLOCK_MONOTONIC, &s_tick_zero);
}

/* The clock starts with the process (see the constructor below), so tick 0 is close to "boot". */
__attribute__((constructor)) static void kernel_init_early(void)
{
    pthread_once(&s_kernel_once, kernel_init);
}

void wsh_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

static int64_t timespec_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec ns_timespec(int64_t ns)
{
    struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
    return ts;
}

static int64_t ticks_ns(uint64_t ticks)
{
    return (int64_t)(ticks * 1000000000ULL / configTICK_RATE_HZ);
}

static int64_t now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return timespec_ns(&now);
}

TickType_t xTaskGetTickCount(void)
{
    pthread_once(&s_kernel_once, kernel_init);
    int64_t elapsed = now_ns() - timespec_ns(&s_tick_zero);
    return (TickType_t)((uint64_t)elapsed * configTICK_RATE_HZ / 1000000000ULL);
}

TickType_t xTaskGetTickCountFromISR(void)
{
    return xTaskGetTickCount();
}

wsh_deadline_t wsh_deadline_after(TickType_t ticks)
{
    wsh_deadline_t d = { .forever = ticks == portMAX_DELAY };
    if (!d.forever) {
        d.at = ns_timespec(now_ns() + ticks_ns(ticks));
    }
    return d;
}

wsh_deadline_t wsh_deadline_at_tick(TickType_t tick)
{
    pthread_once(&s_kernel_once, kernel_init);
    wsh_deadline_t d = { .forever = false, .at = ns_timespec(timespec_ns(&s_tick_zero) + ticks_ns(tick)) };
    return d;
}

static bool deadline_passed(const wsh_deadline_t *deadline, int64_t now)
{
    return !deadline->forever && timespec_ns(&deadline->at) <= now;
}

/* The next wake-up: the deadline, or the end of a deletion poll if that comes first. */
static struct timespec next_wake(const wsh_deadline_t *deadline, int64_t now)
{
    int64_t poll_end = now + (int64_t)DELETE_POLL_MS * 1000000LL;
    if (!deadline->forever && timespec_ns(&deadline->at) < poll_end) {
        return deadline->at;
    }
    return ns_timespec(poll_end);
}

static bool is_ready(const wsh_wait_t *w)
{
    return w->ready && w->ready(w->ctx);
}

bool wsh_kernel_wait(const wsh_wait_t *w, const wsh_deadline_t *deadline)
{
    if (is_ready(w)) {
        return true;
    }
    if (deadline_passed(deadline, now_ns())) {
        return false;
    }
    wsh_task_t *self = wsh_task_self();
    bool own_lock = w->lock == &self->lock;
    bool ready = false;
    wsh_task_set_blocked(self, own_lock, true);
    if (w->waiters) {
        (*w->waiters)++;
    }
    for (int64_t now = now_ns(); !deadline_passed(deadline, now); now = now_ns()) {
        struct timespec until = next_wake(deadline, now);
        pthread_cond_timedwait(w->cond, w->lock, &until);
        if (wsh_task_delete_requested(self, own_lock)) {
            if (w->waiters) {
                (*w->waiters)--;
            }
            if (w->abandon) {
                w->abandon(w->ctx);
            }
            wsh_task_exit_deleted(self, w->lock);
        }
        if (is_ready(w)) {
            ready = true;
            break;
        }
    }
    if (w->waiters) {
        (*w->waiters)--;
    }
    wsh_task_set_blocked(self, own_lock, false);
    return ready;
}

void wsh_kernel_fatal(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ESP_LOGE(TAG, "%s", msg);
    fflush(stdout);
    abort();
}
