/* Free-heap accounting. free = WSH_HEAP_SIZE (default 320 KiB, like an ESP32 after boot) minus the bytes
 * the program allocated since it started and still holds: live bytes now minus live bytes at start-up (a
 * constructor records them, so runtime allocations made before main, such as the sanitizer runtime's
 * C++ exception pool, do not count). Live bytes are __sanitizer_get_current_allocated_bytes() under
 * ASan/TSan (TSan counts allocator size classes, so a block may count up to ~15% more than requested) and
 * mallinfo2() (in-use arena plus mmapped bytes) otherwise. Allocator overhead and thread stacks are not
 * counted, nor is what host/ retains on purpose (wsh_heap_retained.h). The minimum is sampled on every query and by a detached sampler thread every SAMPLE_PERIOD_MS,
 * started by the first query.
 * Locking: s_baseline is written by a constructor before main() and only read after; s_once guards s_total
 * and the sampler start; s_min_free is an atomic lowered with a CAS loop. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_system.h"
#include "heap_accounting.h"
#include "wsh_heap_retained.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_USE_SANITIZER_STATS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HEAP_USE_SANITIZER_STATS 1
#endif
#endif

#ifdef HEAP_USE_SANITIZER_STATS
/* From the sanitizer runtime's allocator interface; gcc ships no header declaring it. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define WSH_HEAP_SIZE_DEFAULT (320u * 1024u)
#define SAMPLE_PERIOD_MS 10

static const char *TAG = "heap";

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static size_t s_total = WSH_HEAP_SIZE_DEFAULT; /* written once under s_once */
static size_t s_min_free = SIZE_MAX;           /* atomic */
static size_t s_baseline;                      /* written before main() */

static size_t live_bytes(void)
{
#ifdef HEAP_USE_SANITIZER_STATS
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

__attribute__((constructor(101))) static void record_baseline(void)
{
    s_baseline = live_bytes();
}

/* WSH_HEAP_SIZE as a positive decimal byte count; anything else is reported and the default kept. */
static size_t configured_total(void)
{
    const char *text = getenv("WSH_HEAP_SIZE");
    if (text == NULL || text[0] == '\0') {
        return WSH_HEAP_SIZE_DEFAULT;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value == 0 || value > UINT32_MAX || text[0] == '-') {
        ESP_LOGE(TAG, "WSH_HEAP_SIZE='%s' is not a byte count between 1 and %u; using %u",
                 text, (unsigned)UINT32_MAX, WSH_HEAP_SIZE_DEFAULT);
        return WSH_HEAP_SIZE_DEFAULT;
    }
    return (size_t)value;
}

__attribute__((weak)) size_t wsh_host_retained_bytes(void)
{
    return 0;
}

static size_t sample_free(void)
{
    size_t live = live_bytes();
    size_t retained = wsh_host_retained_bytes();
    live = live > retained ? live - retained : 0;
    size_t held = live > s_baseline ? live - s_baseline : 0;
    size_t free_bytes = held >= s_total ? 0 : s_total - held;
    size_t seen = __atomic_load_n(&s_min_free, __ATOMIC_RELAXED);
    while (free_bytes < seen &&
           !__atomic_compare_exchange_n(&s_min_free, &seen, free_bytes, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return free_bytes;
}

static void *sampler_thread(void *arg)
{
    const struct timespec period = { .tv_sec = 0, .tv_nsec = SAMPLE_PERIOD_MS * 1000000L };
    for (;;) {
        nanosleep(&period, NULL);
        sample_free();
    }
    return NULL;
}

static void init_accounting(void)
{
    s_total = configured_total();
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, sampler_thread, NULL) == 0) {
        pthread_setname_np(thread, "heap_sampler");
    } else {
        ESP_LOGW(TAG, "cannot start the heap sampler; the minimum is sampled on queries only");
    }
    pthread_attr_destroy(&attr);
}

size_t heap_accounting_total(void)
{
    pthread_once(&s_once, init_accounting);
    return s_total;
}

size_t heap_accounting_free(void)
{
    pthread_once(&s_once, init_accounting);
    return sample_free();
}

size_t heap_accounting_minimum_free(void)
{
    pthread_once(&s_once, init_accounting);
    sample_free();
    return __atomic_load_n(&s_min_free, __ATOMIC_RELAXED);
}

uint32_t esp_get_free_heap_size(void)
{
    return (uint32_t)heap_accounting_free();
}

uint32_t esp_get_free_internal_heap_size(void)
{
    return (uint32_t)heap_accounting_free();
}

uint32_t esp_get_minimum_free_heap_size(void)
{
    return (uint32_t)heap_accounting_minimum_free();
}
