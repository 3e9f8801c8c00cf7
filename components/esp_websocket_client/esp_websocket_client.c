/*
 * esp_websocket_client.c: the public lifecycle API: init, start, stop, close, destroy, setters, events.
 *
 * Concurrency design (docs/concurrency.md):
 * 1. One lock (a recursive mutex) guards the state, every transport read/write/close, the error record and
 *    the event buffers. There is no separate TX lock.
 * 2. Wait unlocked, do I/O locked: the client task waits for data with select() outside the lock and reads
 *    inside it with a short bound, so a send never waits behind a reader waiting for the peer, and a read
 *    never runs beside a write.
 * 3. The owner closes: only the client task closes or frees the transport. A failed send marks the
 *    connection for abort under the lock and wakes the task; later sends fail at once.
 * 4. stop() waits, and is fast: it requests the stop, shuts the socket down (never closes it) to end a
 *    blocking connect/handshake/read, and returns when the task has exited and closed the socket.
 * 5. destroy() waits like stop(); stop/close/destroy from the client's own event handler return an error.
 * 6. A send that cannot take the lock in time returns -1 and leaves the connection alone. A message's frames go
 *    out back to back from one task (the transmit turn), the lock given up between them.
 * 7. init/start/stop/.../destroy cycles leak nothing.
 * Locking in this file: every access to a lock-guarded field (ws_client_priv.h) is between ws_lock/ws_unlock;
 * waits for the task (event group) happen with the lock released.
 */
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "ws_client_priv.h"

static const char *TAG = WS_TAG;

#define WS_EVENT_QUEUE_SIZE 4

bool ws_lock(ws_client_t *client, TickType_t timeout)
{
    if (xSemaphoreTakeRecursive(client->lock, 0) == pdTRUE) {
        return true;
    }
    atomic_fetch_add(&client->lock_waiters, 1);
    bool taken = xSemaphoreTakeRecursive(client->lock, timeout) == pdTRUE;
    atomic_fetch_sub(&client->lock_waiters, 1);
    if (taken) {
        xEventGroupSetBits(client->bits, WS_BIT_LOCK_PASSED);
    }
    return taken;
}

void ws_unlock(ws_client_t *client)
{
    xSemaphoreGiveRecursive(client->lock);
}

/* A mutex does not queue its waiters fairly: a task that gives the lock up and takes it again at once can
 * keep it for as long as it likes. Between two steps of a long job, hand it to a waiting task first (bounded,
 * in case that task timed out meanwhile). */
void ws_unlock_yielding(ws_client_t *client)
{
    bool waited_for = atomic_load(&client->lock_waiters) > 0;
    if (waited_for) {
        xEventGroupClearBits(client->bits, WS_BIT_LOCK_PASSED);
    }
    ws_unlock(client);
    if (waited_for && xSemaphoreGetMutexHolder(client->lock) != xTaskGetCurrentTaskHandle()) {
        TickType_t bound = pdMS_TO_TICKS(WS_HANDOVER_WAIT_MS);
        xEventGroupWaitBits(client->bits, WS_BIT_LOCK_PASSED, pdTRUE, pdTRUE, bound ? bound : 1);
    }
}

bool ws_in_client_task(ws_client_t *client)
{
    ws_lock(client, portMAX_DELAY);
    bool mine = client->run != WS_RUN_IDLE && client->task == xTaskGetCurrentTaskHandle();
    ws_unlock(client);
    return mine;
}

void ws_client_free(ws_client_t *client)
{
    if (client->event_loop) {
        esp_event_loop_delete(client->event_loop);
    }
    if (client->bits) {
        vEventGroupDelete(client->bits);
    }
    if (client->lock) {
        vSemaphoreDelete(client->lock);
    }
    ws_buffers_free(client);
    ws_config_free(&client->cfg);
    free(client);
}

static esp_err_t create_sync(ws_client_t *client)
{
    esp_event_loop_args_t loop_args = {
        .queue_size = WS_EVENT_QUEUE_SIZE,
        .task_name = NULL, /* no task: the client task runs the loop */
    };
    client->lock = xSemaphoreCreateRecursiveMutex();
    client->bits = xEventGroupCreate();
    if (!client->lock || !client->bits || esp_event_loop_create(&loop_args, &client->event_loop) != ESP_OK) {
        return ESP_ERR_NO_MEM;
    }
    xEventGroupSetBits(client->bits, WS_BIT_TX_FREE);
    return ESP_OK;
}

esp_websocket_client_handle_t esp_websocket_client_init(const esp_websocket_client_config_t *config)
{
    if (!config) {
        ESP_LOGE(TAG, "init: config is NULL");
        return NULL;
    }
    ws_client_t *client = ws_calloc(1, sizeof(*client));
    if (!client) {
        ESP_LOGE(TAG, "init: no memory for the client");
        return NULL;
    }
    client->sock = -1;
    esp_err_t err = ws_config_from_user(&client->cfg, config);
    if (err == ESP_OK) {
        err = create_sync(client);
    }
#if !CONFIG_ESP_WS_CLIENT_ENABLE_DYNAMIC_BUFFER
    if (err == ESP_OK) {
        err = ws_buffers_alloc(client);
    }
#endif
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "init failed: %s", esp_err_to_name(err));
        ws_client_free(client);
        return NULL;
    }
    return client;
}

/* Wait (unlocked) for a task that exited on its own, and mark the client idle. */
static void reap_exited(ws_client_t *client)
{
    xEventGroupWaitBits(client->bits, WS_BIT_EXITED, pdFALSE, pdTRUE, portMAX_DELAY);
    ws_lock(client, portMAX_DELAY);
    client->run = WS_RUN_IDLE;
    client->task = NULL;
    ws_unlock(client);
}

static BaseType_t create_task(ws_client_t *client)
{
    const ws_config_t *cfg = &client->cfg;
    BaseType_t core = cfg->task_core_id_set ? cfg->task_core_id : tskNO_AFFINITY;
#if CONFIG_ESP_WS_CLIENT_TASK_STACK_IN_EXT_RAM
    return xTaskCreatePinnedToCoreWithCaps(ws_client_task, cfg->task_name, cfg->task_stack, client,
                                           cfg->task_prio, &client->task, core,
                                           MALLOC_CAP_SPIRAM | MALLOC_CAP_8BIT);
#else
    return xTaskCreatePinnedToCore(ws_client_task, cfg->task_name, cfg->task_stack, client, cfg->task_prio,
                                   &client->task, core);
#endif
}

esp_err_t esp_websocket_client_start(esp_websocket_client_handle_t client)
{
    if (!client) {
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    ws_run_state_t run = client->run;
    ws_unlock(client);
    if (run == WS_RUN_ACTIVE) {
        ESP_LOGE(TAG, "start: the client is already running");
        return ESP_FAIL;
    }
    if (run == WS_RUN_EXITED) {
        reap_exited(client);
    }
    ws_lock(client, portMAX_DELAY);
    /* Everything the task reads is set before it exists; it waits for this lock before it starts. */
    xEventGroupClearBits(client->bits, WS_BIT_STOP_REQ | WS_BIT_EXITED);
    client->run = WS_RUN_ACTIVE;
    client->state = WS_STATE_CONNECTING;
    client->destroy_on_exit = false;
    esp_err_t err = ESP_OK;
    if (create_task(client) != pdPASS) {
        ESP_LOGE(TAG, "start: cannot create the client task");
        client->run = WS_RUN_IDLE;
        client->state = WS_STATE_INIT;
        client->task = NULL;
        err = ESP_ERR_NO_MEM;
    }
    ws_unlock(client);
    return err;
}

/* Request the stop and wake the task until it has exited; lock released while waiting. */
static void stop_and_wait(ws_client_t *client)
{
    xEventGroupSetBits(client->bits, WS_BIT_STOP_REQ);
    for (;;) {
        if (ws_lock(client, pdMS_TO_TICKS(WS_WAKE_RETRY_MS))) {
            ws_transport_wake(client);
            ws_unlock(client);
        }
        EventBits_t bits = xEventGroupWaitBits(client->bits, WS_BIT_EXITED, pdFALSE, pdTRUE,
                                               pdMS_TO_TICKS(WS_WAKE_RETRY_MS));
        if (bits & WS_BIT_EXITED) {
            break;
        }
    }
    ws_lock(client, portMAX_DELAY);
    client->run = WS_RUN_IDLE;
    client->task = NULL;
    ws_unlock(client);
}

esp_err_t esp_websocket_client_stop(esp_websocket_client_handle_t client)
{
    if (!client) {
        return ESP_ERR_INVALID_ARG;
    }
    if (ws_in_client_task(client)) {
        ESP_LOGE(TAG, "stop: not allowed from the client's event handler");
        return ESP_FAIL;
    }
    ws_lock(client, portMAX_DELAY);
    ws_run_state_t run = client->run;
    ws_unlock(client);
    if (run == WS_RUN_IDLE) {
        ESP_LOGW(TAG, "stop: the client was not started");
        return ESP_FAIL;
    }
    stop_and_wait(client);
    return ESP_OK;
}

esp_err_t esp_websocket_client_destroy(esp_websocket_client_handle_t client)
{
    if (!client) {
        return ESP_ERR_INVALID_ARG;
    }
    if (ws_in_client_task(client)) {
        ESP_LOGE(TAG, "destroy: not allowed from the client's event handler; use destroy_on_exit");
        return ESP_FAIL;
    }
    ws_lock(client, portMAX_DELAY);
    ws_run_state_t run = client->run;
    ws_unlock(client);
    if (run != WS_RUN_IDLE) {
        stop_and_wait(client);
    }
    ws_client_free(client);
    return ESP_OK;
}

esp_err_t esp_websocket_client_destroy_on_exit(esp_websocket_client_handle_t client)
{
    if (!client) {
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    bool running = client->run == WS_RUN_ACTIVE;
    if (running) {
        client->destroy_on_exit = true;
        xEventGroupSetBits(client->bits, WS_BIT_STOP_REQ);
        ws_transport_wake(client);
    }
    ws_unlock(client);
    if (!running) {
        return esp_websocket_client_destroy(client);
    }
    return ESP_OK;
}

/* Send our CLOSE (lock not held); true when the handshake is under way. */
static bool send_close(ws_client_t *client, int code, const char *data, int len, TickType_t timeout)
{
    uint8_t payload[WS_MAX_CONTROL_PAYLOAD];
    payload[0] = (code >> 8) & 0xFF; /* RFC 6455 status codes are 16-bit */
    payload[1] = code & 0xFF;
    if (len > 0) {
        memcpy(payload + 2, data, len);
    }
    return ws_send_close(client, payload, len + 2, timeout, true);
}

esp_err_t esp_websocket_client_close_with_code(esp_websocket_client_handle_t client, int code, const char *data,
                                               int len, TickType_t timeout)
{
    if (!client || len < 0 || len > WS_MAX_CONTROL_PAYLOAD - 2 || (len > 0 && !data)) {
        ESP_LOGE(TAG, "close: invalid arguments (reason at most %d bytes)", WS_MAX_CONTROL_PAYLOAD - 2);
        return ESP_ERR_INVALID_ARG;
    }
    if (ws_in_client_task(client)) {
        ESP_LOGE(TAG, "close: not allowed from the client's event handler");
        return ESP_FAIL;
    }
    TickType_t start = xTaskGetTickCount();
    if (!ws_lock(client, timeout)) {
        ESP_LOGW(TAG, "close: lock not taken in time; stopping without a handshake");
        return esp_websocket_client_stop(client);
    }
    ws_run_state_t run = client->run;
    bool connected = client->state == WS_STATE_CONNECTED;
    ws_unlock(client);
    bool handshake = run != WS_RUN_IDLE && connected &&
                     send_close(client, code, data, len, ws_ticks_left(start, timeout));
    if (run == WS_RUN_IDLE) {
        ESP_LOGW(TAG, "close: the client was not started");
        return ESP_FAIL;
    }
    if (handshake) {
        EventBits_t bits = xEventGroupWaitBits(client->bits, WS_BIT_EXITED, pdFALSE, pdTRUE,
                                               ws_ticks_left(start, timeout));
        if (!(bits & WS_BIT_EXITED)) {
            ESP_LOGW(TAG, "close: no close handshake from the server in time; stopping");
        }
    }
    stop_and_wait(client);
    return ESP_OK;
}

esp_err_t esp_websocket_client_close(esp_websocket_client_handle_t client, TickType_t timeout)
{
    return esp_websocket_client_close_with_code(client, 1000, NULL, 0, timeout);
}

bool esp_websocket_client_is_connected(esp_websocket_client_handle_t client)
{
    if (!client) {
        return false;
    }
    ws_lock(client, portMAX_DELAY);
    bool connected = client->state == WS_STATE_CONNECTED && !client->abort_pending;
    ws_unlock(client);
    return connected;
}

esp_err_t esp_websocket_client_set_uri(esp_websocket_client_handle_t client, const char *uri)
{
    if (!client || !uri) {
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    esp_err_t err = ESP_FAIL;
    if (client->run != WS_RUN_IDLE) {
        ESP_LOGE(TAG, "set_uri: stop the client first");
    } else {
        err = ws_config_apply_uri(&client->cfg, uri);
    }
    ws_unlock(client);
    return err;
}

esp_err_t esp_websocket_client_set_headers(esp_websocket_client_handle_t client, const char *headers)
{
    if (!client) {
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    esp_err_t err = ws_config_set_headers(&client->cfg, headers);
    ws_unlock(client);
    return err;
}

esp_err_t esp_websocket_client_append_header(esp_websocket_client_handle_t client, const char *key,
                                             const char *value)
{
    if (!client || !key || !value) {
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    esp_err_t err = ws_config_append_header(&client->cfg, key, value);
    ws_unlock(client);
    return err;
}

size_t esp_websocket_client_get_ping_interval_sec(esp_websocket_client_handle_t client)
{
    if (!client) {
        return 0;
    }
    ws_lock(client, portMAX_DELAY);
    size_t sec = client->cfg.ping_interval_sec;
    ws_unlock(client);
    return sec;
}

esp_err_t esp_websocket_client_set_ping_interval_sec(esp_websocket_client_handle_t client, size_t ping_interval_sec)
{
    if (!client || ping_interval_sec == 0) {
        ESP_LOGE(TAG, "set_ping_interval_sec: the interval must be at least 1 s");
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    client->cfg.ping_interval_sec = ping_interval_sec;
    ws_unlock(client);
    return ESP_OK;
}

int esp_websocket_client_get_reconnect_timeout(esp_websocket_client_handle_t client)
{
    if (!client) {
        return -1;
    }
    ws_lock(client, portMAX_DELAY);
    int ms = client->cfg.auto_reconnect ? client->cfg.reconnect_timeout_ms : -1;
    ws_unlock(client);
    return ms;
}

esp_err_t esp_websocket_client_set_reconnect_timeout(esp_websocket_client_handle_t client, int reconnect_timeout_ms)
{
    if (!client || reconnect_timeout_ms <= 0) {
        ESP_LOGE(TAG, "set_reconnect_timeout: the timeout must be more than 0 ms");
        return ESP_ERR_INVALID_ARG;
    }
    ws_lock(client, portMAX_DELAY);
    client->cfg.reconnect_timeout_ms = reconnect_timeout_ms;
    ws_unlock(client);
    return ESP_OK;
}

esp_err_t esp_websocket_register_events(esp_websocket_client_handle_t client, esp_websocket_event_id_t event,
                                        esp_event_handler_t event_handler, void *event_handler_arg)
{
    if (!client || !event_handler) {
        return ESP_ERR_INVALID_ARG;
    }
    return esp_event_handler_register_with(client->event_loop, WEBSOCKET_EVENTS, event, event_handler,
                                           event_handler_arg);
}

esp_err_t esp_websocket_unregister_events(esp_websocket_client_handle_t client, esp_websocket_event_id_t event,
                                          esp_event_handler_t event_handler)
{
    if (!client || !event_handler) {
        return ESP_ERR_INVALID_ARG;
    }
    return esp_event_handler_unregister_with(client->event_loop, WEBSOCKET_EVENTS, event, event_handler);
}
