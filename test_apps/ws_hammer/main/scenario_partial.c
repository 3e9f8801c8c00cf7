/*
 * partial: like multi_send, but every message goes out through the partial
 * API (send_text_partial/send_bin_partial, send_cont_msg, send_fin), with no
 * lock of the app's own: a client must keep a message's fragments together
 * (see send_partial in hammer_sender.c). Skipped on a tree without the API.
 * No state of its own.
 */
#include "hammer_scenario.h"
#include "scenario_common.h"

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    if (scenario_needs(WSH_CLIENT_HAS_PARTIAL_API, "partial API (send_*_partial, send_cont_msg, send_fin)", "1.2.0",
                       verdict)) {
        scenario_send_and_drain(cmd, true, verdict);
    }
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    /* Tasks take turns for whole messages, so their worst cases add up. */
    return scenario_clamp_ms((uint64_t)cmd->network_timeout_ms + (uint64_t)scenario_send_bound_ms(cmd) * cmd->tasks +
                             HAMMER_DRAIN_MS + 2 * HAMMER_STOP_BOUND_MS);
}

const hammer_scenario_t hammer_scenario_partial = {
    .name = "partial",
    .run = run,
    .bound_ms = bound_ms,
};
