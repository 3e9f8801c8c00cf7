/*
 * Runner: baseline, START, STATS reporter, the scenario in its own task under
 * a watchdog, final checks, RESULT.
 *
 * Locking: s_run is written by the console task before the scenario task is
 * created, then belongs to the scenario task until it gives s_run.done, then
 * to the console task again. If the watchdog fires, the scenario task never
 * hands it back: s_wedged is set and s_run.cmd is never released.
 * s_current_op is an atomic pointer to a string literal (any task).
 */
#include "hammer_run.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "hammer_scenario.h"
#include "hammer_stats.h"

static const char *TAG = "wsh";

#define SCENARIO_STACK 8192
#define SCENARIO_PRIO 5
/* Added to a scenario's own bound: covers teardown and a slow, loaded host. */
#define WATCHDOG_SLACK_MS 15000
#define RECLAIM_WAIT_MS 50      /* for the idle task to free the run's deleted tasks */

static struct {
    hammer_cmd_t cmd;
    const hammer_scenario_t *scenario;
    hammer_verdict_t verdict;
    SemaphoreHandle_t done;
} s_run;

static _Atomic(const char *) s_current_op = "idle";
static atomic_bool s_wedged;

static void append(char *buf, size_t len, const char *fmt, va_list ap)
{
    size_t used = strlen(buf);
    if (used + 1 < len) {
        vsnprintf(buf + used, len - used, fmt, ap);
    }
}

/* The reason goes inside reason="..." of RESULT: double quotes become single ones. */
static void set_reason(hammer_verdict_t *verdict, const char *fmt, va_list ap)
{
    vsnprintf(verdict->reason, sizeof(verdict->reason), fmt, ap);
    for (char *p = verdict->reason; *p; p++) {
        if (*p == '"') {
            *p = '\'';
        }
    }
}

void hammer_verdict_fail(hammer_verdict_t *verdict, const char *fmt, ...)
{
    if (verdict->failed) {
        return;
    }
    verdict->failed = true;
    va_list ap;
    va_start(ap, fmt);
    set_reason(verdict, fmt, ap);
    va_end(ap);
}

void hammer_verdict_skip(hammer_verdict_t *verdict, const char *fmt, ...)
{
    if (verdict->failed || verdict->skipped) {
        return;
    }
    verdict->skipped = true;
    va_list ap;
    va_start(ap, fmt);
    set_reason(verdict, fmt, ap);
    va_end(ap);
}

void hammer_verdict_extra(hammer_verdict_t *verdict, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    append(verdict->extra, sizeof(verdict->extra), fmt, ap);
    va_end(ap);
}

void hammer_run_note_op(const char *op)
{
    atomic_store(&s_current_op, op);
}

const char *hammer_run_current_op(void)
{
    return atomic_load(&s_current_op);
}

bool hammer_run_wedged(void)
{
    return atomic_load(&s_wedged);
}

void hammer_run_wedge(void)
{
    atomic_store(&s_wedged, true);
}

static void scenario_task(void *arg)
{
    (void)arg;
    s_run.scenario->run(&s_run.cmd, &s_run.verdict);
    hammer_run_note_op("done");
    xSemaphoreGive(s_run.done);
    vTaskDelete(NULL);
}

static void log_start(const hammer_cmd_t *cmd)
{
    ESP_LOGI(TAG, "START scenario=%s uri=%s tasks=%" PRIu32 " msgs=%" PRIu32 " min=%" PRIu32 " max=%" PRIu32
             " buffer=%" PRIu32 " seed=%" PRIu32 " duration_ms=%" PRIu32 " cycles=%" PRIu32 " timeout_ms=%" PRIu32
             " network_timeout_ms=%" PRIu32 " reconnect_timeout_ms=%" PRIu32 " auto_reconnect=%" PRIu32 " tls_ca=%d",
             cmd->scenario, cmd->uri, cmd->tasks, cmd->msgs, cmd->min, cmd->max, cmd->buffer, cmd->seed,
             cmd->duration_ms, cmd->cycles, cmd->timeout_ms, cmd->network_timeout_ms, cmd->reconnect_timeout_ms,
             cmd->auto_reconnect, cmd->ca_der != NULL);
}

/* Checks every scenario shares: nothing corrupt or reordered, no socket left behind. */
static void common_checks(hammer_verdict_t *verdict, int fds_start, int fds_end)
{
    uint32_t corrupt = hammer_stats_get(HAMMER_STAT_CORRUPT);
    uint32_t reordered = hammer_stats_get(HAMMER_STAT_OUT_OF_ORDER);
    if (corrupt > 0) {
        hammer_verdict_fail(verdict, "%" PRIu32 " corrupt messages received", corrupt);
    }
    if (reordered > 0) {
        hammer_verdict_fail(verdict, "%" PRIu32 " echoes out of order", reordered);
    }
    if (fds_start >= 0 && fds_end > fds_start) {
        hammer_verdict_fail(verdict, "sockets leaked: %d open before the run, %d after", fds_start, fds_end);
    }
}

static void log_result(const hammer_cmd_t *cmd, const hammer_verdict_t *verdict, int64_t heap_start,
                       int fds_start, int fds_end, int64_t elapsed_ms)
{
    ESP_LOGI(TAG, "RESULT scenario=%s verdict=%s sent=%" PRIu32 " send_err=%" PRIu32 " echoed=%" PRIu32
             " corrupt=%" PRIu32 " out_of_order=%" PRIu32 " reconnects=%" PRIu32 " heap_start=%lld"
             " heap_end=%lld min_free_heap=%lld fds_start=%d fds_end=%d elapsed_ms=%lld wedged=%d%s reason=\"%s\"",
             cmd->scenario, verdict->failed ? "FAIL" : verdict->skipped ? "SKIP" : "PASS",
             hammer_stats_get(HAMMER_STAT_SENT), hammer_stats_get(HAMMER_STAT_SEND_ERR),
             hammer_stats_get(HAMMER_STAT_ECHOED), hammer_stats_get(HAMMER_STAT_CORRUPT),
             hammer_stats_get(HAMMER_STAT_OUT_OF_ORDER), hammer_stats_get(HAMMER_STAT_RECONNECTS), (long long)heap_start, (long long)hammer_free_heap(),
             (long long)hammer_min_free_heap(), fds_start, fds_end, (long long)elapsed_ms, hammer_run_wedged() ? 1 : 0,
             verdict->extra,
             verdict->failed || verdict->skipped ? verdict->reason : "");
}

/* Returns false when the scenario overran its bound (the run is then wedged). */
static bool run_watched(uint32_t bound_ms)
{
    if (xTaskCreate(scenario_task, "wsh_scenario", SCENARIO_STACK, NULL, SCENARIO_PRIO, NULL) != pdPASS) {
        hammer_verdict_fail(&s_run.verdict, "could not create the scenario task");
        return true;
    }
    if (xSemaphoreTake(s_run.done, pdMS_TO_TICKS(bound_ms)) == pdTRUE) {
        return true;
    }
    hammer_run_wedge();
    return false;
}

bool hammer_run(hammer_cmd_t *cmd)
{
    if (s_run.done == NULL && (s_run.done = xSemaphoreCreateBinary()) == NULL) {
        ESP_LOGE(TAG, "BADCMD reason=\"out of memory\"");
        hammer_cmd_release(cmd);
        return false;
    }
    s_run.cmd = *cmd;
    s_run.scenario = hammer_scenario_find(cmd->scenario);
    memset(&s_run.verdict, 0, sizeof(s_run.verdict));
    hammer_stats_reset();
    hammer_run_note_op("start");

    int64_t heap_start = hammer_free_heap();
    int fds_start = hammer_open_sockets();
    int64_t t0 = hammer_now_ms();
    log_start(&s_run.cmd);
    bool reporting = hammer_stats_reporter_start(s_run.scenario->name, t0);

    uint32_t bound_ms = s_run.scenario->bound_ms(&s_run.cmd) + WATCHDOG_SLACK_MS;
    hammer_verdict_t verdict;
    if (run_watched(bound_ms)) {
        verdict = s_run.verdict;
    } else {
        memset(&verdict, 0, sizeof(verdict));
        hammer_verdict_fail(&verdict, "hung: the run exceeded %" PRIu32 " ms in %s", bound_ms,
                            hammer_run_current_op());
    }
    if (reporting) {
        hammer_stats_reporter_stop();
    }
    /* FreeRTOS frees a task that deleted itself from the idle task: let it run before heap_end is taken. */
    vTaskDelay(pdMS_TO_TICKS(RECLAIM_WAIT_MS));
    int fds_end = hammer_open_sockets();
    common_checks(&verdict, fds_start, fds_end);
    log_result(&s_run.cmd, &verdict, heap_start, fds_start, fds_end, hammer_now_ms() - t0);
    if (!hammer_run_wedged()) {
        hammer_cmd_release(&s_run.cmd);
    }
    return !verdict.failed;
}
