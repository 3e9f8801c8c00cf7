/* Runs esp_timer scenarios and logs raw observations (counts, microseconds, error names) as key=value
 * lines; tests/host/test_base_timer.py judges them. Counters shared with callbacks are atomics. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "esp_err.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static const char *TAG = "timer_test";

static void sleep_ms(int ms)
{
    vTaskDelay(pdMS_TO_TICKS(ms));
}

static esp_timer_handle_t make_timer(esp_timer_cb_t cb, void *arg, const char *name)
{
    const esp_timer_create_args_t args = { .callback = cb, .arg = arg, .name = name };
    esp_timer_handle_t timer = NULL;
    ESP_ERROR_CHECK(esp_timer_create(&args, &timer));
    return timer;
}

static void time_base(void)
{
    int64_t t1 = esp_timer_get_time();
    sleep_ms(100);
    int64_t t2 = esp_timer_get_time();
    ESP_LOGI(TAG, "TIME start_us=%lld delta_us=%lld", (long long)t1, (long long)(t2 - t1));
}

typedef struct {
    atomic_int count;
    _Atomic int64_t fired_at;
    char task_name[32];
} oneshot_obs_t;

static void oneshot_cb(void *arg)
{
    oneshot_obs_t *obs = arg;
    obs->fired_at = esp_timer_get_time();
    strncpy(obs->task_name, pcTaskGetName(NULL), sizeof(obs->task_name) - 1);
    atomic_fetch_add(&obs->count, 1);
}

static void one_shot(void)
{
    static oneshot_obs_t obs;
    esp_timer_handle_t timer = make_timer(oneshot_cb, &obs, "oneshot");
    int64_t started = esp_timer_get_time();
    ESP_ERROR_CHECK(esp_timer_start_once(timer, 50 * 1000));
    bool active_before = esp_timer_is_active(timer);
    sleep_ms(250);
    int count = atomic_load(&obs.count); /* orders the callback's writes before the reads below */
    ESP_LOGI(TAG, "ONESHOT count=%d delay_us=%lld task=%s active_before=%d active_after=%d",
             count, (long long)(obs.fired_at - started), count ? obs.task_name : "none", active_before,
             esp_timer_is_active(timer));
    ESP_ERROR_CHECK(esp_timer_delete(timer));
}

static void count_cb(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void periodic(void)
{
    static atomic_int count;
    esp_timer_handle_t timer = make_timer(count_cb, &count, "periodic");
    ESP_ERROR_CHECK(esp_timer_start_periodic(timer, 10 * 1000));
    sleep_ms(205);
    ESP_ERROR_CHECK(esp_timer_stop(timer));
    int at_stop = atomic_load(&count);
    sleep_ms(60);
    ESP_LOGI(TAG, "PERIODIC count=%d count_after_stop=%d", at_stop, atomic_load(&count));
    ESP_ERROR_CHECK(esp_timer_delete(timer));
}

typedef struct {
    atomic_int count;
    atomic_int stop_rc;
    esp_timer_handle_t self;
} selfstop_obs_t;

static void selfstop_cb(void *arg)
{
    selfstop_obs_t *obs = arg;
    if (atomic_fetch_add(&obs->count, 1) + 1 == 3) {
        atomic_store(&obs->stop_rc, esp_timer_stop(obs->self));
    }
}

static void stop_from_callback(void)
{
    static selfstop_obs_t obs = { .stop_rc = -1 };
    obs.self = make_timer(selfstop_cb, &obs, "selfstop");
    ESP_ERROR_CHECK(esp_timer_start_periodic(obs.self, 5 * 1000));
    sleep_ms(150);
    ESP_LOGI(TAG, "SELFSTOP count=%d stop_rc=%s active=%d", atomic_load(&obs.count),
             esp_err_to_name(atomic_load(&obs.stop_rc)), esp_timer_is_active(obs.self));
    ESP_ERROR_CHECK(esp_timer_delete(obs.self));
}

static atomic_int s_selfdelete_rc = -1;

static void selfdelete_cb(void *arg)
{
    atomic_store(&s_selfdelete_rc, esp_timer_delete(*(esp_timer_handle_t *)arg));
}

static void delete_from_callback(void)
{
    static esp_timer_handle_t timer;
    timer = make_timer(selfdelete_cb, &timer, "selfdelete");
    ESP_ERROR_CHECK(esp_timer_start_once(timer, 1000));
    sleep_ms(100);
    ESP_LOGI(TAG, "SELFDELETE rc=%s", esp_err_to_name(atomic_load(&s_selfdelete_rc)));
}

static atomic_int s_slow_started;
static atomic_int s_slow_finished;

static void slow_cb(void *arg)
{
    atomic_store(&s_slow_started, 1);
    vTaskDelay(pdMS_TO_TICKS(100));
    atomic_store(&s_slow_finished, 1);
}

/* A one-shot timer has fired and its callback is running: delete must wait for it. */
static void delete_waits_for_callback(void)
{
    esp_timer_handle_t timer = make_timer(slow_cb, NULL, "slow");
    ESP_ERROR_CHECK(esp_timer_start_once(timer, 1000));
    while (!atomic_load(&s_slow_started)) {
        sleep_ms(1);
    }
    esp_err_t rc = esp_timer_delete(timer);
    ESP_LOGI(TAG, "DELETE_WAITS rc=%s finished_when_deleted=%d", esp_err_to_name(rc), atomic_load(&s_slow_finished));
}

static void error_rules(void)
{
    static atomic_int unused;
    esp_timer_handle_t timer = make_timer(count_cb, &unused, "rules");
    const esp_timer_create_args_t no_cb = { .callback = NULL, .name = "nocb" };
    const esp_timer_create_args_t isr = { .callback = count_cb, .dispatch_method = ESP_TIMER_ISR };
    esp_timer_handle_t other = NULL;

    esp_err_t first_start = esp_timer_start_once(timer, 1000 * 1000);
    esp_err_t double_start = esp_timer_start_once(timer, 1000 * 1000);
    esp_err_t delete_running = esp_timer_delete(timer);
    esp_err_t restart = esp_timer_restart(timer, 2000 * 1000);
    esp_err_t stop = esp_timer_stop(timer);
    esp_err_t stop_again = esp_timer_stop(timer);
    esp_err_t short_period = esp_timer_start_periodic(timer, 10);
    esp_err_t del = esp_timer_delete(timer);
    ESP_LOGI(TAG, "RULES first_start=%s double_start=%s delete_running=%s restart=%s stop=%s stop_again=%s "
             "short_period=%s delete=%s", esp_err_to_name(first_start), esp_err_to_name(double_start),
             esp_err_to_name(delete_running), esp_err_to_name(restart), esp_err_to_name(stop),
             esp_err_to_name(stop_again), esp_err_to_name(short_period), esp_err_to_name(del));
    ESP_LOGI(TAG, "ARGS delete_null=%s null_cb=%s isr=%s stop_deleted=%s",
             esp_err_to_name(esp_timer_delete(NULL)), esp_err_to_name(esp_timer_create(&no_cb, &other)),
             esp_err_to_name(esp_timer_create(&isr, &other)), esp_err_to_name(esp_timer_stop(timer)));
}

#define STRESS_TASKS 4
#define STRESS_ROUNDS 150

static atomic_int s_stress_fired;
static atomic_int s_stress_errors;
static atomic_int s_stress_done;

/* Each round creates a timer, arms it for 0-2 ms, and stops (or lets it fire) and deletes it, while
 * the other tasks do the same: the timer list and dispatch state see constant concurrent change. */
static void stress_task(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int round = 0; round < STRESS_ROUNDS; round++) {
        esp_timer_handle_t timer = make_timer(count_cb, &s_stress_fired, "stress");
        if (esp_timer_start_once(timer, (uint64_t)((round + id) % 3) * 1000) != ESP_OK) {
            atomic_fetch_add(&s_stress_errors, 1);
        }
        if (round % 2 == 0) {
            vTaskDelay(pdMS_TO_TICKS(3));
        }
        esp_err_t stop = esp_timer_stop(timer); /* ESP_OK if it had not fired yet */
        if (stop != ESP_OK && stop != ESP_ERR_INVALID_STATE) {
            atomic_fetch_add(&s_stress_errors, 1);
        }
        if (esp_timer_delete(timer) != ESP_OK) {
            atomic_fetch_add(&s_stress_errors, 1);
        }
    }
    atomic_fetch_add(&s_stress_done, 1);
    vTaskDelete(NULL);
}

static void stress(void)
{
    for (int id = 0; id < STRESS_TASKS; id++) {
        xTaskCreate(stress_task, "stress", 4096, (void *)(intptr_t)id, 5, NULL);
    }
    for (int waited = 0; atomic_load(&s_stress_done) < STRESS_TASKS && waited < 30000; waited += 10) {
        sleep_ms(10);
    }
    ESP_LOGI(TAG, "STRESS done=%d errors=%d fired=%d", atomic_load(&s_stress_done), atomic_load(&s_stress_errors),
             atomic_load(&s_stress_fired));
}

void app_main(void)
{
    time_base();
    one_shot();
    periodic();
    stop_from_callback();
    delete_from_callback();
    delete_waits_for_callback();
    error_rules();
    stress();
    ESP_LOGI(TAG, "DONE next_alarm=%lld", (long long)esp_timer_get_next_alarm());
    exit(0);
}
