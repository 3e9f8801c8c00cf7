/*
 * Counters (lock-free atomics, any task) and the STATS reporter task. The
 * reporter's control block is touched by the runner task only; the reporter
 * task reads its scenario name and t0, which are set before it is created and
 * not changed until it has signalled its exit.
 */
#include "hammer_stats.h"
#include "hammer_run.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "sdkconfig.h"

#if CONFIG_IDF_TARGET_LINUX
#include <dirent.h>
#include <malloc.h>
#include <unistd.h>
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
/* The sanitizers' allocator interface (compiler-rt's sanitizer/allocator_interface.h, which Debian's gcc does
 * not install): bytes the application holds. */
size_t __sanitizer_get_current_allocated_bytes(void);
#define HAMMER_SANITIZER_HEAP 1
#endif
#endif

static const char *TAG = "wsh";

#define REPORT_PERIOD_MS 1000
#define REPORTER_EXIT_WAIT_MS 3000
#define WAIT_POLL_MS 20
#define HAMMER_NOMINAL_HEAP (256LL * 1024 * 1024)
#define HEAP_UNKNOWN UINT32_MAX /* what ESP-IDF's linux heap_caps returns for every figure */

static _Atomic uint32_t s_counters[HAMMER_STAT_COUNT];

static struct {
    const char *scenario;       /* set before the task starts */
    int64_t t0_ms;              /* set before the task starts */
    SemaphoreHandle_t stop;     /* given by the runner to end the task */
    SemaphoreHandle_t exited;   /* given by the task as its last act */
} s_reporter;

void hammer_stats_reset(void)
{
    for (int i = 0; i < HAMMER_STAT_COUNT; i++) {
        atomic_store(&s_counters[i], 0);
    }
}

void hammer_stats_add(hammer_stat_t which, uint32_t n)
{
    atomic_fetch_add_explicit(&s_counters[which], n, memory_order_relaxed);
}

uint32_t hammer_stats_get(hammer_stat_t which)
{
    return atomic_load_explicit(&s_counters[which], memory_order_relaxed);
}

int64_t hammer_now_ms(void)
{
    return esp_timer_get_time() / 1000;
}

int64_t hammer_free_heap(void)
{
    uint32_t free_bytes = esp_get_free_heap_size();
#if CONFIG_IDF_TARGET_LINUX
    /* ESP-IDF's linux heap_caps knows no figure: the bytes in use, from the allocator that serves them (a
     * sanitizer brings its own, which glibc's mallinfo2() does not see), against a nominal heap. */
    if (free_bytes == HEAP_UNKNOWN) {
#ifdef HAMMER_SANITIZER_HEAP
        return HAMMER_NOMINAL_HEAP - (int64_t)__sanitizer_get_current_allocated_bytes();
#else
        struct mallinfo2 info = mallinfo2();
        return HAMMER_NOMINAL_HEAP - (int64_t)info.uordblks;
#endif
    }
#endif
    return free_bytes == HEAP_UNKNOWN ? -1 : (int64_t)free_bytes;
}

int64_t hammer_min_free_heap(void)
{
    uint32_t low = esp_get_minimum_free_heap_size();
    return low == HEAP_UNKNOWN ? -1 : (int64_t)low;
}

bool hammer_stats_wait(hammer_stat_t which, uint32_t target, uint32_t timeout_ms, uint32_t quiet_ms)
{
    int64_t start = hammer_now_ms();
    int64_t last_move = start;
    uint32_t last = hammer_stats_get(which);
    while (last < target) {
        int64_t now = hammer_now_ms();
        if (now - start >= timeout_ms || now - last_move >= quiet_ms) {
            return false;
        }
        vTaskDelay(pdMS_TO_TICKS(WAIT_POLL_MS));
        uint32_t value = hammer_stats_get(which);
        if (value != last) {
            last = value;
            last_move = hammer_now_ms();
        }
    }
    return true;
}

#if CONFIG_IDF_TARGET_LINUX
void hammer_socket_fds(hammer_fd_set_t *out)
{
    memset(out, 0, sizeof(*out));
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        return;
    }
    out->known = true;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char path[sizeof(entry->d_name) + 16];
        char target[64];
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] == '.' || fd < 0 || fd >= HAMMER_MAX_FD) {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%s", entry->d_name);
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            if (strncmp(target, "socket:", 7) == 0) {
                out->bits[fd / 32] |= 1u << (fd % 32);
            }
        }
    }
    closedir(dir);
}
#else
void hammer_socket_fds(hammer_fd_set_t *out)
{
    memset(out, 0, sizeof(*out));
}
#endif

int hammer_fd_count(const hammer_fd_set_t *set)
{
    if (!set->known) {
        return -1;
    }
    int count = 0;
    for (size_t i = 0; i < sizeof(set->bits) / sizeof(set->bits[0]); i++) {
        count += __builtin_popcount(set->bits[i]);
    }
    return count;
}

int hammer_open_sockets(void)
{
    hammer_fd_set_t fds;
    hammer_socket_fds(&fds);
    return hammer_fd_count(&fds);
}

int hammer_fd_kept(const hammer_fd_set_t *before, const hammer_fd_set_t *during, const hammer_fd_set_t *after)
{
    if (!before->known || !during->known || !after->known) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(during->bits) / sizeof(during->bits[0]); i++) {
        uint32_t kept = during->bits[i] & ~before->bits[i] & after->bits[i];
        if (kept != 0) {
            return (int)(i * 32) + __builtin_ctz(kept);
        }
    }
    return -1;
}

void hammer_stats_log_task(const char *scenario, const hammer_task_tally_t *t)
{
    ESP_LOGI(TAG, "TASK scenario=%s id=%lu attempted=%lu sent=%lu send_err=%lu first_seq=%lld last_seq=%lld "
             "max_send_ms=%.1f", scenario, (unsigned long)t->id, (unsigned long)t->attempted, (unsigned long)t->sent,
             (unsigned long)t->send_err, (long long)t->first_seq, (long long)t->last_seq,
             (double)t->max_send_us / 1000.0);
}

void hammer_stats_count_send(hammer_task_tally_t *t, uint32_t seq, bool ok, int64_t started_us)
{
    int64_t took_us = esp_timer_get_time() - started_us;
    if (took_us > t->max_send_us) {
        t->max_send_us = took_us;
    }
    t->attempted++;
    hammer_stats_add(HAMMER_STAT_ATTEMPTED, 1);
    if (ok) {
        t->sent++;
        hammer_stats_add(HAMMER_STAT_SENT, 1);
        if (t->first_seq < 0) {
            t->first_seq = seq;
        }
        t->last_seq = seq;
    } else {
        t->send_err++;
        hammer_stats_add(HAMMER_STAT_SEND_ERR, 1);
    }
}

static void report_once(void)
{
    ESP_LOGI(TAG, "STATS scenario=%s t_ms=%lld sent=%lu send_err=%lu echoed=%lu corrupt=%lu out_of_order=%lu "
             "reconnects=%lu free_heap=%lld min_free_heap=%lld open_fds=%d op=\"%s\"",
             s_reporter.scenario, (long long)(hammer_now_ms() - s_reporter.t0_ms),
             (unsigned long)hammer_stats_get(HAMMER_STAT_SENT), (unsigned long)hammer_stats_get(HAMMER_STAT_SEND_ERR),
             (unsigned long)hammer_stats_get(HAMMER_STAT_ECHOED), (unsigned long)hammer_stats_get(HAMMER_STAT_CORRUPT),
             (unsigned long)hammer_stats_get(HAMMER_STAT_OUT_OF_ORDER),
             (unsigned long)hammer_stats_get(HAMMER_STAT_RECONNECTS), (long long)hammer_free_heap(),
             (long long)hammer_min_free_heap(), hammer_open_sockets(), hammer_run_current_op());
}

static void reporter_task(void *arg)
{
    (void)arg;
    while (xSemaphoreTake(s_reporter.stop, pdMS_TO_TICKS(REPORT_PERIOD_MS)) != pdTRUE) {
        report_once();
    }
    xSemaphoreGive(s_reporter.exited);
    vTaskDelete(NULL);
}

bool hammer_stats_reporter_start(const char *scenario, int64_t t0_ms)
{
    if (s_reporter.stop == NULL) {
        s_reporter.stop = xSemaphoreCreateBinary();
        s_reporter.exited = xSemaphoreCreateBinary();
        if (s_reporter.stop == NULL || s_reporter.exited == NULL) {
            return false;
        }
    }
    s_reporter.scenario = scenario;
    s_reporter.t0_ms = t0_ms;
    return xTaskCreate(reporter_task, "wsh_stats", 4096, NULL, 3, NULL) == pdPASS;
}

void hammer_stats_reporter_stop(void)
{
    xSemaphoreGive(s_reporter.stop);
    if (xSemaphoreTake(s_reporter.exited, pdMS_TO_TICKS(REPORTER_EXIT_WAIT_MS)) != pdTRUE) {
        ESP_LOGW(TAG, "stats reporter did not stop within %d ms", REPORTER_EXIT_WAIT_MS);
    }
}
