/* The log sink: filters by the tag's level, formats the whole line, and writes it with one write() to
 * stdout so that lines from parallel threads never interleave. s_sink (the esp_log_set_vprintf hook) is
 * an atomic pointer; nothing else is shared. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "esp_log.h"

/* Lines up to this size are formatted on the stack; longer ones on the heap. */
#define LOG_STACK_LINE 512

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static int write_line_vprintf(const char *format, va_list args)
{
    char stack_buf[LOG_STACK_LINE];
    va_list copy;
    va_copy(copy, args);
    int len = vsnprintf(stack_buf, sizeof(stack_buf), format, copy);
    va_end(copy);
    if (len < 0) {
        return len;
    }
    if ((size_t)len < sizeof(stack_buf)) {
        write_all(STDOUT_FILENO, stack_buf, (size_t)len);
        return len;
    }
    char *heap_buf = malloc((size_t)len + 1);
    if (heap_buf == NULL) {
        /* Out of memory: the truncated line is better than none. */
        write_all(STDOUT_FILENO, stack_buf, sizeof(stack_buf) - 1);
        return len;
    }
    vsnprintf(heap_buf, (size_t)len + 1, format, args);
    write_all(STDOUT_FILENO, heap_buf, (size_t)len);
    free(heap_buf);
    return len;
}

static vprintf_like_t s_sink = write_line_vprintf; /* atomic */

vprintf_like_t esp_log_set_vprintf(vprintf_like_t func)
{
    if (func == NULL) {
        func = write_line_vprintf;
    }
    return __atomic_exchange_n(&s_sink, func, __ATOMIC_ACQ_REL);
}

void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args)
{
    if (level == ESP_LOG_NONE || level > esp_log_level_get(tag)) {
        return;
    }
    vprintf_like_t sink = __atomic_load_n(&s_sink, __ATOMIC_ACQUIRE);
    sink(format, args);
}

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    esp_log_writev(level, tag, format, args);
    va_end(args);
}
