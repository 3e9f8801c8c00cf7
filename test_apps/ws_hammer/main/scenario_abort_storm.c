/*
 * abort_storm: sender tasks keep sending while two chaos tasks call stop,
 * start, close and close_with_code on the same client at seeded random times
 * (cmd->cycles calls each, cut short when cmd->duration_ms has passed).
 * Checks: every call returns within its bound, every send returns
 * (attempted == sent + send_err), nothing received is corrupt.
 *
 * Locking: each chaos_t is written by its own task until it gives `done`,
 * then read by the scenario task. The client handle is shared by design: the
 * component under test must make these concurrent calls safe.
 */
#include <inttypes.h>

#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "hammer_message.h"
#include "hammer_scenario.h"
#include "hammer_sender.h"
#include "hammer_stats.h"
#include "scenario_common.h"

static const char *TAG = "wsh";

#define CHAOS_TASKS 2
#define CHAOS_STACK 4096
#define CHAOS_PRIO 5
#define CHAOS_MAX_GAP_MS 50   /* ops land while sends, connects and reads are in flight */
#define CLOSE_CODE_BASE 4000  /* application-range close codes (RFC 6455 7.4.2) */

typedef enum {
    OP_STOP,
    OP_START,
    OP_CLOSE,
    OP_CLOSE_WITH_CODE,
    OP_COUNT,
} chaos_op_t;

static const char *const OP_NAMES[OP_COUNT] = {"stop", "start", "close", "close_with_code"};

typedef struct {
    esp_websocket_client_handle_t handle;
    const hammer_cmd_t *cmd;
    int64_t deadline_ms;
    SemaphoreHandle_t done;
    uint32_t prng;
    uint32_t ops;
    uint32_t slow_ops;
    double worst_ms;
    chaos_op_t worst_op;
} chaos_t;

/* close() may wait its full timeout for the server's reply before forcing the stop. */
static double op_bound_ms(const chaos_t *c, chaos_op_t op)
{
    bool closing = op == OP_CLOSE || op == OP_CLOSE_WITH_CODE;
    return HAMMER_STOP_BOUND_MS + (closing ? c->cmd->timeout_ms : 0);
}

static void do_op(chaos_t *c, chaos_op_t op)
{
    TickType_t timeout = pdMS_TO_TICKS(c->cmd->timeout_ms);
    switch (op) {
    case OP_STOP:
        esp_websocket_client_stop(c->handle);
        break;
    case OP_START:
        esp_websocket_client_start(c->handle);
        break;
    case OP_CLOSE:
        esp_websocket_client_close(c->handle, timeout);
        break;
    case OP_CLOSE_WITH_CODE:
        esp_websocket_client_close_with_code(c->handle, CLOSE_CODE_BASE + (int)(hammer_xorshift32(&c->prng) % 100),
                                             "storm", 5, timeout);
        break;
    case OP_COUNT:
        break;
    }
}

static void chaos_task(void *arg)
{
    chaos_t *c = arg;
    for (uint32_t i = 0; i < c->cmd->cycles && hammer_now_ms() < c->deadline_ms; i++) {
        vTaskDelay(pdMS_TO_TICKS(hammer_xorshift32(&c->prng) % (CHAOS_MAX_GAP_MS + 1)));
        chaos_op_t op = (chaos_op_t)(hammer_xorshift32(&c->prng) % OP_COUNT);
        int64_t t0 = esp_timer_get_time();
        do_op(c, op);
        double ms = (double)(esp_timer_get_time() - t0) / 1000.0;
        c->ops++;
        if (ms > op_bound_ms(c, op)) {
            c->slow_ops++;
        }
        if (ms > c->worst_ms) {
            c->worst_ms = ms;
            c->worst_op = op;
        }
    }
    xSemaphoreGive(c->done);
    vTaskDelete(NULL);
}

/* The last call may start just before the deadline and take its whole bound. */
static uint32_t chaos_bound_ms(const hammer_cmd_t *cmd)
{
    uint64_t by_count = (uint64_t)cmd->cycles * (CHAOS_MAX_GAP_MS + HAMMER_STOP_BOUND_MS + cmd->timeout_ms);
    uint64_t by_time = (uint64_t)cmd->duration_ms + CHAOS_MAX_GAP_MS + HAMMER_STOP_BOUND_MS + cmd->timeout_ms;
    return scenario_clamp_ms((by_count < by_time ? by_count : by_time) + 5000);
}

/* Returns false if a chaos task never finished (a call hung): the run is then wedged, since destroying the
 * client under that task would be the app's own use-after-free. */
static bool run_chaos(esp_websocket_client_handle_t h, const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    static chaos_t chaos[CHAOS_TASKS]; /* static: a hung chaos task may outlive this call */
    SemaphoreHandle_t done = xSemaphoreCreateCounting(CHAOS_TASKS, 0);
    if (done == NULL) {
        hammer_verdict_fail(verdict, "out of memory for the chaos tasks");
        return true;
    }
    int started = 0;
    int64_t storm_end = hammer_now_ms() + cmd->duration_ms;
    for (int i = 0; i < CHAOS_TASKS; i++) {
        chaos[i] = (chaos_t) {
            .handle = h, .cmd = cmd, .deadline_ms = storm_end, .done = done,
            .prng = (cmd->seed + 1) * 2246822519u + (uint32_t)i * 97u + 1u,
        };
        started += xTaskCreate(chaos_task, "wsh_chaos", CHAOS_STACK, &chaos[i], CHAOS_PRIO, NULL) == pdPASS;
    }
    hammer_run_note_op("chaos: stop/start/close storm");
    int64_t join_by = hammer_now_ms() + chaos_bound_ms(cmd);
    for (int i = 0; i < started; i++) {
        int64_t left = join_by - hammer_now_ms();
        if (left < 0 || xSemaphoreTake(done, pdMS_TO_TICKS(left)) != pdTRUE) {
            hammer_verdict_fail(verdict, "a stop/start/close call never returned");
            hammer_run_wedge();
            return false;
        }
    }
    vSemaphoreDelete(done);
    uint32_t ops = 0, slow = 0;
    double worst = 0;
    const char *worst_op = "none";
    for (int i = 0; i < started; i++) {
        ops += chaos[i].ops;
        slow += chaos[i].slow_ops;
        if (chaos[i].worst_ms > worst) {
            worst = chaos[i].worst_ms;
            worst_op = OP_NAMES[chaos[i].worst_op];
        }
    }
    ESP_LOGI(TAG, "CHAOS scenario=abort_storm ops=%" PRIu32 " slow_ops=%" PRIu32 " worst_op=%s worst_ms=%.1f", ops,
             slow, worst_op, worst);
    hammer_verdict_extra(verdict, " ops=%" PRIu32 " slow_ops=%" PRIu32 " worst_op_ms=%.1f", ops, slow, worst);
    if (started < CHAOS_TASKS) {
        hammer_verdict_fail(verdict, "could only start %d chaos tasks", started);
    }
    if (slow > 0) {
        hammer_verdict_fail(verdict, "%" PRIu32 " stop/start/close calls overran their bound (worst %s %.0f ms)", slow,
                            worst_op, worst);
    }
    return true;
}

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    hammer_client_opts_t opts = scenario_default_opts(cmd);
    hammer_client_t *client = scenario_open(cmd, &opts, verdict);
    if (client == NULL) {
        return;
    }
    hammer_senders_cfg_t cfg = {
        .handle = hammer_client_handle(client), .cmd = cmd, .partial = false, .msgs = cmd->msgs,
    };
    hammer_senders_t *senders = hammer_senders_start(&cfg);
    if (senders == NULL) {
        hammer_verdict_fail(verdict, "could not start the sender tasks");
        scenario_shutdown(client, verdict);
        return;
    }
    bool chaos_returned = run_chaos(hammer_client_handle(client), cmd, verdict);
    bool senders_returned = scenario_finish_senders(senders, true, scenario_send_bound_ms(cmd), verdict);
    if (chaos_returned && senders_returned) {
        scenario_shutdown(client, verdict);
    }
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    return scenario_clamp_ms((uint64_t)cmd->network_timeout_ms + chaos_bound_ms(cmd) + scenario_send_bound_ms(cmd) +
                             2 * HAMMER_STOP_BOUND_MS);
}

const hammer_scenario_t hammer_scenario_abort_storm = {
    .name = "abort_storm",
    .run = run,
    .bound_ms = bound_ms,
};
