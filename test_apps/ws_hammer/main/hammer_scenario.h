/*
 * The scenario table: each scenario lives in its own scenario_<name>.c and
 * exports one descriptor. Descriptors are const; nothing here is mutable.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hammer_cmd.h"
#include "hammer_run.h"

typedef struct {
    const char *name;
    /* Runs the scenario to completion; records its own failures in verdict. */
    void (*run)(const hammer_cmd_t *cmd, hammer_verdict_t *verdict);
    /* The longest a healthy run may take: past it the runner declares the run hung. */
    uint32_t (*bound_ms)(const hammer_cmd_t *cmd);
    /* Optional: checks keys only this scenario understands; false with a reason (no double quotes). */
    bool (*check)(const hammer_cmd_t *cmd, char *reason, size_t reason_len);
} hammer_scenario_t;

const hammer_scenario_t *hammer_scenario_find(const char *name);

extern const hammer_scenario_t hammer_scenario_echo;
extern const hammer_scenario_t hammer_scenario_multi_send;
extern const hammer_scenario_t hammer_scenario_partial;
extern const hammer_scenario_t hammer_scenario_abort_storm;
extern const hammer_scenario_t hammer_scenario_server_faults;
extern const hammer_scenario_t hammer_scenario_wss_reconnect;
extern const hammer_scenario_t hammer_scenario_lifecycle;
extern const hammer_scenario_t hammer_scenario_stop_latency;
