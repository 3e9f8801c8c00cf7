/*
 * ESP-IDF's additions to the FreeRTOS API: the *WithCaps variants. On the host memory capabilities have no
 * meaning (one heap), so these create and delete exactly as the plain calls do.
 */
#pragma once

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline BaseType_t xTaskCreatePinnedToCoreWithCaps(TaskFunction_t fn, const char *name, uint32_t stack_depth,
                                                         void *arg, UBaseType_t priority, TaskHandle_t *created,
                                                         BaseType_t core_id, UBaseType_t caps)
{
    (void)caps;
    return xTaskCreatePinnedToCore(fn, name, stack_depth, arg, priority, created, core_id);
}

static inline BaseType_t xTaskCreateWithCaps(TaskFunction_t fn, const char *name, uint32_t stack_depth, void *arg,
                                             UBaseType_t priority, TaskHandle_t *created, UBaseType_t caps)
{
    return xTaskCreatePinnedToCoreWithCaps(fn, name, stack_depth, arg, priority, created, tskNO_AFFINITY, caps);
}

static inline void vTaskDeleteWithCaps(TaskHandle_t task)
{
    vTaskDelete(task);
}

static inline QueueHandle_t xQueueCreateWithCaps(UBaseType_t length, UBaseType_t item_size, UBaseType_t caps)
{
    (void)caps;
    return xQueueCreate(length, item_size);
}

static inline void vQueueDeleteWithCaps(QueueHandle_t queue)
{
    vQueueDelete(queue);
}

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

static inline EventGroupHandle_t xEventGroupCreateWithCaps(UBaseType_t caps)
{
    (void)caps;
    return xEventGroupCreate();
}

static inline void vEventGroupDeleteWithCaps(EventGroupHandle_t group)
{
    vEventGroupDelete(group);
}

#ifdef __cplusplus
}
#endif
