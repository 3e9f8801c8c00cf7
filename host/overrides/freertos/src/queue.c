/*
 * Queues, and binary and counting semaphores as queues of zero-size items, on the host.
 *
 * Locking: all state is guarded by the object's own lock (see wsh_queue.h). Waiters sleep on the object's
 * `changed` condition and re-check after every broadcast; timeouts are absolute CLOCK_MONOTONIC deadlines,
 * so a spurious wake-up never extends a wait.
 */
#include <stdlib.h>
#include <string.h>
#include "wsh_chaos.h"
#include "wsh_queue.h"

QueueHandle_t wsh_queue_new(UBaseType_t length, UBaseType_t item_size, uint8_t type, UBaseType_t count)
{
    struct QueueDefinition *q = calloc(1, sizeof(*q));
    if (!q) {
        return NULL;
    }
    if (item_size > 0) {
        q->storage = malloc((size_t)length * item_size);
        if (!q->storage) {
            free(q);
            return NULL;
        }
    }
    q->type = type;
    q->length = length;
    q->item_size = item_size;
    q->count = count;
    pthread_mutex_init(&q->lock, NULL);
    wsh_cond_init(&q->changed);
    return q;
}

QueueHandle_t xQueueGenericCreate(UBaseType_t length, UBaseType_t item_size, uint8_t type)
{
    configASSERT(length > 0);
    return wsh_queue_new(length, item_size, type, 0);
}

QueueHandle_t xQueueCreateCountingSemaphore(UBaseType_t max_count, UBaseType_t initial_count)
{
    configASSERT(max_count > 0 && initial_count <= max_count);
    return wsh_queue_new(max_count, 0, queueQUEUE_TYPE_COUNTING_SEMAPHORE, initial_count);
}

void vQueueDelete(QueueHandle_t q)
{
    configASSERT(q != NULL);
    pthread_mutex_lock(&q->lock);
    unsigned waiters = q->waiters;
    pthread_mutex_unlock(&q->lock);
    if (waiters > 0) {
        wsh_kernel_fatal("vQueueDelete: queue/semaphore %p deleted by task \"%s\" while %u task(s) wait on it",
                         (void *)q, pcTaskGetName(NULL), waiters);
    }
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->lock);
    free(q->storage);
    free(q);
}

static uint8_t *slot(struct QueueDefinition *q, UBaseType_t index)
{
    return q->storage + (size_t)(index % q->length) * q->item_size;
}

/* Stores one item; the queue has room (or is a length-1 queue being overwritten). */
static void put_item(struct QueueDefinition *q, const void *item, BaseType_t position)
{
    if (position == queueOVERWRITE && q->count == 1) {
        q->count = 0;
    }
    if (q->item_size > 0) {
        if (position == queueSEND_TO_FRONT) {
            q->head = (q->head + q->length - 1) % q->length;
            memcpy(slot(q, q->head), item, q->item_size);
        } else {
            memcpy(slot(q, q->head + q->count), item, q->item_size);
        }
    }
    q->count++;
    pthread_cond_broadcast(&q->changed);
}

/* What a sender waits for; the queue's lock held. */
typedef struct {
    struct QueueDefinition *q;
    BaseType_t position;
} send_ctx_t;

static bool has_room(void *ctx)
{
    send_ctx_t *send = ctx;
    return send->q->count < send->q->length || send->position == queueOVERWRITE;
}

static bool has_item(void *q)
{
    return ((struct QueueDefinition *)q)->count > 0;
}

BaseType_t xQueueGenericSend(QueueHandle_t q, const void *item, TickType_t ticks, BaseType_t position)
{
    configASSERT(q != NULL);
    configASSERT(item != NULL || q->item_size == 0);
    configASSERT(position != queueOVERWRITE || q->length == 1);
    if (wsh_queue_is_mutex(q)) {
        return wsh_mutex_give(q, "xSemaphoreGive");
    }
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    send_ctx_t send = { .q = q, .position = position };
    wsh_wait_t wait = { .lock = &q->lock, .cond = &q->changed, .ready = has_room, .ctx = &send,
                        .waiters = &q->waiters };
    pthread_mutex_lock(&q->lock);
    bool sent = wsh_kernel_wait(&wait, &deadline);
    if (sent) {
        put_item(q, item, position);
    }
    pthread_mutex_unlock(&q->lock);
    wsh_chaos_point("queue_send");
    return sent ? pdTRUE : pdFALSE;
}

/* Waits for an item and copies it out; removes it unless peeking. */
static BaseType_t take_item(QueueHandle_t q, void *item, TickType_t ticks, bool remove)
{
    wsh_chaos_point("queue_receive");
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    wsh_wait_t wait = { .lock = &q->lock, .cond = &q->changed, .ready = has_item, .ctx = q, .waiters = &q->waiters };
    pthread_mutex_lock(&q->lock);
    bool got = wsh_kernel_wait(&wait, &deadline);
    if (got) {
        if (q->item_size > 0) {
            memcpy(item, slot(q, q->head), q->item_size);
        }
        if (remove) {
            q->head = (q->head + 1) % q->length;
            q->count--;
            pthread_cond_broadcast(&q->changed);
        }
    }
    pthread_mutex_unlock(&q->lock);
    return got ? pdTRUE : pdFALSE;
}

BaseType_t xQueueReceive(QueueHandle_t q, void *item, TickType_t ticks)
{
    configASSERT(q != NULL);
    configASSERT(item != NULL || q->item_size == 0);
    return take_item(q, item, ticks, true);
}

BaseType_t xQueuePeek(QueueHandle_t q, void *item, TickType_t ticks)
{
    configASSERT(q != NULL);
    configASSERT(item != NULL || q->item_size == 0);
    return take_item(q, item, ticks, false);
}

BaseType_t xQueueSemaphoreTake(QueueHandle_t q, TickType_t ticks)
{
    configASSERT(q != NULL && q->item_size == 0);
    if (wsh_queue_is_mutex(q)) {
        return wsh_mutex_take(q, ticks);
    }
    return take_item(q, NULL, ticks, true);
}

UBaseType_t uxQueueMessagesWaiting(const QueueHandle_t q)
{
    configASSERT(q != NULL);
    pthread_mutex_lock(&q->lock);
    UBaseType_t count = q->count;
    pthread_mutex_unlock(&q->lock);
    return count;
}

UBaseType_t uxQueueSpacesAvailable(const QueueHandle_t q)
{
    configASSERT(q != NULL);
    pthread_mutex_lock(&q->lock);
    UBaseType_t spaces = q->length - q->count;
    pthread_mutex_unlock(&q->lock);
    return spaces;
}

BaseType_t xQueueGenericReset(QueueHandle_t q, BaseType_t new_queue)
{
    (void)new_queue;
    configASSERT(q != NULL && !wsh_queue_is_mutex(q));
    pthread_mutex_lock(&q->lock);
    q->head = 0;
    q->count = 0;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    return pdPASS;
}
