/*
 * ws_client_send.c: every frame the client writes, from user tasks and from the client task.
 *
 * Locking: a frame is written only with the lock held, after the payload has been copied into tx_buffer
 * (ESP-IDF's ws transport masks the buffer it is given in place, so the caller's buffer is never handed to it).
 * A message longer than buffer_size is written as consecutive frames under ONE lock hold, so frames of two
 * messages never interleave. Failing to take the lock in time is a timeout, not a broken connection: it returns
 * -1 and leaves the connection alone. A failed write marks the connection for abort and wakes the client task,
 * which alone closes the transport; later sends see the mark and fail at once.
 */
#include <string.h>
#include "esp_log.h"
#include "esp_transport_ws.h"
#include "ws_client_priv.h"

static const char *TAG = WS_TAG;

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

static int remaining_ms(TickType_t start, TickType_t timeout)
{
    if (timeout == portMAX_DELAY) {
        return -1; /* the transport's "no timeout" */
    }
    TickType_t spent = xTaskGetTickCount() - start;
    return spent >= timeout ? 0 : (int)((timeout - spent) * portTICK_PERIOD_MS);
}

/* One frame from tx_buffer; true when fully written. */
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

int ws_send_locked(ws_client_t *client, int opcode, const uint8_t *data, int len, bool fin, TickType_t timeout)
{
    if (!can_send(client)) {
        ESP_LOGE(TAG, "Not connected: cannot send");
        return -1;
    }
    TickType_t start = xTaskGetTickCount();
    int sent = 0;
    int frame_opcode = opcode;
    do {
        int chunk = len - sent < client->cfg.buffer_size ? len - sent : client->cfg.buffer_size;
        bool last = sent + chunk == len;
        if (chunk > 0) {
            memcpy(client->tx_buffer, data + sent, chunk);
        }
        int op = frame_opcode | ((last && fin) ? WS_TRANSPORT_OPCODES_FIN : 0);
        if (!write_frame(client, op, chunk, remaining_ms(start, timeout))) {
            return -1;
        }
        sent += chunk;
        frame_opcode = WS_TRANSPORT_OPCODES_CONT;
    } while (sent < len);
    return sent;
}

/* The public send path: argument checks, the lock with the caller's timeout, one message. */
static int send_message(ws_client_t *client, int opcode, const uint8_t *data, int len, bool fin,
                        TickType_t timeout)
{
    if (!client || len < 0 || (len > 0 && !data)) {
        ESP_LOGE(TAG, "Invalid send arguments");
        return -1;
    }
    TickType_t start = xTaskGetTickCount();
    if (!ws_lock(client, timeout)) {
        ESP_LOGW(TAG, "Could not take the client lock within the send timeout; connection left as is");
        return -1;
    }
    TickType_t spent = xTaskGetTickCount() - start;
    TickType_t left = timeout == portMAX_DELAY ? portMAX_DELAY : (spent >= timeout ? 0 : timeout - spent);
    int ret = ws_send_locked(client, opcode, data, len, fin, left);
    ws_unlock(client);
    return ret;
}

int esp_websocket_client_send_with_opcode(esp_websocket_client_handle_t client, ws_transport_opcodes_t opcode,
                                          const uint8_t *data, int len, TickType_t timeout)
{
    int op = opcode & ~WS_TRANSPORT_OPCODES_FIN;
    if ((op & 0x08) && len > WS_MAX_CONTROL_PAYLOAD) {
        ESP_LOGE(TAG, "Control frame payload of %d bytes exceeds %d", len, WS_MAX_CONTROL_PAYLOAD);
        return -1;
    }
    return send_message(client, op, data, len, true, timeout);
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
