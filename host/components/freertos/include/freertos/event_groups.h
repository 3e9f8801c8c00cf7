/*
 * Event groups on the host. The top 8 bits of EventBits_t are reserved, as in FreeRTOS with 32-bit ticks.
 * Each group is guarded by its own lock (see wsh_kernel.h); a set releases every waiter it satisfies before
 * clearing the bits those waiters asked to clear on exit, as FreeRTOS does.
 */
#pragma once

#include "freertos/FreeRTOS.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct EventGroupDef_t *EventGroupHandle_t;
typedef TickType_t EventBits_t;

EventGroupHandle_t xEventGroupCreate(void);
void vEventGroupDelete(EventGroupHandle_t group);
EventBits_t xEventGroupSetBits(EventGroupHandle_t group, const EventBits_t bits);
EventBits_t xEventGroupClearBits(EventGroupHandle_t group, const EventBits_t bits);
EventBits_t xEventGroupWaitBits(EventGroupHandle_t group, const EventBits_t bits, const BaseType_t clear_on_exit,
                                const BaseType_t wait_for_all, TickType_t ticks);
EventBits_t xEventGroupSync(EventGroupHandle_t group, const EventBits_t set, const EventBits_t wait_for,
                            TickType_t ticks);
#define xEventGroupGetBits(group) xEventGroupClearBits((group), 0)
#define xEventGroupGetBitsFromISR(group) xEventGroupClearBits((group), 0)
#define xEventGroupSetBitsFromISR(group, bits, woken) ((void)(woken), xEventGroupSetBits((group), (bits)), pdPASS)
#define xEventGroupClearBitsFromISR(group, bits) ((void)xEventGroupClearBits((group), (bits)), pdPASS)

/* ESP-IDF's *WithCaps variants (idf_additions.h): the host has one heap, so caps are ignored. */
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
