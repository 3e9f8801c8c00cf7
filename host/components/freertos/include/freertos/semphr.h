/*
 * Semaphores and mutexes on the host, over the queue object (queue.h). Mutexes know their holder: a give by
 * a task that does not hold the mutex is reported and aborts, as FreeRTOS's configASSERT would.
 */
#pragma once

#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef QueueHandle_t SemaphoreHandle_t;

#define semGIVE_BLOCK_TIME ((TickType_t)0U)

QueueHandle_t xQueueCreateMutex(uint8_t type);
QueueHandle_t xQueueCreateCountingSemaphore(UBaseType_t max_count, UBaseType_t initial_count);
BaseType_t xQueueSemaphoreTake(QueueHandle_t queue, TickType_t ticks);
BaseType_t xQueueTakeMutexRecursive(QueueHandle_t mutex, TickType_t ticks);
BaseType_t xQueueGiveMutexRecursive(QueueHandle_t mutex);
TaskHandle_t xQueueGetMutexHolder(QueueHandle_t semaphore);

#define xSemaphoreCreateMutex()           xQueueCreateMutex(queueQUEUE_TYPE_MUTEX)
#define xSemaphoreCreateRecursiveMutex()  xQueueCreateMutex(queueQUEUE_TYPE_RECURSIVE_MUTEX)
#define xSemaphoreCreateBinary()          xQueueGenericCreate(1, 0, queueQUEUE_TYPE_BINARY_SEMAPHORE)
#define xSemaphoreCreateCounting(max, initial) xQueueCreateCountingSemaphore((max), (initial))
#define vSemaphoreDelete(sem)             vQueueDelete((QueueHandle_t)(sem))

#define xSemaphoreTake(sem, ticks)          xQueueSemaphoreTake((sem), (ticks))
#define xSemaphoreGive(sem) \
    xQueueGenericSend((QueueHandle_t)(sem), NULL, semGIVE_BLOCK_TIME, queueSEND_TO_BACK)
#define xSemaphoreTakeRecursive(sem, ticks) xQueueTakeMutexRecursive((sem), (ticks))
#define xSemaphoreGiveRecursive(sem)        xQueueGiveMutexRecursive((sem))
#define xSemaphoreTakeFromISR(sem, woken)   ((void)(woken), xQueueSemaphoreTake((sem), 0))
#define xSemaphoreGiveFromISR(sem, woken) \
    ((void)(woken), xQueueGenericSend((QueueHandle_t)(sem), NULL, 0, queueSEND_TO_BACK))

#define uxSemaphoreGetCount(sem)            uxQueueMessagesWaiting((QueueHandle_t)(sem))
#define xSemaphoreGetMutexHolder(sem)       xQueueGetMutexHolder((sem))

/* ESP-IDF's *WithCaps variants (idf_additions.h): the host has one heap, so caps are ignored. */
static inline SemaphoreHandle_t xSemaphoreCreateMutexWithCaps(UBaseType_t caps)
{
    (void)caps;
    return xSemaphoreCreateMutex();
}

static inline SemaphoreHandle_t xSemaphoreCreateRecursiveMutexWithCaps(UBaseType_t caps)
{
    (void)caps;
    return xSemaphoreCreateRecursiveMutex();
}

static inline SemaphoreHandle_t xSemaphoreCreateBinaryWithCaps(UBaseType_t caps)
{
    (void)caps;
    return xSemaphoreCreateBinary();
}

static inline SemaphoreHandle_t xSemaphoreCreateCountingWithCaps(UBaseType_t max_count, UBaseType_t initial,
                                                                 UBaseType_t caps)
{
    (void)caps;
    return xSemaphoreCreateCounting(max_count, initial);
}

static inline void vSemaphoreDeleteWithCaps(SemaphoreHandle_t sem)
{
    vSemaphoreDelete(sem);
}

#ifdef __cplusplus
}
#endif
