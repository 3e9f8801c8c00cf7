/*
 * Task lifecycle on the host: creation (one detached pthread per task, named after it), deletion, delays,
 * priorities, names and task notifications.
 *
 * Locking: a task record's immutable fields (name, function, stack depth, adopted) are read without a lock;
 * its scheduling and notification fields are guarded by the record's own `lock` (taken after an object's
 * lock, never before one). A record belongs to its thread until the task is deleted: a task deleting itself
 * frees its own record; a task deleting another waits on the victim's `wake` until the victim's thread has
 * left its wait (state DELETED), then frees the victim's record.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "wsh_chaos.h"
#include "wsh_kernel.h"

static const char *TAG = "freertos";

/* Host code needs far more stack than the same code on an ESP32 (64-bit pointers, glibc's stdio), and the
 * sanitizers more again; so an ESP-IDF stack depth (bytes) is scaled, with a floor. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOST_STACK_SCALE 8
#define HOST_STACK_FLOOR (256 * 1024)
#else
#define HOST_STACK_SCALE 4
#define HOST_STACK_FLOOR (64 * 1024)
#endif

/* pthread_setname_np accepts at most 15 characters plus the terminator. */
#define THREAD_NAME_MAX 16

static __thread wsh_task_t *t_self;

/* Adopted records (threads xTaskCreate did not start) are freed by this key's destructor at thread exit. */
static pthread_key_t s_adopted_key;
static pthread_once_t s_tasks_once = PTHREAD_ONCE_INIT;

static void free_record(wsh_task_t *task)
{
    pthread_cond_destroy(&task->wake);
    pthread_mutex_destroy(&task->lock);
    free(task);
}

static void adopted_thread_exit(void *record)
{
    free_record(record);
}

static void tasks_init(void)
{
    pthread_key_create(&s_adopted_key, adopted_thread_exit);
}

static wsh_task_t *new_record(const char *name, UBaseType_t priority)
{
    wsh_task_t *task = calloc(1, sizeof(*task));
    if (!task) {
        return NULL;
    }
    snprintf(task->name, sizeof(task->name), "%s", name ? name : "");
    task->priority = priority;
    pthread_mutex_init(&task->lock, NULL);
    wsh_cond_init(&task->wake);
    return task;
}

wsh_task_t *wsh_task_self(void)
{
    if (t_self) {
        return t_self;
    }
    pthread_once(&s_tasks_once, tasks_init);
    char name[THREAD_NAME_MAX] = "";
    pthread_getname_np(pthread_self(), name, sizeof(name));
    wsh_task_t *task = new_record(name, tskIDLE_PRIORITY + 1);
    if (!task) {
        wsh_kernel_fatal("out of memory adopting thread \"%s\" as a task", name);
    }
    task->adopted = true;
    task->state = WSH_TASK_RUNNING;
    task->stack_depth = configMINIMAL_STACK_SIZE;
    pthread_setspecific(s_adopted_key, task);
    t_self = task;
    return task;
}

void wsh_task_set_blocked(wsh_task_t *self, bool own_lock, bool blocked)
{
    if (!own_lock) {
        pthread_mutex_lock(&self->lock);
    }
    self->state = blocked ? WSH_TASK_BLOCKED : WSH_TASK_RUNNING;
    if (!own_lock) {
        pthread_mutex_unlock(&self->lock);
    }
}

bool wsh_task_delete_requested(wsh_task_t *self, bool own_lock)
{
    if (!own_lock) {
        pthread_mutex_lock(&self->lock);
    }
    bool requested = self->delete_requested;
    if (!own_lock) {
        pthread_mutex_unlock(&self->lock);
    }
    return requested;
}

void wsh_task_exit_deleted(wsh_task_t *self, pthread_mutex_t *held)
{
    if (held != &self->lock) {
        pthread_mutex_unlock(held);
        pthread_mutex_lock(&self->lock);
    }
    if (self->adopted) {
        pthread_setspecific(s_adopted_key, NULL);  /* the deleter frees the record, not the key destructor */
    }
    t_self = NULL;
    self->state = WSH_TASK_DELETED;  /* from here on the record belongs to the deleter */
    pthread_cond_broadcast(&self->wake);
    pthread_mutex_unlock(&self->lock);
    pthread_exit(NULL);
}

static void *task_thread(void *arg)
{
    wsh_task_t *self = arg;
    char thread_name[THREAD_NAME_MAX];
    snprintf(thread_name, sizeof(thread_name), "%s", self->name);
    pthread_setname_np(pthread_self(), thread_name);
    t_self = self;
    wsh_chaos_point("task_start");
    pthread_mutex_lock(&self->lock);
    if (self->delete_requested) {
        wsh_task_exit_deleted(self, &self->lock);
    }
    self->state = WSH_TASK_RUNNING;
    pthread_mutex_unlock(&self->lock);
    self->fn(self->arg);
    wsh_kernel_fatal("task \"%s\" returned from its function; a FreeRTOS task must end with vTaskDelete(NULL)",
                     self->name);
}

static size_t host_stack_bytes(uint32_t depth)
{
    size_t bytes = (size_t)depth * HOST_STACK_SCALE;
    if (bytes < HOST_STACK_FLOOR) {
        bytes = HOST_STACK_FLOOR;
    }
    return bytes < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : bytes;
}

BaseType_t xTaskCreatePinnedToCore(TaskFunction_t fn, const char *name, uint32_t stack_depth, void *arg,
                                   UBaseType_t priority, TaskHandle_t *created, BaseType_t core_id)
{
    configASSERT(fn != NULL);
    configASSERT(priority < configMAX_PRIORITIES);
    configASSERT(core_id == tskNO_AFFINITY || (core_id >= 0 && core_id < portNUM_PROCESSORS));
    pthread_once(&s_tasks_once, tasks_init);
    wsh_task_t *task = new_record(name, priority);
    if (!task) {
        return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
    }
    task->fn = fn;
    task->arg = arg;
    task->stack_depth = stack_depth;
    task->state = WSH_TASK_STARTING;

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, host_stack_bytes(stack_depth));
    pthread_t thread;
    /* The handle is published before the thread can run, so the new task may use it at once. */
    if (created) {
        *created = task;
    }
    int rc = pthread_create(&thread, &attr, task_thread, task);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        ESP_LOGE(TAG, "cannot start task \"%s\": pthread_create: %s", task->name, strerror(rc));
        if (created) {
            *created = NULL;
        }
        free_record(task);
        return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
    }
    return pdPASS;
}

static void __attribute__((noreturn)) delete_self(wsh_task_t *self)
{
    if (self->adopted) {
        pthread_setspecific(s_adopted_key, NULL);
    }
    t_self = NULL;
    free_record(self);
    pthread_exit(NULL);
}

void vTaskDelete(TaskHandle_t task)
{
    wsh_task_t *self = wsh_task_self();
    if (task == NULL || task == self) {
        delete_self(self);
    }
    pthread_mutex_lock(&task->lock);
    if (task->state == WSH_TASK_RUNNING) {
        pthread_mutex_unlock(&task->lock);
        wsh_kernel_fatal("vTaskDelete: task \"%s\" deletes task \"%s\" while it runs application code; on the "
                         "host a task can only be deleted while it is blocked in a FreeRTOS call",
                         self->name, task->name);
    }
    configASSERT(task->state != WSH_TASK_DELETED);
    task->delete_requested = true;
    /* Wakes a victim sleeping on its own record at once; one blocked on an object notices within a poll. */
    pthread_cond_broadcast(&task->wake);
    while (task->state != WSH_TASK_DELETED) {
        pthread_cond_wait(&task->wake, &task->lock);
    }
    pthread_mutex_unlock(&task->lock);
    free_record(task);
}

/* Sleeps until the deadline (no condition ends it early, so notifications do not). */
static void sleep_until(wsh_task_t *self, const wsh_deadline_t *deadline)
{
    wsh_wait_t wait = { .lock = &self->lock, .cond = &self->wake };
    pthread_mutex_lock(&self->lock);
    wsh_kernel_wait(&wait, deadline);
    pthread_mutex_unlock(&self->lock);
}

void vTaskDelay(TickType_t ticks)
{
    wsh_task_t *self = wsh_task_self();
    wsh_chaos_point("task_delay");
    if (ticks == 0) {
        sched_yield();
        return;
    }
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    sleep_until(self, &deadline);
}

BaseType_t xTaskDelayUntil(TickType_t *previous_wake, TickType_t increment)
{
    configASSERT(previous_wake != NULL && increment > 0);
    wsh_task_t *self = wsh_task_self();
    TickType_t target = *previous_wake + increment;
    TickType_t now = xTaskGetTickCount();
    *previous_wake = target;
    /* Unsigned distance handles tick wrap-around: a target within half the range ahead is in the future. */
    if ((TickType_t)(target - now) == 0 || (TickType_t)(target - now) > portMAX_DELAY / 2) {
        return pdFALSE;
    }
    wsh_deadline_t deadline = wsh_deadline_at_tick(target);
    sleep_until(self, &deadline);
    return pdTRUE;
}

static bool is_resumed(void *task)
{
    return !((wsh_task_t *)task)->suspended;
}

/* Threads cannot be stopped wherever they are, so only a task's own suspension is possible; a suspended task
 * is blocked, and so deletable, until vTaskResume. */
void vTaskSuspend(TaskHandle_t task)
{
    wsh_task_t *self = wsh_task_self();
    if (task != NULL && task != self) {
        wsh_kernel_fatal("vTaskSuspend: task \"%s\" suspends task \"%s\"; on this platform a task can only "
                         "suspend itself", self->name, task->name);
    }
    wsh_deadline_t forever = wsh_deadline_after(portMAX_DELAY);
    wsh_wait_t wait = { .lock = &self->lock, .cond = &self->wake, .ready = is_resumed, .ctx = self };
    pthread_mutex_lock(&self->lock);
    self->suspended = true;
    wsh_kernel_wait(&wait, &forever);
    pthread_mutex_unlock(&self->lock);
}

void vTaskResume(TaskHandle_t task)
{
    configASSERT(task != NULL);
    pthread_mutex_lock(&task->lock);
    task->suspended = false;
    pthread_cond_broadcast(&task->wake);
    pthread_mutex_unlock(&task->lock);
}

TaskHandle_t xTaskGetCurrentTaskHandle(void)
{
    return wsh_task_self();
}

char *pcTaskGetName(TaskHandle_t task)
{
    return (task ? task : wsh_task_self())->name;
}

UBaseType_t uxTaskPriorityGet(TaskHandle_t task)
{
    wsh_task_t *t = task ? task : wsh_task_self();
    pthread_mutex_lock(&t->lock);
    UBaseType_t priority = t->priority;
    pthread_mutex_unlock(&t->lock);
    return priority;
}

void vTaskPrioritySet(TaskHandle_t task, UBaseType_t priority)
{
    configASSERT(priority < configMAX_PRIORITIES);
    wsh_task_t *t = task ? task : wsh_task_self();
    pthread_mutex_lock(&t->lock);
    t->priority = priority;
    pthread_mutex_unlock(&t->lock);
}

/* The host does not measure stack use: it reports the requested depth, i.e. "none of it used", knowing that
 * the real host stack is at least HOST_STACK_SCALE times larger. */
UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t task)
{
    return (task ? task : wsh_task_self())->stack_depth;
}

BaseType_t xTaskGetSchedulerState(void)
{
    return taskSCHEDULER_RUNNING;
}

eTaskState eTaskGetState(TaskHandle_t task)
{
    configASSERT(task != NULL);
    static const eTaskState by_state[] = {
        [WSH_TASK_STARTING] = eReady,
        [WSH_TASK_RUNNING] = eRunning,
        [WSH_TASK_BLOCKED] = eBlocked,
        [WSH_TASK_DELETED] = eDeleted,
    };
    pthread_mutex_lock(&task->lock);
    eTaskState state = task->suspended && task->state == WSH_TASK_BLOCKED ? eSuspended : by_state[task->state];
    pthread_mutex_unlock(&task->lock);
    return state;
}

BaseType_t xTaskGenericNotify(TaskHandle_t task, UBaseType_t index, uint32_t value, eNotifyAction action,
                              uint32_t *previous)
{
    configASSERT(task != NULL && index == 0);
    BaseType_t result = pdPASS;
    pthread_mutex_lock(&task->lock);
    if (previous) {
        *previous = task->notify_value;
    }
    switch (action) {
    case eNoAction:
        break;
    case eSetBits:
        task->notify_value |= value;
        break;
    case eIncrement:
        task->notify_value++;
        break;
    case eSetValueWithOverwrite:
        task->notify_value = value;
        break;
    case eSetValueWithoutOverwrite:
        if (task->notify_pending) {
            result = pdFAIL;
        } else {
            task->notify_value = value;
        }
        break;
    }
    if (result == pdPASS) {
        task->notify_pending = true;
        pthread_cond_broadcast(&task->wake);
    }
    pthread_mutex_unlock(&task->lock);
    wsh_chaos_point("task_notify");
    return result;
}

/* Wait conditions of the notification calls; the task's lock held. */
static bool has_notify_value(void *task)
{
    return ((wsh_task_t *)task)->notify_value != 0;
}

static bool has_notify_pending(void *task)
{
    return ((wsh_task_t *)task)->notify_pending;
}

uint32_t ulTaskGenericNotifyTake(UBaseType_t index, BaseType_t clear_on_exit, TickType_t ticks)
{
    configASSERT(index == 0);
    wsh_task_t *self = wsh_task_self();
    wsh_chaos_point("task_notify_take");
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    wsh_wait_t wait = { .lock = &self->lock, .cond = &self->wake, .ready = has_notify_value, .ctx = self };
    pthread_mutex_lock(&self->lock);
    wsh_kernel_wait(&wait, &deadline);
    uint32_t value = self->notify_value;
    if (value != 0) {
        self->notify_value = clear_on_exit ? 0 : value - 1;
    }
    self->notify_pending = false;
    pthread_mutex_unlock(&self->lock);
    return value;
}

BaseType_t xTaskGenericNotifyWait(UBaseType_t index, uint32_t clear_on_entry, uint32_t clear_on_exit,
                                  uint32_t *value, TickType_t ticks)
{
    configASSERT(index == 0);
    wsh_task_t *self = wsh_task_self();
    wsh_chaos_point("task_notify_wait");
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    wsh_wait_t wait = { .lock = &self->lock, .cond = &self->wake, .ready = has_notify_pending, .ctx = self };
    pthread_mutex_lock(&self->lock);
    if (!self->notify_pending) {
        self->notify_value &= ~clear_on_entry;
    }
    wsh_kernel_wait(&wait, &deadline);
    if (value) {
        *value = self->notify_value;
    }
    BaseType_t received = self->notify_pending ? pdTRUE : pdFALSE;
    if (received) {
        self->notify_value &= ~clear_on_exit;
        self->notify_pending = false;
    }
    pthread_mutex_unlock(&self->lock);
    return received;
}
