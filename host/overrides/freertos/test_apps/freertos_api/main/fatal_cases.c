/*
 * Misuse that must be reported with an ESP-IDF-format error line (or a failed-assert line) and abort, and
 * one data race that ThreadSanitizer must see. Each case is run in its own process (WSH_TEST_CASE=<name>)
 * by tests/host/test_freertos.py, which checks the line and the abort (or the race report).
 */
#include <stdio.h>
#include <string.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
#include "test_util.h"

static const char *TAG = "freertos_test";

#define HELPER_STACK 4096

static SemaphoreHandle_t s_mutex;
static SemaphoreHandle_t s_forever;
static int s_spins;  /* atomic */

static void hold_forever_task(void *arg)
{
    xSemaphoreTake(s_mutex, portMAX_DELAY);
    xSemaphoreTake(s_forever, portMAX_DELAY);
    vTaskDelete(NULL);
}

static void spin_task(void *arg)
{
    for (;;) {
        __atomic_fetch_add(&s_spins, 1, __ATOMIC_RELAXED);
    }
}

static void returning_task(void *arg)
{
}

static void wait_forever_task(void *arg)
{
    xSemaphoreTake(s_forever, portMAX_DELAY);
    vTaskDelete(NULL);
}

/* The main task gives a mutex that "holder" holds. */
static void give_foreign_mutex(void)
{
    s_mutex = xSemaphoreCreateMutex();
    s_forever = xSemaphoreCreateBinary();
    TaskHandle_t holder;
    xTaskCreate(hold_forever_task, "holder", HELPER_STACK, NULL, 5, &holder);
    wait_until_blocked(holder);
    xSemaphoreGive(s_mutex);
}

/* A recursive mutex given by a task that never took it. */
static void give_foreign_recursive_mutex(void)
{
    SemaphoreHandle_t m = xSemaphoreCreateRecursiveMutex();
    xSemaphoreGiveRecursive(m);
}

/* The main task deletes "spinner" while it runs application code. */
static void delete_running_task(void)
{
    TaskHandle_t spinner;
    xTaskCreate(spin_task, "spinner", HELPER_STACK, NULL, 5, &spinner);
    while (__atomic_load_n(&s_spins, __ATOMIC_RELAXED) == 0) {
        vTaskDelay(1);
    }
    vTaskDelete(spinner);
}

static void take_own_mutex_forever(void)
{
    SemaphoreHandle_t m = xSemaphoreCreateMutex();
    xSemaphoreTake(m, portMAX_DELAY);
    xSemaphoreTake(m, portMAX_DELAY);
}

static void task_returns(void)
{
    xTaskCreate(returning_task, "returner", HELPER_STACK, NULL, 5, NULL);
    vTaskDelay(pdMS_TO_TICKS(5000));
}

static void delete_semaphore_with_waiter(void)
{
    s_forever = xSemaphoreCreateBinary();
    TaskHandle_t waiter;
    xTaskCreate(wait_forever_task, "waiter", HELPER_STACK, NULL, 5, &waiter);
    wait_until_blocked(waiter);
    vSemaphoreDelete(s_forever);
}

static void set_reserved_bits(void)
{
    xEventGroupSetBits(xEventGroupCreate(), 0x01000000);
}

/* A race only hidden if FreeRTOS calls on unrelated objects synchronised with each other (one kernel-wide
 * lock would do that): "writer" writes s_plain and gives one semaphore, the main task takes another and
 * reads s_plain. The relaxed flag orders nothing for TSan; it only makes the read come after the write. */
static int s_plain;
static int s_written;  /* relaxed atomic */

static void writer_task(void *arg)
{
    SemaphoreHandle_t mine = arg;
    s_plain = 42;
    xSemaphoreGive(mine);
    __atomic_store_n(&s_written, 1, __ATOMIC_RELAXED);
    vTaskDelay(portMAX_DELAY);
}

static void race_through_unrelated_objects(void)
{
    SemaphoreHandle_t writers = xSemaphoreCreateBinary();
    SemaphoreHandle_t readers = xSemaphoreCreateCounting(1, 1);
    xTaskCreate(writer_task, "writer", HELPER_STACK, writers, 5, NULL);
    while (!__atomic_load_n(&s_written, __ATOMIC_RELAXED)) {
        vTaskDelay(1);
    }
    xSemaphoreTake(readers, 0);
    ESP_LOGI(TAG, "read %d", s_plain);
    vSemaphoreDelete(readers);
}

static const struct {
    const char *name;
    void (*run)(void);
} s_cases[] = {
    { "give_foreign_mutex", give_foreign_mutex },
    { "give_foreign_recursive_mutex", give_foreign_recursive_mutex },
    { "delete_running_task", delete_running_task },
    { "take_own_mutex_forever", take_own_mutex_forever },
    { "task_returns", task_returns },
    { "delete_semaphore_with_waiter", delete_semaphore_with_waiter },
    { "set_reserved_bits", set_reserved_bits },
    { "race_through_unrelated_objects", race_through_unrelated_objects },
};

void run_fatal_case(const char *name)
{
    for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++) {
        if (strcmp(s_cases[i].name, name) == 0) {
            ESP_LOGI(TAG, "fatal case %s", name);
            s_cases[i].run();
            return;
        }
    }
    ESP_LOGE(TAG, "unknown WSH_TEST_CASE \"%s\"", name);
}
