/*
 * tcp_transport core API (ESP-IDF's esp_transport.h) for the host platform: transport handles, lists of
 * transports by scheme, and the generic I/O calls that dispatch to tcp, ssl or ws.
 *
 * Locking: like ESP-IDF, a transport is not thread-safe: one thread at a time may connect, read, write,
 * poll, close or destroy it. The host platform checks that contract (wsh_sentinel) and reports misuse.
 */
#pragma once

#include <stdbool.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esp_transport_keepalive {
    bool keep_alive_enable;
    int keep_alive_idle;       /* seconds */
    int keep_alive_interval;   /* seconds */
    int keep_alive_count;
} esp_transport_keep_alive_t;

typedef struct esp_transport_internal *esp_transport_list_handle_t;
typedef struct esp_transport_item_t *esp_transport_handle_t;

typedef int (*connect_func)(esp_transport_handle_t t, const char *host, int port, int timeout_ms);
typedef int (*io_func)(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms);
typedef int (*io_read_func)(esp_transport_handle_t t, char *buffer, int len, int timeout_ms);
typedef int (*trans_func)(esp_transport_handle_t t);
typedef int (*poll_func)(esp_transport_handle_t t, int timeout_ms);
typedef int (*connect_async_func)(esp_transport_handle_t t, const char *host, int port, int timeout_ms);
typedef esp_transport_handle_t (*payload_transfer_func)(esp_transport_handle_t);

typedef struct esp_tls_last_error *esp_tls_error_handle_t;

/* Lists: transports by scheme ("ws", "wss", ...). Destroying a list destroys its transports. */
esp_transport_list_handle_t esp_transport_list_init(void);
esp_err_t esp_transport_list_destroy(esp_transport_list_handle_t list);
esp_err_t esp_transport_list_add(esp_transport_list_handle_t list, esp_transport_handle_t t, const char *scheme);
esp_err_t esp_transport_list_clean(esp_transport_list_handle_t list);
esp_transport_handle_t esp_transport_list_get_transport(esp_transport_list_handle_t list, const char *scheme);

/* A bare transport for custom implementations (esp_transport_set_func). */
esp_transport_handle_t esp_transport_init(void);
esp_err_t esp_transport_destroy(esp_transport_handle_t t);

int esp_transport_get_default_port(esp_transport_handle_t t);
esp_err_t esp_transport_set_default_port(esp_transport_handle_t t, int port);

/* 0 connected, -1 failed (see esp_transport_get_errno and the error handle). timeout_ms -1: no limit. */
int esp_transport_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms);
/* Non-blocking: 0 in progress (call again), 1 connected, -1 failed. The budget runs from the first call. */
int esp_transport_connect_async(esp_transport_handle_t t, const char *host, int port, int timeout_ms);

/* Bytes read (>0), 0 on timeout, -1 on error or when the peer closed. */
int esp_transport_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms);
/* >0 readable, 0 timeout, -1 error. */
int esp_transport_poll_read(esp_transport_handle_t t, int timeout_ms);
/* Bytes written, 0 when nothing could be written within the timeout, -1 on error. */
int esp_transport_write(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms);
int esp_transport_poll_write(esp_transport_handle_t t, int timeout_ms);
/* 0 ok; closing a closed transport again is fine. */
int esp_transport_close(esp_transport_handle_t t);

void *esp_transport_get_context_data(esp_transport_handle_t t);
esp_err_t esp_transport_set_context_data(esp_transport_handle_t t, void *data);
esp_transport_handle_t esp_transport_get_payload_transport_handle(esp_transport_handle_t t);

esp_err_t esp_transport_set_func(esp_transport_handle_t t, connect_func _connect, io_read_func _read, io_func _write,
                                 trans_func _close, poll_func _poll_read, poll_func _poll_write,
                                 trans_func _destroy);
esp_err_t esp_transport_set_async_connect_func(esp_transport_handle_t t, connect_async_func _connect_async_func);
esp_err_t esp_transport_set_parent_transport_func(esp_transport_handle_t t, payload_transfer_func _parent_transport);

/* The last TLS/connection error (valid while t lives); a ws transport reports its parent's. */
esp_tls_error_handle_t esp_transport_get_error_handle(esp_transport_handle_t t);
/* The last captured socket errno, then cleared to 0; -1 for an invalid handle. */
int esp_transport_get_errno(esp_transport_handle_t t);
/* The connection's socket, or -1. */
int esp_transport_get_socket(esp_transport_handle_t t);

#ifdef __cplusplus
}
#endif
