/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Checks of the parallel kernel under ESP-IDF's FreeRTOS API, each printing "TEST <name> PASS" or
 * "TEST <name> FAIL: <why>", then "DONE failed=<n>" and the exit status. The first check is the one ESP-IDF's
 * POSIX port fails by design: a task that runs without calling FreeRTOS does not stop a lower one.
 *
 * Locking: each check's shared state is an atomic or guarded by the FreeRTOS object the check is about.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "esp_bit_defs.h"
#include "esp_event.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define SPIN_LIMIT_MS   2000  /* how long the high task spins before it concludes the low one never ran */
#define EVENT_POSTERS   4
#define EVENTS_EACH     250
#define STACK           4096

static int s_failed;

static void report(const char *name, const char *failure)
{
    if (failure) {
        s_failed++;
        printf("TEST %s FAIL: %s\n", name, failure);
    } else {
        printf("TEST %s PASS\n", name);
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- a busy task does not stop a lower one */

static atomic_bool s_low_ran;
static SemaphoreHandle_t s_low_go;
static SemaphoreHandle_t s_spin_done;
static int64_t s_spun_ms;
static bool s_low_ran_during_spin;  /* the high task's view when it stopped spinning */

static void low_task(void *arg)
{
    xSemaphoreTake(s_low_go, portMAX_DELAY);
    atomic_store(&s_low_ran, true);
    vTaskDelete(NULL);
}

static void high_spinning_task(void *arg)
{
    xSemaphoreGive(s_low_go);
    int64_t start = now_ms();
    while (!atomic_load(&s_low_ran) && now_ms() - start < SPIN_LIMIT_MS) {
        /* no FreeRTOS call: on a one-at-a-time scheduler nothing else runs meanwhile */
    }
    s_spun_ms = now_ms() - start;
    s_low_ran_during_spin = atomic_load(&s_low_ran);
    xSemaphoreGive(s_spin_done);
    vTaskDelete(NULL);
}

static void check_busy_task_does_not_stop_lower_one(void)
{
    s_low_go = xSemaphoreCreateBinary();
    s_spin_done = xSemaphoreCreateBinary();
    xTaskCreate(low_task, "low", STACK, NULL, 5, NULL);
    xTaskCreate(high_spinning_task, "high", STACK, NULL, 10, NULL);
    xSemaphoreTake(s_spin_done, portMAX_DELAY);
    char why[96];
    snprintf(why, sizeof(why), "the lower task never ran while the higher one spun %lld ms", (long long)s_spun_ms);
    report("busy_task_does_not_stop_lower_one", s_low_ran_during_spin ? NULL : why);
    vSemaphoreDelete(s_low_go);
    vSemaphoreDelete(s_spin_done);
}

/* ---------------------------------------------------------------- timeouts */

static void check_receive_times_out(void)
{
    QueueHandle_t queue = xQueueCreate(1, sizeof(int));
    int item;
    TickType_t ticks_before = xTaskGetTickCount();
    int64_t before = now_ms();
    BaseType_t got = xQueueReceive(queue, &item, pdMS_TO_TICKS(100));
    int64_t waited = now_ms() - before;
    TickType_t ticks = xTaskGetTickCount() - ticks_before;
    char why[96];
    snprintf(why, sizeof(why), "got=%ld after %lld ms, %lu ticks", (long)got, (long long)waited,
             (unsigned long)ticks);
    /* A wait of n ticks ends at the n-th tick boundary from now: at least n - 1 whole ticks. */
    report("receive_times_out", got == pdFALSE && waited >= 99 && ticks >= pdMS_TO_TICKS(100) ? NULL : why);
    vQueueDelete(queue);
}

/* ---------------------------------------------------------------- mutexes */

static void check_mutex_holder(void)
{
    SemaphoreHandle_t mutex = xSemaphoreCreateRecursiveMutex();
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    const char *why = NULL;
    if (xSemaphoreTakeRecursive(mutex, 0) != pdTRUE || xSemaphoreTakeRecursive(mutex, 0) != pdTRUE) {
        why = "a recursive take by its holder failed";
    } else if (xSemaphoreGetMutexHolder(mutex) != self) {
        why = "the holder is not the taking task";
    } else if (xSemaphoreGiveRecursive(mutex) != pdTRUE || xSemaphoreGetMutexHolder(mutex) != self) {
        why = "one give of two released the mutex";
    } else if (xSemaphoreGiveRecursive(mutex) != pdTRUE || xSemaphoreGetMutexHolder(mutex) != NULL) {
        why = "the last give did not release the mutex";
    }
    report("mutex_knows_its_holder", why);
    vSemaphoreDelete(mutex);
}

/* ---------------------------------------------------------------- event groups */

#define BIT_GO BIT0
#define BIT_WAITER_A BIT1
#define BIT_WAITER_B BIT2

static EventGroupHandle_t s_group;

static void bit_waiter(void *arg)
{
    EventBits_t mine = (EventBits_t)(uintptr_t)arg;
    if (xEventGroupWaitBits(s_group, BIT_GO, pdFALSE, pdTRUE, pdMS_TO_TICKS(2000)) & BIT_GO) {
        xEventGroupSetBits(s_group, mine);
    }
    vTaskDelete(NULL);
}

static void check_event_group_releases_every_waiter(void)
{
    s_group = xEventGroupCreate();
    xTaskCreate(bit_waiter, "waiter_a", STACK, (void *)(uintptr_t)BIT_WAITER_A, 5, NULL);
    xTaskCreate(bit_waiter, "waiter_b", STACK, (void *)(uintptr_t)BIT_WAITER_B, 5, NULL);
    vTaskDelay(pdMS_TO_TICKS(20));
    xEventGroupSetBits(s_group, BIT_GO);
    EventBits_t bits = xEventGroupWaitBits(s_group, BIT_WAITER_A | BIT_WAITER_B, pdFALSE, pdTRUE,
                                           pdMS_TO_TICKS(2000));
    report("event_group_releases_every_waiter",
           (bits & (BIT_WAITER_A | BIT_WAITER_B)) == (BIT_WAITER_A | BIT_WAITER_B) ? NULL
           : "a waiter on the same bit was not released");
    vTaskDelay(pdMS_TO_TICKS(20));  /* both waiters have left the group */
    vEventGroupDelete(s_group);
}

/* ---------------------------------------------------------------- deleting a blocked task */

static void blocked_forever(void *arg)
{
    xSemaphoreTake((SemaphoreHandle_t)arg, portMAX_DELAY);
    vTaskDelete(NULL);
}

static void check_delete_blocked_task(void)
{
    SemaphoreHandle_t never = xSemaphoreCreateBinary();
    TaskHandle_t victim;
    xTaskCreate(blocked_forever, "victim", STACK, never, 5, &victim);
    vTaskDelay(pdMS_TO_TICKS(20));
    eTaskState state = eTaskGetState(victim);
    vTaskDelete(victim);
    vSemaphoreDelete(never);
    report("delete_blocked_task", state == eBlocked ? NULL : "the victim was not blocked on its semaphore");
}

/* ---------------------------------------------------------------- ESP-IDF's esp_event over the kernel */

ESP_EVENT_DEFINE_BASE(WSH_TEST_EVENT);

static atomic_int s_events_handled;
static SemaphoreHandle_t s_posters_done;

static void count_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    atomic_fetch_add(&s_events_handled, 1);
}

static void poster(void *arg)
{
    for (int i = 0; i < EVENTS_EACH; i++) {
        esp_event_post(WSH_TEST_EVENT, i, NULL, 0, portMAX_DELAY);
    }
    xSemaphoreGive(s_posters_done);
    vTaskDelete(NULL);
}

static void check_esp_event_from_many_tasks(void)
{
    const int expected = EVENT_POSTERS * EVENTS_EACH;
    s_posters_done = xSemaphoreCreateCounting(EVENT_POSTERS, 0);
    const char *why = NULL;
    if (esp_event_loop_create_default() != ESP_OK ||
        esp_event_handler_register(WSH_TEST_EVENT, ESP_EVENT_ANY_ID, count_event, NULL) != ESP_OK) {
        why = "ESP-IDF's default event loop did not start";
    } else {
        for (int i = 0; i < EVENT_POSTERS; i++) {
            xTaskCreate(poster, "poster", STACK, NULL, 5, NULL);
        }
        for (int i = 0; i < EVENT_POSTERS; i++) {
            xSemaphoreTake(s_posters_done, portMAX_DELAY);
        }
        for (int wait = 0; atomic_load(&s_events_handled) < expected && wait < 200; wait++) {
            vTaskDelay(pdMS_TO_TICKS(10));
        }
        if (atomic_load(&s_events_handled) != expected) {
            why = "the default loop lost or doubled posted events";
        }
        esp_event_loop_delete_default();
    }
    char detail[96];
    snprintf(detail, sizeof(detail), "%s (%d of %d handled)", why ? why : "", atomic_load(&s_events_handled),
             expected);
    report("esp_event_from_many_tasks", why ? detail : NULL);
    vSemaphoreDelete(s_posters_done);
}

void app_main(void)
{
    check_busy_task_does_not_stop_lower_one();
    check_receive_times_out();
    check_mutex_holder();
    check_event_group_releases_every_waiter();
    check_delete_blocked_task();
    check_esp_event_from_many_tasks();
    printf("DONE failed=%d\n", s_failed);
    exit(s_failed ? EXIT_FAILURE : EXIT_SUCCESS);
}
