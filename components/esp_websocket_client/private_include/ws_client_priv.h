/*
 * ws_client_priv.h: the client's shared state and the internal interfaces between its modules.
 *
 * Locking rules (docs/concurrency.md has the full table):
 * - ONE recursive mutex, `lock`, guards the run/connection state, the transport handle and EVERY transport call
 *   on it (connect excepted, see below), the error record, the rx/tx buffers and the configuration.
 * - Nobody waits for the peer while holding `lock`: the client task waits for data with select() on the raw
 *   socket unlocked, then reads under the lock with a short bound (WS_READ_SLICE_MS).
 * - Only the client task connects, closes and destroys the transport. Connect runs unlocked (it is the task's
 *   own transport and sends are refused until CONNECTED); other tasks may wake it only with shutdown() of the
 *   socket, taken under the lock.
 * - A data message belongs to one task from its first frame to its last (`tx_owner`); between frames that task
 *   gives the lock up, not the turn, so the client task keeps reading. Others wait for the turn unlocked. A
 *   message of the partial API keeps the turn from its first call to its FIN (`tx_open`); the client task
 *   aborts the connection when such a message has no call for network_timeout_ms.
 * - `bits` (event group) carries the stop request to the task (STOP), the task's exit notice (EXITED), the
 *   free transmit turn (TX_FREE) and the hand-over of the lock to a waiting task (LOCK_PASSED).
 * - Fields marked "task only" are touched by the client task alone and need no lock.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#ifdef __linux__
#include <net/if.h> /* struct ifreq; on a device lwIP's sockets.h defines it */
#endif
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
#include <stdlib.h>
#include "esp_bit_defs.h"
#include "esp_idf_version.h"
#include "esp_heap_caps.h"
#include "esp_event.h"
#include "esp_transport.h"
#include "esp_websocket_client.h"

#define WS_TAG "websocket_client"

/* ESP-IDF features newer than the oldest release we build on (as ESP-IDF's own components guard them). */
#define WS_TRANSPORT_HAS_REDIRECT (ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 5, 1)) /* esp_transport_ws_get_redir_uri */
/* Before v5.5 esp_transport_ws_init() takes only a parent with ESP-IDF's private foundation record, which a
 * transport of our own cannot have: no relay (ws_client_relay.c) there. */
#define WS_TRANSPORT_TAKES_ANY_PARENT (ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 5, 0))

#if ESP_IDF_VERSION < ESP_IDF_VERSION_VAL(5, 5, 0)
/* Defined by tcp_transport before v5.5 too, but declared only in its private esp_transport_internal.h. */
int esp_transport_get_socket(esp_transport_handle_t t);
#endif

/* Bounds that keep the lock short and stop() fast; none depends on network_timeout_ms. */
#define WS_READ_SLICE_MS 50      /* a locked read waits at most this for bytes already announced */
#define WS_WAIT_SLICE_MS 100     /* an unlocked wait for data re-checks requests at least this often */
#define WS_WAKE_RETRY_MS 10      /* stop() re-sends its wake-up this often until the task exits */
#define WS_HANDOVER_WAIT_MS 5    /* how long ws_unlock_yielding() waits for a waiting task to take the lock */
#define WS_CLOSE_FIN_WAIT_MS 1000 /* after a CLOSE exchange, how long to wait for the server's FIN */
#define WS_MAX_CONTROL_PAYLOAD 125
#define WS_MAX_REDIRECTS 5       /* consecutive redirects followed before a redirect counts as a failure */

/* Event group bits. */
#define WS_BIT_STOP_REQ BIT0    /* set by stop/destroy/destroy_on_exit; cleared by start */
#define WS_BIT_EXITED BIT1      /* set by the task as its last touch of the client; cleared by start */
#define WS_BIT_TX_FREE BIT2     /* mirrors tx_owner == NULL; set and cleared with the lock held */
#define WS_BIT_LOCK_PASSED BIT3 /* set by ws_lock() when a task got the lock after waiting for it */

/* Whether a client task exists (guarded by lock). */
typedef enum {
    WS_RUN_IDLE = 0, /* no task: never started, or stopped and reaped */
    WS_RUN_ACTIVE,   /* the task runs */
    WS_RUN_EXITED,   /* the task ended on its own (no reconnect); stop() reaps it */
} ws_run_state_t;

/* The client task's state machine (guarded by lock; written by the task, and by close() CONNECTED->CLOSING). */
typedef enum {
    WS_STATE_INIT = 0,       /* not running */
    WS_STATE_CONNECTING,     /* TCP connect, TLS handshake, HTTP upgrade (unlocked) */
    WS_STATE_CONNECTED,      /* data flows; sends accepted */
    WS_STATE_CLOSING,        /* our CLOSE is out; waiting for the server's CLOSE; sends refused */
    WS_STATE_WAIT_RECONNECT, /* transport closed; waiting reconnect_timeout_ms or a stop */
    WS_STATE_EXIT,           /* leaving the loop */
} ws_state_t;

/* Owned copy of the configuration (guarded by lock; written by init and the setters, read by the task when it
 * builds its transport). Strings are heap copies freed by ws_config_free(). */
typedef struct {
    char *host;
    int port;
    char *path;                 /* path plus "?query" */
    char *username;
    char *password;
    char *headers;
    char *subprotocol;
    char *user_agent;
    esp_websocket_transport_t transport;
    const char *cert_pem;       /* caller-owned, must outlive the client (as upstream) */
    size_t cert_len;
    const char *client_cert;
    size_t client_cert_len;
    const char *client_key;
    size_t client_key_len;
#if CONFIG_ESP_TLS_USE_DS_PERIPHERAL
    void *client_ds_data;
#endif
    bool use_global_ca_store;
    esp_err_t (*crt_bundle_attach)(void *conf);
    char *cert_common_name;
    bool skip_cert_common_name_check;
    bool keep_alive_enable;
    int keep_alive_idle;
    int keep_alive_interval;
    int keep_alive_count;
    bool has_if_name;
    struct ifreq if_name;
    bool auto_reconnect;
    bool close_reconnect;
    int reconnect_timeout_ms;
    int network_timeout_ms;
    size_t ping_interval_sec;
    int pingpong_timeout_sec;
    bool pingpong_discon;
    int buffer_size;
    char *task_name;
    int task_prio;
    int task_stack;
    bool task_core_id_set;
    int task_core_id;
    void *user_context;
    esp_transport_handle_t ext_transport;
} ws_config_t;

/* Where an incremental UTF-8 check stands (ws_client_utf8.c): bytes still due of the current sequence, and the
 * range the next one must fall in. All zero is the start of a text. */
typedef struct {
    uint8_t need;
    uint8_t lo;
    uint8_t hi;
} ws_utf8_t;

/* Reassembly position in the frame being received (guarded by lock; task only in practice). */
typedef struct {
    bool in_frame;       /* a frame's payload is partly delivered */
    int opcode;
    int payload_len;
    int offset;          /* payload bytes delivered so far */
    uint8_t control[WS_MAX_CONTROL_PAYLOAD]; /* payload of a PING or CLOSE, kept for the answer */
    int control_len;
    bool message_open;   /* a data message's first frame came without FIN; its continuations are due */
    bool message_text;   /* the data message being received is TEXT: its bytes are checked as UTF-8 */
    ws_utf8_t utf8;      /* the check's position in that message */
} ws_rx_frame_t;

struct esp_websocket_client {
    /* Created by init, deleted by destroy; immutable in between, so readable without the lock. */
    SemaphoreHandle_t lock;
    EventGroupHandle_t bits;
    esp_event_loop_handle_t event_loop;

    /* Atomic: tasks waiting inside ws_lock(); whoever gives the lock up between two steps of a long job
     * (the task between reads, a sender between frames) hands it over while this is > 0. */
    atomic_int lock_waiters;

    /* Guarded by lock. */
    ws_config_t cfg;
    ws_run_state_t run;
    ws_state_t state;
    TaskHandle_t task;                  /* the client task while run != IDLE (start writes it before the task
                                           can take the lock) */
    esp_transport_handle_t transport;   /* the ws transport; only the task creates, closes, destroys it */
    esp_transport_handle_t parent_transport; /* its TCP or TLS parent, which holds the error record; NULL for
                                           ext_transport (the ws transport's own record serves) */
    esp_transport_handle_t relay;       /* between the two, NULL for ext_transport and before ESP-IDF v5.5 */
    int sock;                           /* the connection's socket, -1 when none: published by the relay as
                                           the parent connects, retired before it closes (ws_client_relay.c) */
    esp_transport_list_handle_t transport_list; /* owns the transports the task created (NULL for ext_transport) */
    esp_transport_keep_alive_t keep_alive; /* the parent transport points at it (ESP-IDF keeps no copy) */
    bool connecting;                    /* the task is inside connect: stop() may shutdown() its socket */
    bool transport_open;                /* connect was attempted and close not yet called */
    bool abort_pending;                 /* a send failed: the task must drop the connection */
    bool close_requested;               /* close() sent our CLOSE: no reconnect afterwards */
    bool destroy_on_exit;               /* the task frees the client as it exits */
    TaskHandle_t tx_owner;              /* the task whose data message is going out, NULL when none; reset
                                           (with TX_FREE set) at each new connection */
    bool tx_open;                       /* tx_owner's message is fragmented by the partial API and not yet
                                           finished: the turn stays with tx_owner between its calls */
    TickType_t tx_last;                 /* tick of the open message's last call (tx_open only) */
    char *rx_buffer;                    /* buffer_size bytes; DATA events point into it */
    char *tx_buffer;                    /* buffer_size bytes; every frame is copied here before it is sent */
    esp_websocket_error_codes_t error;  /* last error, copied into every event */
    int close_status_code;              /* code of the last CLOSE received, 0 if none */
    ws_rx_frame_t rx;

    /* Task only. */
    int redirects;                      /* consecutive HTTP redirects followed in this round of connects (reset
                                           by a connection and by each reconnect wait) */
    TickType_t last_ping_tick;
    TickType_t ping_sent_tick;
    bool pong_pending;
};

typedef struct esp_websocket_client ws_client_t;

/* Heap for the client's own allocations (external RAM when configured). */
static inline void *ws_calloc(size_t n, size_t size)
{
#if CONFIG_ESP_WS_CLIENT_ALLOC_IN_EXT_RAM
    return heap_caps_calloc(n, size, MALLOC_CAP_SPIRAM | MALLOC_CAP_8BIT);
#else
    return calloc(n, size);
#endif
}

/* What is left of `timeout` ticks counted from `since` (portMAX_DELAY stays unbounded). */
static inline TickType_t ws_ticks_left(TickType_t since, TickType_t timeout)
{
    if (timeout == portMAX_DELAY) {
        return portMAX_DELAY;
    }
    TickType_t spent = xTaskGetTickCount() - since;
    return spent >= timeout ? 0 : timeout - spent;
}

/* ws_client_protocol.c: the RFC 6455 rules a received frame must keep. Each returns NULL when kept, else the
 * broken rule as static text (for the log and esp_websocket_error_codes_t.esp_ws_protocol_error). */
#define WS_CLOSE_PROTOCOL_ERROR 1002
#define WS_CLOSE_NO_STATUS 1005      /* a CLOSE with no payload; never sent on the wire */
#define WS_CLOSE_INVALID_PAYLOAD 1007
/* A frame header with `opcode`, `fin` and `payload_len`, given whether a fragmented message is in progress
 * (updated for the next frame). Every header rule fails the connection with WS_CLOSE_PROTOCOL_ERROR. */
const char *ws_frame_violation(bool *message_open, int opcode, bool fin, int payload_len);
/* The payload of a received CLOSE; `*close_code` is set to the code to fail the connection with. */
const char *ws_close_violation(const uint8_t *payload, int len, int *close_code);
/* ws_client_utf8.c: feed the next bytes of a text; false at the first byte no well-formed text can hold. */
bool ws_utf8_feed(ws_utf8_t *u, const uint8_t *bytes, size_t len);
/* Whether the text fed so far ends on a whole character (a message must, at its last byte). */
bool ws_utf8_complete(const ws_utf8_t *u);

/* ws_client_config.c */
esp_err_t ws_config_from_user(ws_config_t *cfg, const esp_websocket_client_config_t *user);
esp_err_t ws_config_apply_uri(ws_config_t *cfg, const char *uri);
int ws_config_port(const ws_config_t *cfg); /* the configured port, or 80/443 by transport */
esp_err_t ws_config_set_headers(ws_config_t *cfg, const char *headers);
esp_err_t ws_config_append_header(ws_config_t *cfg, const char *key, const char *value);
void ws_config_free(ws_config_t *cfg);

/* ws_client_transport.c (client task, except ws_transport_wake) */
esp_err_t ws_transport_prepare(ws_client_t *client);
void ws_transport_destroy(ws_client_t *client);
void ws_transport_wake(ws_client_t *client);
void ws_transport_no_delay(ws_client_t *client);
int ws_transport_socket(ws_client_t *client);
/* The transport whose error record (esp_tls error, socket errno) a failure is read from. */
esp_transport_handle_t ws_transport_error_owner(ws_client_t *client);
int ws_socket_wait(int fd, bool for_write, int slice_ms);
bool ws_socket_alive(int fd);
/* Waits up to slice_ms for the peer's FIN without reading data: 1 when the connection ended, 0 if not. */
int ws_socket_closed(int fd, int slice_ms);

/* ws_client_relay.c (client task) */
esp_transport_handle_t ws_relay_init(ws_client_t *client, esp_transport_handle_t parent);

/* ws_client_events.c */
esp_err_t ws_events_post(ws_client_t *client, esp_websocket_event_id_t id, const char *data, int len);
esp_err_t ws_events_post_data(ws_client_t *client, int data_len, bool fin);
void ws_error_record_transport(ws_client_t *client, esp_websocket_error_type_t type);
void ws_error_record(ws_client_t *client, esp_websocket_error_type_t type, int sock_errno);

/* ws_client_send.c (callers other than the public API hold the lock) */
int ws_send_control_locked(ws_client_t *client, int opcode, const uint8_t *data, int len, TickType_t timeout);
void ws_mark_abort_locked(ws_client_t *client, int sock_errno);
void ws_tx_reset_locked(ws_client_t *client);
bool ws_tx_stalled_locked(ws_client_t *client);
bool ws_send_close(ws_client_t *client, const uint8_t *payload, int len, TickType_t timeout, bool requested);

/* ws_client_task.c */
void ws_client_task(void *arg);
esp_err_t ws_buffers_alloc(ws_client_t *client);
void ws_buffers_free(ws_client_t *client);

/* esp_websocket_client.c */
void ws_client_free(ws_client_t *client);

/* Lock helpers (esp_websocket_client.c). */
bool ws_lock(ws_client_t *client, TickType_t timeout);
void ws_unlock(ws_client_t *client);
void ws_unlock_yielding(ws_client_t *client);
bool ws_in_client_task(ws_client_t *client);
