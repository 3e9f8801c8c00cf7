/*
 * ct_support.h: helpers shared by the host test cases: command arguments, an event recorder that logs every
 * client event as one line, waits with deadlines, open-fd counting and the hammer message format.
 *
 * Locking: the recorder's counters are C11 atomics, written by the client task (event handler) and read by
 * the test task; the argument table is read-only once parsed.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "esp_websocket_client.h"

#define CT_TAG "ct"
#define CT_MAX_ARGS 16

typedef struct {
    int count;
    char key[CT_MAX_ARGS][32];
    char value[CT_MAX_ARGS][256];
} ct_args_t;

/* Parse "key=value ..." (values without spaces). False on a malformed token. */
bool ct_args_parse(ct_args_t *args, char *line);
const char *ct_arg_str(const ct_args_t *args, const char *key, const char *fallback);
int ct_arg_int(const ct_args_t *args, const char *key, int fallback);

typedef struct {
    atomic_int begin, before_connect, connected, disconnected, data, closed, finish, error;
    atomic_int data_bytes;      /* DATA bytes of TEXT/BINARY/CONT frames */
    atomic_int last_close_code;
    atomic_bool quiet;          /* do not log DATA events (load cases) */
} ct_recorder_t;

/* Log one line per event ("EV name=... op=... len=... off=... plen=... fin=... code=... etype=... status=...
 * rule=\"...\" sent=...") and count. */
void ct_recorder_attach(esp_websocket_client_handle_t client, ct_recorder_t *rec);

/* Poll *counter until it reaches at least target or timeout_ms passes; true when reached. */
bool ct_wait_count(atomic_int *counter, int target, int timeout_ms);

int64_t ct_now_us(void);
double ct_ms_since(int64_t start_us);

/* Open file descriptors of this process, -1 where unknown. */
int ct_open_fds(void);

/* Writes a hammer-format message (docs/hammer-protocol.md) of len bytes into buf (len >= 28). */
void ct_make_message(char *buf, int len, int task, uint32_t seq);

/* The PEM CA named by the ca_file argument, in a static buffer (the client keeps the pointer), or NULL. */
const char *ct_arg_ca(const ct_args_t *args);

void ct_check(const char *name, bool ok, const char *detail);
