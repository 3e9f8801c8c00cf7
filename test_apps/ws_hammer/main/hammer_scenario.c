/* Scenario lookup by name over the const descriptor table; no shared mutable state. */
#include "hammer_scenario.h"

#include <stddef.h>
#include <string.h>

static const hammer_scenario_t *const SCENARIOS[] = {
    &hammer_scenario_echo,
    &hammer_scenario_multi_send,
    &hammer_scenario_partial,
    &hammer_scenario_abort_storm,
    &hammer_scenario_server_faults,
    &hammer_scenario_wss_reconnect,
    &hammer_scenario_lifecycle,
    &hammer_scenario_stop_latency,
};

const hammer_scenario_t *hammer_scenario_find(const char *name)
{
    for (size_t i = 0; i < sizeof(SCENARIOS) / sizeof(SCENARIOS[0]); i++) {
        if (strcmp(SCENARIOS[i]->name, name) == 0) {
            return SCENARIOS[i];
        }
    }
    return NULL;
}
