/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The testee's one command line (docs/conformance.md):
 *   autobahn base=<ws|wss>://<host>:<port> agent=<name> [ca=<base64 DER>] [cn=<name>]
 *            [buffer_size=<bytes>] [case_timeout_ms=<ms>]
 * and `quit`. Parsed by the console task; the command it fills belongs to that task.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TESTEE_BASE_LEN 200
#define TESTEE_NAME_LEN 64
#define TESTEE_WHY_LEN 120

typedef struct {
    char base[TESTEE_BASE_LEN];  /* the fuzzing server's URI, without a path */
    char agent[TESTEE_NAME_LEN]; /* the name the server files the results under */
    char cn[TESTEE_NAME_LEN];    /* the name the server's certificate must carry (wss) */
    uint8_t *ca_der;             /* the CA that signed it, DER (wss); NULL for none */
    size_t ca_der_len;
    int buffer_size;             /* the client's buffer_size; 0 keeps the client's default */
    int case_timeout_ms;         /* how long one case may take before the testee stops it */
} testee_command_t;

typedef enum {
    TESTEE_LINE_EMPTY,
    TESTEE_LINE_QUIT,
    TESTEE_LINE_RUN,
    TESTEE_LINE_BAD,
} testee_line_t;

/* Parses `line` (changed in place) into `cmd`; on TESTEE_LINE_BAD `why` says what is wrong. */
testee_line_t testee_command_parse(char *line, testee_command_t *cmd, char *why, size_t why_len);

/* Frees what a parsed command owns (the decoded CA). */
void testee_command_release(testee_command_t *cmd);
