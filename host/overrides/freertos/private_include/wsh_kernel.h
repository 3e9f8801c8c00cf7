/*
 * Internals shared by the host FreeRTOS sources: deadlines, the one blocking primitive every FreeRTOS wait
 * goes through, and the task record.
 *
 * Locking: there is no kernel-wide lock. Each queue, semaphore, mutex and event group has its own mutex, and
 * each task record has its own `lock` for its scheduling and notification fields, so ThreadSanitizer sees
 * synchronisation exactly where FreeRTOS provides it (a give and the take it releases), never between calls
 * on unrelated objects: that would hide application races. Lock order: an object's lock, then a task's.
 * Never log or call wsh_chaos_point() with a lock held: both may sleep or take other locks.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

/* Where a task is, as far as deletion by another task cares. */
typedef enum {
    WSH_TASK_STARTING,  /* created, application code not entered yet: deletable */
    WSH_TASK_RUNNING,   /* running application code: deleting it is an error */
    WSH_TASK_BLOCKED,   /* inside a FreeRTOS wait: deletable, released at that wait */
    WSH_TASK_DELETED,   /* left for good; the deleter frees the record */
} wsh_task_state_t;

typedef struct tskTaskControlBlock {
    /* Immutable after creation. */
    char name[configMAX_TASK_NAME_LEN];
    TaskFunction_t fn;
    void *arg;
    uint32_t stack_depth;     /* as requested, in bytes (ESP-IDF's unit) */
    bool adopted;             /* a thread not created by xTaskCreate* (process main, plain pthreads) */
    pthread_mutex_t lock;
    pthread_cond_t wake;      /* with `lock`: delays, notifications, and the deleter waiting for DELETED */
    /* Guarded by lock. */
    UBaseType_t priority;
    wsh_task_state_t state;
    bool delete_requested;
    bool suspended;           /* in vTaskSuspend(NULL) until vTaskResume */
    uint32_t notify_value;
    bool notify_pending;
} wsh_task_t;

/* An absolute CLOCK_MONOTONIC time, or forever (portMAX_DELAY). */
typedef struct {
    bool forever;
    struct timespec at;
} wsh_deadline_t;

/* One wait on an object: sleep on `cond` with the object's `lock` (held by the caller) until `ready(ctx)`
 * holds. `ready` NULL waits for the deadline alone (a delay). `waiters` (optional) counts tasks blocked on the
 * object, so deleting an object with waiters is caught; `abandon` (optional) undoes the caller's bookkeeping
 * (object lock held) when the waiting task is deleted and never returns. */
typedef struct {
    pthread_mutex_t *lock;
    pthread_cond_t *cond;
    bool (*ready)(void *ctx);
    void (*abandon)(void *ctx);
    void *ctx;
    unsigned *waiters;
} wsh_wait_t;

/* A condition variable on CLOCK_MONOTONIC, as every timed wait here needs. */
void wsh_cond_init(pthread_cond_t *cond);

wsh_deadline_t wsh_deadline_after(TickType_t ticks);
wsh_deadline_t wsh_deadline_at_tick(TickType_t tick);

/* Waits (w->lock held on entry and exit) until w->ready holds or the deadline passes; true when ready.
 * Checks `ready` first, so an expired deadline (ticks == 0) polls. The task is BLOCKED, and so deletable,
 * for the whole wait; if another task deletes it meanwhile, it does not return: the thread ends here. */
bool wsh_kernel_wait(const wsh_wait_t *w, const wsh_deadline_t *deadline);

/* tasks.c: the wait's bookkeeping on the caller's record. `own_lock`: the caller already holds self->lock
 * (it waits on its own record). */
void wsh_task_set_blocked(wsh_task_t *self, bool own_lock, bool blocked);
bool wsh_task_delete_requested(wsh_task_t *self, bool own_lock);

/* Ends the calling thread after another task deleted it; releases `held` (the lock of the object it waited
 * on) first. */
void wsh_task_exit_deleted(wsh_task_t *self, pthread_mutex_t *held) __attribute__((noreturn));

/* The calling thread's task record; adopts threads that xTaskCreate did not start. */
wsh_task_t *wsh_task_self(void);

/* Prints an ESP-IDF-format error line (tag "freertos") and aborts, as a failed configASSERT does.
 * Call without locks held. */
void wsh_kernel_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
