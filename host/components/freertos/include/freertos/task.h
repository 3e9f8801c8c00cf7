/*
 * Tasks on the host: each task is a detached pthread named after the task. Deleting another task is allowed
 * only while it is blocked inside a FreeRTOS call (it then ends at that call without running application
 * code again); deleting a task that runs application code is reported and aborts. See tasks.c for locking.
 */
#pragma once

#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tskTaskControlBlock *TaskHandle_t;
typedef void (*TaskFunction_t)(void *arg);

typedef enum {
    eRunning = 0,
    eReady,
    eBlocked,
    eSuspended,
    eDeleted,
    eInvalid,
} eTaskState;

typedef enum {
    eNoAction = 0,
    eSetBits,
    eIncrement,
    eSetValueWithOverwrite,
    eSetValueWithoutOverwrite,
} eNotifyAction;

#define tskIDLE_PRIORITY ((UBaseType_t)0)
#define taskYIELD()      portYIELD()
#define taskSCHEDULER_NOT_STARTED ((BaseType_t)1)
#define taskSCHEDULER_RUNNING     ((BaseType_t)2)

BaseType_t xTaskCreatePinnedToCore(TaskFunction_t fn, const char *name, uint32_t stack_depth, void *arg,
                                   UBaseType_t priority, TaskHandle_t *created, BaseType_t core_id);
/* As in ESP-IDF's task.h: an inline call of xTaskCreatePinnedToCore with no affinity. */
static inline BaseType_t xTaskCreate(TaskFunction_t fn, const char *name, uint32_t stack_depth, void *arg,
                                     UBaseType_t priority, TaskHandle_t *created)
{
    return xTaskCreatePinnedToCore(fn, name, stack_depth, arg, priority, created, tskNO_AFFINITY);
}
void vTaskDelete(TaskHandle_t task);
/* A task suspends only itself (NULL or its own handle): another task cannot be stopped where it runs. */
void vTaskSuspend(TaskHandle_t task);
void vTaskResume(TaskHandle_t task);

void vTaskDelay(TickType_t ticks);
BaseType_t xTaskDelayUntil(TickType_t *previous_wake, TickType_t increment);
#define vTaskDelayUntil(prev, inc) ((void)xTaskDelayUntil((prev), (inc)))

TickType_t xTaskGetTickCount(void);
TickType_t xTaskGetTickCountFromISR(void);
TaskHandle_t xTaskGetCurrentTaskHandle(void);
char *pcTaskGetName(TaskHandle_t task);
#define pcTaskGetTaskName(t) pcTaskGetName(t)
UBaseType_t uxTaskPriorityGet(TaskHandle_t task);
void vTaskPrioritySet(TaskHandle_t task, UBaseType_t priority);
UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t task);
BaseType_t xTaskGetSchedulerState(void);
eTaskState eTaskGetState(TaskHandle_t task);

/* FreeRTOS's indexed notification calls, as ESP-IDF declares them; one notification per task (index 0). */
BaseType_t xTaskGenericNotify(TaskHandle_t task, UBaseType_t index, uint32_t value, eNotifyAction action,
                              uint32_t *previous);
BaseType_t xTaskGenericNotifyWait(UBaseType_t index, uint32_t clear_on_entry, uint32_t clear_on_exit,
                                  uint32_t *value, TickType_t ticks);
uint32_t ulTaskGenericNotifyTake(UBaseType_t index, BaseType_t clear_on_exit, TickType_t ticks);
#define xTaskNotify(t, v, a)                 xTaskGenericNotify((t), 0, (v), (a), NULL)
#define xTaskNotifyAndQuery(t, v, a, prev)   xTaskGenericNotify((t), 0, (v), (a), (prev))
#define xTaskNotifyFromISR(t, v, a, woken)   ((void)(woken), xTaskGenericNotify((t), 0, (v), (a), NULL))
#define xTaskNotifyGive(t)                   xTaskGenericNotify((t), 0, 0, eIncrement, NULL)
#define vTaskNotifyGiveFromISR(t, woken)     ((void)(woken), (void)xTaskGenericNotify((t), 0, 0, eIncrement, NULL))
#define xTaskNotifyWait(entry, exit, value, ticks) xTaskGenericNotifyWait(0, (entry), (exit), (value), (ticks))
#define ulTaskNotifyTake(clear, ticks)       ulTaskGenericNotifyTake(0, (clear), (ticks))

/* ESP-IDF's *WithCaps variants (idf_additions.h): the host has one heap, so caps are ignored. */
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

#ifdef __cplusplus
}
#endif

