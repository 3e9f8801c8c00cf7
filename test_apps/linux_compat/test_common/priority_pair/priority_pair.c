/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * priority_pair.c: see priority_pair.h.
 *
 * Locking: s_done, a counting semaphore, is given once by each task when its function has returned; the
 * caller of priority_pair_run takes it twice. One pair runs at a time.
 */
#include "priority_pair.h"

#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define TASK_STACK 4096

static SemaphoreHandle_t s_done;

static void pair_task(void *arg)
{
    void (*body)(void) = (void (*)(void))arg;
    body();
    xSemaphoreGive(s_done);
    vTaskDelete(NULL);
}

bool priority_pair_run(void (*high)(void), void (*low)(void))
{
    if (s_done == NULL) {
        s_done = xSemaphoreCreateCounting(2, 0);
    }
    if (s_done == NULL ||
        xTaskCreate(pair_task, "high", TASK_STACK, (void *)high, PRIORITY_PAIR_HIGH, NULL) != pdPASS ||
        xTaskCreate(pair_task, "low", TASK_STACK, (void *)low, PRIORITY_PAIR_LOW, NULL) != pdPASS) {
        return false;
    }
    for (int i = 0; i < 2; i++) {
        xSemaphoreTake(s_done, portMAX_DELAY);
    }
    return true;
}
