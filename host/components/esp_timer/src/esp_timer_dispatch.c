/* esp_timer's timers and their dispatch task "esp_timer".
 * Locking: s_lock guards the timer list (s_timers), every timer's armed/period_us/alarm_us/next fields
 * and s_running. A timer's callback, arg, name and skip flag are immutable after creation. The dispatch
 * task sleeps on s_wake until the earliest alarm, marks the timer in s_running, and runs the callback
 * with s_lock released; esp_timer_delete() from any other task waits on s_idle until that callback has
 * returned, so a deleted timer is never touched again. The task starts once (s_start_once). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

/* ESP-IDF's priority for the esp_timer task (ESP_TASK_TIMER_PRIO) and its minimum period. */
#define TIMER_TASK_PRIORITY 22
#define MIN_PERIOD_US 50

struct esp_timer {
    esp_timer_cb_t callback;   /* immutable */
    void *arg;                 /* immutable */
    const char *name;          /* immutable */
    bool skip_unhandled;       /* immutable */
    bool armed;                /* guarded by s_lock */
    uint64_t period_us;        /* guarded by s_lock; 0 for a one-shot timer */
    int64_t alarm_us;          /* guarded by s_lock */
    struct esp_timer *next;    /* guarded by s_lock */
};

static const char *TAG = "esp_timer";

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_wake;              /* CLOCK_MONOTONIC; initialised before the task starts */
static pthread_cond_t s_idle;              /* broadcast when s_running's callback returns */
static struct esp_timer *s_timers;         /* guarded by s_lock */
static struct esp_timer *s_running;        /* guarded by s_lock */

static pthread_once_t s_start_once = PTHREAD_ONCE_INIT;
static esp_err_t s_start_result = ESP_ERR_NO_MEM; /* written once under s_start_once */
static bool s_init_done;                          /* atomic: esp_timer_init() or a create happened */
static __thread bool t_is_dispatcher;             /* true only in the dispatch task's thread */

/* Caller holds s_lock. */
static struct esp_timer *earliest_armed(void)
{
    struct esp_timer *best = NULL;
    for (struct esp_timer *t = s_timers; t; t = t->next) {
        if (t->armed && (best == NULL || t->alarm_us < best->alarm_us)) {
            best = t;
        }
    }
    return best;
}

/* Caller holds s_lock. Rejects handles that were never created or already deleted. */
static bool is_known(const struct esp_timer *timer)
{
    for (const struct esp_timer *t = s_timers; t; t = t->next) {
        if (t == timer) {
            return true;
        }
    }
    return false;
}

/* Caller holds s_lock: sleeps on s_wake until alarm_us (esp_timer_get_time() base) or a signal. */
static void wait_until(int64_t alarm_us)
{
    int64_t delta_us = alarm_us - esp_timer_get_time();
    if (delta_us < 0) {
        delta_us = 0;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += delta_us / 1000000;
    deadline.tv_nsec += (long)(delta_us % 1000000) * 1000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s_wake, &s_lock, &deadline);
}

/* Caller holds s_lock: advances (periodic) or disarms (one-shot) a timer whose alarm has come. */
static void consume_alarm(struct esp_timer *t, int64_t now)
{
    if (t->period_us == 0) {
        t->armed = false;
        return;
    }
    t->alarm_us += (int64_t)t->period_us;
    if (t->skip_unhandled && t->alarm_us <= now) {
        t->alarm_us = now + (int64_t)t->period_us;
    }
}

static void dispatch_task(void *arg)
{
    t_is_dispatcher = true;
    pthread_mutex_lock(&s_lock);
    for (;;) {
        struct esp_timer *t = earliest_armed();
        if (t == NULL) {
            pthread_cond_wait(&s_wake, &s_lock);
            continue;
        }
        int64_t now = esp_timer_get_time();
        if (t->alarm_us > now) {
            wait_until(t->alarm_us);
            continue;
        }
        consume_alarm(t, now);
        s_running = t;
        esp_timer_cb_t callback = t->callback;
        void *cb_arg = t->arg;
        pthread_mutex_unlock(&s_lock);
        callback(cb_arg);
        pthread_mutex_lock(&s_lock);
        s_running = NULL;
        pthread_cond_broadcast(&s_idle);
    }
}

static void start_dispatcher(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s_wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&s_idle, NULL);
    if (xTaskCreate(dispatch_task, "esp_timer", CONFIG_ESP_TIMER_TASK_STACK_SIZE, NULL,
                    TIMER_TASK_PRIORITY, NULL) == pdPASS) {
        s_start_result = ESP_OK;
    } else {
        ESP_LOGE(TAG, "cannot create the esp_timer task");
    }
}

static esp_err_t ensure_dispatcher(void)
{
    __atomic_store_n(&s_init_done, true, __ATOMIC_RELAXED);
    pthread_once(&s_start_once, start_dispatcher);
    return s_start_result;
}

esp_err_t esp_timer_early_init(void)
{
    return ESP_OK;
}

esp_err_t esp_timer_init(void)
{
    if (__atomic_load_n(&s_init_done, __ATOMIC_RELAXED)) {
        return ESP_ERR_INVALID_STATE;
    }
    return ensure_dispatcher();
}

esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle)
{
    if (create_args == NULL || create_args->callback == NULL || out_handle == NULL ||
        create_args->dispatch_method != ESP_TIMER_TASK) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ensure_dispatcher();
    if (err != ESP_OK) {
        return err;
    }
    struct esp_timer *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return ESP_ERR_NO_MEM;
    }
    t->callback = create_args->callback;
    t->arg = create_args->arg;
    t->name = create_args->name;
    t->skip_unhandled = create_args->skip_unhandled_events;
    pthread_mutex_lock(&s_lock);
    t->next = s_timers;
    s_timers = t;
    pthread_mutex_unlock(&s_lock);
    *out_handle = t;
    return ESP_OK;
}

/* Arms a known, stopped timer. */
static esp_err_t arm(esp_timer_handle_t timer, uint64_t timeout_us, uint64_t period_us)
{
    if (timer == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!is_known(timer)) {
        err = ESP_ERR_INVALID_ARG;
    } else if (timer->armed) {
        err = ESP_ERR_INVALID_STATE;
    } else {
        timer->period_us = period_us;
        timer->alarm_us = esp_timer_get_time() + (int64_t)timeout_us;
        timer->armed = true;
        pthread_cond_signal(&s_wake);
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us)
{
    return arm(timer, timeout_us, 0);
}

esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period)
{
    if (period < MIN_PERIOD_US) {
        return ESP_ERR_INVALID_ARG;
    }
    return arm(timer, period, period);
}

esp_err_t esp_timer_restart(esp_timer_handle_t timer, uint64_t timeout_us)
{
    if (timer == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!is_known(timer)) {
        err = ESP_ERR_INVALID_ARG;
    } else if (!timer->armed) {
        err = ESP_ERR_INVALID_STATE;
    } else if (timer->period_us != 0 && timeout_us < MIN_PERIOD_US) {
        err = ESP_ERR_INVALID_ARG;
    } else {
        if (timer->period_us != 0) {
            timer->period_us = timeout_us;
        }
        timer->alarm_us = esp_timer_get_time() + (int64_t)timeout_us;
        pthread_cond_signal(&s_wake);
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_timer_stop(esp_timer_handle_t timer)
{
    if (timer == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!is_known(timer)) {
        err = ESP_ERR_INVALID_ARG;
    } else if (!timer->armed) {
        err = ESP_ERR_INVALID_STATE;
    } else {
        timer->armed = false;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

/* Caller holds s_lock and knows timer is in the list. */
static void unlink_timer(struct esp_timer *timer)
{
    for (struct esp_timer **link = &s_timers; *link; link = &(*link)->next) {
        if (*link == timer) {
            *link = timer->next;
            return;
        }
    }
}

esp_err_t esp_timer_delete(esp_timer_handle_t timer)
{
    if (timer == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    if (!is_known(timer)) {
        pthread_mutex_unlock(&s_lock);
        return ESP_ERR_INVALID_ARG;
    }
    if (timer->armed) {
        pthread_mutex_unlock(&s_lock);
        return ESP_ERR_INVALID_STATE;
    }
    unlink_timer(timer);
    while (s_running == timer && !t_is_dispatcher) {
        pthread_cond_wait(&s_idle, &s_lock);
    }
    pthread_mutex_unlock(&s_lock);
    free(timer);
    return ESP_OK;
}

int64_t esp_timer_get_next_alarm(void)
{
    pthread_mutex_lock(&s_lock);
    const struct esp_timer *t = earliest_armed();
    int64_t next = t ? t->alarm_us : INT64_MAX;
    pthread_mutex_unlock(&s_lock);
    return next;
}

int64_t esp_timer_get_next_alarm_for_wake_up(void)
{
    return esp_timer_get_next_alarm();
}

bool esp_timer_is_active(esp_timer_handle_t timer)
{
    pthread_mutex_lock(&s_lock);
    bool active = timer != NULL && is_known(timer) && timer->armed;
    pthread_mutex_unlock(&s_lock);
    return active;
}

esp_err_t esp_timer_get_period(esp_timer_handle_t timer, uint64_t *period)
{
    if (timer == NULL || period == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (is_known(timer)) {
        *period = timer->period_us;
    } else {
        err = ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_timer_get_expiry_time(esp_timer_handle_t timer, uint64_t *expiry)
{
    if (timer == NULL || expiry == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&s_lock);
    if (!is_known(timer)) {
        err = ESP_ERR_INVALID_ARG;
    } else if (timer->period_us != 0) {
        err = ESP_ERR_NOT_SUPPORTED; /* as in ESP-IDF: only one-shot timers have an expiry time */
    } else {
        *expiry = (uint64_t)timer->alarm_us;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_timer_dump(FILE *stream)
{
    if (stream == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    fprintf(stream, "Timer stats:\nName                  Period      Alarm\n");
    for (const struct esp_timer *t = s_timers; t; t = t->next) {
        fprintf(stream, "%-20s  %-10llu  %lld\n", t->name ? t->name : "timer",
                (unsigned long long)t->period_us, t->armed ? (long long)t->alarm_us : 0LL);
    }
    pthread_mutex_unlock(&s_lock);
    return ESP_OK;
}
