/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * test_malloc_main.c: a task frees memory that a task of lower priority allocated, while that one keeps
 * allocating, as ESP-IDF's idle task frees the TCB and stack of a task deleted elsewhere. Both lock the low
 * task's glibc arena (blocks too big for glibc's per-thread cache). With linux_malloc the tick waits until
 * the low task is out of the allocator and the app prints DONE; without it, the high task wakes on a tick
 * that parked the low one inside the allocator, blocks on the arena lock, and the app stops for good.
 *
 * Locking: s_mailbox passes one block from the low task to the high one (atomic exchange); s_stop (atomic)
 * ends the low task's loop; priority_pair waits for both tasks, so the counts are read after both ended.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "priority_pair.h"

static const char *TAG = "test_malloc";

#define HIGH_TICKS 200
#define HELD_BLOCKS 8
#define PASSED_BLOCK 4096 /* over glibc's per-thread cache (1032 bytes): a free takes the arena lock */

static _Atomic(void *) s_mailbox;
static atomic_bool s_stop;
static uint32_t s_low_rounds;  /* written by the low task only */
static uint32_t s_high_frees;  /* written by the high task only */

/* Block sizes that walk 2-62 kB so frees merge chunks and give the arena's top back (heap_trim). */
static size_t block_size(uint32_t round)
{
    return 2048 + (round * 7919u) % (60 * 1024);
}

static void low_task(void)
{
    void *held[HELD_BLOCKS] = {0};
    while (!atomic_load(&s_stop)) {
        uint32_t slot = s_low_rounds % HELD_BLOCKS;
        free(held[slot]);
        held[slot] = malloc(block_size(s_low_rounds));
        if (held[slot] != NULL) {
            memset(held[slot], 0x5a, 64);
        }
        if (atomic_load(&s_mailbox) == NULL) {
            free(atomic_exchange(&s_mailbox, malloc(PASSED_BLOCK)));
        }
        s_low_rounds++;
    }
    for (int i = 0; i < HELD_BLOCKS; i++) {
        free(held[i]);
    }
}

static void high_task(void)
{
    for (int i = 0; i < HIGH_TICKS; i++) {
        vTaskDelay(1);
        void *block = atomic_exchange(&s_mailbox, NULL);
        s_high_frees += block != NULL;
        free(block);
    }
    atomic_store(&s_stop, true);
}

void app_main(void)
{
    if (!priority_pair_run(high_task, low_task)) {
        ESP_LOGE(TAG, "FAIL: cannot create the tasks");
        return;
    }
    free(atomic_exchange(&s_mailbox, NULL));
    ESP_LOGI(TAG, "DONE ticks=%d frees=%u rounds=%u", HIGH_TICKS, (unsigned)s_high_frees, (unsigned)s_low_rounds);
    exit(0);
}
