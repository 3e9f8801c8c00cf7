/*
 * Helpers shared by the host FreeRTOS tests: a monotonic millisecond clock, timing bounds, and a way to wait
 * until a helper task is blocked. cmocka's assertions may only run in the test runner's task ("main"); helper
 * tasks report through atomics and semaphores instead.
 */
#pragma once

#include <stdint.h>
#include <time.h>
#include "esp_bit_defs.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

/* Timing tolerance above a requested wait: generous, because sanitizers and a shared 2-core machine slow
 * everything; the lower bound is exact. */
#define LATE_MS 500
/* A call that must not wait (a poll) returns within this, even on a loaded machine. */
#define PROMPT_MS 100

static inline int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define assert_elapsed_between(start_ms, lo_ms, hi_ms)     \
    do {                                                   \
        int64_t elapsed_ = now_ms() - (start_ms);          \
        assert_in_range(elapsed_, (lo_ms), (hi_ms));       \
    } while (0)

/* Waits (up to 5 s) until `task` sleeps inside a FreeRTOS call; false if it never does. */
static inline bool wait_until_blocked(TaskHandle_t task)
{
    for (int i = 0; i < 500; i++) {
        if (eTaskGetState(task) == eBlocked) {
            return true;
        }
        vTaskDelay(pdMS_TO_TICKS(10));
    }
    return false;
}

int run_sync_tests(void);
int run_queue_tests(void);
int run_task_tests(void);
void run_fatal_case(const char *name);
