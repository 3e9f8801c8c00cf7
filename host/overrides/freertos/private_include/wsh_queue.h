/*
 * The queue object shared by queue.c (queues, binary and counting semaphores: queues of zero-size items)
 * and mutex.c (mutexes and recursive mutexes). Locking: every mutable field is guarded by the object's own
 * `lock`; waiters sleep on `changed` with it.
 */
#pragma once

#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "wsh_kernel.h"

struct QueueDefinition {
    /* Immutable after creation. */
    uint8_t type;            /* queueQUEUE_TYPE_* */
    UBaseType_t length;      /* capacity; for semaphores the maximum count */
    UBaseType_t item_size;   /* 0 for semaphores and mutexes */
    uint8_t *storage;        /* ring of length * item_size bytes (NULL when item_size is 0) */
    pthread_mutex_t lock;
    /* Guarded by lock. */
    UBaseType_t head;        /* index of the oldest item */
    UBaseType_t count;       /* items held; for semaphores the count; for a mutex 1 when free */
    wsh_task_t *holder;      /* mutexes: the holding task, NULL when free */
    UBaseType_t depth;       /* recursive mutexes: nested takes by the holder */
    unsigned waiters;        /* tasks blocked on this object */
    pthread_cond_t changed;  /* broadcast on every change of count */
};

QueueHandle_t wsh_queue_new(UBaseType_t length, UBaseType_t item_size, uint8_t type, UBaseType_t count);

static inline bool wsh_queue_is_mutex(const struct QueueDefinition *q)
{
    return q->type == queueQUEUE_TYPE_MUTEX || q->type == queueQUEUE_TYPE_RECURSIVE_MUTEX;
}

/* mutex.c: the mutex side of xQueueSemaphoreTake and xQueueGenericSend. */
BaseType_t wsh_mutex_take(QueueHandle_t mutex, TickType_t ticks);
BaseType_t wsh_mutex_give(QueueHandle_t mutex, const char *api);
