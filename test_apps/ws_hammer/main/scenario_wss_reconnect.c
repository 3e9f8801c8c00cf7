/*
 * wss_reconnect: cmd->cycles reconnections forced by the server while sender
 * tasks keep sending. The uri must end connections by itself
 * (/close?after=N&code=C or /reset?after=N); the client reconnects on its own
 * (auto reconnect + enable_close_reconnect, reconnect_timeout_ms from the
 * command), so the component's reconnect path is what gets measured. The
 * handler samples free heap at every reconnect and open sockets at the first
 * and the last; the run fails if the heap of the late reconnects is more than
 * HAMMER_HEAP_TOLERANCE below that of the early ones (hammer_client.c,
 * note_reconnect_heap), or if sockets grew. Scenario task only; reads the
 * client through atomics.
 */
#include <inttypes.h>

#include "hammer_scenario.h"
#include "hammer_sender.h"
#include "hammer_stats.h"
#include "scenario_common.h"

#define CYCLE_MARGIN_MS 3000

static uint32_t cycle_ms(const hammer_cmd_t *cmd)
{
    return cmd->reconnect_timeout_ms + cmd->network_timeout_ms + CYCLE_MARGIN_MS;
}

/*
 * Bounded caches fill up between the samples (host/ keeps the last 64
 * destroyed transports), hence the tolerance; a real per-reconnect leak (F13)
 * keeps growing and passes it with enough cycles.
 */
static void check_growth(hammer_client_t *client, hammer_verdict_t *verdict)
{
    hammer_client_seen_t seen;
    hammer_client_seen(client, &seen);
    hammer_verdict_extra(verdict,
                         " heap_early=%lld heap_late=%lld fds_first_cycle=%d fds_last_cycle=%d"
                         " heap_tolerance=%d", (long long)seen.heap_early_reconnects,
                         (long long)seen.heap_late_reconnects,
                         seen.fds_first_reconnect, seen.fds_last_connect, HAMMER_HEAP_TOLERANCE);
    scenario_check_heap_fall(verdict, "over the reconnects", seen.heap_early_reconnects, seen.heap_late_reconnects);
    if (seen.fds_first_reconnect >= 0 && seen.fds_last_connect > seen.fds_first_reconnect) {
        hammer_verdict_fail(verdict, "open sockets grew from %d to %d over the reconnects", seen.fds_first_reconnect,
                            seen.fds_last_connect);
    }
}

static void drive(hammer_client_t *client, const hammer_cmd_t *cmd, bool expect_echoes, hammer_verdict_t *verdict)
{
    hammer_senders_cfg_t cfg = {
        .handle = hammer_client_handle(client), .cmd = cmd, .partial = false, .msgs = 0,
    };
    hammer_senders_t *senders = hammer_senders_start(&cfg);
    if (senders == NULL) {
        hammer_verdict_fail(verdict, "could not start the sender tasks");
        return;
    }
    hammer_run_note_op("waiting for reconnects");
    for (uint32_t cycle = 1; cycle <= cmd->cycles; cycle++) {
        if (!hammer_client_wait(client, HAMMER_EV_CONNECTED, cycle + 1, cycle_ms(cmd))) {
            hammer_verdict_fail(verdict, "only %" PRIu32 " of %" PRIu32 " reconnects happened", cycle - 1,
                                cmd->cycles);
            break;
        }
    }
    if (!scenario_finish_senders(senders, true, cmd->timeout_ms * 4 + 5000, verdict)) {
        return;
    }
    /* /close echoes its N messages before closing; a /reset may take their echoes down with the connection. */
    uint32_t connections = hammer_client_count(client, HAMMER_EV_CONNECTED);
    if (hammer_stats_get(HAMMER_STAT_SENT) == 0) {
        hammer_verdict_fail(verdict, "no send succeeded over %" PRIu32 " connections", connections);
    } else if (expect_echoes && hammer_stats_get(HAMMER_STAT_ECHOED) == 0) {
        hammer_verdict_fail(verdict, "no echo arrived over %" PRIu32 " connections", connections);
    }
    check_growth(client, verdict);
}

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    hammer_uri_t uri;
    bool self_ending = hammer_uri_parse(cmd->uri, &uri) &&
                       (hammer_uri_path_is(&uri, "/close") || hammer_uri_path_is(&uri, "/reset"));
    if (!self_ending) {
        hammer_verdict_fail(verdict, "uri must end connections itself: /close?after=N or /reset?after=N");
        return;
    }
    if (hammer_uri_path_is(&uri, "/close") &&
        !scenario_needs(WSH_CLIENT_HAS_CLOSE_RECONNECT, "enable_close_reconnect (a reconnect after the server's CLOSE)",
                        "1.5.0", verdict)) {
        return;
    }
    hammer_client_opts_t opts = scenario_default_opts(cmd);
    opts.auto_reconnect = true;
    opts.close_reconnect = true;
    opts.log_events = true;
    hammer_client_t *client = scenario_open(cmd, &opts, verdict);
    if (client == NULL) {
        return;
    }
    drive(client, cmd, hammer_uri_path_is(&uri, "/close"), verdict);
    if (!hammer_run_wedged()) {
        scenario_shutdown(client, verdict);
    }
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    return scenario_clamp_ms((uint64_t)cmd->network_timeout_ms + (uint64_t)cmd->cycles * cycle_ms(cmd) +
                             cmd->timeout_ms * 4 + 5000 + 2 * HAMMER_STOP_BOUND_MS);
}

const hammer_scenario_t hammer_scenario_wss_reconnect = {
    .name = "wss_reconnect",
    .run = run,
    .bound_ms = bound_ms,
};
