/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * One connection of the testee to the fuzzing server, from start to the client task's end: every data message
 * is echoed once whole (ECHO: the cases), or its text is kept (COLLECT: the case count, the report call).
 * Called by the console task; the client's task runs the handler; they share the session (see testee_session.c).
 */
#pragma once

#include <stdbool.h>

#include "testee_command.h"

#define TESTEE_COLLECT_LEN 32

typedef enum {
    TESTEE_ECHO,
    TESTEE_COLLECT,
} testee_mode_t;

typedef struct {
    bool timed_out;                          /* the connection outlived case_timeout_ms and was stopped */
    bool errored;                            /* the client reported WEBSOCKET_EVENT_ERROR */
    int close_code;                          /* of the server's CLOSE, 0 when none came */
    int echoed;                              /* messages echoed in full */
    char collected[TESTEE_COLLECT_LEN];      /* COLLECT: the first text message, NUL-terminated */
} testee_outcome_t;

/* Connects to cmd->base followed by `path`, serves the connection in `mode` until it ends (the client needs no
 * reconnect: it is disabled) and destroys the client. False when the client could not be created or started. */
bool testee_session_run(const testee_command_t *cmd, const char *path, testee_mode_t mode, testee_outcome_t *out);
