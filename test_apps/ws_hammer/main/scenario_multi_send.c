/*
 * multi_send: cmd->tasks sender tasks x cmd->msgs whole messages (text and
 * binary, sizes min..max so the larger ones go out fragmented by the client),
 * then a bounded wait for every echo. No shared state beyond scenario_common.
 */
#include "hammer_scenario.h"
#include "scenario_common.h"

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    scenario_send_and_drain(cmd, false, verdict);
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    return scenario_clamp_ms((uint64_t)cmd->network_timeout_ms + scenario_send_bound_ms(cmd) + HAMMER_DRAIN_MS +
                             2 * HAMMER_STOP_BOUND_MS);
}

const hammer_scenario_t hammer_scenario_multi_send = {
    .name = "multi_send",
    .run = run,
    .bound_ms = bound_ms,
};
