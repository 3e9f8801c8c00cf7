/*
 * Critical sections and yields on the host. Each portMUX_TYPE is its own recursive mutex (see portmacro.h);
 * this file holds no state. Blocking FreeRTOS calls inside a critical section are a bug, as on a device.
 */
#include <pthread.h>
#include <sched.h>
#include "freertos/FreeRTOS.h"

void vPortCPUInitializeMutex(portMUX_TYPE *mux)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&mux->lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

void vPortEnterCritical(portMUX_TYPE *mux)
{
    configASSERT(mux != NULL);
    pthread_mutex_lock(&mux->lock);
}

void vPortExitCritical(portMUX_TYPE *mux)
{
    configASSERT(mux != NULL);
    pthread_mutex_unlock(&mux->lock);
}

void vPortYield(void)
{
    sched_yield();
}

BaseType_t xPortGetCoreID(void)
{
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : cpu % portNUM_PROCESSORS;
}
