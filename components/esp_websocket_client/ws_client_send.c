/*
 * ws_client_send.c: every frame the client writes, from user tasks and from the client task.
 *
 * Locking: a frame is written only with the lock held, after its payload has been copied into tx_buffer
 * (ESP-IDF's ws transport masks the buffer it is given in place, so the caller's buffer is never handed to it).
 *
 * A data message (TEXT, BINARY, CONT) belongs to one task from its first frame to its last: that task holds
 * the transmit turn (`tx_owner`, guarded by the lock), so frames of two messages never interleave. Between
 * frames, and while the socket cannot take more, the sender gives the LOCK up (not the turn) and waits for
 * the socket unlocked, so the client task keeps reading: a peer that echoes stops reading once its echoes
 * back up, and a sender that held the lock for a whole message would wait for it until the write timed out.
 * Other data senders wait for the turn on WS_BIT_TX_FREE, without the lock. PING and PONG need no turn:
 * RFC 6455 lets them go between the frames of a message. CLOSE takes it (ws_send_close).
 *
 * The partial API (send_*_partial, send_cont_msg, send_fin) sends one message over several calls: the turn
 * stays with the task from its first call to the one with FIN (`tx_open`), so two tasks' fragmented messages
 * never interleave and the application needs no lock of its own. A continuation from a task without an open
 * message, or a new message from a task whose message is still open, is refused: either would break the
 * stream. A task that never finishes must not hold the others forever: when an open message has had no call
 * for network_timeout_ms, the client task aborts the connection (ws_tx_stalled_locked) and the turn is free.
 *
 * Timeouts: failing to get the lock or the turn before the first frame, or a socket that takes nothing within
 * the timeout, is a timeout, not a broken connection: -1 and the connection is left alone. Once a frame of
 * the message is out, the rest must follow or the stream is unusable, so a short send timeout no longer
 * applies: each next frame may wait up to network_timeout_ms (the bound the task puts on a silent peer too),
 * and only a frame that cannot go out within it marks the connection for abort. A failed write does too, and
 * wakes the client task, which alone closes the transport; later sends see the mark and fail at once.
 */
#include <string.h>
#include "esp_log.h"
#include "esp_transport_ws.h"
#include "ws_client_priv.h"

static const char *TAG = WS_TAG;

#define WS_OPCODE_CONTROL_BIT 0x08

typedef enum {
    FRAME_SENT,
    FRAME_TIMEOUT, /* nothing of this frame was written: the stream is intact */
    FRAME_FAILED,  /* the connection is gone, or was marked for abort */
} frame_result_t;

/* Whether sends are accepted (lock held). */
static bool can_send(const ws_client_t *client)
{
    return client->state == WS_STATE_CONNECTED && !client->abort_pending && client->transport;
}

void ws_mark_abort_locked(ws_client_t *client, int sock_errno)
{
    if (client->abort_pending) {
        return;
    }
    client->abort_pending = true;
    ws_error_record(client, WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT, sock_errno);
    /* Shut the socket down so the client task's wait ends now; the task closes it. */
    ws_transport_wake(client);
}

void ws_tx_reset_locked(ws_client_t *client)
{
    client->tx_owner = NULL;
    client->tx_open = false;
    xEventGroupSetBits(client->bits, WS_BIT_TX_FREE);
}

bool ws_tx_stalled_locked(ws_client_t *client)
{
    if (!client->tx_open || ws_ticks_left(client->tx_last, pdMS_TO_TICKS(client->cfg.network_timeout_ms)) > 0) {
        return false;
    }
    /* Not named by its task: a task that never finished may have been deleted since. */
    ESP_LOGE(TAG, "The fragmented message in progress has had no call for %d ms: aborting the connection",
             client->cfg.network_timeout_ms);
    ws_mark_abort_locked(client, 0);
    ws_tx_reset_locked(client); /* the senders waiting for the turn see the abort and fail at once */
    return true;
}

static int ticks_to_ms(TickType_t ticks)
{
    return ticks == portMAX_DELAY ? -1 : (int)(ticks * portTICK_PERIOD_MS); /* -1: the transport's "no bound" */
}

/* Write one frame from tx_buffer; true when fully written (lock held). */
static bool write_frame(ws_client_t *client, int opcode, int len, int timeout_ms)
{
    int written = esp_transport_ws_send_raw(client->transport, (ws_transport_opcodes_t)opcode, client->tx_buffer,
                                            len, timeout_ms);
    if (written == len) {
        return true;
    }
    /* A short or failed write leaves the stream mid-frame: the connection cannot be used any more. */
    int sock_errno = esp_transport_get_errno(client->transport);
    ESP_LOGE(TAG, "Writing a frame failed (%d of %d bytes, errno %d): aborting the connection", written, len,
             sock_errno);
    ws_mark_abort_locked(client, sock_errno);
    return false;
}

int ws_send_control_locked(ws_client_t *client, int opcode, const uint8_t *data, int len, TickType_t timeout)
{
    if (!can_send(client)) {
        ESP_LOGE(TAG, "Not connected: cannot send");
        return -1;
    }
    if (len > 0) {
        memcpy(client->tx_buffer, data, len);
    }
    return write_frame(client, opcode | WS_TRANSPORT_OPCODES_FIN, len, ticks_to_ms(timeout)) ? len : -1;
}

/* ---- data messages ---- */

typedef struct {
    int opcode;          /* of the first frame; the others are CONT */
    const uint8_t *data;
    int len;
    bool fin;            /* FIN on the last frame */
    TickType_t timeout;  /* bounds the wait for the turn and the first frame */
    bool nested;         /* the caller holds the lock already (an event handler in the client task) */
} ws_message_t;

/* Become the task whose message goes out next, within `timeout` from `since`; `nested`: the caller holds the
 * lock already. True: lock held, tx_owner is this task. False: lock not held, connection untouched. */
static bool take_turn(ws_client_t *client, TickType_t since, TickType_t timeout, bool nested)
{
    for (;;) {
        if (!ws_lock(client, ws_ticks_left(since, timeout))) {
            ESP_LOGW(TAG, "Could not take the client lock within the send timeout; connection left as is");
            return false;
        }
        if (!can_send(client)) {
            ws_unlock(client);
            ESP_LOGE(TAG, "Not connected: cannot send");
            return false;
        }
        if (client->tx_owner == xTaskGetCurrentTaskHandle()) {
            return true; /* the next call of this task's open fragmented message */
        }
        if (!client->tx_owner) {
            client->tx_owner = xTaskGetCurrentTaskHandle();
            xEventGroupClearBits(client->bits, WS_BIT_TX_FREE);
            return true;
        }
        ws_unlock(client);
        if (nested) {
            /* The owner needs the lock this handler holds to finish its message: waiting would stall both. */
            ESP_LOGW(TAG, "Another task's message is in progress; an event handler cannot wait for it");
            return false;
        }
        EventBits_t bits = xEventGroupWaitBits(client->bits, WS_BIT_TX_FREE, pdFALSE, pdTRUE,
                                               ws_ticks_left(since, timeout));
        if (!(bits & WS_BIT_TX_FREE)) {
            ESP_LOGW(TAG, "Another task's message still in progress at the send timeout; connection left as is");
            return false;
        }
    }
}

/* The turn is still ours and the connection usable (lock held): a reconnect between two frames resets the
 * turn, so the rest of an old message never lands on a new connection. */
static bool turn_still_ours(const ws_client_t *client)
{
    return can_send(client) && client->tx_owner == xTaskGetCurrentTaskHandle();
}

/* Write one frame of the message once the socket can take it, within `timeout` from `since`; the wait for the
 * socket is done unlocked, in slices (lock held on entry and on return). */
static frame_result_t send_frame(ws_client_t *client, int op, const uint8_t *payload, int len, TickType_t since,
                                 TickType_t timeout)
{
    for (;;) {
        if (!turn_still_ours(client)) {
            return FRAME_FAILED;
        }
        int ready = esp_transport_poll_write(client->transport, 0);
        if (ready < 0) {
            ESP_LOGE(TAG, "The socket failed while waiting to send: aborting the connection");
            ws_mark_abort_locked(client, esp_transport_get_errno(client->transport));
            return FRAME_FAILED;
        }
        TickType_t left = ws_ticks_left(since, timeout);
        if (ready > 0) {
            if (len > 0) {
                memcpy(client->tx_buffer, payload, len);
            }
            /* The socket has room, so the write rarely waits; give it at least a slice even at timeout 0. */
            int timeout_ms = ticks_to_ms(left);
            if (timeout_ms >= 0 && timeout_ms < WS_READ_SLICE_MS) {
                timeout_ms = WS_READ_SLICE_MS;
            }
            return write_frame(client, op, len, timeout_ms) ? FRAME_SENT : FRAME_FAILED;
        }
        if (left == 0) {
            return FRAME_TIMEOUT;
        }
        int fd = ws_transport_socket(client);
        ws_unlock(client);
        int slice_ms = ticks_to_ms(left);
        ws_socket_wait(fd, true, slice_ms < 0 || slice_ms > WS_WAIT_SLICE_MS ? WS_WAIT_SLICE_MS : slice_ms);
        ws_lock(client, portMAX_DELAY);
    }
}

/* How long a frame after the first may wait: a started message is finished unless the peer is gone (lock held). */
static TickType_t next_frame_timeout(const ws_client_t *client, TickType_t timeout)
{
    TickType_t network = pdMS_TO_TICKS(client->cfg.network_timeout_ms);
    return timeout != portMAX_DELAY && timeout < network ? network : timeout;
}

/* All frames of a data message, the turn held (lock held on entry and on return). Returns bytes sent or -1. */
static int send_frames(ws_client_t *client, const ws_message_t *msg, TickType_t since)
{
    TickType_t timeout = msg->timeout;
    int sent = 0;
    int op = msg->opcode;
    do {
        int chunk = msg->len - sent < client->cfg.buffer_size ? msg->len - sent : client->cfg.buffer_size;
        bool last = sent + chunk == msg->len;
        int frame_op = op | ((last && msg->fin) ? WS_TRANSPORT_OPCODES_FIN : 0);
        frame_result_t result = send_frame(client, frame_op, msg->data + sent, chunk, since, timeout);
        if (result == FRAME_TIMEOUT && sent == 0) {
            ESP_LOGW(TAG, "The socket took nothing within the send timeout; connection left as is");
            return -1;
        }
        if (result == FRAME_TIMEOUT) {
            ESP_LOGE(TAG, "A message stalled for %d ms after %d of %d bytes: aborting the connection",
                     ticks_to_ms(timeout), sent, msg->len);
            ws_mark_abort_locked(client, 0);
            return -1;
        }
        if (result == FRAME_FAILED) {
            if (!client->abort_pending) {
                ESP_LOGE(TAG, "The connection ended after %d of %d bytes of a message", sent, msg->len);
            }
            return -1;
        }
        sent += chunk;
        op = WS_TRANSPORT_OPCODES_CONT;
        timeout = next_frame_timeout(client, msg->timeout);
        if (sent < msg->len) {
            /* Let a waiting reader (or a control frame) in between two frames. */
            ws_unlock_yielding(client);
            ws_lock(client, portMAX_DELAY);
            since = xTaskGetTickCount();
        }
    } while (sent < msg->len);
    return sent;
}

/* Whether `msg` fits this task's message in progress (lock held, turn ours): a continuation needs one open,
 * a new message needs none. */
static bool in_sequence(const ws_client_t *client, const ws_message_t *msg)
{
    if (msg->opcode == WS_TRANSPORT_OPCODES_CONT && !client->tx_open) {
        ESP_LOGE(TAG, "A continuation needs a fragmented message begun by this task (send_*_partial)");
        return false;
    }
    if (msg->opcode != WS_TRANSPORT_OPCODES_CONT && client->tx_open) {
        ESP_LOGE(TAG, "This task's fragmented message is still open: finish it with send_fin first");
        return false;
    }
    return true;
}

/* After a call (lock held): the turn stays with a fragmented message still open on a usable connection. */
static void settle_turn(ws_client_t *client, const ws_message_t *msg, int ret)
{
    if (client->tx_owner != xTaskGetCurrentTaskHandle()) {
        return; /* a reconnect or a stall abort reset the turn meanwhile */
    }
    if (!can_send(client)) {
        ws_tx_reset_locked(client);
        return;
    }
    bool open = ret >= 0 ? !msg->fin : client->tx_open; /* a call that sent nothing leaves it as it was */
    if (open) {
        client->tx_open = true;
        client->tx_last = xTaskGetTickCount();
    } else {
        ws_tx_reset_locked(client);
    }
}

static int send_data_message(ws_client_t *client, const ws_message_t *msg)
{
    TickType_t since = xTaskGetTickCount();
    if (!take_turn(client, since, msg->timeout, msg->nested)) {
        return -1;
    }
    int ret = in_sequence(client, msg) ? send_frames(client, msg, since) : -1;
    settle_turn(client, msg, ret);
    ws_unlock(client);
    return ret;
}

static int send_control_message(ws_client_t *client, int opcode, const uint8_t *data, int len, TickType_t timeout)
{
    if (len > WS_MAX_CONTROL_PAYLOAD) {
        ESP_LOGE(TAG, "Control frame payload of %d bytes exceeds %d", len, WS_MAX_CONTROL_PAYLOAD);
        return -1;
    }
    TickType_t since = xTaskGetTickCount();
    if (!ws_lock(client, timeout)) {
        ESP_LOGW(TAG, "Could not take the client lock within the send timeout; connection left as is");
        return -1;
    }
    int ret = ws_send_control_locked(client, opcode, data, len, ws_ticks_left(since, timeout));
    ws_unlock(client);
    return ret;
}

/* A CLOSE between the frames of a message leaves that message incomplete, which peers treat as a protocol error;
 * RFC 6455 lets an endpoint finish its message first. So our CLOSE (starting the handshake or answering the
 * server's) takes the turn like a data message, then moves the state to CLOSING, which refuses later data. */
bool ws_send_close(ws_client_t *client, const uint8_t *payload, int len, TickType_t timeout, bool requested)
{
    TickType_t since = xTaskGetTickCount();
    if (!take_turn(client, since, timeout, false)) {
        return false;
    }
    bool sent = ws_send_control_locked(client, WS_TRANSPORT_OPCODES_CLOSE, payload, len,
                                       ws_ticks_left(since, timeout)) >= 0;
    if (sent) {
        client->state = WS_STATE_CLOSING;
        client->close_requested = requested;
    }
    ws_tx_reset_locked(client);
    ws_unlock(client);
    return sent;
}

/* The public send path: argument checks, then a control frame or a data message. */
static int send_message(ws_client_t *client, int opcode, const uint8_t *data, int len, bool fin,
                        TickType_t timeout)
{
    if (!client || len < 0 || (len > 0 && !data)) {
        ESP_LOGE(TAG, "Invalid send arguments");
        return -1;
    }
    if (opcode & WS_OPCODE_CONTROL_BIT) {
        return send_control_message(client, opcode, data, len, timeout);
    }
    ws_message_t msg = {
        .opcode = opcode,
        .data = data,
        .len = len,
        .fin = fin,
        .timeout = timeout,
        .nested = xSemaphoreGetMutexHolder(client->lock) == xTaskGetCurrentTaskHandle(),
    };
    return send_data_message(client, &msg);
}

int esp_websocket_client_send_with_opcode(esp_websocket_client_handle_t client, ws_transport_opcodes_t opcode,
                                          const uint8_t *data, int len, TickType_t timeout)
{
    return send_message(client, opcode & ~WS_TRANSPORT_OPCODES_FIN, data, len, true, timeout);
}

int esp_websocket_client_send_bin(esp_websocket_client_handle_t client, const char *data, int len, TickType_t timeout)
{
    return send_message(client, WS_TRANSPORT_OPCODES_BINARY, (const uint8_t *)data, len, true, timeout);
}

int esp_websocket_client_send_text(esp_websocket_client_handle_t client, const char *data, int len, TickType_t timeout)
{
    return send_message(client, WS_TRANSPORT_OPCODES_TEXT, (const uint8_t *)data, len, true, timeout);
}

int esp_websocket_client_send_bin_partial(esp_websocket_client_handle_t client, const char *data, int len,
                                          TickType_t timeout)
{
    return send_message(client, WS_TRANSPORT_OPCODES_BINARY, (const uint8_t *)data, len, false, timeout);
}

int esp_websocket_client_send_text_partial(esp_websocket_client_handle_t client, const char *data, int len,
                                           TickType_t timeout)
{
    return send_message(client, WS_TRANSPORT_OPCODES_TEXT, (const uint8_t *)data, len, false, timeout);
}

int esp_websocket_client_send_cont_msg(esp_websocket_client_handle_t client, const char *data, int len,
                                       TickType_t timeout)
{
    return send_message(client, WS_TRANSPORT_OPCODES_CONT, (const uint8_t *)data, len, false, timeout);
}

int esp_websocket_client_send_fin(esp_websocket_client_handle_t client, TickType_t timeout)
{
    return send_message(client, WS_TRANSPORT_OPCODES_CONT, NULL, 0, true, timeout);
}
