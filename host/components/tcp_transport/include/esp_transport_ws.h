/*
 * The WebSocket transport (ESP-IDF's esp_transport_ws.h): RFC 6455 client over a tcp or ssl parent.
 *
 * Reads follow ESP-IDF: one call returns (part of) one frame's payload; the getters describe the frame
 * being read. Writes mask a private copy of the payload, never the caller's buffer (ESP-IDF masks the
 * caller's buffer in place). Locking: see esp_transport.h; in addition the read path may write (PONG,
 * CLOSE) when control frames are not propagated, so a read must not run beside a write.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "esp_idf_version.h"
#include "esp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_TRANSPORT_WS_STORE_RESPONSE_HEADERS 1

typedef enum ws_transport_opcodes {
    WS_TRANSPORT_OPCODES_CONT = 0x00,
    WS_TRANSPORT_OPCODES_TEXT = 0x01,
    WS_TRANSPORT_OPCODES_BINARY = 0x02,
    WS_TRANSPORT_OPCODES_CLOSE = 0x08,
    WS_TRANSPORT_OPCODES_PING = 0x09,
    WS_TRANSPORT_OPCODES_PONG = 0x0a,
    WS_TRANSPORT_OPCODES_FIN = 0x80,
    WS_TRANSPORT_OPCODES_NONE = 0x100,  /* no frame header read (yet), or the last one was handled */
} ws_transport_opcodes_t;

typedef struct {
    const char *ws_path;
    const char *sub_protocol;
    const char *user_agent;
    const char *headers;               /* extra request headers, each ending in "\r\n" */
#if ESP_IDF_VERSION_MAJOR >= 6
    /* Called with each response header line (without "\r\n") during the upgrade. */
    void (*header_hook)(void *header_user_context, const char *line, int line_len);
    void *header_user_context;
#endif
    const char *auth;                  /* full Authorization value, e.g. "Basic dXNlcjpwYXNz" */
    char *response_headers;            /* if set, receives the upgrade response's headers (NUL terminated) */
    size_t response_headers_len;
    bool propagate_control_frames;     /* true: PING/PONG/CLOSE reach the reader; false: handled inside read */
} esp_transport_ws_config_t;

esp_transport_handle_t esp_transport_ws_init(esp_transport_handle_t parent_handle);
void esp_transport_ws_set_path(esp_transport_handle_t t, const char *path);
esp_err_t esp_transport_ws_set_subprotocol(esp_transport_handle_t t, const char *sub_protocol);
esp_err_t esp_transport_ws_set_user_agent(esp_transport_handle_t t, const char *user_agent);
esp_err_t esp_transport_ws_set_headers(esp_transport_handle_t t, const char *headers);
esp_err_t esp_transport_ws_set_auth(esp_transport_handle_t t, const char *auth);
esp_err_t esp_transport_ws_set_response_headers(esp_transport_handle_t t, char *response_header, size_t response_header_len);
esp_err_t esp_transport_ws_set_config(esp_transport_handle_t t, const esp_transport_ws_config_t *config);

/* One frame: opcode (with WS_TRANSPORT_OPCODES_FIN for the last fragment; control frames always get it).
 * Returns the payload bytes written, 0 when nothing could be written within the timeout, -1 on error
 * (including a frame cut short, which leaves the stream unusable). */
int esp_transport_ws_send_raw(esp_transport_handle_t t, ws_transport_opcodes_t opcode, const char *b, int len, int timeout_ms);

bool esp_transport_ws_get_fin_flag(esp_transport_handle_t t);
ws_transport_opcodes_t esp_transport_ws_get_read_opcode(esp_transport_handle_t t);
int esp_transport_ws_get_read_payload_len(esp_transport_handle_t t);
/* HTTP status of the last upgrade response, -1 before any. */
int esp_transport_ws_get_upgrade_request_status(esp_transport_handle_t t);
/* Location of the last 3xx upgrade response, NULL otherwise; owned by the transport. */
char *esp_transport_ws_get_redir_uri(esp_transport_handle_t t);
/* 1 the peer closed (FIN or reset), 0 nothing within the timeout, -1 data still arriving or an error. */
int esp_transport_ws_poll_connection_closed(esp_transport_handle_t t, int timeout_ms);

#ifdef __cplusplus
}
#endif
