/*
 * FreeRTOS and esp_event checks (see smoke_rtos.h).
 *
 * Locking: each check shares one object (mutex, event group, loop) between app_main and a task or handler
 * it creates; the object itself is the synchronisation. Results cross tasks only through those objects.
 */
#include "smoke_rtos.h"

#include "esp_event.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/event_groups.h"
#include "freertos/semphr.h"

static const char *TAG = "smoke";

#define CONTENDER_TIMEOUT_MS 100
#define RESULT_TAKE_FAILED   BIT0
#define RESULT_TAKE_OK       BIT1
#define RESULT_WORK_DONE     BIT2
#define RESULT_EVENT_SEEN    BIT3

typedef struct {
    SemaphoreHandle_t mutex;
    EventGroupHandle_t results;
} contender_t;

/* Tries the mutex while app_main holds it (must time out), then again once it is free. */
static void contender_task(void *arg)
{
    contender_t *c = arg;
    TickType_t start = xTaskGetTickCount();
    BaseType_t got = xSemaphoreTakeRecursive(c->mutex, pdMS_TO_TICKS(CONTENDER_TIMEOUT_MS));
    TickType_t waited = xTaskGetTickCount() - start;
    if (got == pdFALSE && waited >= pdMS_TO_TICKS(CONTENDER_TIMEOUT_MS)) {
        xEventGroupSetBits(c->results, RESULT_TAKE_FAILED);
    }
    if (xSemaphoreTakeRecursive(c->mutex, pdMS_TO_TICKS(2000)) == pdTRUE) {
        xSemaphoreGiveRecursive(c->mutex);
        xEventGroupSetBits(c->results, RESULT_TAKE_OK);
    }
    vTaskDelete(NULL);
}

bool smoke_recursive_mutex(void)
{
    contender_t c = { .mutex = xSemaphoreCreateRecursiveMutex(), .results = xEventGroupCreate() };
    bool nested = xSemaphoreTakeRecursive(c.mutex, 0) == pdTRUE && xSemaphoreTakeRecursive(c.mutex, 0) == pdTRUE;
    xTaskCreate(contender_task, "contender", 4096, &c, 5, NULL);
    bool timed_out = (xEventGroupWaitBits(c.results, RESULT_TAKE_FAILED, pdFALSE, pdTRUE, pdMS_TO_TICKS(2000)) &
                      RESULT_TAKE_FAILED) != 0;
    /* Still held once after one give: the contender must keep waiting until the second. */
    xSemaphoreGiveRecursive(c.mutex);
    vTaskDelay(pdMS_TO_TICKS(50));
    bool still_held = (xEventGroupGetBits(c.results) & RESULT_TAKE_OK) == 0;
    xSemaphoreGiveRecursive(c.mutex);
    bool taken_later = (xEventGroupWaitBits(c.results, RESULT_TAKE_OK, pdFALSE, pdTRUE, pdMS_TO_TICKS(3000)) &
                        RESULT_TAKE_OK) != 0;
    vTaskDelay(pdMS_TO_TICKS(10));  /* let the contender finish deleting itself */
    vEventGroupDelete(c.results);
    vSemaphoreDelete(c.mutex);
    bool ok = nested && timed_out && still_held && taken_later;
    if (ok) {
        ESP_LOGI(TAG, "SMOKE mutex ok");
    } else {
        ESP_LOGE(TAG, "SMOKE mutex failed nested=%d timed_out=%d still_held=%d taken_later=%d", nested, timed_out,
                 still_held, taken_later);
    }
    return ok;
}

static void worker_task(void *arg)
{
    vTaskDelay(pdMS_TO_TICKS(20));
    xEventGroupSetBits((EventGroupHandle_t)arg, RESULT_WORK_DONE);
    vTaskDelete(NULL);
}

bool smoke_event_group(void)
{
    EventGroupHandle_t group = xEventGroupCreate();
    xTaskCreate(worker_task, "worker", 4096, group, 5, NULL);
    EventBits_t bits = xEventGroupWaitBits(group, RESULT_WORK_DONE, pdTRUE, pdTRUE, pdMS_TO_TICKS(2000));
    bool cleared = (xEventGroupGetBits(group) & RESULT_WORK_DONE) == 0;
    vTaskDelay(pdMS_TO_TICKS(10));
    vEventGroupDelete(group);
    bool ok = (bits & RESULT_WORK_DONE) && cleared;
    if (ok) {
        ESP_LOGI(TAG, "SMOKE event_group ok");
    } else {
        ESP_LOGE(TAG, "SMOKE event_group failed bits=0x%x cleared=%d", (unsigned)bits, cleared);
    }
    return ok;
}

ESP_EVENT_DEFINE_BASE(SMOKE_EVENTS);

static void on_smoke_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    if (base == SMOKE_EVENTS && id == 7 && data && *(int *)data == 42) {
        xEventGroupSetBits((EventGroupHandle_t)arg, RESULT_EVENT_SEEN);
    }
}

bool smoke_event_loop(void)
{
    EventGroupHandle_t group = xEventGroupCreate();
    esp_event_loop_args_t args = {
        .queue_size = 4, .task_name = "smoke_loop", .task_priority = 5, .task_stack_size = 4096,
        .task_core_id = tskNO_AFFINITY,
    };
    esp_event_loop_handle_t loop = NULL;
    int payload = 42;
    bool ok = esp_event_loop_create(&args, &loop) == ESP_OK &&
              esp_event_handler_register_with(loop, SMOKE_EVENTS, 7, on_smoke_event, group) == ESP_OK &&
              esp_event_post_to(loop, SMOKE_EVENTS, 7, &payload, sizeof(payload), pdMS_TO_TICKS(1000)) == ESP_OK;
    ok = ok && (xEventGroupWaitBits(group, RESULT_EVENT_SEEN, pdFALSE, pdTRUE, pdMS_TO_TICKS(2000)) & RESULT_EVENT_SEEN);
    if (loop) {
        esp_event_loop_delete(loop);
    }
    vEventGroupDelete(group);
    if (ok) {
        ESP_LOGI(TAG, "SMOKE event_loop ok");
    } else {
        ESP_LOGE(TAG, "SMOKE event_loop failed");
    }
    return ok;
}
