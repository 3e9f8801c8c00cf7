/*
 * ws_client_events.c: posting WEBSOCKET_EVENTS on the client's own event loop, and the error record.
 *
 * The loop has no task of its own: the client task posts and then runs the loop, so handlers run in the client
 * task, one at a time, in posting order. Locking: ws_events_post_data and the ws_error_record* functions need
 * the lock held (they read rx_buffer / write the error record); ws_events_post takes the lock only to copy the
 * error record, and is called without it so that handlers of state events do not block senders.
 */
#include <string.h>
#include "esp_log.h"
#include "esp_tls_errors.h"
#include "esp_transport_ws.h"
#include "ws_client_priv.h"

ESP_EVENT_DEFINE_BASE(WEBSOCKET_EVENTS);

static const char *TAG = WS_TAG;

static esp_err_t dispatch(ws_client_t *client, esp_websocket_event_id_t id, esp_websocket_event_data_t *ev)
{
    ev->client = client;
    ev->user_context = client->cfg.user_context;
    esp_err_t err = esp_event_post_to(client->event_loop, WEBSOCKET_EVENTS, id, ev, sizeof(*ev), portMAX_DELAY);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "Posting event %d failed: %s", id, esp_err_to_name(err));
        return err;
    }
    return esp_event_loop_run(client->event_loop, 0);
}

esp_err_t ws_events_post(ws_client_t *client, esp_websocket_event_id_t id, const char *data, int len)
{
    esp_websocket_event_data_t ev = {
        .data_ptr = data,
        .data_len = len,
    };
    ws_lock(client, portMAX_DELAY);
    ev.error_handle = client->error;
    ev.close_status_code = client->close_status_code;
    ws_unlock(client);
    return dispatch(client, id, &ev);
}

esp_err_t ws_events_post_data(ws_client_t *client, int data_len, bool fin)
{
    esp_websocket_event_data_t ev = {
        .data_ptr = client->rx_buffer,
        .data_len = data_len,
        .fin = fin,
        .op_code = (uint8_t)client->rx.opcode,
        .payload_len = client->rx.payload_len,
        .payload_offset = client->rx.offset,
        .error_handle = client->error,
        .close_status_code = client->close_status_code,
    };
    return dispatch(client, WEBSOCKET_EVENT_DATA, &ev);
}

void ws_error_record(ws_client_t *client, esp_websocket_error_type_t type, int sock_errno)
{
    memset(&client->error, 0, sizeof(client->error));
    client->error.error_type = type;
    client->error.esp_transport_sock_errno = sock_errno;
}

/* Fill the record from the transport after a failed connect, read or write (lock held, transport alive). */
void ws_error_record_transport(ws_client_t *client, esp_websocket_error_type_t type)
{
    esp_transport_handle_t t = ws_transport_error_owner(client);
    ws_error_record(client, type, t ? esp_transport_get_errno(t) : 0);
    if (!t) {
        return;
    }
    esp_tls_error_handle_t tls = esp_transport_get_error_handle(t);
    if (tls) {
        client->error.esp_tls_last_esp_err = tls->last_error;
        client->error.esp_tls_stack_err = tls->esp_tls_error_code;
        client->error.esp_tls_cert_verify_flags = tls->esp_tls_flags;
    }
    client->error.esp_ws_handshake_status_code = esp_transport_ws_get_upgrade_request_status(client->transport);
}
