/*
 * The transport object shared by the core (transport.c) and the tcp/ssl and ws implementations.
 *
 * Locking: a transport is used by one thread at a time (ESP-IDF's contract). Fields a misusing client can
 * race on while the sentinel reports it (errno, the socket, the TLS session) are atomics, so that such a
 * client is reported once by the sentinel rather than by TSan inside the transport. The function
 * pointers, kind, port, parent and data are set before the transport is shared and never change.
 */
#pragma once

#include <stdatomic.h>
#include <sys/queue.h>

#include "esp_tls_errors.h"
#include "esp_transport.h"
#include "wsh_sentinel.h"

typedef enum {
    TRANSPORT_KIND_CUSTOM = 0,
    TRANSPORT_KIND_TCP,
    TRANSPORT_KIND_SSL,
    TRANSPORT_KIND_WS,
} transport_kind_t;

struct esp_transport_item_t {
    wsh_sentinel_t sentinel;             /* atomics; first so a retired (poisoned) handle keeps it readable */
    transport_kind_t kind;
    int port;                            /* default port */
    char *scheme;                        /* name in a list, owned */
    void *data;                          /* the implementation's context */
    esp_transport_handle_t parent;       /* ws: the tcp/ssl transport below (errors and socket live there) */
    connect_func _connect;
    connect_async_func _connect_async;
    io_read_func _read;
    io_func _write;
    trans_func _close;
    poll_func _poll_read;
    poll_func _poll_write;
    trans_func _destroy;
    payload_transfer_func _parent_transfer;
    int (*_get_socket)(esp_transport_handle_t t);
    esp_tls_last_error_t tls_error;      /* copied from esp-tls on failures; written by the I/O thread */
    atomic_int sock_errno;               /* last socket errno, cleared when read */
    STAILQ_ENTRY(esp_transport_item_t) next;
};

/* Records a socket errno for esp_transport_get_errno (0 is ignored). */
void esp_transport_capture_errno(esp_transport_handle_t t, int sock_errno);
/* Copies an esp-tls error into the transport's error handle. */
void esp_transport_set_errors(esp_transport_handle_t t, const esp_tls_last_error_t *error);
/* Milliseconds left until deadline_ms (monotonic), never negative; -1 means no limit. */
int esp_transport_time_left(int64_t deadline_ms);
int64_t esp_transport_deadline(int timeout_ms);
