/*
 * Event groups on the host.
 *
 * Locking: bits and the waiter list are guarded by the group's own lock. Each waiting task owns a waiter record
 * on its stack, linked into the group's list while it waits. A set evaluates every waiter against the new
 * bits, releases the satisfied ones with the value that satisfied them, and only then clears the bits they
 * asked to clear on exit, so two waiters on the same bit are both released, as in FreeRTOS.
 */
#include <stdlib.h>
#include "wsh_chaos.h"
#include "wsh_kernel.h"
#include "freertos/event_groups.h"

/* FreeRTOS reserves the top byte of the bits for its own control flags. */
#define CONTROL_BITS ((EventBits_t)0xff000000UL)

typedef struct bits_waiter {
    struct bits_waiter *next;
    struct EventGroupDef_t *group;
    EventBits_t wait_for;
    bool all;
    bool clear_on_exit;
    bool released;        /* set by the releasing xEventGroupSetBits */
    EventBits_t result;   /* the bits that released the waiter */
} bits_waiter_t;

struct EventGroupDef_t {
    pthread_mutex_t lock;
    /* Guarded by lock. */
    EventBits_t bits;
    bits_waiter_t *waiting;  /* in arrival order */
    unsigned waiters;
    pthread_cond_t changed;
};

EventGroupHandle_t xEventGroupCreate(void)
{
    struct EventGroupDef_t *group = calloc(1, sizeof(*group));
    if (group) {
        pthread_mutex_init(&group->lock, NULL);
        wsh_cond_init(&group->changed);
    }
    return group;
}

void vEventGroupDelete(EventGroupHandle_t group)
{
    configASSERT(group != NULL);
    pthread_mutex_lock(&group->lock);
    unsigned waiters = group->waiters;
    pthread_mutex_unlock(&group->lock);
    if (waiters > 0) {
        wsh_kernel_fatal("vEventGroupDelete: event group %p deleted by task \"%s\" while %u task(s) wait on it",
                         (void *)group, pcTaskGetName(NULL), waiters);
    }
    pthread_cond_destroy(&group->changed);
    pthread_mutex_destroy(&group->lock);
    free(group);
}

static bool satisfied(EventBits_t bits, EventBits_t wait_for, bool all)
{
    return all ? (bits & wait_for) == wait_for : (bits & wait_for) != 0;
}

static bool is_released(void *ctx)
{
    return ((bits_waiter_t *)ctx)->released;
}

static void unlink_waiter(void *ctx)
{
    bits_waiter_t *w = ctx;
    for (bits_waiter_t **p = &w->group->waiting; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

/* The group's lock held. */
static EventBits_t set_bits_locked(struct EventGroupDef_t *group, EventBits_t bits)
{
    group->bits |= bits;
    EventBits_t to_clear = 0;
    bits_waiter_t **p = &group->waiting;
    while (*p) {
        bits_waiter_t *w = *p;
        if (satisfied(group->bits, w->wait_for, w->all)) {
            w->released = true;
            w->result = group->bits;
            if (w->clear_on_exit) {
                to_clear |= w->wait_for;
            }
            *p = w->next;
        } else {
            p = &w->next;
        }
    }
    group->bits &= ~to_clear;
    pthread_cond_broadcast(&group->changed);
    return group->bits;
}

EventBits_t xEventGroupSetBits(EventGroupHandle_t group, const EventBits_t bits)
{
    configASSERT(group != NULL && (bits & CONTROL_BITS) == 0);
    pthread_mutex_lock(&group->lock);
    EventBits_t now = set_bits_locked(group, bits);
    pthread_mutex_unlock(&group->lock);
    wsh_chaos_point("bits_set");
    return now;
}

EventBits_t xEventGroupClearBits(EventGroupHandle_t group, const EventBits_t bits)
{
    configASSERT(group != NULL && (bits & CONTROL_BITS) == 0);
    pthread_mutex_lock(&group->lock);
    EventBits_t before = group->bits;
    group->bits &= ~bits;
    pthread_mutex_unlock(&group->lock);
    return before;
}

/* The group's lock held. Queues the caller as a waiter and sleeps until released or the deadline; returns the
 * releasing bits, or the current bits on timeout. */
static EventBits_t wait_locked(struct EventGroupDef_t *group, EventBits_t wait_for, bool all, bool clear,
                               TickType_t ticks)
{
    bits_waiter_t waiter = { .group = group, .wait_for = wait_for, .all = all, .clear_on_exit = clear };
    bits_waiter_t **tail = &group->waiting;
    while (*tail) {
        tail = &(*tail)->next;
    }
    *tail = &waiter;
    wsh_deadline_t deadline = wsh_deadline_after(ticks);
    wsh_wait_t wait = {
        .lock = &group->lock, .cond = &group->changed, .ready = is_released, .abandon = unlink_waiter,
        .ctx = &waiter, .waiters = &group->waiters,
    };
    if (wsh_kernel_wait(&wait, &deadline)) {
        return waiter.result;
    }
    unlink_waiter(&waiter);
    return group->bits;
}

EventBits_t xEventGroupWaitBits(EventGroupHandle_t group, const EventBits_t bits, const BaseType_t clear_on_exit,
                                const BaseType_t wait_for_all, TickType_t ticks)
{
    configASSERT(group != NULL && bits != 0 && (bits & CONTROL_BITS) == 0);
    wsh_chaos_point("bits_wait");
    pthread_mutex_lock(&group->lock);
    EventBits_t result = group->bits;
    if (satisfied(result, bits, wait_for_all)) {
        if (clear_on_exit) {
            group->bits &= ~bits;
        }
    } else if (ticks != 0) {
        result = wait_locked(group, bits, wait_for_all, clear_on_exit, ticks);
    }
    pthread_mutex_unlock(&group->lock);
    return result;
}

EventBits_t xEventGroupSync(EventGroupHandle_t group, const EventBits_t set, const EventBits_t wait_for,
                            TickType_t ticks)
{
    configASSERT(group != NULL && wait_for != 0 && ((set | wait_for) & CONTROL_BITS) == 0);
    wsh_chaos_point("bits_sync");
    pthread_mutex_lock(&group->lock);
    EventBits_t after_set = group->bits | set;
    set_bits_locked(group, set);
    EventBits_t result;
    if ((after_set & wait_for) == wait_for) {
        result = after_set;
        group->bits &= ~wait_for;
    } else if (ticks != 0) {
        result = wait_locked(group, wait_for, true, true, ticks);
    } else {
        result = group->bits;
    }
    pthread_mutex_unlock(&group->lock);
    return result;
}
