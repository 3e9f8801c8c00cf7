/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * linux_malloc.c: the malloc family for ESP-IDF's linux target (CMakeLists.txt says why): each call goes to
 * glibc's allocator with the POSIX port's tick (SIGALRM) blocked in the calling thread, so no task is
 * switched out while it holds an arena lock. The caller's signal mask and errno come back as they were.
 *
 * Locking: none of its own; glibc's arena locks are only ever held with the tick blocked.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

#include "linux_tick.h"

/* glibc's allocator under the names it exports for replacements like this one */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *ptr);

struct mallinfo2 __real_mallinfo2(void);
struct mallinfo2 __wrap_mallinfo2(void);

void *malloc(size_t size)
{
    sigset_t before = linux_tick_off();
    void *ptr = __libc_malloc(size);
    linux_tick_back(&before);
    return ptr;
}

void *calloc(size_t count, size_t size)
{
    sigset_t before = linux_tick_off();
    void *ptr = __libc_calloc(count, size);
    linux_tick_back(&before);
    return ptr;
}

void *realloc(void *ptr, size_t size)
{
    sigset_t before = linux_tick_off();
    void *moved = __libc_realloc(ptr, size);
    linux_tick_back(&before);
    return moved;
}

void free(void *ptr)
{
    sigset_t before = linux_tick_off();
    __libc_free(ptr);
    linux_tick_back(&before);
}

void *memalign(size_t alignment, size_t size)
{
    sigset_t before = linux_tick_off();
    void *ptr = __libc_memalign(alignment, size);
    linux_tick_back(&before);
    return ptr;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (alignment == 0 || alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) {
        return EINVAL;
    }
    void *ptr = memalign(alignment, size);
    if (ptr == NULL) {
        return ENOMEM;
    }
    *out = ptr;
    return 0;
}

struct mallinfo2 __wrap_mallinfo2(void)
{
    sigset_t before = linux_tick_off();
    struct mallinfo2 info = __real_mallinfo2();
    linux_tick_back(&before);
    return info;
}
