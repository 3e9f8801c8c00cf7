/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * test_stdout_main.c: two tasks of different priorities log at once while the reader of stdout is late, the
 * way the hammer's senders and chaos tasks do. The low task fills the pipe and waits in write() holding
 * stdout's lock; the high task wakes every tick and logs. With linux_stdout the high task waits for the lock
 * in the scheduler and the app prints DONE once the pipe drains; without it the app stops for good.
 *
 * Locking: nothing shared; priority_pair waits for both tasks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "priority_pair.h"

static const char *TAG = "test_stdout";

#define LOW_LINES 4000   /* ~400 kB: several times a pipe's 64 kB */
#define HIGH_LINES 400   /* one a tick */

static void low_task(void)
{
    for (int i = 0; i < LOW_LINES; i++) {
        ESP_LOGI(TAG, "low %04d ................................................................................", i);
    }
}

static void high_task(void)
{
    for (int i = 0; i < HIGH_LINES; i++) {
        vTaskDelay(1);
        ESP_LOGI(TAG, "high %03d", i);
    }
}

void app_main(void)
{
    if (!priority_pair_run(high_task, low_task)) {
        ESP_LOGE(TAG, "FAIL: cannot create the tasks");
        return;
    }
    ESP_LOGI(TAG, "DONE low=%d high=%d", LOW_LINES, HIGH_LINES);
    fflush(stdout);
    exit(0);
}
