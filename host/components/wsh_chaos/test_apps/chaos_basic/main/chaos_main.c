/*
 * Chaos-mode probe. Prints, for tests/host/test_chaos.py to compare across runs and seeds:
 *   CONFIG enabled=<0|1> seed=<n>
 *   DIGEST task=<name> digest=<hex>   one per digest task: its decisions over DIGEST_POINTS points
 *   RACE expected=<n> got=<n> lost=<n> two tasks incrementing a counter with a load, a chaos point, a store
 *   STATS points=<n> yields=<n> sleeps=<n>
 * then exits 0. The racy counter uses relaxed atomics: updates get lost, yet there is no data race for
 * ThreadSanitizer to report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "esp_bit_defs.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/event_groups.h"
#include "wsh_chaos.h"

static const char *TAG = "chaos_test";

#define DIGEST_POINTS 200
#define RACE_INCREMENTS 1000
#define TASK_STACK 4096

typedef struct {
    char name[16];
    uint32_t digest;
} digest_report_t;

static QueueHandle_t s_reports;
static EventGroupHandle_t s_race_start;
static uint32_t s_counter;  /* relaxed atomic */

static void digest_task(void *arg)
{
    for (int i = 0; i < DIGEST_POINTS; i++) {
        wsh_chaos_point("digest");
    }
    digest_report_t report = { .digest = wsh_chaos_thread_digest() };
    snprintf(report.name, sizeof(report.name), "%s", pcTaskGetName(NULL));
    xQueueSend(s_reports, &report, portMAX_DELAY);
    vTaskDelete(NULL);
}

static void race_task(void *arg)
{
    EventBits_t me = (EventBits_t)(uintptr_t)arg;
    xEventGroupSync(s_race_start, me, BIT0 | BIT1, portMAX_DELAY);
    for (int i = 0; i < RACE_INCREMENTS; i++) {
        uint32_t v = __atomic_load_n(&s_counter, __ATOMIC_RELAXED);
        wsh_chaos_point("race");
        __atomic_store_n(&s_counter, v + 1, __ATOMIC_RELAXED);
    }
    digest_report_t done = { .name = "racer" };
    xQueueSend(s_reports, &done, portMAX_DELAY);
    vTaskDelete(NULL);
}

static void report_digests(void)
{
    static const char *names[] = { "chaos_a", "chaos_b", "chaos_a" };
    const int n = sizeof(names) / sizeof(names[0]);
    for (int i = 0; i < n; i++) {
        xTaskCreate(digest_task, names[i], TASK_STACK, NULL, 5, NULL);
    }
    for (int i = 0; i < n; i++) {
        digest_report_t report;
        xQueueReceive(s_reports, &report, portMAX_DELAY);
        ESP_LOGI(TAG, "DIGEST task=%s digest=%08" PRIx32, report.name, report.digest);
    }
}

static void report_race(void)
{
    s_race_start = xEventGroupCreate();
    xTaskCreate(race_task, "racer", TASK_STACK, (void *)(uintptr_t)BIT0, 5, NULL);
    xTaskCreate(race_task, "racer", TASK_STACK, (void *)(uintptr_t)BIT1, 5, NULL);
    for (int i = 0; i < 2; i++) {
        digest_report_t done;
        xQueueReceive(s_reports, &done, portMAX_DELAY);
    }
    uint32_t got = __atomic_load_n(&s_counter, __ATOMIC_RELAXED);
    ESP_LOGI(TAG, "RACE expected=%d got=%" PRIu32 " lost=%" PRIu32, 2 * RACE_INCREMENTS, got,
             2 * RACE_INCREMENTS - got);
    vEventGroupDelete(s_race_start);
}

void app_main(void)
{
    ESP_LOGI(TAG, "CONFIG enabled=%d seed=%" PRIu32, wsh_chaos_enabled(), wsh_chaos_seed());
    s_reports = xQueueCreate(4, sizeof(digest_report_t));
    report_digests();
    report_race();
    wsh_chaos_stats_t stats;
    wsh_chaos_get_stats(&stats);
    ESP_LOGI(TAG, "STATS points=%" PRIu64 " yields=%" PRIu64 " sleeps=%" PRIu64, stats.points, stats.yields,
             stats.sleeps);
    vQueueDelete(s_reports);
    exit(0);
}
