/*
 * Transport contract violations committed on purpose (see violations.h).
 *
 * Locking: each scenario shares one transport between the console task and a helper task; the breach
 * is the point. The helper is joined through a binary semaphore; in the serialised scenario a mutex
 * guards every call on the transport, as a correct client must.
 */
#include "violations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_transport.h"
#include "esp_transport_ssl.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ws.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "wsh_sentinel.h"

static const char *TAG = "sentinel_app";

#define HELPER_IO_MS   1500   /* how long the helper stays inside its call */
#define HELPER_HEAD_MS 200    /* after the helper says it is about to call, before the console task breaks in */
#define BIG_FRAME      (8 * 1024 * 1024)  /* more than any socket buffer holds: the write blocks */

typedef struct {
    esp_transport_handle_t t;
    SemaphoreHandle_t started;
    SemaphoreHandle_t done;
    SemaphoreHandle_t lock;   /* serialised scenario only */
    int poll_ms;              /* poll_helper's wait; 0: HELPER_IO_MS */
    int result;
} helper_t;

static void done(const char *name)
{
    ESP_LOGI(TAG, "DONE case=%s count=%u", name, wsh_sentinel_violation_count());
}

static esp_transport_handle_t connect_ws(const violation_peer_t *peer, esp_transport_handle_t *tcp)
{
    *tcp = esp_transport_tcp_init();
    esp_transport_handle_t ws = esp_transport_ws_init(*tcp);
    esp_transport_ws_set_path(ws, "/echo");
    if (esp_transport_connect(ws, peer->host, peer->port, 3000) != 0) {
        ESP_LOGE(TAG, "cannot connect to the peer");
        esp_transport_destroy(ws);
        esp_transport_destroy(*tcp);
        return NULL;
    }
    return ws;
}

/* Starts the helper and returns once it is (all but) inside its call, however slow the machine. */
static void start_helper(helper_t *h, TaskFunction_t fn, const char *name)
{
    h->started = xSemaphoreCreateBinary();
    h->done = xSemaphoreCreateBinary();
    xTaskCreate(fn, name, 8192, h, 5, NULL);
    xSemaphoreTake(h->started, portMAX_DELAY);
    vTaskDelay(pdMS_TO_TICKS(HELPER_HEAD_MS));
}

/* Called by the helper right before its call on the transport. */
static void helper_ready(helper_t *h)
{
    xSemaphoreGive(h->started);
}

static void join_helper(helper_t *h)
{
    xSemaphoreTake(h->done, portMAX_DELAY);
    vSemaphoreDelete(h->done);
    vSemaphoreDelete(h->started);
}

static void finish_helper(helper_t *h)
{
    xSemaphoreGive(h->done);
    vTaskDelete(NULL);
}

void violation_io_after_close(const violation_peer_t *peer)
{
    esp_transport_handle_t tcp;
    esp_transport_handle_t ws = connect_ws(peer, &tcp);
    if (ws) {
        esp_transport_close(ws);
        char buf[8];
        int ret = esp_transport_read(ws, buf, sizeof(buf), 100);
        ESP_LOGI(TAG, "read after close returned %d", ret);
        esp_transport_destroy(ws);
        esp_transport_destroy(tcp);
    }
    done("io_after_close");
}

void violation_io_after_destroy(const violation_peer_t *peer)
{
    esp_transport_handle_t tcp;
    esp_transport_handle_t ws = connect_ws(peer, &tcp);
    if (ws) {
        esp_transport_destroy(ws);
        /* A stale handle: the sentinel turns the call away before ESP-IDF (which has freed it) sees it. */
        int ret = esp_transport_write(ws, "late", 4, 100);
        ESP_LOGI(TAG, "write after destroy returned %d", ret);
        esp_transport_destroy(tcp);
    }
    done("io_after_destroy");
}

static void poll_helper(void *arg)
{
    helper_t *h = arg;
    helper_ready(h);
    h->result = esp_transport_poll_read(h->t, h->poll_ms ? h->poll_ms : HELPER_IO_MS);
    finish_helper(h);
}

void violation_close_during_io(const violation_peer_t *peer)
{
    esp_transport_handle_t tcp;
    helper_t h = { .t = connect_ws(peer, &tcp) };
    if (h.t) {
        start_helper(&h, poll_helper, "poller");
        esp_transport_close(h.t);
        join_helper(&h);
        esp_transport_destroy(h.t);
        esp_transport_destroy(tcp);
    }
    done("close_during_io");
}

void violation_close_names_the_holder(const violation_peer_t *peer)
{
    esp_transport_handle_t tcp;
    helper_t holder = { .t = connect_ws(peer, &tcp) };
    if (holder.t) {
        start_helper(&holder, poll_helper, "poller");
        /* A second task enters and leaves while the poller stays: the close must name the poller. */
        helper_t visitor = { .t = holder.t, .poll_ms = 10 };
        start_helper(&visitor, poll_helper, "visitor");
        join_helper(&visitor);
        esp_transport_close(holder.t);
        join_helper(&holder);
        esp_transport_destroy(holder.t);
        esp_transport_destroy(tcp);
    }
    done("close_names_the_holder");
}

static void read_helper(void *arg)
{
    helper_t *h = arg;
    char buf[16];
    helper_ready(h);
    h->result = esp_transport_read(h->t, buf, sizeof(buf), HELPER_IO_MS);
    finish_helper(h);
}

static char *read_file(const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (f == NULL) {
        return NULL;
    }
    char *data = calloc(1, 64 * 1024);
    size_t n = data ? fread(data, 1, 64 * 1024 - 1, f) : 0;
    fclose(f);
    if (n == 0) {
        free(data);
        return NULL;
    }
    return data;
}

void violation_tls_concurrent(const violation_peer_t *peer)
{
    char *ca = read_file(peer->ca_path);
    helper_t h = { .t = esp_transport_ssl_init() };
    if (ca) {
        esp_transport_ssl_set_cert_data(h.t, ca, (int)strlen(ca));
    }
    esp_transport_ssl_set_common_name(h.t, "localhost");
    if (esp_transport_connect(h.t, peer->host, peer->port, 3000) == 0) {
        start_helper(&h, read_helper, "reader");
        /* The peer has sent all of a record but its last byte: the reader waits for it inside its TLS read,
         * and this write goes in beside it. */
        esp_transport_write(h.t, "GET ", 4, 1000);
        join_helper(&h);
    } else {
        ESP_LOGE(TAG, "cannot connect to the TLS peer");
    }
    esp_transport_destroy(h.t);
    free(ca);
    done("tls_concurrent");
}

static void big_write_helper(void *arg)
{
    helper_t *h = arg;
    char *big = calloc(1, BIG_FRAME);
    helper_ready(h);
    h->result = esp_transport_ws_send_raw(h->t, WS_TRANSPORT_OPCODES_BINARY | WS_TRANSPORT_OPCODES_FIN, big,
                                          BIG_FRAME, HELPER_IO_MS);
    free(big);
    finish_helper(h);
}

void violation_ws_write_concurrent(const violation_peer_t *peer)
{
    esp_transport_handle_t tcp;
    helper_t h = { .t = connect_ws(peer, &tcp) };
    if (h.t) {
        start_helper(&h, big_write_helper, "writer");
        char hi[] = "hi";  /* writable: ESP-IDF's ws transport masks the payload in place */
        int ret = esp_transport_ws_send_raw(h.t, WS_TRANSPORT_OPCODES_TEXT | WS_TRANSPORT_OPCODES_FIN, hi, 2, 200);
        ESP_LOGI(TAG, "second writer returned %d", ret);
        join_helper(&h);
        esp_transport_destroy(h.t);
        esp_transport_destroy(tcp);
    }
    done("ws_write_concurrent");
}

static void serialised_reader(void *arg)
{
    helper_t *h = arg;
    char buf[64];
    helper_ready(h);
    /* Outlasts the head start and the console task's 20 sends, so reads and writes interleave. */
    for (int i = 0; i < 60; i++) {
        xSemaphoreTake(h->lock, portMAX_DELAY);
        esp_transport_read(h->t, buf, sizeof(buf), 10);
        xSemaphoreGive(h->lock);
        vTaskDelay(1);
    }
    finish_helper(h);
}

void violation_none_when_serialised(const violation_peer_t *peer)
{
    esp_transport_handle_t tcp;
    helper_t h = { .t = connect_ws(peer, &tcp), .lock = xSemaphoreCreateMutex() };
    if (h.t) {
        start_helper(&h, serialised_reader, "reader");
        for (int i = 0; i < 20; i++) {
            char ping[] = "ping";  /* writable: masked in place, and afresh each time */
            xSemaphoreTake(h.lock, portMAX_DELAY);
            esp_transport_ws_send_raw(h.t, WS_TRANSPORT_OPCODES_TEXT | WS_TRANSPORT_OPCODES_FIN, ping, 4, 1000);
            xSemaphoreGive(h.lock);
            vTaskDelay(1);
        }
        join_helper(&h);
        xSemaphoreTake(h.lock, portMAX_DELAY);
        esp_transport_close(h.t);
        xSemaphoreGive(h.lock);
        esp_transport_destroy(h.t);
        esp_transport_destroy(tcp);
    }
    vSemaphoreDelete(h.lock);
    done("serialised");
}
