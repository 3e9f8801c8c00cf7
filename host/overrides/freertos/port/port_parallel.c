/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The port layer under ESP-IDF's linux FreeRTOS headers (portmacro.h) for a kernel whose tasks run in
 * parallel: critical sections, scheduler suspension, yields and the ISR queries. A linux process has no
 * interrupts, so "from ISR" means never and masking interrupts means entering the critical section.
 *
 * Locking: one process-wide recursive mutex, s_critical, is the critical section: ESP-IDF's linux
 * portENTER_CRITICAL(mux) ignores its mux, so every critical section of every component excludes every
 * other, as on a single core. vTaskSuspendAll() takes the same lock: code that suspends the scheduler to
 * exclude other tasks is excluded from critical sections and other suspensions, but tasks that take neither
 * keep running, which a single-core device would not allow (docs/host-platform.md).
 */
#include <pthread.h>
#include <sched.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static pthread_mutex_t s_critical = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void vPortEnterCritical(void)
{
    pthread_mutex_lock(&s_critical);
}

void vPortExitCritical(void)
{
    pthread_mutex_unlock(&s_critical);
}

void vPortDisableInterrupts(void)
{
    vPortEnterCritical();
}

void vPortEnableInterrupts(void)
{
    vPortExitCritical();
}

BaseType_t xPortSetInterruptMask(void)
{
    vPortEnterCritical();
    return 0;
}

void vPortClearInterruptMask(BaseType_t mask)
{
    (void)mask;
    vPortExitCritical();
}

void vTaskSuspendAll(void)
{
    vPortEnterCritical();
}

BaseType_t xTaskResumeAll(void)
{
    vPortExitCritical();
    return pdFALSE;
}

void vPortYield(void)
{
    sched_yield();
}

void vPortYieldFromISR(void)
{
    sched_yield();
}

void vPortYieldOtherCore(BaseType_t core_id)
{
    (void)core_id;
}

BaseType_t xPortCheckIfInISR(void)
{
    return pdFALSE;
}
