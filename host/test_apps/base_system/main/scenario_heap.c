/* Heap figures around a 100 KB allocation, the minimum after an unqueried peak, and capability rules. */
#include <stdlib.h>
#include <string.h>
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "scenarios.h"

#define BIG (100 * 1024)
#define PEAK (60 * 1024)

/* Publishing each block stops the compiler from eliding a malloc/memset/free it can see through. */
static void *volatile s_escape;

static void around_allocation(void)
{
    uint32_t before = esp_get_free_heap_size();
    uint8_t *block = malloc(BIG);
    memset(block, 0xA5, BIG);
    s_escape = block;
    uint32_t during = esp_get_free_heap_size();
    uint32_t caps_during = (uint32_t)heap_caps_get_free_size(MALLOC_CAP_8BIT);
    free(block);
    uint32_t after = esp_get_free_heap_size();
    ESP_LOGI(SYS_TAG, "HEAP total=%u before=%u during=%u caps_during=%u after=%u min=%u",
             (unsigned)heap_caps_get_total_size(MALLOC_CAP_DEFAULT), (unsigned)before, (unsigned)during,
             (unsigned)caps_during, (unsigned)after, (unsigned)esp_get_minimum_free_heap_size());
}

/* Holds PEAK bytes for a while without asking for the free size: only the sampler sees the dip. */
static void unqueried_peak(void)
{
    uint32_t min_before = esp_get_minimum_free_heap_size();
    uint32_t free_before = esp_get_free_heap_size();
    uint8_t *block = malloc(PEAK);
    memset(block, 0x5A, PEAK);
    s_escape = block;
    vTaskDelay(pdMS_TO_TICKS(100));
    free(block);
    ESP_LOGI(SYS_TAG, "PEAK free_before=%u min_before=%u min_after=%u", (unsigned)free_before,
             (unsigned)min_before, (unsigned)esp_get_minimum_free_heap_size());
}

static void capabilities(void)
{
    void *spiram = heap_caps_malloc(64, MALLOC_CAP_SPIRAM);
    void *internal = heap_caps_calloc(4, 16, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
    void *aligned = heap_caps_aligned_alloc(64, 100, MALLOC_CAP_DEFAULT);
    void *bad_align = heap_caps_aligned_alloc(48, 100, MALLOC_CAP_DEFAULT);
    void *prefer = heap_caps_malloc_prefer(32, 2, MALLOC_CAP_SPIRAM, MALLOC_CAP_DEFAULT);
    ESP_LOGI(SYS_TAG, "CAPS spiram_null=%d spiram_free=%u internal_ok=%d internal_zeroed=%d aligned64=%d "
             "bad_align_null=%d prefer_fallback=%d",
             spiram == NULL, (unsigned)heap_caps_get_free_size(MALLOC_CAP_SPIRAM), internal != NULL,
             internal != NULL && ((uint8_t *)internal)[63] == 0, ((uintptr_t)aligned % 64) == 0,
             bad_align == NULL, prefer != NULL);
    heap_caps_free(internal);
    heap_caps_aligned_free(aligned);
    heap_caps_free(prefer);
}

void scenario_heap(void)
{
    unqueried_peak(); /* first, while the minimum is still the start-up figure */
    around_allocation();
    capabilities();
}
