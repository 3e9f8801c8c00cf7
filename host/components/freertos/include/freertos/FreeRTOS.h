/*
 * FreeRTOS on the host: kernel configuration, base types and configASSERT. Each task is a pthread and all
 * tasks run in parallel (unlike ESP-IDF's linux port, which runs one at a time), so races that need two
 * cores show up here. No locking of its own: see wsh_kernel.h for the locking rules.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sdkconfig.h"
#include "esp_bit_defs.h"
#include "freertos/portmacro.h"

#ifdef __cplusplus
extern "C" {
#endif

#define configTICK_RATE_HZ          ((TickType_t)CONFIG_FREERTOS_HZ)
#define configMAX_PRIORITIES        25
#define configMAX_TASK_NAME_LEN     CONFIG_FREERTOS_MAX_TASK_NAME_LEN
#define configMINIMAL_STACK_SIZE    768
#define configNUMBER_OF_CORES       portNUM_PROCESSORS
#define configUSE_MUTEXES           1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_COUNTING_SEMAPHORES 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define INCLUDE_vTaskDelete         1
#define INCLUDE_vTaskDelay          1
#define INCLUDE_xTaskDelayUntil     1
#define INCLUDE_uxTaskPriorityGet   1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_xSemaphoreGetMutexHolder 1

#define pdFALSE  ((BaseType_t)0)
#define pdTRUE   ((BaseType_t)1)
#define pdFAIL   pdFALSE
#define pdPASS   pdTRUE
#define errQUEUE_EMPTY ((BaseType_t)0)
#define errQUEUE_FULL  ((BaseType_t)0)
#define errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY (-1)

/* Ticks are computed in 64 bits so that large millisecond counts do not overflow before the division. */
#define pdMS_TO_TICKS(ms) ((TickType_t)(((uint64_t)(ms) * (uint64_t)configTICK_RATE_HZ) / 1000U))
#define pdTICKS_TO_MS(t)  ((uint32_t)(((uint64_t)(t) * 1000U) / (uint64_t)configTICK_RATE_HZ))

void wsh_freertos_assert_failed(const char *func, const char *file, int line, const char *expr)
    __attribute__((noreturn));

#define configASSERT(x) \
    do { if (!(x)) wsh_freertos_assert_failed(__func__, __FILE__, __LINE__, #x); } while (0)

#ifdef __cplusplus
}
#endif
