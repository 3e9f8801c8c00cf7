/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * linux_stdout.c: vprintf() for ESP-IDF's linux target (CMakeLists.txt says why): the text is formatted
 * first, then written whole to stdout by write(), retried where a tick cut it, under a FreeRTOS mutex.
 *
 * Locking: s_lock, a FreeRTOS mutex (priority inheritance), is held around each write to stdout by a task;
 * it is created on first use with the scheduler suspended, so two first callers cannot both create it.
 * Before the scheduler runs, and while it is suspended, there is no other task to wait for: no lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define LINE_BUF 512 /* a log line; longer text is formatted on the heap */

int __wrap_vprintf(const char *format, va_list args);

static StaticSemaphore_t s_lock_storage;
static SemaphoreHandle_t s_lock;

static SemaphoreHandle_t stdout_lock(void)
{
    if (s_lock == NULL) {
        vTaskSuspendAll();
        if (s_lock == NULL) {
            s_lock = xSemaphoreCreateMutexStatic(&s_lock_storage);
        }
        xTaskResumeAll();
    }
    return s_lock;
}

/* The POSIX port's tick handler has no SA_RESTART: a write() waiting for room in the pipe fails with EINTR at
 * every tick, where stdio would drop what it had buffered. */
static void write_all(const char *text, size_t len)
{
    while (len > 0) {
        ssize_t written = write(STDOUT_FILENO, text, len);
        if (written > 0) {
            text += written;
            len -= (size_t)written;
        } else if (written < 0 && errno != EINTR) {
            return; /* the reader is gone: nothing left to tell */
        }
    }
}

int __wrap_vprintf(const char *format, va_list args)
{
    char line[LINE_BUF];
    va_list again;
    va_copy(again, args);
    int len = vsnprintf(line, sizeof(line), format, args);
    char *text = line;
    if (len >= (int)sizeof(line)) {
        text = malloc((size_t)len + 1);
        if (text != NULL) {
            vsnprintf(text, (size_t)len + 1, format, again);
        } else {
            text = line;
            len = (int)sizeof(line) - 1; /* out of memory: the line cut, not lost */
        }
    }
    va_end(again);
    if (len > 0) {
        bool locked = xTaskGetSchedulerState() == taskSCHEDULER_RUNNING;
        if (locked) {
            xSemaphoreTake(stdout_lock(), portMAX_DELAY);
        }
        fflush(stdout); /* what printf() left in stdio's buffer goes out first */
        write_all(text, (size_t)len);
        if (locked) {
            xSemaphoreGive(stdout_lock());
        }
    }
    if (text != line) {
        free(text);
    }
    return len;
}
