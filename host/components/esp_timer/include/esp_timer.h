/* ESP-IDF's esp_timer on the host: esp_timer_get_time() counts microseconds since the process started
 * (CLOCK_MONOTONIC), and timers fire in one dispatch task named "esp_timer" (see src/esp_timer_dispatch.c
 * for the locking). Callbacks run one at a time in that task, never under the timer lock. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esp_timer *esp_timer_handle_t;
typedef void (*esp_timer_cb_t)(void *arg);

typedef enum {
    ESP_TIMER_TASK,
    ESP_TIMER_ISR,
    ESP_TIMER_MAX,
} esp_timer_dispatch_t;

typedef struct {
    esp_timer_cb_t callback;
    void *arg;
    esp_timer_dispatch_t dispatch_method;
    const char *name;
    bool skip_unhandled_events;
} esp_timer_create_args_t;

/* Nothing to do early on the host: always ESP_OK. */
esp_err_t esp_timer_early_init(void);
/* Starts the dispatch task; ESP_ERR_INVALID_STATE when it already runs (creating a timer starts it). */
esp_err_t esp_timer_init(void);

esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle);
/* ESP_ERR_INVALID_STATE when the timer is already running. */
esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us);
/* Period of at least 50 us, else ESP_ERR_INVALID_ARG. ESP_ERR_INVALID_STATE when already running. */
esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period);
/* Re-arms a running timer with a new timeout (periodic: new period); ESP_ERR_INVALID_STATE if not running. */
esp_err_t esp_timer_restart(esp_timer_handle_t timer, uint64_t timeout_us);
/* ESP_ERR_INVALID_STATE when the timer is not running. Works from the timer's own callback. */
esp_err_t esp_timer_stop(esp_timer_handle_t timer);
/* ESP_ERR_INVALID_STATE while the timer is running (armed); stop it first. Waits for a callback of this
 * timer that is executing in the dispatch task, unless called from that callback. */
esp_err_t esp_timer_delete(esp_timer_handle_t timer);

int64_t esp_timer_get_time(void);
/* Time of the next alarm in microseconds since start; INT64_MAX when no timer is running. */
int64_t esp_timer_get_next_alarm(void);
int64_t esp_timer_get_next_alarm_for_wake_up(void);
bool esp_timer_is_active(esp_timer_handle_t timer);
esp_err_t esp_timer_get_period(esp_timer_handle_t timer, uint64_t *period);
esp_err_t esp_timer_get_expiry_time(esp_timer_handle_t timer, uint64_t *expiry);
/* Prints one line per timer: name, period, next alarm. */
esp_err_t esp_timer_dump(FILE *stream);

#ifdef __cplusplus
}
#endif
