/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * test_stdout_main.c: two tasks of different priorities log at once while the reader of stdout is late, the
 * way the hammer's senders and chaos tasks do. The low task fills the pipe and waits in write() holding
 * stdout's lock; the high task wakes every tick and logs. With linux_stdout the high task waits for the lock
 * in the scheduler and the app prints DONE once the pipe drains; without it the app stops for good.
 *
 * Locking: none shared but s_done, a counting semaphore each task gives once when it has logged everything.
 */
#include <stdio.h>
#include <stdlib.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

static const char *TAG = "test_stdout";

#define LOW_PRIO 2
#define HIGH_PRIO 5
#define LOW_LINES 4000   /* ~400 kB: several times a pipe's 64 kB */
#define HIGH_LINES 400   /* one a tick */
#define TASK_STACK 4096

static SemaphoreHandle_t s_done;

static void low_task(void *arg)
{
    (void)arg;
    for (int i = 0; i < LOW_LINES; i++) {
        ESP_LOGI(TAG, "low %04d ................................................................................", i);
    }
    xSemaphoreGive(s_done);
    vTaskDelete(NULL);
}

static void high_task(void *arg)
{
    (void)arg;
    for (int i = 0; i < HIGH_LINES; i++) {
        vTaskDelay(1);
        ESP_LOGI(TAG, "high %03d", i);
    }
    xSemaphoreGive(s_done);
    vTaskDelete(NULL);
}

void app_main(void)
{
    s_done = xSemaphoreCreateCounting(2, 0);
    if (s_done == NULL ||
        /* high first: once low runs it keeps the CPU from app_main, whose priority is lower still */
        xTaskCreate(high_task, "high", TASK_STACK, NULL, HIGH_PRIO, NULL) != pdPASS ||
        xTaskCreate(low_task, "low", TASK_STACK, NULL, LOW_PRIO, NULL) != pdPASS) {
        ESP_LOGE(TAG, "FAIL: cannot create the tasks");
        return;
    }
    for (int i = 0; i < 2; i++) {
        xSemaphoreTake(s_done, portMAX_DELAY);
    }
    ESP_LOGI(TAG, "DONE low=%d high=%d", LOW_LINES, HIGH_LINES);
    fflush(stdout);
    exit(0);
}
