/* heap_caps_* over malloc/free. Stateless beyond the C allocator (thread-safe); capability checks are
 * pure functions of the caps and sdkconfig. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "esp_heap_caps.h"
#include "heap_accounting.h"
#include "sdkconfig.h"

/* Whether any host heap has every capability in caps. */
static bool caps_satisfiable(uint32_t caps)
{
    if (caps & MALLOC_CAP_INVALID) {
        return false;
    }
#if !CONFIG_SPIRAM
    if (caps & MALLOC_CAP_SPIRAM) {
        return false;
    }
#endif
    return true;
}

void *heap_caps_malloc(size_t size, uint32_t caps)
{
    return caps_satisfiable(caps) ? malloc(size) : NULL;
}

void *heap_caps_calloc(size_t n, size_t size, uint32_t caps)
{
    return caps_satisfiable(caps) ? calloc(n, size) : NULL;
}

void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps)
{
    return caps_satisfiable(caps) ? realloc(ptr, size) : NULL;
}

void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps)
{
    /* posix_memalign needs a power of two that is a multiple of sizeof(void *). */
    if (!caps_satisfiable(caps) || alignment == 0 || (alignment & (alignment - 1)) != 0) {
        return NULL;
    }
    if (alignment < sizeof(void *)) {
        alignment = sizeof(void *);
    }
    void *ptr = NULL;
    return posix_memalign(&ptr, alignment, size) == 0 ? ptr : NULL;
}

void *heap_caps_aligned_calloc(size_t alignment, size_t n, size_t size, uint32_t caps)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        return NULL;
    }
    void *ptr = heap_caps_aligned_alloc(alignment, total, caps);
    if (ptr) {
        memset(ptr, 0, total);
    }
    return ptr;
}

void heap_caps_aligned_free(void *ptr)
{
    free(ptr);
}

void heap_caps_free(void *ptr)
{
    free(ptr);
}

void *heap_caps_malloc_prefer(size_t size, size_t num, ...)
{
    va_list caps_list;
    va_start(caps_list, num);
    void *ptr = NULL;
    for (size_t i = 0; i < num && ptr == NULL; i++) {
        ptr = heap_caps_malloc(size, va_arg(caps_list, uint32_t));
    }
    va_end(caps_list);
    return ptr;
}

void *heap_caps_calloc_prefer(size_t n, size_t size, size_t num, ...)
{
    va_list caps_list;
    va_start(caps_list, num);
    void *ptr = NULL;
    for (size_t i = 0; i < num && ptr == NULL; i++) {
        ptr = heap_caps_calloc(n, size, va_arg(caps_list, uint32_t));
    }
    va_end(caps_list);
    return ptr;
}

size_t heap_caps_get_total_size(uint32_t caps)
{
    return caps_satisfiable(caps) ? heap_accounting_total() : 0;
}

size_t heap_caps_get_free_size(uint32_t caps)
{
    return caps_satisfiable(caps) ? heap_accounting_free() : 0;
}

size_t heap_caps_get_minimum_free_size(uint32_t caps)
{
    return caps_satisfiable(caps) ? heap_accounting_minimum_free() : 0;
}

size_t heap_caps_get_largest_free_block(uint32_t caps)
{
    return heap_caps_get_free_size(caps);
}

bool heap_caps_check_integrity_all(bool print_errors)
{
    return true;
}

bool heap_caps_check_integrity(uint32_t caps, bool print_errors)
{
    return true;
}
