/*
 * esp_websocket_client: public API of the WebSocket client component.
 *
 * Source-compatible with esp_websocket_client 1.8: every type, field, event and function an application
 * written for that release uses is declared here with the same name and signature. Locking is internal: every
 * function may be called from any task; which ones may be called from the client's own event handlers is noted
 * per function (see docs/concurrency.md for the design).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include "freertos/FreeRTOS.h"
#include "esp_err.h"
#include "esp_event.h"
#include "esp_idf_version.h"
#include "esp_transport_ws.h"

#ifdef __cplusplus
extern "C" {
#endif

#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0)
#define WS_TRANSPORT_HEADER_CALLBACK_SUPPORT 1
#else
#define WS_TRANSPORT_HEADER_CALLBACK_SUPPORT 0
#endif

/** Opaque client handle returned by esp_websocket_client_init(). */
typedef struct esp_websocket_client *esp_websocket_client_handle_t;

/** Event base of every event the client posts. */
ESP_EVENT_DECLARE_BASE(WEBSOCKET_EVENTS);

/** Event ids, posted to handlers registered with esp_websocket_register_events(). */
typedef enum {
    WEBSOCKET_EVENT_ANY = -1,
    WEBSOCKET_EVENT_ERROR = 0,       /*!< an error: details in error_handle */
#if WS_TRANSPORT_HEADER_CALLBACK_SUPPORT
    WEBSOCKET_EVENT_HEADER_RECEIVED, /*!< one HTTP header of the upgrade response */
#endif
    WEBSOCKET_EVENT_CONNECTED,       /*!< the upgrade succeeded; sends are accepted from now on */
    WEBSOCKET_EVENT_DISCONNECTED,    /*!< a connected session ended (error, abort, stop or close) */
    WEBSOCKET_EVENT_DATA,            /*!< a piece of a received frame (data or control) */
    WEBSOCKET_EVENT_CLOSED,          /*!< the session ended with a completed close handshake */
    WEBSOCKET_EVENT_BEFORE_CONNECT,  /*!< about to connect (each attempt) */
    WEBSOCKET_EVENT_BEGIN,           /*!< the client task started */
    WEBSOCKET_EVENT_FINISH,          /*!< the client task is about to end */
    WEBSOCKET_EVENT_MAX
} esp_websocket_event_id_t;

/** Kind of failure reported in esp_websocket_error_codes_t. */
typedef enum {
    WEBSOCKET_ERROR_TYPE_NONE = 0,
    WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT,
    WEBSOCKET_ERROR_TYPE_PONG_TIMEOUT,
    WEBSOCKET_ERROR_TYPE_HANDSHAKE,
    WEBSOCKET_ERROR_TYPE_SERVER_CLOSE,
    WEBSOCKET_ERROR_TYPE_PROTOCOL,        /*!< the server broke RFC 6455: esp_ws_protocol_error says how */
} esp_websocket_error_type_t;

/** Error record carried by every event (meaningful in ERROR and DISCONNECTED). */
typedef struct {
    esp_err_t esp_tls_last_esp_err;       /*!< last esp-tls error */
    int esp_tls_stack_err;                /*!< TLS stack error code */
    int esp_tls_cert_verify_flags;        /*!< certificate verification flags */
    esp_websocket_error_type_t error_type;
    int esp_ws_handshake_status_code;     /*!< HTTP status of the upgrade response */
    int esp_transport_sock_errno;         /*!< errno of the socket */
    const char *esp_ws_protocol_error;    /*!< WEBSOCKET_ERROR_TYPE_PROTOCOL: the rule broken (static text) */
    int esp_ws_close_code_sent;           /*!< WEBSOCKET_ERROR_TYPE_PROTOCOL: the code of the CLOSE the client
                                               failed the connection with (1002 protocol error, 1007 invalid
                                               payload); 0 when none could be sent */
} esp_websocket_error_codes_t;

/** Data of every event. data_ptr is valid only while the handler runs. */
typedef struct {
    const char *data_ptr;                     /*!< received bytes (DATA) */
    int data_len;                             /*!< number of bytes at data_ptr */
    bool fin;                                 /*!< FIN flag of the frame */
    uint8_t op_code;                          /*!< opcode of the frame */
    esp_websocket_client_handle_t client;     /*!< the client */
    void *user_context;                       /*!< config.user_context */
    int payload_len;                          /*!< whole payload length of the frame */
    int payload_offset;                       /*!< offset of data_ptr within the frame's payload */
    esp_websocket_error_codes_t error_handle; /*!< last error */
    int close_status_code;                    /*!< status code of a received CLOSE (CLOSED, DATA of a CLOSE) */
} esp_websocket_event_data_t;

/** Transport selection; the URI scheme chooses when left UNKNOWN. */
typedef enum {
    WEBSOCKET_TRANSPORT_UNKNOWN = 0x0,
    WEBSOCKET_TRANSPORT_OVER_TCP,
    WEBSOCKET_TRANSPORT_OVER_SSL,
} esp_websocket_transport_t;

/** Client configuration; the client copies what it needs except certificate and key buffers, which must
 *  outlive the client. Zero means "default" for every numeric field. */
typedef struct {
    const char *uri;                        /*!< ws:// or wss:// URI; overrides host, port, path, credentials */
    const char *host;                       /*!< host name or IP when no uri */
    int port;                               /*!< port; default 80 (ws) or 443 (wss) */
    const char *username;                   /*!< basic auth user */
    const char *password;                   /*!< basic auth password */
    const char *path;                       /*!< HTTP path; default "/" */
    bool disable_auto_reconnect;            /*!< do not reconnect after a failure */
    bool enable_close_reconnect;            /*!< reconnect after a server CLOSE too */
    void *user_context;                     /*!< passed back in every event */
    bool task_core_id_set;                  /*!< pin the task to task_core_id */
    int task_core_id;                       /*!< core for the task when task_core_id_set */
    int task_prio;                          /*!< task priority; default 5 */
    const char *task_name;                  /*!< task name; default "websocket_task" */
    int task_stack;                         /*!< task stack in bytes; default 4096 */
    int buffer_size;                        /*!< receive and send buffer size; default 1024 */
    const char *cert_pem;                   /*!< server CA, PEM (NUL-terminated) or DER (cert_len) */
    size_t cert_len;                        /*!< length of cert_pem; 0 for NUL-terminated PEM */
    const char *client_cert;                /*!< client certificate for mutual TLS */
    size_t client_cert_len;                 /*!< length of client_cert; 0 for PEM */
    const char *client_key;                 /*!< client key for mutual TLS */
    size_t client_key_len;                  /*!< length of client_key; 0 for PEM */
#if CONFIG_ESP_TLS_USE_DS_PERIPHERAL
    void *client_ds_data;                   /*!< DS peripheral key data */
#endif
    esp_websocket_transport_t transport;    /*!< force TCP or SSL */
    const char *subprotocol;                /*!< Sec-WebSocket-Protocol */
    const char *user_agent;                 /*!< User-Agent */
    const char *headers;                    /*!< extra headers, each ending in CRLF */
    int pingpong_timeout_sec;               /*!< abort when no PONG within this; default 120 */
    bool disable_pingpong_discon;           /*!< never abort for a missing PONG */
    bool use_global_ca_store;               /*!< verify with esp-tls's global CA store */
    esp_err_t (*crt_bundle_attach)(void *conf); /*!< certificate bundle attach function */
    const char *cert_common_name;           /*!< expected server certificate name */
    bool skip_cert_common_name_check;       /*!< do not check the server certificate name */
    bool keep_alive_enable;                 /*!< TCP keep-alive */
    int keep_alive_idle;                    /*!< keep-alive idle seconds; default 5 */
    int keep_alive_interval;                /*!< keep-alive interval seconds; default 5 */
    int keep_alive_count;                   /*!< keep-alive probes; default 3 */
    int reconnect_timeout_ms;               /*!< wait before reconnecting; default 10000 */
    int network_timeout_ms;                 /*!< connect/handshake/write bound; default 10000 */
    size_t ping_interval_sec;               /*!< PING period; default 10 */
    struct ifreq *if_name;                  /*!< bind to this interface */
    esp_transport_handle_t ext_transport;   /*!< a ws transport of the caller's; the client never destroys it */
} esp_websocket_client_config_t;

/** Create a client. Returns NULL (with an error log) on a missing or malformed URI/host or no memory. */
esp_websocket_client_handle_t esp_websocket_client_init(const esp_websocket_client_config_t *config);

/** Replace URI parts (scheme, host, port, path, credentials). Only while stopped. */
esp_err_t esp_websocket_client_set_uri(esp_websocket_client_handle_t client, const char *uri);

/** Replace the extra headers (each "Key: value\r\n"); NULL clears. Takes effect at the next connect. */
esp_err_t esp_websocket_client_set_headers(esp_websocket_client_handle_t client, const char *headers);

/** Append one header "key: value". Takes effect at the next connect. */
esp_err_t esp_websocket_client_append_header(esp_websocket_client_handle_t client, const char *key, const char *value);

/** Start the client task, which connects (and reconnects) on its own. */
esp_err_t esp_websocket_client_start(esp_websocket_client_handle_t client);

/** Stop without a close handshake. Returns once the task has exited and the socket is closed.
 *  Returns ESP_FAIL when called from the client's event handler or when the client was not started. */
esp_err_t esp_websocket_client_stop(esp_websocket_client_handle_t client);

/** Stop (as esp_websocket_client_stop) and free everything. Not from the client's event handler. */
esp_err_t esp_websocket_client_destroy(esp_websocket_client_handle_t client);

/** End the client task soon and let it free the client as it exits; the handle is dangling afterwards.
 *  Meant for event handlers. */
esp_err_t esp_websocket_client_destroy_on_exit(esp_websocket_client_handle_t client);

/** Send one binary message (fragmented into buffer_size frames if longer). Bytes sent or -1. */
int esp_websocket_client_send_bin(esp_websocket_client_handle_t client, const char *data, int len, TickType_t timeout);

/** Send the first frame of a binary message, without FIN. Bytes sent or -1. */
int esp_websocket_client_send_bin_partial(esp_websocket_client_handle_t client, const char *data, int len,
                                          TickType_t timeout);

/** Send one text message (fragmented into buffer_size frames if longer). Bytes sent or -1. */
int esp_websocket_client_send_text(esp_websocket_client_handle_t client, const char *data, int len, TickType_t timeout);

/** Send the first frame of a text message, without FIN. Bytes sent or -1. */
int esp_websocket_client_send_text_partial(esp_websocket_client_handle_t client, const char *data, int len,
                                           TickType_t timeout);

/** Send a continuation frame without FIN. Bytes sent or -1. */
int esp_websocket_client_send_cont_msg(esp_websocket_client_handle_t client, const char *data, int len,
                                       TickType_t timeout);

/** Send an empty continuation frame with FIN, ending a partial message. 0 or -1. */
int esp_websocket_client_send_fin(esp_websocket_client_handle_t client, TickType_t timeout);

/** Send a message with the given opcode; FIN goes on its last frame. data may be NULL when len is 0. */
int esp_websocket_client_send_with_opcode(esp_websocket_client_handle_t client, ws_transport_opcodes_t opcode,
                                          const uint8_t *data, int len, TickType_t timeout);

/** Close handshake (code 1000): send CLOSE, wait up to timeout for the server's CLOSE and FIN, then stop.
 *  Not from the client's event handler. */
esp_err_t esp_websocket_client_close(esp_websocket_client_handle_t client, TickType_t timeout);

/** As esp_websocket_client_close() with a status code and up to 123 bytes of reason. */
esp_err_t esp_websocket_client_close_with_code(esp_websocket_client_handle_t client, int code, const char *data,
                                               int len, TickType_t timeout);

/** True while connected (between CONNECTED and DISCONNECTED). */
bool esp_websocket_client_is_connected(esp_websocket_client_handle_t client);

/** PING period in seconds. */
size_t esp_websocket_client_get_ping_interval_sec(esp_websocket_client_handle_t client);

/** Set the PING period (seconds, at least 1). */
esp_err_t esp_websocket_client_set_ping_interval_sec(esp_websocket_client_handle_t client, size_t ping_interval_sec);

/** Reconnect wait in ms, or -1 when the client is NULL or auto reconnect is disabled. */
int esp_websocket_client_get_reconnect_timeout(esp_websocket_client_handle_t client);

/** Set the reconnect wait in ms (more than 0); applies from the next wait. */
esp_err_t esp_websocket_client_set_reconnect_timeout(esp_websocket_client_handle_t client, int reconnect_timeout_ms);

/** Register an event handler on the client's own event loop. */
esp_err_t esp_websocket_register_events(esp_websocket_client_handle_t client, esp_websocket_event_id_t event,
                                        esp_event_handler_t event_handler, void *event_handler_arg);

/** Unregister an event handler. */
esp_err_t esp_websocket_unregister_events(esp_websocket_client_handle_t client, esp_websocket_event_id_t event,
                                          esp_event_handler_t event_handler);

#ifdef __cplusplus
}
#endif
