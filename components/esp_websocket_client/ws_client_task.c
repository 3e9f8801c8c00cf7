/*
 * ws_client_task.c: the client task and its state machine
 *
 *   CONNECTING --ok--> CONNECTED --close()--> CLOSING
 *       |                  |  \                  |
 *       | fail             |   \ server CLOSE    | server's CLOSE
 *       v                  v    v                v
 *   WAIT_RECONNECT <--- (abort: error, PONG timeout; close handshake done)
 *       |                                        |
 *       +--timeout--> CONNECTING                 +--> EXIT (stop, no reconnect, close() done)
 *
 * A stop request (WS_BIT_STOP_REQ) moves every state to EXIT at its next check; stop() also shuts the socket
 * down so a blocking connect, handshake or wait ends at once.
 *
 * Locking: the task holds the lock for every transport call except connect, never while it waits for the peer:
 * it selects on the raw socket unlocked, and reads under the lock only what the transport reports as
 * available, with WS_READ_SLICE_MS as the bound. A frame larger than buffer_size, or arriving slowly, is read
 * (and posted as DATA) one piece at a time, the lock released and the wait for the next piece done
 * unlocked. While data keeps coming, the task hands the lock to a waiting task between two reads, so a sender
 * between two frames of its message gets it (ws_unlock_yielding).
 * DATA events are dispatched with the lock held (they point into rx_buffer); other events without it. Only
 * this task closes and destroys the transport.
 */
#include <string.h>
#include "esp_log.h"
#include "esp_transport_ws.h"
#include "ws_client_priv.h"

static const char *TAG = WS_TAG;

typedef enum {
    READ_NONE,   /* nothing (more) to read now */
    READ_DATA,   /* a piece of a frame was delivered */
    READ_CLOSE,  /* a complete CLOSE frame arrived */
    READ_ERROR,  /* the connection is broken */
} ws_read_result_t;

static bool stop_requested(ws_client_t *client)
{
    return xEventGroupGetBits(client->bits) & WS_BIT_STOP_REQ;
}

static void set_state(ws_client_t *client, ws_state_t state)
{
    ws_lock(client, portMAX_DELAY);
    client->state = state;
    ws_unlock(client);
}

esp_err_t ws_buffers_alloc(ws_client_t *client)
{
    if (!client->rx_buffer) {
        client->rx_buffer = ws_calloc(1, client->cfg.buffer_size);
    }
    if (!client->tx_buffer) {
        client->tx_buffer = ws_calloc(1, client->cfg.buffer_size);
    }
    return client->rx_buffer && client->tx_buffer ? ESP_OK : ESP_ERR_NO_MEM;
}

void ws_buffers_free(ws_client_t *client)
{
    free(client->rx_buffer);
    free(client->tx_buffer);
    client->rx_buffer = NULL;
    client->tx_buffer = NULL;
}

/* Close the transport if a connect opened it (lock held). */
static void close_transport_locked(ws_client_t *client)
{
    if (client->transport && client->transport_open) {
        esp_transport_close(client->transport);
        /* ESP-IDF's ws transport keeps its place in the frame being read across connections (its connect does
         * not reset it): after a connection that ended inside a frame, the next one would take its first
         * header for the rest of that payload. Asking for the payload transport resets the place
         * (transport_ws.c, ws_get_payload_transport_handle). */
        esp_transport_get_payload_transport_handle(client->transport);
    }
    client->transport_open = false;
#if CONFIG_ESP_WS_CLIENT_ENABLE_DYNAMIC_BUFFER
    ws_buffers_free(client);
#endif
}

/* Where a run goes when a connection attempt or a session ends without close(). */
static ws_state_t after_failure(ws_client_t *client)
{
    if (stop_requested(client)) {
        return WS_STATE_EXIT;
    }
    ws_lock(client, portMAX_DELAY);
    bool reconnect = client->cfg.auto_reconnect;
    ws_unlock(client);
    return reconnect ? WS_STATE_WAIT_RECONNECT : WS_STATE_EXIT;
}

/* End a connected session: close, then DISCONNECTED (preceded by ERROR when an error was recorded). */
static ws_state_t end_session(ws_client_t *client, bool report_error)
{
    ws_lock(client, portMAX_DELAY);
    close_transport_locked(client);
    client->state = WS_STATE_WAIT_RECONNECT;
    bool has_error = client->error.error_type != WEBSOCKET_ERROR_TYPE_NONE;
    ws_unlock(client);
    if (report_error && has_error && !stop_requested(client)) {
        ws_events_post(client, WEBSOCKET_EVENT_ERROR, NULL, 0);
    }
    ws_events_post(client, WEBSOCKET_EVENT_DISCONNECTED, NULL, 0);
    return after_failure(client);
}

/* ---- CONNECTING ---- */

static esp_err_t prepare_connect(ws_client_t *client, char **host, int *port, int *timeout_ms)
{
    ws_lock(client, portMAX_DELAY);
    esp_err_t err = ws_buffers_alloc(client);
    if (err == ESP_OK) {
        err = ws_transport_prepare(client);
    }
    if (err == ESP_OK) {
        client->connecting = true;
        client->transport_open = true;
        *host = client->cfg.host;
        *port = ws_config_port(&client->cfg);
        *timeout_ms = client->cfg.network_timeout_ms;
    }
    ws_unlock(client);
    return err;
}

static void connected_locked(ws_client_t *client)
{
    client->state = WS_STATE_CONNECTED;
    client->abort_pending = false;
    ws_tx_reset_locked(client); /* a message cut by the last connection must not go on in this one */
    client->close_requested = false;
    client->close_status_code = 0;
    memset(&client->rx, 0, sizeof(client->rx));
    ws_error_record(client, WEBSOCKET_ERROR_TYPE_NONE, 0);
    client->last_ping_tick = xTaskGetTickCount();
    client->pong_pending = false;
    client->redirects = 0;
}

/* ESP-IDF's ws transport keeps the Location of a 3xx answer from v5.5.1 on; before that a redirect cannot
 * be followed and counts as a failed handshake. */
static const char *redirect_location(esp_transport_handle_t ws)
{
#if WS_TRANSPORT_HAS_REDIRECT
    return esp_transport_ws_get_redir_uri(ws);
#else
    (void)ws;
    return NULL;
#endif
}

/* Follow an HTTP 3xx answer to the upgrade: take the Location as the new URI (lock held, transport closed).
 * A change of scheme needs the other kind of transport, so the current one is retired. */
static bool follow_redirect_locked(ws_client_t *client, int status)
{
    const char *location = redirect_location(client->transport);
    if (status < 300 || status >= 400 || !location || client->redirects >= WS_MAX_REDIRECTS) {
        return false;
    }
    esp_websocket_transport_t before = client->cfg.transport;
    if (ws_config_apply_uri(&client->cfg, location) != ESP_OK) {
        return false;
    }
    ESP_LOGI(TAG, "Upgrade redirected (HTTP %d) to %s", status, location);
    if (client->cfg.transport != before) {
        ws_transport_destroy(client); /* frees location too */
    }
    client->redirects++;
    return true;
}

static ws_state_t run_connecting(ws_client_t *client)
{
    if (stop_requested(client)) {
        return WS_STATE_EXIT;
    }
    ws_events_post(client, WEBSOCKET_EVENT_BEFORE_CONNECT, NULL, 0);
    char *host;
    int port, timeout_ms;
    if (prepare_connect(client, &host, &port, &timeout_ms) != ESP_OK) {
        ESP_LOGE(TAG, "Cannot set up the transport");
        return after_failure(client);
    }
    /* Unlocked: nobody else uses the transport before CONNECTED, and stop() may shut the socket down. */
    int ret = stop_requested(client) ? -1 : esp_transport_connect(client->transport, host, port, timeout_ms);
    ws_lock(client, portMAX_DELAY);
    client->connecting = false;
    /* 0 is an upgraded connection; from ESP-IDF v5.5.1 a 3xx answer returns its (positive) HTTP status. */
    if (ret != 0) {
        int status = esp_transport_ws_get_upgrade_request_status(client->transport);
        bool handshake = status > 0 && status != 101;
        ws_error_record_transport(client, handshake ? WEBSOCKET_ERROR_TYPE_HANDSHAKE
                                                    : WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT);
        close_transport_locked(client);
        bool redirected = follow_redirect_locked(client, status);
        ws_unlock(client);
        if (redirected) {
            return stop_requested(client) ? WS_STATE_EXIT : WS_STATE_CONNECTING;
        }
        if (!stop_requested(client)) {
            /* ERROR then DISCONNECTED, as upstream reports a failed connect: handlers written for it wait
             * for DISCONNECTED to read the error handle. */
            ESP_LOGE(TAG, "Connecting to %s:%d failed (status %d)", host, port, status);
            ws_events_post(client, WEBSOCKET_EVENT_ERROR, NULL, 0);
            ws_events_post(client, WEBSOCKET_EVENT_DISCONNECTED, NULL, 0);
        }
        return after_failure(client);
    }
    connected_locked(client);
    ws_transport_no_delay(client);
    ws_unlock(client);
    ESP_LOGI(TAG, "Connected to %s:%d", host, port);
    ws_events_post(client, WEBSOCKET_EVENT_CONNECTED, NULL, 0);
    return WS_STATE_CONNECTED;
}

/* ---- CONNECTED / CLOSING: receive ---- */

/* The server broke `rule`: fail the connection with a CLOSE carrying `close_code` (1002, 1007) where it is
 * still ours to send (not after our own CLOSE, and not while a data message of ours is half out: a CLOSE
 * between its fragments would break the protocol in turn), then drop it (lock held). */
static ws_read_result_t protocol_error_locked(ws_client_t *client, const char *rule, int close_code)
{
    ESP_LOGE(TAG, "Protocol error from the server: %s; failing the connection (%d)", rule, close_code);
    bool sent = false;
    if (client->state == WS_STATE_CONNECTED && client->tx_owner == NULL) {
        uint8_t code[2] = {close_code >> 8, close_code & 0xFF};
        sent = ws_send_control_locked(client, WS_TRANSPORT_OPCODES_CLOSE, code, sizeof(code),
                                      pdMS_TO_TICKS(WS_READ_SLICE_MS)) >= 0;
    }
    ws_error_record(client, WEBSOCKET_ERROR_TYPE_PROTOCOL, 0);
    client->error.esp_ws_protocol_error = rule;
    client->error.esp_ws_close_code_sent = sent ? close_code : 0;
    return READ_ERROR;
}

/* The frame is complete: answer a PING, note a PONG, check a CLOSE (lock held). */
static ws_read_result_t frame_done_locked(ws_client_t *client)
{
    ws_rx_frame_t *rx = &client->rx;
    rx->in_frame = false;
    switch (rx->opcode) {
    case WS_TRANSPORT_OPCODES_PING:
        if (client->state == WS_STATE_CONNECTED) {
            ws_send_control_locked(client, WS_TRANSPORT_OPCODES_PONG, rx->control, rx->control_len,
                                   pdMS_TO_TICKS(client->cfg.network_timeout_ms));
        }
        return READ_DATA;
    case WS_TRANSPORT_OPCODES_PONG:
        client->pong_pending = false;
        return READ_DATA;
    case WS_TRANSPORT_OPCODES_CLOSE: {
        int fail_code;
        const char *rule = ws_close_violation(rx->control, rx->control_len, &fail_code);
        if (rule) {
            return protocol_error_locked(client, rule, fail_code);
        }
        client->close_status_code = rx->control_len >= 2 ? (rx->control[0] << 8) | rx->control[1]
                                    : WS_CLOSE_NO_STATUS;
        return READ_CLOSE;
    }
    default:
        return READ_DATA;
    }
}

/* Start bookkeeping for a new frame and check its header (lock held). */
static ws_read_result_t begin_frame_locked(ws_client_t *client, int rlen)
{
    int opcode = esp_transport_ws_get_read_opcode(client->transport) & 0x0F;
    if (rlen == 0 && opcode == WS_TRANSPORT_OPCODES_NONE) {
        return READ_NONE;
    }
    ws_rx_frame_t *rx = &client->rx;
    int payload_len = esp_transport_ws_get_read_payload_len(client->transport);
    bool fin = esp_transport_ws_get_fin_flag(client->transport);
    const char *rule = ws_frame_violation(&rx->message_open, opcode, fin, payload_len);
    if (rule) {
        ESP_LOGE(TAG, "Frame with opcode 0x%X, FIN %d, %d bytes", (unsigned)opcode, fin, payload_len);
        return protocol_error_locked(client, rule, WS_CLOSE_PROTOCOL_ERROR);
    }
    if (opcode == WS_TRANSPORT_OPCODES_TEXT || opcode == WS_TRANSPORT_OPCODES_BINARY) {
        rx->message_text = opcode == WS_TRANSPORT_OPCODES_TEXT;
        memset(&rx->utf8, 0, sizeof(rx->utf8));
    }
    rx->in_frame = true;
    rx->opcode = opcode;
    rx->payload_len = payload_len;
    rx->offset = 0;
    rx->control_len = 0;
    return READ_DATA;
}

/* RFC 6455 8.1: a text message must be UTF-8, and the connection fails as soon as it cannot be: each piece is
 * checked before the application sees it, the end of the message must end a character (lock held). */
static const char *text_violation(ws_client_t *client, int rlen, bool frame_ends)
{
#if CONFIG_ESP_WS_CLIENT_CHECK_UTF8
    ws_rx_frame_t *rx = &client->rx;
    if ((rx->opcode & 0x08) || !rx->message_text) {
        return NULL;
    }
    if (!ws_utf8_feed(&rx->utf8, (const uint8_t *)client->rx_buffer, rlen)) {
        return "text message not valid UTF-8";
    }
    if (frame_ends && esp_transport_ws_get_fin_flag(client->transport) && !ws_utf8_complete(&rx->utf8)) {
        return "text message ends inside a UTF-8 sequence";
    }
#else
    (void)client;
    (void)rlen;
    (void)frame_ends;
#endif
    return NULL;
}

/* A read failed: the connection ended, or the transport refused a frame it checks itself (ESP-IDF from v5.5:
 * reserved bits and opcodes, control-frame rules), which it reports alike, as -1 with no socket error. Only
 * the second leaves the peer's socket open (lock held). */
static ws_read_result_t read_failed_locked(ws_client_t *client, int rlen)
{
    ws_error_record_transport(client, WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT);
    if (rlen == -1 && client->error.esp_transport_sock_errno == 0 && ws_socket_alive(ws_transport_socket(client))) {
        return protocol_error_locked(client, "frame refused by the transport", WS_CLOSE_PROTOCOL_ERROR);
    }
    return READ_ERROR;
}

/* One bounded read of at most buffer_size bytes, posted as DATA (lock held). */
static ws_read_result_t read_once_locked(ws_client_t *client)
{
    int rlen = esp_transport_read(client->transport, client->rx_buffer, client->cfg.buffer_size, WS_READ_SLICE_MS);
    if (rlen < 0) {
        return read_failed_locked(client, rlen);
    }
    ws_rx_frame_t *rx = &client->rx;
    if (!rx->in_frame) {
        ws_read_result_t begun = begin_frame_locked(client, rlen);
        if (begun != READ_DATA) {
            return begun;
        }
    } else if (rlen == 0) {
        return READ_NONE; /* the rest of the payload has not arrived yet */
    }
    bool frame_ends = rx->offset + rlen >= rx->payload_len;
    const char *rule = text_violation(client, rlen, frame_ends);
    if (rule) {
        return protocol_error_locked(client, rule, WS_CLOSE_INVALID_PAYLOAD);
    }
    if ((rx->opcode & 0x08) && rx->control_len + rlen <= WS_MAX_CONTROL_PAYLOAD) {
        memcpy(rx->control + rx->control_len, client->rx_buffer, rlen);
        rx->control_len += rlen;
    }
    ws_events_post_data(client, rlen, esp_transport_ws_get_fin_flag(client->transport));
    rx->offset += rlen;
    return frame_ends ? frame_done_locked(client) : READ_DATA;
}

/* ---- CONNECTED: keep-alive ---- */

/* Send a PING when due; false when the peer missed its PONG (lock held). */
static bool keepalive_locked(ws_client_t *client)
{
    TickType_t now = xTaskGetTickCount();
    if (client->pong_pending && client->cfg.pingpong_discon &&
        now - client->ping_sent_tick > pdMS_TO_TICKS(client->cfg.pingpong_timeout_sec * 1000)) {
        ESP_LOGE(TAG, "No PONG within %d s", client->cfg.pingpong_timeout_sec);
        ws_error_record(client, WEBSOCKET_ERROR_TYPE_PONG_TIMEOUT, 0);
        return false;
    }
    if (client->state != WS_STATE_CONNECTED ||
        now - client->last_ping_tick < pdMS_TO_TICKS(client->cfg.ping_interval_sec * 1000)) {
        return true;
    }
    client->last_ping_tick = now;
    if (ws_send_control_locked(client, WS_TRANSPORT_OPCODES_PING, NULL, 0,
                               pdMS_TO_TICKS(client->cfg.network_timeout_ms)) < 0) {
        return true; /* the send marked the connection for abort */
    }
    if (!client->pong_pending) {
        client->pong_pending = true;
        client->ping_sent_tick = now;
    }
    return true;
}

/* ---- CLOSE exchange ---- */

/* Answer a server-initiated CLOSE with the same code, after any message another task is sending (unlocked). */
static void answer_close(ws_client_t *client)
{
    ws_lock(client, portMAX_DELAY);
    bool ours_first = client->state != WS_STATE_CONNECTED; /* it answers our own CLOSE */
    int status = client->close_status_code;
    ws_unlock(client);
    if (ours_first) {
        return;
    }
    uint8_t code[2] = {status >> 8, status & 0xFF};
    int len = status == WS_CLOSE_NO_STATUS ? 0 : 2;
    if (!ws_send_close(client, code, len, pdMS_TO_TICKS(WS_CLOSE_FIN_WAIT_MS), false)) {
        ESP_LOGW(TAG, "The server's CLOSE was not answered; closing the connection");
    }
}

/* Both CLOSEs are out: give the server a bounded time to close TCP first, in short locked slices. */
static void await_server_fin(ws_client_t *client)
{
    for (int waited = 0; waited < WS_CLOSE_FIN_WAIT_MS && !stop_requested(client); waited += WS_READ_SLICE_MS) {
        ws_lock(client, portMAX_DELAY);
        int closed = ws_socket_closed(ws_transport_socket(client), WS_READ_SLICE_MS);
        ws_unlock(client);
        if (closed != 0) {
            return;
        }
    }
}

static ws_state_t finish_close(ws_client_t *client)
{
    await_server_fin(client);
    ws_lock(client, portMAX_DELAY);
    bool requested = client->close_requested;
    bool reconnect = client->cfg.close_reconnect && client->cfg.auto_reconnect;
    int code = client->close_status_code;
    ws_unlock(client);
    ESP_LOGI(TAG, "Connection closed by handshake, code %d", code);
    end_session(client, false);
    ws_events_post(client, WEBSOCKET_EVENT_CLOSED, NULL, 0);
    if (requested || !reconnect || stop_requested(client)) {
        return WS_STATE_EXIT;
    }
    return WS_STATE_WAIT_RECONNECT;
}

/* One step of a live session: keep-alive, then either read what is there or wait for it unlocked. */
static ws_state_t run_connected(ws_client_t *client)
{
    if (stop_requested(client)) {
        return end_session(client, false);
    }
    ws_lock(client, portMAX_DELAY);
    ws_read_result_t result = READ_NONE;
    if (client->abort_pending || ws_tx_stalled_locked(client) || !keepalive_locked(client)) {
        result = READ_ERROR;
    } else {
        /* Bytes may already sit in the TLS layer, where select() on the socket cannot see them. */
        int avail = esp_transport_poll_read(client->transport, 0);
        if (avail < 0) {
            ws_error_record_transport(client, WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT);
            result = READ_ERROR;
        } else if (avail > 0) {
            result = read_once_locked(client);
        }
    }
    int fd = ws_transport_socket(client);
    ws_state_t now = client->state; /* close() may have moved CONNECTED to CLOSING */
    if (result == READ_DATA) {
        ws_unlock_yielding(client); /* data keeps coming: let a waiting sender in between two reads */
    } else {
        ws_unlock(client);
    }

    switch (result) {
    case READ_ERROR:
        return end_session(client, true);
    case READ_CLOSE:
        answer_close(client);
        return finish_close(client);
    case READ_NONE:
        /* The task owns the fd: it stays valid while this task waits on it without the lock. */
        ws_socket_wait(fd, false, WS_WAIT_SLICE_MS);
        return now;
    default:
        return now;
    }
}

/* ---- WAIT_RECONNECT ---- */

static ws_state_t run_wait_reconnect(ws_client_t *client)
{
    ws_lock(client, portMAX_DELAY);
    int wait_ms = client->cfg.reconnect_timeout_ms;
    ws_unlock(client);
    ESP_LOGI(TAG, "Reconnecting in %d ms", wait_ms);
    EventBits_t bits = xEventGroupWaitBits(client->bits, WS_BIT_STOP_REQ, pdFALSE, pdFALSE, pdMS_TO_TICKS(wait_ms));
    client->redirects = 0; /* each reconnect may follow a new round of redirects, not only the first */
    return (bits & WS_BIT_STOP_REQ) ? WS_STATE_EXIT : WS_STATE_CONNECTING;
}

static ws_state_t step(ws_client_t *client, ws_state_t state)
{
    switch (state) {
    case WS_STATE_CONNECTING:
        return run_connecting(client);
    case WS_STATE_CONNECTED:
    case WS_STATE_CLOSING:
        return run_connected(client);
    case WS_STATE_WAIT_RECONNECT:
        return run_wait_reconnect(client);
    default:
        return WS_STATE_EXIT;
    }
}

/* Retire the transport; true when the task must free the client itself (destroy_on_exit). */
static bool teardown(ws_client_t *client)
{
    ws_lock(client, portMAX_DELAY);
    close_transport_locked(client);
    ws_transport_destroy(client);
    client->state = WS_STATE_INIT;
    client->run = WS_RUN_EXITED;
    bool self_destroy = client->destroy_on_exit;
    ws_unlock(client);
    return self_destroy;
}

static void task_delete_self(void)
{
#if CONFIG_ESP_WS_CLIENT_TASK_STACK_IN_EXT_RAM
    vTaskDeleteWithCaps(NULL);
#else
    vTaskDelete(NULL);
#endif
}

void ws_client_task(void *arg)
{
    ws_client_t *client = arg;
    /* start() holds the lock until the handle and run state are published. */
    ws_lock(client, portMAX_DELAY);
    ws_state_t state = client->state;
    ws_unlock(client);
    client->redirects = 0;
    ws_events_post(client, WEBSOCKET_EVENT_BEGIN, NULL, 0);
    while (state != WS_STATE_EXIT) {
        ws_state_t next = step(client, state);
        if (next != state) {
            set_state(client, next);
        }
        state = next;
    }
    bool self_destroy = teardown(client);
    ws_events_post(client, WEBSOCKET_EVENT_FINISH, NULL, 0);
    if (self_destroy) {
        ws_client_free(client);
    } else {
        /* The last touch of the client: stop()/destroy() may free it as soon as this bit is set. */
        xEventGroupSetBits(client->bits, WS_BIT_EXITED);
    }
    task_delete_self();
}
