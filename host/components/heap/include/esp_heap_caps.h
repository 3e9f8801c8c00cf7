/* ESP-IDF's capability-based allocator on the host. Every capability maps to the one C heap, except
 * MALLOC_CAP_SPIRAM without CONFIG_SPIRAM (and MALLOC_CAP_INVALID), which no heap satisfies: those
 * allocations return NULL and their free size is 0, as on a chip without PSRAM. Thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "esp_bit_defs.h"
#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MALLOC_CAP_EXEC             BIT0
#define MALLOC_CAP_32BIT            BIT1
#define MALLOC_CAP_8BIT             BIT2
#define MALLOC_CAP_DMA              BIT3
#define MALLOC_CAP_PID2             BIT4
#define MALLOC_CAP_PID3             BIT5
#define MALLOC_CAP_PID4             BIT6
#define MALLOC_CAP_PID5             BIT7
#define MALLOC_CAP_PID6             BIT8
#define MALLOC_CAP_PID7             BIT9
#define MALLOC_CAP_SPIRAM           BIT10
#define MALLOC_CAP_INTERNAL         BIT11
#define MALLOC_CAP_DEFAULT          BIT12
#define MALLOC_CAP_IRAM_8BIT        BIT13
#define MALLOC_CAP_RETENTION        BIT14
#define MALLOC_CAP_RTCRAM           BIT15
#define MALLOC_CAP_TCM              BIT16
#define MALLOC_CAP_INVALID          BIT31

void *heap_caps_malloc(size_t size, uint32_t caps);
void *heap_caps_calloc(size_t n, size_t size, uint32_t caps);
void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps);
void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps);
void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps);
void heap_caps_aligned_free(void *ptr);
void heap_caps_free(void *ptr);

/* Allocates with the first capability set some heap satisfies (ESP-IDF's "prefer" variants). */
void *heap_caps_malloc_prefer(size_t size, size_t num, ...);
void *heap_caps_calloc_prefer(size_t n, size_t size, size_t num, ...);

size_t heap_caps_get_total_size(uint32_t caps);
size_t heap_caps_get_free_size(uint32_t caps);
size_t heap_caps_get_minimum_free_size(uint32_t caps);
size_t heap_caps_get_largest_free_block(uint32_t caps);

/* The sanitizers (asan variant) check the heap continuously; these report it intact. */
bool heap_caps_check_integrity_all(bool print_errors);
bool heap_caps_check_integrity(uint32_t caps, bool print_errors);

#ifdef __cplusplus
}
#endif
