/*
 * The runner: one console command becomes START, STATS lines, the scenario
 * under a watchdog, and one RESULT line. Called from the console task only.
 * A verdict belongs to the scenario task while it runs and to the runner after.
 */
#pragma once

#include <stdbool.h>

#include "hammer_cmd.h"

typedef struct {
    bool failed;
    bool skipped;                    /* the tree under test lacks what the scenario needs (and nothing failed) */
    char reason[HAMMER_REASON_LEN];  /* the first failure found (later ones are usually its echoes), else why
                                      * the run was skipped */
    char extra[384];                 /* " key=value" fields the scenario adds to RESULT */
} hammer_verdict_t;

void hammer_verdict_fail(hammer_verdict_t *verdict, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the scenario's claim to a verdict: RESULT says SKIP with the reason, unless something failed. */
void hammer_verdict_skip(hammer_verdict_t *verdict, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hammer_verdict_extra(hammer_verdict_t *verdict, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Names the step the scenario is in (a string literal), so a watchdog expiry can say where it hung. */
void hammer_run_note_op(const char *op);
/* The step last noted: STATS lines carry it, so a run that hangs names where. */
const char *hammer_run_current_op(void);

/*
 * Runs the command to its RESULT line; takes ownership of cmd's heap parts.
 * Returns whether the run passed.
 */
bool hammer_run(hammer_cmd_t *cmd);

/*
 * Called by a scenario that must abandon objects still in use by a stuck task:
 * the run's command stays allocated and no further run may start.
 */
void hammer_run_wedge(void);

/* True once a run overran its bound: its tasks may still use shared state, so no new run may start. */
bool hammer_run_wedged(void);
