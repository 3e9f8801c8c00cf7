/*
 * Event loops: creation, posting (with a copy of the data), dispatch by esp_event_loop_run, the optional
 * loop task, and deletion.
 *
 * Locking: the queue synchronises posters with the dispatcher; the loop's recursive `lock` is held across
 * the dispatch of one event (see event_loop_private.h). A loop with its own task is stopped by posting a
 * stop marker through the queue: the task leaves its run loop on its own (never deleted while it might run
 * a handler) and gives `task_exited` as its last act before deleting itself.
 */
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "wsh_chaos.h"
#include "event_loop_private.h"

static const char *TAG = "event";

/* A posted event in the queue; `base == s_stop_marker` asks a loop's own task to end. */
typedef struct {
    esp_event_base_t base;
    int32_t id;
    void *data;  /* the loop's own copy, freed after dispatch */
} posted_event_t;

static const char s_stop_marker[] = "wsh_event_loop_stop";

static void dispatch(event_loop_t *loop, posted_event_t *ev)
{
    wsh_chaos_point("event_dispatch");
    xSemaphoreTakeRecursive(loop->lock, portMAX_DELAY);
    event_handlers_dispatch(loop, ev->base, ev->id, ev->data);
    xSemaphoreGiveRecursive(loop->lock);
    free(ev->data);
}

/* Dispatches the events queued now, without waiting. */
static void run_queued(event_loop_t *loop)
{
    posted_event_t ev;
    for (UBaseType_t n = uxQueueMessagesWaiting(loop->queue); n > 0 && xQueueReceive(loop->queue, &ev, 0); n--) {
        dispatch(loop, &ev);
    }
}

/* Dispatches until ticks_to_run have passed (0: what is queued now; portMAX_DELAY: forever). */
static void run_until(event_loop_t *loop, TickType_t ticks_to_run)
{
    if (ticks_to_run == 0) {
        run_queued(loop);
        return;
    }
    TickType_t start = xTaskGetTickCount();
    posted_event_t ev;
    for (;;) {
        TickType_t wait = portMAX_DELAY;
        if (ticks_to_run != portMAX_DELAY) {
            TickType_t elapsed = xTaskGetTickCount() - start;
            if (elapsed >= ticks_to_run) {
                return;
            }
            wait = ticks_to_run - elapsed;
        }
        if (xQueueReceive(loop->queue, &ev, wait) != pdTRUE) {
            return;
        }
        dispatch(loop, &ev);
    }
}

esp_err_t esp_event_loop_run(esp_event_loop_handle_t event_loop, TickType_t ticks_to_run)
{
    if (!event_loop) {
        return ESP_ERR_INVALID_ARG;
    }
    event_loop_t *loop = event_loop;
    if (loop->task) {
        ESP_LOGE(TAG, "esp_event_loop_run: loop %p has its own task, which runs it", event_loop);
        return ESP_ERR_INVALID_STATE;
    }
    run_until(loop, ticks_to_run);
    return ESP_OK;
}

/* The loop's own task: dispatches until it receives the stop marker that esp_event_loop_delete queues. */
static void loop_task(void *arg)
{
    event_loop_t *loop = arg;
    posted_event_t ev;
    while (xQueueReceive(loop->queue, &ev, portMAX_DELAY) == pdTRUE && ev.base != s_stop_marker) {
        dispatch(loop, &ev);
    }
    xSemaphoreGive(loop->task_exited);
    vTaskDelete(NULL);
}

static void free_loop(event_loop_t *loop)
{
    posted_event_t ev;
    while (xQueueReceive(loop->queue, &ev, 0) == pdTRUE) {
        free(ev.data);
    }
    event_handlers_free_all(loop);
    vQueueDelete(loop->queue);
    vSemaphoreDelete(loop->lock);
    if (loop->task_exited) {
        vSemaphoreDelete(loop->task_exited);
    }
    free(loop);
}

static esp_err_t start_task(event_loop_t *loop, const esp_event_loop_args_t *args)
{
    loop->task_exited = xSemaphoreCreateBinary();
    if (!loop->task_exited) {
        return ESP_ERR_NO_MEM;
    }
    if (xTaskCreatePinnedToCore(loop_task, args->task_name, args->task_stack_size, loop, args->task_priority,
                                &loop->task, args->task_core_id) != pdPASS) {
        loop->task = NULL;
        return ESP_FAIL;
    }
    return ESP_OK;
}

esp_err_t esp_event_loop_create(const esp_event_loop_args_t *args, esp_event_loop_handle_t *event_loop)
{
    if (!args || !event_loop || args->queue_size <= 0) {
        ESP_LOGE(TAG, "esp_event_loop_create: need args with queue_size > 0 and an output handle");
        return ESP_ERR_INVALID_ARG;
    }
    event_loop_t *loop = calloc(1, sizeof(*loop));
    if (!loop) {
        return ESP_ERR_NO_MEM;
    }
    loop->queue = xQueueCreate(args->queue_size, sizeof(posted_event_t));
    loop->lock = xSemaphoreCreateRecursiveMutex();
    if (!loop->queue || !loop->lock) {
        free_loop(loop);
        return ESP_ERR_NO_MEM;
    }
    if (args->task_name) {
        esp_err_t err = start_task(loop, args);
        if (err != ESP_OK) {
            free_loop(loop);
            return err;
        }
    }
    *event_loop = loop;
    return ESP_OK;
}

esp_err_t esp_event_loop_delete(esp_event_loop_handle_t event_loop)
{
    if (!event_loop) {
        return ESP_ERR_INVALID_ARG;
    }
    event_loop_t *loop = event_loop;
    if (loop->task) {
        if (xTaskGetCurrentTaskHandle() == loop->task) {
            ESP_LOGE(TAG, "esp_event_loop_delete: called from a handler on loop %p's own task", event_loop);
            return ESP_ERR_INVALID_STATE;
        }
        posted_event_t stop = { .base = s_stop_marker };
        xQueueSend(loop->queue, &stop, portMAX_DELAY);
        xSemaphoreTake(loop->task_exited, portMAX_DELAY);
    }
    free_loop(loop);
    return ESP_OK;
}

esp_err_t esp_event_post_to(esp_event_loop_handle_t event_loop, esp_event_base_t event_base, int32_t event_id,
                            const void *event_data, size_t event_data_size, TickType_t ticks_to_wait)
{
    if (!event_loop || event_base == ESP_EVENT_ANY_BASE || event_id == ESP_EVENT_ANY_ID) {
        ESP_LOGE(TAG, "esp_event_post_to: a loop, a concrete base and a concrete id are required");
        return ESP_ERR_INVALID_ARG;
    }
    event_loop_t *loop = event_loop;
    posted_event_t ev = { .base = event_base, .id = event_id };
    if (event_data && event_data_size > 0) {
        ev.data = malloc(event_data_size);
        if (!ev.data) {
            return ESP_ERR_NO_MEM;
        }
        memcpy(ev.data, event_data, event_data_size);
    }
    wsh_chaos_point("event_post");
    if (xQueueSend(loop->queue, &ev, ticks_to_wait) != pdTRUE) {
        free(ev.data);
        return ESP_ERR_TIMEOUT;
    }
    return ESP_OK;
}
