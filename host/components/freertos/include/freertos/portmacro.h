/*
 * Port layer of the host FreeRTOS: integer types, tick period, yields, core numbers and critical sections.
 * Critical sections: each portMUX_TYPE is a recursive pthread mutex (a host has no interrupts to mask), so
 * ThreadSanitizer sees exactly the synchronisation a spinlock gives on a chip, and reports lock-order
 * inversions between muxes, which deadlock a dual-core chip too. Never block in a critical section.
 */
#pragma once

#include <pthread.h>
#include <stdint.h>
#include <sched.h>
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t  BaseType_t;
typedef uint32_t UBaseType_t;
typedef uint32_t TickType_t;
typedef uint32_t StackType_t;

#define portMAX_DELAY        ((TickType_t)0xffffffffUL)
#define portTICK_PERIOD_MS   ((TickType_t)1000 / CONFIG_FREERTOS_HZ)
#define portTICK_RATE_MS     portTICK_PERIOD_MS
#define portSTACK_TYPE       StackType_t
#define portBASE_TYPE        BaseType_t

#if CONFIG_FREERTOS_UNICORE
#define portNUM_PROCESSORS   1
#else
#define portNUM_PROCESSORS   2
#endif
#define tskNO_AFFINITY       ((BaseType_t)0x7fffffff)

typedef struct {
    pthread_mutex_t lock;
} portMUX_TYPE;
typedef portMUX_TYPE spinlock_t;

#define portMUX_INITIALIZER_UNLOCKED { PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP }
#define SPINLOCK_INITIALIZER portMUX_INITIALIZER_UNLOCKED

void vPortEnterCritical(portMUX_TYPE *mux);
void vPortExitCritical(portMUX_TYPE *mux);
void vPortYield(void);
BaseType_t xPortGetCoreID(void);
/* For a mux not initialised with portMUX_INITIALIZER_UNLOCKED (in allocated memory, say). */
void vPortCPUInitializeMutex(portMUX_TYPE *mux);

#define portMUX_INITIALIZE(mux)      vPortCPUInitializeMutex(mux)
#define spinlock_initialize(mux)     vPortCPUInitializeMutex(mux)

#define portENTER_CRITICAL(mux)      vPortEnterCritical(mux)
#define portEXIT_CRITICAL(mux)       vPortExitCritical(mux)
#define portENTER_CRITICAL_ISR(mux)  vPortEnterCritical(mux)
#define portEXIT_CRITICAL_ISR(mux)   vPortExitCritical(mux)
#define portENTER_CRITICAL_SAFE(mux) vPortEnterCritical(mux)
#define portEXIT_CRITICAL_SAFE(mux)  vPortExitCritical(mux)
#define taskENTER_CRITICAL(mux)      vPortEnterCritical(mux)
#define taskEXIT_CRITICAL(mux)       vPortExitCritical(mux)
#define taskENTER_CRITICAL_ISR(mux)  vPortEnterCritical(mux)
#define taskEXIT_CRITICAL_ISR(mux)   vPortExitCritical(mux)

#define portYIELD()                  vPortYield()
#define portYIELD_FROM_ISR(...)      ((void)0)
#define portEND_SWITCHING_ISR(x)     ((void)(x))
#define portYIELD_WITHIN_API()       vPortYield()
#define portGET_CORE_ID()            xPortGetCoreID()
#define xPortInIsrContext()          ((BaseType_t)0)
#define xPortCanYield()              ((BaseType_t)1)

#ifdef __cplusplus
}
#endif
