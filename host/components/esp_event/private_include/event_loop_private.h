/*
 * The event loop object shared by event_loop.c (queue, dispatch, loop task) and event_handlers.c
 * (registration). Locking: `lock` (a FreeRTOS recursive mutex) guards the handler list, next_seq and
 * dispatching; the dispatching task holds it for the whole dispatch of one event. The queue is its own lock.
 */
#pragma once

#include <stdbool.h>
#include "esp_event.h"

typedef struct event_handler {
    struct event_handler *next;
    esp_event_base_t base;
    int32_t id;
    esp_event_handler_t fn;
    void *arg;
    uint32_t seq;       /* registration order; a dispatch calls only handlers registered before it began */
    bool is_instance;   /* registered through the *_instance_* API */
    bool removed;       /* unregistered during a dispatch; unlinked and freed when the dispatch ends */
} event_handler_t;

typedef struct event_loop {
    QueueHandle_t queue;              /* posted_event_t items */
    SemaphoreHandle_t lock;
    event_handler_t *handlers;        /* guarded by lock; registration order */
    uint32_t next_seq;                /* guarded by lock */
    unsigned dispatching;             /* guarded by lock; nesting depth of dispatches */
    TaskHandle_t task;                /* own task or NULL; written before the task starts, then read-only */
    SemaphoreHandle_t task_exited;    /* given by the own task as its last act */
} event_loop_t;

/* True when (base, id) is a combination ESP-IDF accepts for registration. */
static inline bool event_key_valid(esp_event_base_t base, int32_t id)
{
    return !(base == ESP_EVENT_ANY_BASE && id != ESP_EVENT_ANY_ID);
}

/* Lock held. Calls, in registration order, every live handler matching the event that was registered before
 * the dispatch began. */
void event_handlers_dispatch(event_loop_t *loop, esp_event_base_t base, int32_t id, void *data);

/* Frees every handler of a loop being deleted. */
void event_handlers_free_all(event_loop_t *loop);
