/*
 * echo: the smoke test. One task sends cmd->msgs messages in lock-step (each
 * waits for its own echo), then closes cleanly with esp_websocket_client_close.
 * Runs entirely in the scenario task; shared state is only the stats atomics.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "hammer_stats.h"
#include "hammer_scenario.h"
#include "scenario_common.h"

/* Echo round trip on a loaded host under TSan, on top of the send timeout. */
#define ECHO_MARGIN_MS 2000

/* One message at a time: a missing echo is pinned to its seq. Stops at the first failure. */
static void lock_step(hammer_client_t *client, const hammer_cmd_t *cmd, uint8_t *buf, hammer_verdict_t *verdict)
{
    esp_websocket_client_handle_t h = hammer_client_handle(client);
    bool echoes = scenario_expects_echoes(cmd->uri);
    uint32_t echo_wait_ms = cmd->timeout_ms + ECHO_MARGIN_MS;
    hammer_task_tally_t tally = {.id = 0, .first_seq = -1, .last_seq = -1};
    for (uint32_t seq = 0; seq < cmd->msgs && !verdict->failed; seq++) {
        hammer_run_note_op("send");
        if (!scenario_send_one(h, cmd, buf, &tally)) {
            hammer_verdict_fail(verdict, "send of seq %" PRIu32 " failed", seq);
            break;
        }
        hammer_run_note_op("waiting for an echo");
        if (echoes && !hammer_stats_wait(HAMMER_STAT_ECHOED, seq + 1, echo_wait_ms, UINT32_MAX)) {
            hammer_verdict_fail(verdict, "echo of seq %" PRIu32 " did not arrive within %" PRIu32 " ms", seq,
                                echo_wait_ms);
        }
    }
    hammer_stats_log_task(cmd->scenario, &tally);
}

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    uint8_t *buf = malloc(cmd->max);
    if (buf == NULL) {
        hammer_verdict_fail(verdict, "out of memory for a %" PRIu32 "-byte message", cmd->max);
        return;
    }
    hammer_client_opts_t opts = scenario_default_opts(cmd);
    hammer_client_t *client = scenario_open(cmd, &opts, verdict);
    if (client != NULL) {
        lock_step(client, cmd, buf, verdict);
        hammer_run_note_op("close");
        esp_err_t err = esp_websocket_client_close(hammer_client_handle(client), pdMS_TO_TICKS(cmd->timeout_ms));
        if (err != ESP_OK) {
            hammer_verdict_fail(verdict, "close failed: %s", esp_err_to_name(err));
        }
        /* close() has stopped the client: only destroy is left. */
        scenario_check_bound(verdict, "destroy", scenario_timed_destroy(client));
    }
    free(buf);
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    return scenario_clamp_ms(cmd->network_timeout_ms + (uint64_t)cmd->msgs * (2 * cmd->timeout_ms + ECHO_MARGIN_MS) +
                             2 * cmd->timeout_ms);
}

const hammer_scenario_t hammer_scenario_echo = {
    .name = "echo",
    .run = run,
    .bound_ms = bound_ms,
};
