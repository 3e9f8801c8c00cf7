/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * test_pthread_main.c: a task creates, every tick, a short task that deletes itself, so the idle task reaps
 * one task (pthread_join) per tick while the creator's next xTaskCreate (pthread_create) comes at the tick.
 * Each short task starts at a tick and spins until a little before the next, by a lead that differs each
 * round, which moves the reaping across the tick. With linux_pthread the tick waits until the idle task is out
 * of pthread_join and the app prints DONE; without it, a tick parks the idle task inside glibc's stack cache
 * lock, the creator blocks on that lock in pthread_create, and the app stops for good.
 *
 * Locking: s_spun is written by the short tasks one at a time (each runs alone, above the idle task and below
 * the creator, which sleeps meanwhile); the creator reads it after the last one ended.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static const char *TAG = "test_pthread";

#define ROUNDS 500
#define LEAD_SPREAD_US 300 /* how far before the next tick a short task ends, at most */
#define CREATOR_PRIO 6
#define SHORT_PRIO 5
#define TASK_STACK 4096

static uint32_t s_spun;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void short_task(void *arg)
{
    uint32_t round = (uint32_t)(uintptr_t)arg;
    int64_t lead_us = (round * 7919u) % LEAD_SPREAD_US;
    int64_t until = now_us() + portTICK_PERIOD_MS * 1000 - lead_us;
    while (now_us() < until) {
    }
    s_spun++;
    vTaskDelete(NULL);
}

static void creator_task(void *arg)
{
    TaskHandle_t main_task = arg;
    uint32_t created = 0;
    for (uint32_t round = 0; round < ROUNDS; round++) {
        if (xTaskCreate(short_task, "short", TASK_STACK, (void *)(uintptr_t)round, SHORT_PRIO, NULL) == pdPASS) {
            created++;
        }
        vTaskDelay(1);
    }
    vTaskDelay(pdMS_TO_TICKS(20)); /* the last short task ends and is reaped */
    ESP_LOGI(TAG, "DONE rounds=%d created=%u spun=%u", ROUNDS, (unsigned)created, (unsigned)s_spun);
    xTaskNotifyGive(main_task);
    vTaskDelete(NULL);
}

void app_main(void)
{
    if (xTaskCreate(creator_task, "creator", TASK_STACK, xTaskGetCurrentTaskHandle(), CREATOR_PRIO, NULL) != pdPASS) {
        ESP_LOGE(TAG, "FAIL: cannot create the creator task");
        return;
    }
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    exit(0);
}
