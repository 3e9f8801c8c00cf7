/*
 * The WebSocket transport: upgrade over a tcp/ssl parent, RFC 6455 frame reads with ESP-IDF's partial
 * read semantics and control-frame handling, and masked frame writes from a private copy.
 *
 * Locking: one thread at a time per transport (esp_transport.h). The read state (rx) belongs to the
 * reading thread, the connection fields to the connecting thread; the configuration is written by the
 * setters before the transport is shared. A frame write keeps its header and masked chunks on the stack,
 * so two writers (a contract violation the sentinel reports as ws_write_concurrent) share no buffer.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_transport_internal.h"
#include "esp_transport_ws.h"
#include "sdkconfig.h"
#include "ws_frame.h"
#include "ws_handshake.h"

static const char *TAG = "transport_ws";

#define WS_HANDSHAKE_BUFFER   CONFIG_WS_BUFFER_SIZE   /* request and response head must fit */
#define WS_WRITE_CHUNK        4096                    /* masked copy, on the stack */
#define WS_HEADER_GRACE_MS    1000                    /* least time to finish a started frame header */
#define WS_DEFAULT_USER_AGENT "ESP32 Websocket Client"

/* The frame being read. */
typedef struct {
    bool header_received;      /* a header was read and not handled internally */
    uint8_t opcode;
    bool fin;
    int payload_len;
    int bytes_remaining;
} ws_rx_t;

typedef struct {
    esp_transport_handle_t parent;
    /* configuration (setters) */
    char *path;
    char *sub_protocol;
    char *user_agent;
    char *headers;
    char *auth;
    char *response_headers;
    size_t response_headers_len;
    bool propagate_control_frames;
    void (*header_hook)(void *ctx, const char *line, int len);
    void *header_user_context;
    /* connection (connecting thread) */
    int http_status;
    char *redir_uri;
    char *pending;             /* bytes read past the upgrade response, served before the parent's */
    size_t pending_len;
    size_t pending_off;
    /* read state (reading thread) */
    ws_rx_t rx;
} transport_ws_t;

static transport_ws_t *ws_of(esp_transport_handle_t t)
{
    if (t == NULL || t->kind != TRANSPORT_KIND_WS) {
        ESP_LOGE(TAG, "not a ws transport");
        return NULL;
    }
    return t->data;
}

static void drop_pending(transport_ws_t *ws)
{
    free(ws->pending);
    ws->pending = NULL;
    ws->pending_len = ws->pending_off = 0;
}

/* ---- parent I/O ---- */

static int parent_read(transport_ws_t *ws, char *buf, int len, int timeout_ms)
{
    if (ws->pending_off < ws->pending_len) {
        size_t n = ws->pending_len - ws->pending_off;
        n = n < (size_t)len ? n : (size_t)len;
        memcpy(buf, ws->pending + ws->pending_off, n);
        ws->pending_off += n;
        if (ws->pending_off == ws->pending_len) {
            drop_pending(ws);
        }
        return (int)n;
    }
    return esp_transport_read(ws->parent, buf, len, timeout_ms);
}

/* Reads exactly len bytes: len, 0 if the time ran out before the first byte, -1 otherwise. */
static int parent_read_exact(transport_ws_t *ws, char *buf, int len, int64_t deadline)
{
    int done = 0;
    while (done < len) {
        int n = parent_read(ws, buf + done, len - done, esp_transport_time_left(deadline));
        if (n < 0 || (n == 0 && done > 0)) {
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        done += n;
    }
    return done;
}

/* ---- frame writes ---- */

/* Writes one frame; see esp_transport_ws_send_raw for the result. */
static int write_frame(esp_transport_handle_t t, uint8_t first_byte, const char *payload, int len, int timeout_ms)
{
    transport_ws_t *ws = t->data;
    uint8_t chunk[WS_FRAME_HEADER_MAX + WS_WRITE_CHUNK];
    uint8_t mask[4];
    arc4random_buf(mask, sizeof(mask));
    size_t header_len = ws_frame_encode_header(chunk, first_byte, (uint64_t)len, mask);
    int64_t deadline = esp_transport_deadline(timeout_ms);
    int sent = 0;
    size_t fill = header_len;
    do {
        size_t take = (size_t)(len - sent) < WS_WRITE_CHUNK ? (size_t)(len - sent) : WS_WRITE_CHUNK;
        if (take > 0) {
            memcpy(chunk + fill, payload + sent, take);
            ws_frame_apply_mask(chunk + fill, take, mask, (uint64_t)sent);
        }
        int want = (int)(fill + take);
        int n = esp_transport_write(ws->parent, (const char *)chunk, want, esp_transport_time_left(deadline));
        if (n == 0 && sent == 0 && fill == header_len) {
            return 0;   /* nothing left the transport: the stream is intact */
        }
        if (n < 0 && sent == 0 && fill == header_len) {
            ESP_LOGE(TAG, "Error writing a frame (%d payload bytes)", len);
            return -1;
        }
        if (n != want) {
            ESP_LOGE(TAG, "frame cut short: wrote %d of %d bytes (payload %d/%d)", n, want, sent, len);
            return -1;
        }
        sent += (int)take;
        fill = 0;
    } while (sent < len);
    return len;
}

static int write_frame_checked(esp_transport_handle_t t, uint8_t first_byte, const char *payload, int len,
                               int timeout_ms, const char *op)
{
    if ((first_byte & WS_FRAME_CONTROL_BIT) && len > WS_CONTROL_MAX_PAYLOAD) {
        ESP_LOGE(TAG, "control frame payload of %d bytes exceeds 125", len);
        return -1;
    }
    wsh_sentinel_ws_write_enter(&t->sentinel, op);
    int ret = write_frame(t, first_byte, payload, len, timeout_ms);
    wsh_sentinel_ws_write_exit(&t->sentinel);
    return ret;
}

static int ws_write(esp_transport_handle_t t, const char *b, int len, int timeout_ms)
{
    /* ESP-IDF: a zero-length generic write is a PING, anything else one binary message. */
    uint8_t first = len == 0 ? (WS_FRAME_FIN | WS_TRANSPORT_OPCODES_PING) : (WS_FRAME_FIN | WS_TRANSPORT_OPCODES_BINARY);
    return write_frame_checked(t, first, b, len, timeout_ms, "write");
}

int esp_transport_ws_send_raw(esp_transport_handle_t t, ws_transport_opcodes_t opcode, const char *b, int len, int timeout_ms)
{
    if (ws_of(t) == NULL || len < 0 || (b == NULL && len > 0)) {
        return -1;
    }
    uint8_t first = (uint8_t)(opcode & (WS_FRAME_FIN | WS_FRAME_OPCODE_MASK));
    if (first & WS_FRAME_CONTROL_BIT) {
        first |= WS_FRAME_FIN;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_io_begin(&t->sentinel, "send_raw")) {
        ret = write_frame_checked(t, first, b, len, timeout_ms, "send_raw");
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

/* ---- frame reads ---- */

/* Reads a frame header: 1 read, 0 nothing within the timeout, -1 error. */
static int read_header(transport_ws_t *ws, int timeout_ms)
{
    ws->rx.header_received = false;
    uint8_t header[WS_FRAME_HEADER_MAX];
    int64_t deadline = esp_transport_deadline(timeout_ms);
    int ret = parent_read_exact(ws, (char *)header, 1, deadline);
    if (ret <= 0) {
        return ret;
    }
    int grace = timeout_ms >= 0 && timeout_ms < WS_HEADER_GRACE_MS ? WS_HEADER_GRACE_MS : timeout_ms;
    deadline = esp_transport_deadline(grace);
    if (parent_read_exact(ws, (char *)header + 1, 1, deadline) != 1) {
        ESP_LOGE(TAG, "frame header cut short");
        return -1;
    }
    int rest = (int)ws_frame_header_rest(header);
    if (rest > 0 && parent_read_exact(ws, (char *)header + 2, rest, deadline) != rest) {
        ESP_LOGE(TAG, "frame header cut short");
        return -1;
    }
    ws_frame_header_t frame;
    const char *why = ws_frame_decode_header(header, 2 + (size_t)rest, &frame);
    if (why == NULL && frame.masked) {
        why = "masked frame from the server";  /* RFC 6455 5.1: the client must fail the connection */
    }
    if (why == NULL && frame.payload_len > INT_MAX) {
        why = "payload of 2^31 bytes or more";
    }
    if (why) {
        ESP_LOGE(TAG, "protocol error in frame header: %s", why);
        return -1;
    }
    ws->rx = (ws_rx_t) {
        .header_received = true,
        .opcode = frame.opcode,
        .fin = frame.fin,
        .payload_len = (int)frame.payload_len,
        .bytes_remaining = (int)frame.payload_len,
    };
    return 1;
}

/* Reads up to len bytes of the current payload: >0 bytes, 0 timeout (resumable), -1 error. */
static int read_payload(transport_ws_t *ws, char *buffer, int len, int timeout_ms)
{
    int want = ws->rx.bytes_remaining < len ? ws->rx.bytes_remaining : len;
    if (want == 0) {
        return 0;
    }
    int n = parent_read(ws, buffer, want, timeout_ms);
    if (n < 0) {
        ESP_LOGE(TAG, "error reading payload (%d of %d bytes left)", ws->rx.bytes_remaining, ws->rx.payload_len);
        ws->rx.bytes_remaining = 0;
        return -1;
    }
    ws->rx.bytes_remaining -= n;
    return n;
}

static int wait_peer_close(esp_transport_handle_t t, int timeout_ms);

/* ESP-IDF's handling of a control frame that is not propagated: PING is answered with a PONG, PONG is
 * dropped, CLOSE is answered with a CLOSE and the peer's FIN awaited. Returns 0 (handled), or -1. */
static int handle_control(esp_transport_handle_t t, transport_ws_t *ws, int timeout_ms)
{
    char payload[WS_CONTROL_MAX_PAYLOAD];
    int len = ws->rx.payload_len;
    int64_t deadline = esp_transport_deadline(timeout_ms < WS_HEADER_GRACE_MS && timeout_ms >= 0 ? WS_HEADER_GRACE_MS : timeout_ms);
    while (ws->rx.bytes_remaining > 0) {
        int n = read_payload(ws, payload + (len - ws->rx.bytes_remaining), ws->rx.bytes_remaining,
                             esp_transport_time_left(deadline));
        if (n <= 0) {
            ESP_LOGE(TAG, "control frame payload cut short");
            ws->rx.bytes_remaining = 0;
            return -1;
        }
    }
    uint8_t opcode = ws->rx.opcode;
    ws->rx.header_received = false;
    if (opcode == WS_TRANSPORT_OPCODES_PING) {
        return write_frame_checked(t, WS_FRAME_FIN | WS_TRANSPORT_OPCODES_PONG, payload, len, timeout_ms, "pong") == len ? 0 : -1;
    }
    if (opcode != WS_TRANSPORT_OPCODES_CLOSE) {
        return 0;
    }
    int code = len >= 2 ? ((uint8_t)payload[0] << 8) | (uint8_t)payload[1] : 1005;
    ESP_LOGI(TAG, "Got CLOSE frame with status code=%d", code);
    /* Echo the status code (RFC 6455 5.5.1); ESP-IDF answers with an empty CLOSE. */
    if (write_frame_checked(t, WS_FRAME_FIN | WS_TRANSPORT_OPCODES_CLOSE, payload, len >= 2 ? 2 : 0, timeout_ms, "close") < 0) {
        return -1;
    }
    int closed = wait_peer_close(t, timeout_ms);
    if (closed == 0) {
        ESP_LOGW(TAG, "Connection cannot be terminated gracefully within timeout=%d", timeout_ms);
    }
    return closed == 1 ? 0 : -1;
}

static int ws_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL) {
        return -1;
    }
    if (ws->rx.bytes_remaining <= 0) {
        int ret = read_header(ws, timeout_ms);
        if (ret <= 0) {
            ws->rx.bytes_remaining = 0;
            return ret;
        }
        if ((ws->rx.opcode & WS_FRAME_CONTROL_BIT) && !ws->propagate_control_frames) {
            return handle_control(t, ws, timeout_ms);
        }
        if (ws->rx.payload_len == 0) {
            return 0;
        }
    }
    return read_payload(ws, buffer, len, timeout_ms);
}

static int ws_poll_read(esp_transport_handle_t t, int timeout_ms)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL) {
        return -1;
    }
    if (ws->pending_off < ws->pending_len) {
        return 1;
    }
    return esp_transport_poll_read(ws->parent, timeout_ms);
}

static int ws_poll_write(esp_transport_handle_t t, int timeout_ms)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? esp_transport_poll_write(ws->parent, timeout_ms) : -1;
}

/* Drains the parent until it reports the end: 1 closed (FIN or reset), 0 timeout, -1 data arrived. */
static int wait_peer_close(esp_transport_handle_t t, int timeout_ms)
{
    transport_ws_t *ws = t->data;
    char scratch[64];
    int n = parent_read(ws, scratch, sizeof(scratch), timeout_ms);
    if (n < 0) {
        return 1;
    }
    if (n == 0) {
        return 0;
    }
    ESP_LOGW(TAG, "data arrived while waiting for the peer to close");
    return -1;
}

int esp_transport_ws_poll_connection_closed(esp_transport_handle_t t, int timeout_ms)
{
    if (ws_of(t) == NULL) {
        return -1;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_io_begin(&t->sentinel, "poll_connection_closed")) {
        ret = wait_peer_close(t, timeout_ms);
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

/* ---- connect ---- */

static void reset_connection(transport_ws_t *ws)
{
    memset(&ws->rx, 0, sizeof(ws->rx));
    ws->http_status = -1;
    free(ws->redir_uri);
    ws->redir_uri = NULL;
    drop_pending(ws);
}

static int send_request(transport_ws_t *ws, const char *host, int port, const char *key, char *buf, int64_t deadline)
{
    ws_request_t req = {
        .host = host, .port = port, .path = ws->path, .key = key,
        .user_agent = ws->user_agent ? ws->user_agent : WS_DEFAULT_USER_AGENT,
        .sub_protocol = ws->sub_protocol, .auth = ws->auth, .headers = ws->headers,
    };
    int len = ws_handshake_build_request(&req, buf, WS_HANDSHAKE_BUFFER);
    if (len < 0) {
        ESP_LOGE(TAG, "upgrade request does not fit in CONFIG_WS_BUFFER_SIZE (%d)", WS_HANDSHAKE_BUFFER);
        return -1;
    }
    if (esp_transport_write(ws->parent, buf, len, esp_transport_time_left(deadline)) != len) {
        ESP_LOGE(TAG, "Error writing the upgrade request");
        return -1;
    }
    return 0;
}

/* Reads the response head into buf; keeps bytes after it as pending. Returns the head length or -1. */
static int receive_head(transport_ws_t *ws, char *buf, int64_t deadline)
{
    size_t got = 0;
    size_t head = 0;
    while (head == 0) {
        if (got >= WS_HANDSHAKE_BUFFER - 1) {
            ESP_LOGE(TAG, "upgrade response exceeds CONFIG_WS_BUFFER_SIZE (%d)", WS_HANDSHAKE_BUFFER);
            return -1;
        }
        int n = esp_transport_read(ws->parent, buf + got, (int)(WS_HANDSHAKE_BUFFER - 1 - got),
                                   esp_transport_time_left(deadline));
        if (n <= 0) {
            ESP_LOGE(TAG, "Error reading the upgrade response (%s)", n == 0 ? "timeout" : "connection lost");
            return -1;
        }
        got += (size_t)n;
        head = ws_handshake_head_length(buf, got);
    }
    if (got > head) {
        ws->pending = malloc(got - head);
        if (ws->pending == NULL) {
            return -1;
        }
        memcpy(ws->pending, buf + head, got - head);
        ws->pending_len = got - head;
    }
    buf[head] = '\0';
    return (int)head;
}

static void keep_response_headers(transport_ws_t *ws, const char *head, size_t len)
{
    if (ws->response_headers && ws->response_headers_len > 0) {
        size_t n = len < ws->response_headers_len - 1 ? len : ws->response_headers_len - 1;
        memcpy(ws->response_headers, head, n);
        ws->response_headers[n] = '\0';
    }
}

static int check_response(transport_ws_t *ws, char *head, size_t len, const char *key)
{
    keep_response_headers(ws, head, len);
    ws_response_t resp;
    const char *why = ws_handshake_parse_response(head, len, &resp, ws->header_hook, ws->header_user_context);
    if (why) {
        ESP_LOGE(TAG, "malformed upgrade response: %s", why);
        return -1;
    }
    ws->http_status = resp.status;
    if (resp.status >= 300 && resp.status < 400 && resp.location) {
        ws->redir_uri = strdup(resp.location);
        ESP_LOGW(TAG, "upgrade redirected (HTTP %d) to %s", resp.status, resp.location);
        return resp.status; /* as ESP-IDF's ws transport from v5.5.1: the status, a positive number */
    }
    if (resp.status != 101) {
        ESP_LOGE(TAG, "upgrade refused: HTTP %d", resp.status);
        return -1;
    }
    why = ws_handshake_check(&resp, key, ws->sub_protocol);
    if (why) {
        ESP_LOGE(TAG, "invalid upgrade response: %s", why);
        return -1;
    }
    return 0;
}

static int ws_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL) {
        return -1;
    }
    reset_connection(ws);
    int64_t deadline = esp_transport_deadline(timeout_ms);
    if (esp_transport_connect(ws->parent, host, port, timeout_ms) < 0) {
        ESP_LOGE(TAG, "Error connecting to host %s:%d", host, port);
        return -1;
    }
    char key[WS_KEY_SIZE];
    char *buf = malloc(WS_HANDSHAKE_BUFFER);
    int ret = -1;
    if (buf && ws_handshake_make_key(key) == 0 && send_request(ws, host, port, key, buf, deadline) == 0) {
        int head = receive_head(ws, buf, deadline);
        ret = head > 0 ? check_response(ws, buf, (size_t)head, key) : -1;
    }
    free(buf);
    if (ret != 0) {
        drop_pending(ws);
    }
    return ret;
}

/* Closes the parent only: the frame state and pending bytes belong to a reader that a misusing client
 * may still have inside (the sentinel reports that); the next connect resets them. */
static int ws_close(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? esp_transport_close(ws->parent) : -1;
}

static int ws_destroy(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL) {
        return -1;
    }
    drop_pending(ws);
    free(ws->path);
    free(ws->sub_protocol);
    free(ws->user_agent);
    free(ws->headers);
    free(ws->auth);
    free(ws->redir_uri);
    free(ws);
    t->data = NULL;
    return 0;
}

static int ws_get_socket(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? esp_transport_get_socket(ws->parent) : -1;
}

/* Reading the parent directly bypasses the frame state: the next read starts with a new header. */
static esp_transport_handle_t ws_payload_transport(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL) {
        return NULL;
    }
    ws->rx.bytes_remaining = 0;
    return ws->parent;
}

esp_transport_handle_t esp_transport_ws_init(esp_transport_handle_t parent_handle)
{
    if (parent_handle == NULL) {
        ESP_LOGE(TAG, "a ws transport needs a parent transport");
        return NULL;
    }
    esp_transport_handle_t t = esp_transport_init();
    transport_ws_t *ws = calloc(1, sizeof(*ws));
    char *path = strdup("/");
    if (t == NULL || ws == NULL || path == NULL) {
        ESP_LOGE(TAG, "no memory for a ws transport");
        free(path);
        free(ws);
        esp_transport_destroy(t);
        return NULL;
    }
    ws->parent = parent_handle;
    ws->path = path;
    ws->http_status = -1;
    t->kind = TRANSPORT_KIND_WS;
    t->parent = parent_handle;
    t->port = esp_transport_get_default_port(parent_handle);
    t->data = ws;
    t->_get_socket = ws_get_socket;
    esp_transport_set_func(t, ws_connect, ws_read, ws_write, ws_close, ws_poll_read, ws_poll_write, ws_destroy);
    esp_transport_set_parent_transport_func(t, ws_payload_transport);
    return t;
}

/* ---- configuration ---- */

static esp_err_t replace_string(char **field, const char *value)
{
    char *copy = NULL;
    if (value) {
        copy = strdup(value);
        if (copy == NULL) {
            return ESP_ERR_NO_MEM;
        }
    }
    free(*field);
    *field = copy;
    return ESP_OK;
}

void esp_transport_ws_set_path(esp_transport_handle_t t, const char *path)
{
    transport_ws_t *ws = ws_of(t);
    if (ws && replace_string(&ws->path, path ? path : "/") != ESP_OK) {
        ESP_LOGE(TAG, "no memory for the path");
    }
}

esp_err_t esp_transport_ws_set_subprotocol(esp_transport_handle_t t, const char *sub_protocol)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? replace_string(&ws->sub_protocol, sub_protocol) : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_transport_ws_set_user_agent(esp_transport_handle_t t, const char *user_agent)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? replace_string(&ws->user_agent, user_agent) : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_transport_ws_set_headers(esp_transport_handle_t t, const char *headers)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? replace_string(&ws->headers, headers) : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_transport_ws_set_auth(esp_transport_handle_t t, const char *auth)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? replace_string(&ws->auth, auth) : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_transport_ws_set_response_headers(esp_transport_handle_t t, char *response_header, size_t response_header_len)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    ws->response_headers = response_header;
    ws->response_headers_len = response_header ? response_header_len : 0;
    return ESP_OK;
}

esp_err_t esp_transport_ws_set_config(esp_transport_handle_t t, const esp_transport_ws_config_t *config)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL || config == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    if (config->ws_path) {
        err = replace_string(&ws->path, config->ws_path);
    }
    if (err == ESP_OK && config->sub_protocol) {
        err = replace_string(&ws->sub_protocol, config->sub_protocol);
    }
    if (err == ESP_OK && config->user_agent) {
        err = replace_string(&ws->user_agent, config->user_agent);
    }
    if (err == ESP_OK && config->headers) {
        err = replace_string(&ws->headers, config->headers);
    }
    if (err == ESP_OK && config->auth) {
        err = replace_string(&ws->auth, config->auth);
    }
    if (err != ESP_OK) {
        return err;
    }
    if (config->response_headers) {
        esp_transport_ws_set_response_headers(t, config->response_headers, config->response_headers_len);
    }
#if ESP_IDF_VERSION_MAJOR >= 6
    ws->header_hook = config->header_hook;
    ws->header_user_context = config->header_user_context;
#endif
    ws->propagate_control_frames = config->propagate_control_frames;
    return ESP_OK;
}

/* ---- getters ---- */

bool esp_transport_ws_get_fin_flag(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? ws->rx.fin : false;
}

ws_transport_opcodes_t esp_transport_ws_get_read_opcode(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    if (ws == NULL || !ws->rx.header_received) {
        return WS_TRANSPORT_OPCODES_NONE;
    }
    return (ws_transport_opcodes_t)ws->rx.opcode;
}

int esp_transport_ws_get_read_payload_len(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? ws->rx.payload_len : -1;
}

int esp_transport_ws_get_upgrade_request_status(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? ws->http_status : -1;
}

char *esp_transport_ws_get_redir_uri(esp_transport_handle_t t)
{
    transport_ws_t *ws = ws_of(t);
    return ws ? ws->redir_uri : NULL;
}
