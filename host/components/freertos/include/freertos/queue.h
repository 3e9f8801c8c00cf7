/*
 * Queues on the host. A queue, a semaphore and a mutex are one kind of object (as in FreeRTOS, where
 * SemaphoreHandle_t is a QueueHandle_t); semphr.h maps the semaphore API onto the functions below.
 * Each object is guarded by its own lock (see wsh_kernel.h); blocking waits have real timeouts.
 */
#pragma once

#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct QueueDefinition *QueueHandle_t;

#define queueSEND_TO_BACK  ((BaseType_t)0)
#define queueSEND_TO_FRONT ((BaseType_t)1)
#define queueOVERWRITE     ((BaseType_t)2)

#define queueQUEUE_TYPE_BASE              ((uint8_t)0U)
#define queueQUEUE_TYPE_MUTEX             ((uint8_t)1U)
#define queueQUEUE_TYPE_COUNTING_SEMAPHORE ((uint8_t)2U)
#define queueQUEUE_TYPE_BINARY_SEMAPHORE  ((uint8_t)3U)
#define queueQUEUE_TYPE_RECURSIVE_MUTEX   ((uint8_t)4U)

QueueHandle_t xQueueGenericCreate(UBaseType_t length, UBaseType_t item_size, uint8_t type);
#define xQueueCreate(len, size) xQueueGenericCreate((len), (size), queueQUEUE_TYPE_BASE)
void vQueueDelete(QueueHandle_t queue);

BaseType_t xQueueGenericSend(QueueHandle_t queue, const void *item, TickType_t ticks, BaseType_t position);
#define xQueueSend(q, item, ticks)        xQueueGenericSend((q), (item), (ticks), queueSEND_TO_BACK)
#define xQueueSendToBack(q, item, ticks)  xQueueGenericSend((q), (item), (ticks), queueSEND_TO_BACK)
#define xQueueSendToFront(q, item, ticks) xQueueGenericSend((q), (item), (ticks), queueSEND_TO_FRONT)
#define xQueueOverwrite(q, item)          xQueueGenericSend((q), (item), 0, queueOVERWRITE)
#define xQueueSendFromISR(q, item, woken)        ((void)(woken), xQueueGenericSend((q), (item), 0, queueSEND_TO_BACK))
#define xQueueSendToBackFromISR(q, item, woken)  ((void)(woken), xQueueGenericSend((q), (item), 0, queueSEND_TO_BACK))
#define xQueueSendToFrontFromISR(q, item, woken) ((void)(woken), xQueueGenericSend((q), (item), 0, queueSEND_TO_FRONT))
#define xQueueOverwriteFromISR(q, item, woken)   ((void)(woken), xQueueGenericSend((q), (item), 0, queueOVERWRITE))

BaseType_t xQueueReceive(QueueHandle_t queue, void *item, TickType_t ticks);
BaseType_t xQueuePeek(QueueHandle_t queue, void *item, TickType_t ticks);
#define xQueueReceiveFromISR(q, item, woken) ((void)(woken), xQueueReceive((q), (item), 0))
#define xQueuePeekFromISR(q, item)           xQueuePeek((q), (item), 0)

UBaseType_t uxQueueMessagesWaiting(const QueueHandle_t queue);
#define uxQueueMessagesWaitingFromISR(q) uxQueueMessagesWaiting(q)
UBaseType_t uxQueueSpacesAvailable(const QueueHandle_t queue);
BaseType_t xQueueGenericReset(QueueHandle_t queue, BaseType_t new_queue);
#define xQueueReset(q) xQueueGenericReset((q), pdFALSE)

/* ESP-IDF's *WithCaps variants (idf_additions.h): the host has one heap, so caps are ignored. */
static inline QueueHandle_t xQueueCreateWithCaps(UBaseType_t length, UBaseType_t item_size, UBaseType_t caps)
{
    (void)caps;
    return xQueueCreate(length, item_size);
}

static inline void vQueueDeleteWithCaps(QueueHandle_t queue)
{
    vQueueDelete(queue);
}

#ifdef __cplusplus
}
#endif
