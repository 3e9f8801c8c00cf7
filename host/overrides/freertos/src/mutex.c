/*
 * Mutexes and recursive mutexes on the host. A mutex records its holder, so misuse that FreeRTOS catches
 * with configASSERT (a give by a task that does not hold the mutex) is reported here with both task names
 * and aborts; a take that could only deadlock (the holder taking its own non-recursive mutex forever) too.
 *
 * Locking: holder, depth and count are guarded by the mutex object's own lock (see wsh_queue.h).
 * Diagnostics are printed after releasing it (task names are immutable).
 */
#include "wsh_chaos.h"
#include "wsh_queue.h"

QueueHandle_t xQueueCreateMutex(uint8_t type)
{
    configASSERT(type == queueQUEUE_TYPE_MUTEX || type == queueQUEUE_TYPE_RECURSIVE_MUTEX);
    return wsh_queue_new(1, 0, type, 1);
}

static bool is_free(void *mutex)
{
    return ((struct QueueDefinition *)mutex)->count > 0;
}

BaseType_t wsh_mutex_take(QueueHandle_t mutex, TickType_t ticks)
{
    wsh_task_t *self = wsh_task_self();
    wsh_chaos_point("mutex_take");
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    wsh_wait_t wait = { .lock = &mutex->lock, .cond = &mutex->changed, .ready = is_free, .ctx = mutex,
                        .waiters = &mutex->waiters };
    pthread_mutex_lock(&mutex->lock);
    if (mutex->holder == self && ticks == portMAX_DELAY) {
        pthread_mutex_unlock(&mutex->lock);
        wsh_kernel_fatal("xSemaphoreTake: task \"%s\" takes mutex %p it already holds, waiting forever: deadlock",
                         self->name, (void *)mutex);
    }
    bool taken = wsh_kernel_wait(&wait, &deadline);
    if (taken) {
        mutex->count = 0;
        mutex->holder = self;
        mutex->depth = 1;
    }
    pthread_mutex_unlock(&mutex->lock);
    return taken ? pdTRUE : pdFALSE;
}

/* The mutex's lock held; releases it before reporting, as wsh_kernel_fatal requires. */
static void __attribute__((noreturn)) report_foreign_give(QueueHandle_t mutex, const char *api, wsh_task_t *self)
{
    wsh_task_t *holder = mutex->holder;
    pthread_mutex_unlock(&mutex->lock);
    if (holder == NULL) {
        wsh_kernel_fatal("%s: task \"%s\" gives mutex %p that no task holds", api, self->name, (void *)mutex);
    }
    wsh_kernel_fatal("%s: task \"%s\" gives mutex %p held by task \"%s\"", api, self->name, (void *)mutex,
                     holder->name);
}

BaseType_t wsh_mutex_give(QueueHandle_t mutex, const char *api)
{
    wsh_task_t *self = wsh_task_self();
    pthread_mutex_lock(&mutex->lock);
    if (mutex->holder != self) {
        report_foreign_give(mutex, api, self);
    }
    if (--mutex->depth == 0) {
        mutex->holder = NULL;
        mutex->count = 1;
        pthread_cond_broadcast(&mutex->changed);
    }
    pthread_mutex_unlock(&mutex->lock);
    wsh_chaos_point("mutex_give");
    return pdPASS;
}

BaseType_t xQueueTakeMutexRecursive(QueueHandle_t mutex, TickType_t ticks)
{
    configASSERT(mutex != NULL && mutex->type == queueQUEUE_TYPE_RECURSIVE_MUTEX);
    wsh_task_t *self = wsh_task_self();
    pthread_mutex_lock(&mutex->lock);
    if (mutex->holder == self) {
        mutex->depth++;
        pthread_mutex_unlock(&mutex->lock);
        return pdPASS;
    }
    pthread_mutex_unlock(&mutex->lock);
    return wsh_mutex_take(mutex, ticks);
}

BaseType_t xQueueGiveMutexRecursive(QueueHandle_t mutex)
{
    configASSERT(mutex != NULL && mutex->type == queueQUEUE_TYPE_RECURSIVE_MUTEX);
    return wsh_mutex_give(mutex, "xSemaphoreGiveRecursive");
}

TaskHandle_t xQueueGetMutexHolder(QueueHandle_t semaphore)
{
    configASSERT(semaphore != NULL);
    pthread_mutex_lock(&semaphore->lock);
    TaskHandle_t holder = semaphore->holder;
    pthread_mutex_unlock(&semaphore->lock);
    return holder;
}
