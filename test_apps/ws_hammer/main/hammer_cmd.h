/*
 * The console command model (docs/hammer-protocol.md, "Console"): one `run`
 * line parsed into a hammer_cmd_t with every key validated and defaulted.
 * The parser is pure; a parsed command is owned by one task at a time.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hammer_uri.h"

#define HAMMER_MAX_TASKS 16
#define HAMMER_MAX_MSG_LEN (256u * 1024u)
#define HAMMER_REASON_LEN 160

typedef struct {
    char scenario[24];
    char uri[HAMMER_URI_LEN];
    char stall_uri[HAMMER_URI_LEN];      /* "" when not given */
    char blackhole_uri[HAMMER_URI_LEN];  /* "" when not given */
    char refused_uri[HAMMER_URI_LEN];    /* "" = the uri's host, port 1 */
    char cn[64];
    char states[160];                    /* stop_latency: comma list of states, "" = all */
    uint8_t *ca_der;                     /* decoded `ca`, heap, NULL when not given */
    size_t ca_der_len;
    uint32_t tasks;
    uint32_t msgs;
    uint32_t min;                        /* already raised to the header length */
    uint32_t max;
    uint32_t buffer;
    uint32_t seed;
    uint32_t duration_ms;
    uint32_t cycles;
    uint32_t timeout_ms;
    uint32_t network_timeout_ms;
    uint32_t reconnect_timeout_ms;
    uint32_t auto_reconnect;             /* 0/1 */
    uint32_t uncut_connect;              /* 0-2: how much of a connect stop() cannot cut (stop_latency) */
} hammer_cmd_t;

typedef enum {
    HAMMER_LINE_EMPTY,
    HAMMER_LINE_RUN,
    HAMMER_LINE_QUIT,
    HAMMER_LINE_BAD,
} hammer_line_kind_t;

/*
 * Parses one console line in place (the line is tokenised). On HAMMER_LINE_BAD
 * reason holds a one-line explanation without double quotes. On
 * HAMMER_LINE_RUN the caller owns cmd and must hammer_cmd_release() it.
 */
hammer_line_kind_t hammer_cmd_parse(char *line, hammer_cmd_t *cmd, char *reason, size_t reason_len);

void hammer_cmd_release(hammer_cmd_t *cmd);
