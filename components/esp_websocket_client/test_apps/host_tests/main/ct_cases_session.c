/*
 * ct_cases_session.c: one live session at a time: event order and payload bookkeeping (events, receive), a
 * server-initiated close (server_close), a server that breaks the protocol (protocol_error), calls from
 * inside the client's own event handler (handler_calls), and a fragmented message never finished
 * (partial_stall).
 * Locking: the console task drives; the event handlers (client task) and the staller task only touch atomics,
 * their semaphore and the client.
 */
#include <stdio.h>
#include <string.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "ct_cases.h"

static const char *TAG = CT_TAG;

static esp_websocket_client_handle_t start_client(const ct_args_t *args, ct_recorder_t *rec, bool close_reconnect)
{
    esp_websocket_client_config_t cfg = {
        .uri = ct_arg_str(args, "uri", NULL),
        .buffer_size = ct_arg_int(args, "buffer", 1024),
        .reconnect_timeout_ms = ct_arg_int(args, "reconnect_timeout_ms", 10000),
        .network_timeout_ms = ct_arg_int(args, "network_timeout_ms", 10000),
        .enable_close_reconnect = close_reconnect,
    };
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (!c) {
        return NULL;
    }
    ct_recorder_attach(c, rec);
    if (esp_websocket_client_start(c) != ESP_OK) {
        esp_websocket_client_destroy(c);
        return NULL;
    }
    return c;
}

/* Text, a binary message longer than the buffer (fragmented on send, split on receive), a partial message
 * of three frames, then a close handshake. The test checks the logged events. */
bool ct_case_events(const ct_args_t *args)
{
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = start_client(args, &rec, false);
    bool ok = c && ct_wait_count(&rec.connected, 1, 5000);
    ct_check("events_connected", ok, "connected within 5 s");
    static char big[3000];
    memset(big, 'b', sizeof(big));
    ok = ok && esp_websocket_client_send_text(c, "hello", 5, portMAX_DELAY) == 5 &&
         ct_wait_count(&rec.data_bytes, 5, 5000);
    ok = ok && esp_websocket_client_send_bin(c, big, sizeof(big), portMAX_DELAY) == (int)sizeof(big) &&
         ct_wait_count(&rec.data_bytes, 3005, 5000);
    ok = ok && esp_websocket_client_send_text_partial(c, "ab", 2, portMAX_DELAY) == 2 &&
         esp_websocket_client_send_cont_msg(c, "cd", 2, portMAX_DELAY) == 2 &&
         esp_websocket_client_send_fin(c, portMAX_DELAY) == 0 && ct_wait_count(&rec.data_bytes, 3009, 5000);
    ct_check("events_echoes", ok, "all three messages echoed");
    int fds_connected = ct_open_fds();
    esp_err_t err = c ? esp_websocket_client_close(c, pdMS_TO_TICKS(5000)) : ESP_FAIL;
    char detail[64];
    snprintf(detail, sizeof(detail), "close=%s fds_connected=%d fds_after=%d", esp_err_to_name(err), fds_connected,
             ct_open_fds());
    bool closed = err == ESP_OK && atomic_load(&rec.closed) == 1 && !esp_websocket_client_is_connected(c);
    ct_check("events_close", closed, detail);
    esp_websocket_client_destroy(c);
    return ok && closed;
}

/* A server that breaks RFC 6455 (a fault path that sends a bad frame): the connection must fail within 5 s.
 * The test checks the ERROR event's record (error type, broken rule, close code sent) and what the server got. */
bool ct_case_protocol_error(const ct_args_t *args)
{
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = start_client(args, &rec, false);
    bool ok = c && ct_wait_count(&rec.disconnected, 1, 5000);
    ct_check("protocol_error_failed", ok, "the connection failed within 5 s");
    if (c) {
        esp_websocket_client_destroy(c);
    }
    return ok;
}

/* Whatever the server pushes by itself: wait for `connections` connections (default 1) and `bytes` bytes of
 * data, then close. The test checks the logged DATA events (fragmented messages from the server). */
bool ct_case_receive(const ct_args_t *args)
{
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = start_client(args, &rec, false);
    bool ok = c && ct_wait_count(&rec.connected, ct_arg_int(args, "connections", 1), 5000) &&
              ct_wait_count(&rec.data_bytes, ct_arg_int(args, "bytes", 1), 5000);
    ct_check("receive_all", ok, "all pushed bytes arrived");
    ok &= c && esp_websocket_client_close(c, pdMS_TO_TICKS(3000)) == ESP_OK;
    esp_websocket_client_destroy(c);
    return ok;
}

/* The server closes with a code after one message: the client answers, reports CLOSED with that code and,
 * without enable_close_reconnect, its task ends on its own. */
bool ct_case_server_close(const ct_args_t *args)
{
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = start_client(args, &rec, false);
    bool ok = c && ct_wait_count(&rec.connected, 1, 5000);
    ok = ok && esp_websocket_client_send_text(c, "bye", 3, portMAX_DELAY) == 3;
    ok = ok && ct_wait_count(&rec.closed, 1, 5000) && ct_wait_count(&rec.finish, 1, 5000);
    char detail[64];
    snprintf(detail, sizeof(detail), "code=%d connected=%d", atomic_load(&rec.last_close_code),
             atomic_load(&rec.connected));
    ct_check("server_close_reported", ok && atomic_load(&rec.last_close_code) == ct_arg_int(args, "code", -1),
             detail);
    int64_t start = ct_now_us();
    esp_err_t err = c ? esp_websocket_client_stop(c) : ESP_FAIL;
    snprintf(detail, sizeof(detail), "stop=%s ms=%.1f", esp_err_to_name(err), ct_ms_since(start));
    ct_check("server_close_stop_reaps", err == ESP_OK && ct_ms_since(start) < 500, detail);
    esp_websocket_client_destroy(c);
    return ok && err == ESP_OK;
}

typedef struct {
    atomic_int stop_ret, destroy_ret, close_ret, send_ret, done;
} ct_handler_results_t;

static void calls_from_handler(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    ct_handler_results_t *res = arg;
    const esp_websocket_event_data_t *ev = data;
    if (id == WEBSOCKET_EVENT_CONNECTED) {
        atomic_store(&res->stop_ret, esp_websocket_client_stop(ev->client));
        atomic_store(&res->destroy_ret, esp_websocket_client_destroy(ev->client));
        atomic_store(&res->close_ret, esp_websocket_client_close(ev->client, pdMS_TO_TICKS(100)));
        atomic_store(&res->send_ret, esp_websocket_client_send_text(ev->client, "from-handler", 12, portMAX_DELAY));
    } else if (id == WEBSOCKET_EVENT_DATA && ev->op_code == WS_TRANSPORT_OPCODES_TEXT) {
        /* The echo arrived: hand the client to its task to free; the handle is dangling from here. */
        esp_websocket_client_destroy_on_exit(ev->client);
    } else if (id == WEBSOCKET_EVENT_FINISH) {
        atomic_store(&res->done, 1);
    }
}

/* stop/destroy/close from the handler fail instead of deadlocking; send works there; destroy_on_exit frees
 * the client from its own task (ASan reports a leak or a use-after-free if not). */
bool ct_case_handler_calls(const ct_args_t *args)
{
    static ct_handler_results_t res;
    memset(&res, 0, sizeof(res));
    atomic_store(&res.send_ret, -2);
    esp_websocket_client_config_t cfg = {.uri = ct_arg_str(args, "uri", NULL)};
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (!c) {
        return false;
    }
    esp_websocket_register_events(c, WEBSOCKET_EVENT_ANY, calls_from_handler, &res);
    esp_websocket_client_start(c);
    bool finished = ct_wait_count(&res.done, 1, 8000);
    char detail[96];
    snprintf(detail, sizeof(detail), "stop=%d destroy=%d close=%d send=%d", atomic_load(&res.stop_ret),
             atomic_load(&res.destroy_ret), atomic_load(&res.close_ret), atomic_load(&res.send_ret));
    bool ok = finished && atomic_load(&res.stop_ret) == ESP_FAIL && atomic_load(&res.destroy_ret) == ESP_FAIL &&
              atomic_load(&res.close_ret) == ESP_FAIL && atomic_load(&res.send_ret) == 12;
    ct_check("handler_calls", ok, detail);
    vTaskDelay(pdMS_TO_TICKS(100)); /* let the task finish freeing before the sanitizers look */
    return ok;
}

typedef struct {
    esp_websocket_client_handle_t client;
    SemaphoreHandle_t release;
    atomic_int begun, cont_ret, done;
} ct_staller_t;

/* Begins a fragmented message, then stops calling until released; its continuation comes after the abort. */
static void staller_task(void *arg)
{
    ct_staller_t *st = arg;
    atomic_store(&st->begun, esp_websocket_client_send_text_partial(st->client, "ab", 2, portMAX_DELAY) == 2 ? 1 : -1);
    xSemaphoreTake(st->release, portMAX_DELAY);
    atomic_store(&st->cont_ret, esp_websocket_client_send_cont_msg(st->client, "cd", 2, pdMS_TO_TICKS(1000)));
    atomic_store(&st->done, 1);
    vTaskDelete(NULL);
}

/* A task begins a fragmented message and never finishes it, while another task waits for the turn: after
 * network_timeout_ms without a call the client aborts the connection, the waiting send fails then (not
 * never), the client reconnects, the stalled message's continuation is refused there and a new message goes.
 * The test checks the logged STALL line and the checks. */
bool ct_case_partial_stall(const ct_args_t *args)
{
    static ct_staller_t st;
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = start_client(args, &rec, false);
    st = (ct_staller_t) {.client = c, .release = xSemaphoreCreateBinary()};
    bool ok = c && st.release && ct_wait_count(&rec.connected, 1, 5000) &&
              xTaskCreate(staller_task, "staller", 4096, &st, 5, NULL) == pdPASS && ct_wait_count(&st.begun, 1, 5000);
    ct_check("partial_stall_begun", ok, "connected, and a fragmented message begun by another task");
    if (!ok) {
        if (c) {
            esp_websocket_client_destroy(c);
        }
        return false;
    }
    int64_t start = ct_now_us();
    int waiting_ret = esp_websocket_client_send_text(c, "x", 1, portMAX_DELAY);
    double waited_ms = ct_ms_since(start);
    bool dropped = ct_wait_count(&rec.disconnected, 1, 5000);
    bool reconnected = ct_wait_count(&rec.connected, 2, 10000);
    xSemaphoreGive(st.release);
    ct_wait_count(&st.done, 1, 5000);
    int next_ret = reconnected ? esp_websocket_client_send_text(c, "y", 1, pdMS_TO_TICKS(5000)) : -1;
    ESP_LOGI(TAG, "STALL waiting_ret=%d waited_ms=%.1f dropped=%d reconnected=%d cont_ret=%d next_ret=%d",
             waiting_ret, waited_ms, dropped, reconnected, atomic_load(&st.cont_ret), next_ret);
    ok = waiting_ret == -1 && dropped && reconnected && atomic_load(&st.cont_ret) == -1 && next_ret == 1;
    ct_check("partial_stall_bounded", ok, "the stall aborted the connection; the old message is gone");
    esp_websocket_client_destroy(c);
    vSemaphoreDelete(st.release);
    return ok;
}
