/* ROM system helpers of ESP-IDF mapped onto libc (stateless, thread-safe as libc is). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <time.h>
#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

/* printf to stdout; stdout is unbuffered on the host (see esp_system's startup). */
static inline int esp_rom_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int esp_rom_printf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vprintf(fmt, args);
    va_end(args);
    return n;
}

/* Busy-wait on a chip; on the host a sleep of at least us microseconds. */
static inline void esp_rom_delay_us(uint32_t us)
{
    struct timespec remaining = { .tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000L };
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
    }
}

#ifdef __cplusplus
}
#endif
