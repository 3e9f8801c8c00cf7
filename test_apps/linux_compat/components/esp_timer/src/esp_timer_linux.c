/*
 * esp_timer_linux.c: the esp_timer API for ESP-IDF's linux target, where ESP-IDF ships only its headers.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Time: esp_timer_get_time() is CLOCK_MONOTONIC less the moment the program started (taken by a
 * constructor), so it starts near 0 as on a chip. It uses no FreeRTOS, so any thread may call it, at any time.
 *
 * Timers: every timer is on s_all from create to delete; an armed one is also on s_armed, sorted by alarm.
 * One FreeRTOS task, "esp_timer", sleeps on s_wake (a binary semaphore, taken with a timeout in ticks, so a
 * callback fires up to one tick late) until the earliest alarm, then runs the due callbacks one at a time with
 * s_lock released, so a callback may call this API, on its own timer too. The task and the locks are made on
 * first use: on linux nothing calls esp_timer_init() at start-up. Everything here is FreeRTOS, no pthread: the
 * POSIX port runs one task at a time and lets only its tasks call FreeRTOS. So the API other than
 * esp_timer_get_time() is for FreeRTOS tasks only.
 *
 * ESP_TIMER_ISR callbacks run in the same task, in alarm order with the others: the linux port emulates
 * interrupts with signals, and a callback run from a signal handler could call only async-signal-safe
 * functions, not the FreeRTOS (FromISR) and libc calls that ISR callbacks make on a chip.
 *
 * Locking:
 *   s_origin_us  atomic; set once, before main() or by an earlier first call, read-only afterwards.
 *   s_state      atomic; publishes s_lock, s_wake and s_task, which only init and deinit write, while they
 *                hold s_state at STATE_BUSY.
 *   s_lock       a FreeRTOS mutex; guards s_all, s_armed, s_dispatching, s_stop_requested, s_task_parked and
 *                the fields of every timer marked "s_lock" below. Never held while a callback runs.
 *   A timer's callback, arg, dispatch method, skip flag and name are set by create and never change: no lock.
 *   esp_timer_deinit() must not race other calls of this API (ESP-IDF's header says applications should not
 *   call it at all): it deletes the locks those calls would take.
 */

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_task.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#define TIMER_TASK_NAME "esp_timer"

/* A zero period would make a periodic timer due again as soon as it is re-armed, and the task would spin. */
#define MIN_PERIOD_US 50
/* Keeps alarm arithmetic in int64_t for any uint64_t timeout (still about 146,000 years). */
#define MAX_TIMEOUT_US (INT64_MAX / 4)
/* The task wakes at least this often, so a long wait never overflows TickType_t. */
#define MAX_WAIT_US (60LL * 1000 * 1000)

#ifdef CONFIG_ESP_TIMER_TASK_STACK_SIZE
#define CONFIGURED_STACK ((uint32_t)ESP_TASK_TIMER_STACK)
#else
#define CONFIGURED_STACK 0u
#endif
/* The POSIX port gives the task's stack to a pthread, which needs at least configMINIMAL_STACK_SIZE. */
#define TIMER_TASK_STACK \
    (CONFIGURED_STACK > (uint32_t)configMINIMAL_STACK_SIZE ? CONFIGURED_STACK : (uint32_t)configMINIMAL_STACK_SIZE)

struct esp_timer {
    esp_timer_cb_t callback;         /* set by create */
    void *arg;                       /* set by create */
    esp_timer_dispatch_t method;     /* set by create; ESP_TIMER_ISR runs in the task too (see the top) */
    bool skip_unhandled_events;      /* set by create */
    bool armed;                      /* s_lock */
    int64_t alarm_us;                /* s_lock; the next alarm when armed, else the last one set */
    uint64_t period_us;              /* s_lock; 0 for a one-shot timer */
    struct esp_timer *next_all;      /* s_lock; link on s_all */
    struct esp_timer *next_armed;    /* s_lock; link on s_armed */
    uint32_t times_armed;            /* s_lock; these four feed esp_timer_dump() */
    uint32_t times_triggered;        /* s_lock */
    uint32_t times_skipped;          /* s_lock */
    int64_t callback_us;             /* s_lock; time spent in the callback, all calls */
    char name[];                     /* set by create; a copy, since the caller's string may not outlive us */
};

enum { STATE_DOWN, STATE_BUSY, STATE_UP };

static const char *TAG = "esp_timer";

static _Atomic int64_t s_origin_us;            /* atomic, see the top */
static atomic_int s_state = STATE_DOWN;         /* atomic, see the top */
static SemaphoreHandle_t s_lock;                /* published by s_state */
static SemaphoreHandle_t s_wake;                /* published by s_state; given when the first alarm moves earlier */
static TaskHandle_t s_task;                     /* published by s_state */
static struct esp_timer *s_all;                 /* s_lock */
static struct esp_timer *s_armed;               /* s_lock; sorted by alarm_us, earliest first */
static struct esp_timer *s_dispatching;         /* s_lock; timer whose callback runs, NULL once deleted */
static bool s_stop_requested;                   /* s_lock; deinit asks the task to park */
static bool s_task_parked;                      /* s_lock; the task no longer touches anything */

/* ---------------------------------------------------------------- time */

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t origin_us(void)
{
    int64_t origin = atomic_load_explicit(&s_origin_us, memory_order_acquire);
    if (origin == 0) {
        /* Whoever comes first (normally the constructor) sets it; the others take that value. */
        int64_t now = monotonic_us();
        origin = atomic_compare_exchange_strong(&s_origin_us, &origin, now) ? now : origin;
    }
    return origin;
}

__attribute__((constructor)) static void take_origin(void)
{
    (void)origin_us();
}

int64_t esp_timer_get_time(void)
{
    return monotonic_us() - origin_us();
}

esp_err_t esp_timer_early_init(void)
{
    (void)origin_us();
    return ESP_OK;
}

/* ---------------------------------------------------------------- lists (caller holds s_lock) */

static void lock(void)
{
    xSemaphoreTake(s_lock, portMAX_DELAY);
}

static void unlock(void)
{
    xSemaphoreGive(s_lock);
}

static bool is_known_locked(const struct esp_timer *timer)
{
    for (const struct esp_timer *t = s_all; t != NULL; t = t->next_all) {
        if (t == timer) {
            return true;
        }
    }
    return false;
}

static void all_remove_locked(struct esp_timer *timer)
{
    for (struct esp_timer **link = &s_all; *link != NULL; link = &(*link)->next_all) {
        if (*link == timer) {
            *link = timer->next_all;
            return;
        }
    }
}

static void armed_insert_locked(struct esp_timer *timer)
{
    struct esp_timer **link = &s_armed;
    /* After the timers of the same alarm, so those fire in the order they were armed. */
    while (*link != NULL && (*link)->alarm_us <= timer->alarm_us) {
        link = &(*link)->next_armed;
    }
    timer->next_armed = *link;
    *link = timer;
    timer->armed = true;
}

static void armed_remove_locked(struct esp_timer *timer)
{
    for (struct esp_timer **link = &s_armed; *link != NULL; link = &(*link)->next_armed) {
        if (*link == timer) {
            *link = timer->next_armed;
            break;
        }
    }
    timer->next_armed = NULL;
    timer->armed = false;
}

/* ---------------------------------------------------------------- the esp_timer task */

/* Takes the timer off s_armed, or puts a periodic one back for its next period. */
static void fire_locked(struct esp_timer *timer, int64_t now)
{
    armed_remove_locked(timer);
    timer->times_triggered++;
    if (timer->period_us == 0) {
        return;
    }
    int64_t period = (int64_t)timer->period_us;
    int64_t next = timer->alarm_us + period;
    if (timer->skip_unhandled_events && next <= now) {
        /* Drop the periods already gone by; without the flag they all fire, back to back, to catch up. */
        int64_t missed = (now - next) / period + 1;
        next += missed * period;
        timer->times_skipped += (uint32_t)missed;
    }
    timer->alarm_us = next;
    armed_insert_locked(timer);
}

/* Runs the due timer's callback with s_lock released; returns with s_lock held again. */
static void dispatch_locked(struct esp_timer *timer, int64_t now)
{
    /* Copied while locked: another task may delete a one-shot timer as soon as the lock is released. */
    esp_timer_cb_t callback = timer->callback;
    void *arg = timer->arg;
    fire_locked(timer, now);
    s_dispatching = timer;
    unlock();
    int64_t started = esp_timer_get_time();
    callback(arg);
    int64_t spent = esp_timer_get_time() - started;
    lock();
    if (s_dispatching == timer) {
        timer->callback_us += spent;
    }
    s_dispatching = NULL;
}

static TickType_t ticks_until(const struct esp_timer *first, int64_t now)
{
    if (first == NULL) {
        return portMAX_DELAY;
    }
    int64_t wait_us = first->alarm_us - now;
    if (wait_us > MAX_WAIT_US) {
        wait_us = MAX_WAIT_US;
    }
    const int64_t tick_us = 1000000 / configTICK_RATE_HZ;
    /* Rounded up, so at least one tick: a zero timeout would spin until the alarm. */
    return (TickType_t)((wait_us + tick_us - 1) / tick_us);
}

static void timer_task(void *unused)
{
    (void)unused;
    lock();
    while (!s_stop_requested) {
        int64_t now = esp_timer_get_time();
        if (s_armed != NULL && s_armed->alarm_us <= now) {
            dispatch_locked(s_armed, now);
            continue;
        }
        TickType_t ticks = ticks_until(s_armed, now);
        unlock();
        /* Times out at the alarm, or returns early when a start moved the first alarm earlier. */
        xSemaphoreTake(s_wake, ticks);
        lock();
    }
    s_task_parked = true;
    unlock();
    /* esp_timer_deinit() deletes the task; it must not delete itself while deinit may still look at it. */
    vTaskSuspend(NULL);
}

/* ---------------------------------------------------------------- init, deinit */

static void free_primitives(void)
{
    if (s_lock != NULL) {
        vSemaphoreDelete(s_lock);
    }
    if (s_wake != NULL) {
        vSemaphoreDelete(s_wake);
    }
    s_lock = NULL;
    s_wake = NULL;
    s_task = NULL;
}

/* Called with s_state at STATE_BUSY: no other task uses the primitives yet. */
static esp_err_t start_library(void)
{
    s_lock = xSemaphoreCreateMutex();
    s_wake = xSemaphoreCreateBinary();
    s_stop_requested = false;
    s_task_parked = false;
    if (s_lock != NULL && s_wake != NULL &&
        xTaskCreate(timer_task, TIMER_TASK_NAME, TIMER_TASK_STACK, NULL, ESP_TASK_TIMER_PRIO, &s_task) == pdPASS) {
        return ESP_OK;
    }
    ESP_LOGE(TAG, "cannot create the %s task or its semaphores", TIMER_TASK_NAME);
    free_primitives();
    return ESP_ERR_NO_MEM;
}

esp_err_t esp_timer_init(void)
{
    int expected = STATE_DOWN;
    if (!atomic_compare_exchange_strong(&s_state, &expected, STATE_BUSY)) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t err = start_library();
    atomic_store_explicit(&s_state, err == ESP_OK ? STATE_UP : STATE_DOWN, memory_order_release);
    return err;
}

/* The lazy init of every call that needs the task or the lock. */
static esp_err_t ensure_up(void)
{
    while (atomic_load_explicit(&s_state, memory_order_acquire) != STATE_UP) {
        esp_err_t err = esp_timer_init();
        if (err != ESP_ERR_INVALID_STATE) {
            return err;
        }
        /* Another task is between DOWN and UP: a few allocations, or a deinit. Let it run. */
        vTaskDelay(1);
    }
    return ESP_OK;
}

static esp_err_t lock_library(void)
{
    esp_err_t err = ensure_up();
    if (err == ESP_OK) {
        lock();
    }
    return err;
}

/* Takes s_lock if the handle is a live timer; on an error the lock is not held. */
static esp_err_t lock_timer(esp_timer_handle_t timer)
{
    if (timer == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = lock_library();
    if (err != ESP_OK) {
        return err;
    }
    if (!is_known_locked(timer)) {
        unlock();
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

static bool task_parked(void)
{
    lock();
    bool parked = s_task_parked;
    unlock();
    return parked;
}

/* Asks the task to park unless a timer is armed (deinit would lose it), and waits until it has. */
static bool park_task(void)
{
    lock();
    bool idle = (s_armed == NULL);
    s_stop_requested = idle;
    unlock();
    if (!idle) {
        return false;
    }
    xSemaphoreGive(s_wake);
    while (!task_parked()) {
        vTaskDelay(1);
    }
    return true;
}

esp_err_t esp_timer_deinit(void)
{
    int expected = STATE_UP;
    if (!atomic_compare_exchange_strong(&s_state, &expected, STATE_BUSY)) {
        return ESP_ERR_INVALID_STATE;
    }
    /* From a callback the task would wait for itself. */
    if (xTaskGetCurrentTaskHandle() == s_task || !park_task()) {
        atomic_store_explicit(&s_state, STATE_UP, memory_order_release);
        return ESP_ERR_INVALID_STATE;
    }
    vTaskDelete(s_task);
    free_primitives();
    atomic_store_explicit(&s_state, STATE_DOWN, memory_order_release);
    return ESP_OK;
}

/* ---------------------------------------------------------------- create, start, stop, delete */

static bool valid_method(esp_timer_dispatch_t method)
{
    return (unsigned)method < (unsigned)ESP_TIMER_MAX;
}

static struct esp_timer *new_timer(const esp_timer_create_args_t *args)
{
    const char *name = args->name != NULL ? args->name : "";
    struct esp_timer *timer = calloc(1, sizeof(*timer) + strlen(name) + 1);
    if (timer != NULL) {
        timer->callback = args->callback;
        timer->arg = args->arg;
        timer->method = args->dispatch_method;
        timer->skip_unhandled_events = args->skip_unhandled_events;
        strcpy(timer->name, name);
    }
    return timer;
}

esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle)
{
    if (create_args == NULL || out_handle == NULL || create_args->callback == NULL ||
        !valid_method(create_args->dispatch_method)) {
        return ESP_ERR_INVALID_ARG;
    }
    struct esp_timer *timer = new_timer(create_args);
    if (timer == NULL) {
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = lock_library();
    if (err != ESP_OK) {
        free(timer);
        return err;
    }
    timer->next_all = s_all;
    s_all = timer;
    unlock();
    *out_handle = timer;
    return ESP_OK;
}

static uint64_t periodic_period(uint64_t period_us)
{
    if (period_us < MIN_PERIOD_US) {
        return MIN_PERIOD_US;
    }
    return period_us > MAX_TIMEOUT_US ? MAX_TIMEOUT_US : period_us;
}

/* (Re)arms the timer to fire timeout_us from now; returns whether it is now the first alarm. */
static bool arm_locked(struct esp_timer *timer, uint64_t timeout_us, uint64_t period_us)
{
    if (timer->armed) {
        armed_remove_locked(timer);
    }
    if (timeout_us > MAX_TIMEOUT_US) {
        timeout_us = MAX_TIMEOUT_US;
    }
    timer->period_us = period_us;
    timer->alarm_us = esp_timer_get_time() + (int64_t)timeout_us;
    timer->times_armed++;
    armed_insert_locked(timer);
    return s_armed == timer;
}

/* Unlocks, then wakes the task when its current wait would be too long. */
static void unlock_waking(bool wake)
{
    unlock();
    if (wake) {
        xSemaphoreGive(s_wake);
    }
}

static esp_err_t start_timer(esp_timer_handle_t timer, uint64_t timeout_us, uint64_t period_us)
{
    esp_err_t err = lock_timer(timer);
    if (err != ESP_OK) {
        return err;
    }
    bool first = false;
    if (timer->armed) {
        err = ESP_ERR_INVALID_STATE;
    } else {
        first = arm_locked(timer, timeout_us, period_us);
    }
    unlock_waking(first);
    return err;
}

esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us)
{
    return start_timer(timer, timeout_us, 0);
}

esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period)
{
    return start_timer(timer, periodic_period(period), periodic_period(period));
}

esp_err_t esp_timer_restart(esp_timer_handle_t timer, uint64_t timeout_us)
{
    esp_err_t err = lock_timer(timer);
    if (err != ESP_OK) {
        return err;
    }
    bool first = false;
    if (!timer->armed) {
        err = ESP_ERR_INVALID_STATE;
    } else if (timer->period_us == 0) {
        first = arm_locked(timer, timeout_us, 0);
    } else {
        first = arm_locked(timer, periodic_period(timeout_us), periodic_period(timeout_us));
    }
    unlock_waking(first);
    return err;
}

esp_err_t esp_timer_stop(esp_timer_handle_t timer)
{
    esp_err_t err = lock_timer(timer);
    if (err != ESP_OK) {
        return err;
    }
    if (timer->armed) {
        /* The task may now wait for an alarm that is gone: it wakes, finds nothing due, waits again. */
        armed_remove_locked(timer);
    } else {
        err = ESP_ERR_INVALID_STATE;
    }
    unlock();
    return err;
}

esp_err_t esp_timer_delete(esp_timer_handle_t timer)
{
    esp_err_t err = lock_timer(timer);
    if (err != ESP_OK) {
        return err;
    }
    if (timer->armed) {
        unlock();
        return ESP_ERR_INVALID_STATE;
    }
    all_remove_locked(timer);
    if (s_dispatching == timer) {
        /* Its callback is running (maybe it deletes itself): the task must not touch it afterwards. */
        s_dispatching = NULL;
    }
    unlock();
    free(timer);
    return ESP_OK;
}

/* ---------------------------------------------------------------- queries */

bool esp_timer_is_active(esp_timer_handle_t timer)
{
    if (lock_timer(timer) != ESP_OK) {
        return false;
    }
    bool armed = timer->armed;
    unlock();
    return armed;
}

esp_err_t esp_timer_get_period(esp_timer_handle_t timer, uint64_t *period)
{
    if (period == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = lock_timer(timer);
    if (err == ESP_OK) {
        *period = timer->period_us;
        unlock();
    }
    return err;
}

esp_err_t esp_timer_get_expiry_time(esp_timer_handle_t timer, uint64_t *expiry)
{
    if (expiry == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = lock_timer(timer);
    if (err != ESP_OK) {
        return err;
    }
    if (timer->period_us != 0) {
        err = ESP_ERR_NOT_SUPPORTED;
    } else {
        *expiry = (uint64_t)timer->alarm_us;
    }
    unlock();
    return err;
}

/* INT64_MAX when no timer (that counts) is armed. */
static int64_t next_alarm(bool for_wake_up)
{
    /* Not up: nothing is armed, and there is no lock to take; don't start a task just to answer. */
    if (atomic_load_explicit(&s_state, memory_order_acquire) != STATE_UP) {
        return INT64_MAX;
    }
    int64_t alarm = INT64_MAX;
    lock();
    for (const struct esp_timer *t = s_armed; t != NULL; t = t->next_armed) {
        if (!for_wake_up || !t->skip_unhandled_events) {
            alarm = t->alarm_us;
            break;
        }
    }
    unlock();
    return alarm;
}

int64_t esp_timer_get_next_alarm(void)
{
    return next_alarm(false);
}

int64_t esp_timer_get_next_alarm_for_wake_up(void)
{
    return next_alarm(true);
}

/* ---------------------------------------------------------------- dump */

/* What esp_timer_dump() prints of one timer, copied under s_lock so the printing happens unlocked. */
typedef struct {
    const struct esp_timer *handle;
    char name[24];
    uint64_t period_us;
    int64_t alarm_us;
    uint32_t times_armed;
    uint32_t times_triggered;
    uint32_t times_skipped;
    int64_t callback_us;
} dump_row_t;

static bool dumped_locked(const struct esp_timer *timer)
{
#if CONFIG_ESP_TIMER_PROFILING
    (void)timer;
    return true; /* every created timer, as the header documents for profiling */
#else
    return timer->armed;
#endif
}

static void fill_row_locked(dump_row_t *row, const struct esp_timer *timer)
{
    row->handle = timer;
    snprintf(row->name, sizeof(row->name), "%s", timer->name);
    row->period_us = timer->period_us;
    row->alarm_us = timer->armed ? timer->alarm_us : 0;
    row->times_armed = timer->times_armed;
    row->times_triggered = timer->times_triggered;
    row->times_skipped = timer->times_skipped;
    row->callback_us = timer->callback_us;
}

/* Rows of the timers to dump; *count 0 and NULL when there are none. ESP_ERR_NO_MEM if malloc fails. */
static esp_err_t snapshot(dump_row_t **rows, size_t *count)
{
    *rows = NULL;
    *count = 0;
    if (atomic_load_explicit(&s_state, memory_order_acquire) != STATE_UP) {
        return ESP_OK;
    }
    esp_err_t err = ESP_OK;
    lock();
    size_t n = 0;
    for (const struct esp_timer *t = s_all; t != NULL; t = t->next_all) {
        n += dumped_locked(t) ? 1 : 0;
    }
    if (n > 0 && (*rows = calloc(n, sizeof(**rows))) == NULL) {
        err = ESP_ERR_NO_MEM;
    }
    for (const struct esp_timer *t = s_all; t != NULL && *rows != NULL; t = t->next_all) {
        if (dumped_locked(t)) {
            fill_row_locked(&(*rows)[(*count)++], t);
        }
    }
    unlock();
    return err;
}

static void print_row(FILE *stream, const dump_row_t *row)
{
    char label[32];
    if (row->name[0] != '\0') {
        snprintf(label, sizeof(label), "%s", row->name);
    } else {
        snprintf(label, sizeof(label), "%p", (const void *)row->handle);
    }
#if CONFIG_ESP_TIMER_PROFILING
    fprintf(stream, "%-20s  %12" PRIu64 "  %12" PRId64 "  %12" PRIu32 "  %12" PRIu32 "  %12" PRIu32 "  %12" PRId64 "\n",
            label, row->period_us, row->alarm_us, row->times_armed, row->times_triggered, row->times_skipped,
            row->callback_us);
#else
    fprintf(stream, "%-20s  %12" PRIu64 "  %12" PRId64 "\n", label, row->period_us, row->alarm_us);
#endif
}

esp_err_t esp_timer_dump(FILE *stream)
{
    if (stream == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    dump_row_t *rows;
    size_t count;
    esp_err_t err = snapshot(&rows, &count);
    if (err != ESP_OK) {
        return err;
    }
#if CONFIG_ESP_TIMER_PROFILING
    fprintf(stream, "Timer stats:\n%-20s  %12s  %12s  %12s  %12s  %12s  %12s\n", "Name", "Period", "Alarm",
            "Times_armed", "Times_trigg", "Times_skip", "Cb_exec_time");
#else
    fprintf(stream, "Timer stats:\n%-20s  %12s  %12s\n", "Name", "Period", "Alarm");
#endif
    for (size_t i = 0; i < count; i++) {
        print_row(stream, &rows[i]);
    }
    free(rows);
    return ESP_OK;
}

/* ---------------------------------------------------------------- what has no meaning on linux */

#if CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
void esp_timer_isr_dispatch_need_yield(void)
{
    /* ISR callbacks run in the esp_timer task here: a task they wake preempts it by itself, no yield to ask. */
}
#endif

esp_err_t esp_timer_new_etm_alarm_event(esp_etm_event_handle_t *out_event)
{
    if (out_event == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    /* The ETM alarm event is a systimer hardware signal; the linux target has none. */
    return ESP_ERR_NOT_SUPPORTED;
}
