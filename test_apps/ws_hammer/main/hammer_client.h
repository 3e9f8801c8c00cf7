/*
 * One esp_websocket_client wrapped for the hammer: configuration from the
 * command, an event handler that reassembles echoes from DATA chunks and
 * verifies them, and event counters other tasks can wait on.
 *
 * Locking: reassembly state belongs to the client's own task (the handler
 * runs there). Event counters and "last seen" fields are atomics written by
 * that task and read by any. Create/destroy are called by one scenario task.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "esp_websocket_client.h"
#include "hammer_cmd.h"

typedef enum {
    HAMMER_EV_BEFORE_CONNECT,
    HAMMER_EV_CONNECTED,
    HAMMER_EV_DISCONNECTED,
    HAMMER_EV_ERROR,
    HAMMER_EV_FAILURE,       /* ERROR or DISCONNECTED: clients differ in which they post for a failed connect */
    HAMMER_EV_CLOSED,
    HAMMER_EV_CLOSE_FRAME,   /* a DATA event carrying a CLOSE frame from the server */
    HAMMER_EV_DATA,
    HAMMER_EV_FINISH,
    HAMMER_EV_COUNT,
} hammer_ev_t;

typedef struct {
    const char *uri;                /* NULL: the command's uri */
    bool auto_reconnect;
    bool close_reconnect;           /* enable_close_reconnect */
    bool log_events;                /* EVENT lines, bounded per client */
    uint32_t reconnect_timeout_ms;  /* 0: the command's */
} hammer_client_opts_t;

/* A consistent-enough copy of what the handler has seen (each field read atomically). */
typedef struct {
    uint32_t count[HAMMER_EV_COUNT];
    uint32_t error_types_seen;      /* bit (1 << esp_websocket_error_type_t) per type reported */
    int last_error_type;            /* -1 before any */
    int last_handshake_status;
    int last_sock_errno;
    int last_close_code;            /* -1 before any CLOSE frame; 1005 when it had no code */
    /* Free heap at reconnects, each the higher of two samples: reconnects 1 and 2, and the latest two (-1 before
     * them, or where unknown: hammer_free_heap); open sockets at the first reconnect and the latest CONNECTED.
     * The first connect is left out on purpose: scenarios start their senders (and their buffers) only once
     * connected. */
    int64_t heap_early_reconnects;
    int64_t heap_late_reconnects;
    int fds_first_reconnect;
    int fds_last_connect;
} hammer_client_seen_t;

typedef struct hammer_client hammer_client_t;

/* NULL (with an ERROR log line) when init or event registration fails. */
hammer_client_t *hammer_client_create(const hammer_cmd_t *cmd, const hammer_client_opts_t *opts);

esp_websocket_client_handle_t hammer_client_handle(const hammer_client_t *client);

/* esp_websocket_client_destroy, then frees the wrapper; returns the destroy result. */
esp_err_t hammer_client_destroy(hammer_client_t *client);

/*
 * For a client handed to esp_websocket_client_destroy_on_exit: waits (bounded)
 * for FINISH (on a tree before 1.3, which has none, for DISCONNECTED or CLOSED), then frees the
 * wrapper only. Returns whether the event came; if not, the wrapper is leaked
 * on purpose since the client task may still use it.
 */
bool hammer_client_release_after_exit(hammer_client_t *client, uint32_t timeout_ms);

uint32_t hammer_client_count(const hammer_client_t *client, hammer_ev_t ev);

/* Waits until the event has fired at least target times in this client's life. */
bool hammer_client_wait(hammer_client_t *client, hammer_ev_t ev, uint32_t target, uint32_t timeout_ms);

void hammer_client_seen(const hammer_client_t *client, hammer_client_seen_t *out);

const char *hammer_error_type_name(int error_type);
