/*
 * ct_cases_stop.c: stop() timed from each state of rule 4, with network and reconnect timeouts of 10 s, and
 * the open-fd count before start() against after stop().
 *   state=connected      connected and idle
 *   state=receiving      mid-receive of a slowly arriving large frame (uri: /slowframe)
 *   state=handshake      connect or upgrade the peer never answers (uri: a silent TCP peer, ws or wss)
 *   state=reconnect_wait the wait after a refused connect (uri: a closed port)
 *   state=failed_start   right after a start whose connect fails at once (auto reconnect off)
 * Logs "LATENCY state=<s> ms=<f>" and "FDS before=<n> after=<n>"; the test bounds both.
 * Locking: console task only; counters are atomics.
 */
#include <stdio.h>
#include <string.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "ct_cases.h"

static const char *TAG = CT_TAG;

/* Bring the client into the named state; false if it never got there. */
static bool reach_state(const char *state, ct_recorder_t *rec)
{
    if (strcmp(state, "connected") == 0) {
        return ct_wait_count(&rec->connected, 1, 5000);
    }
    if (strcmp(state, "receiving") == 0) {
        return ct_wait_count(&rec->data, 2, 5000);
    }
    if (strcmp(state, "handshake") == 0) {
        bool ok = ct_wait_count(&rec->before_connect, 1, 5000);
        vTaskDelay(pdMS_TO_TICKS(300)); /* well inside the connect, far from its 10 s timeout */
        /* Still inside: neither connected nor failed (a failed connect would leave it in the reconnect wait). */
        return ok && atomic_load(&rec->connected) == 0 && atomic_load(&rec->error) == 0;
    }
    if (strcmp(state, "reconnect_wait") == 0) {
        bool ok = ct_wait_count(&rec->error, 1, 5000);
        vTaskDelay(pdMS_TO_TICKS(100));
        return ok;
    }
    return strcmp(state, "failed_start") == 0;
}

bool ct_case_stop_latency(const ct_args_t *args)
{
    const char *state = ct_arg_str(args, "state", "");
    ct_recorder_t rec = {0};
    atomic_store(&rec.quiet, true);
    esp_websocket_client_config_t cfg = {
        .uri = ct_arg_str(args, "uri", NULL),
        .network_timeout_ms = 10000,
        .reconnect_timeout_ms = 10000,
        .disable_auto_reconnect = strcmp(state, "failed_start") == 0,
        .cert_pem = ct_arg_ca(args),
        .cert_common_name = "localhost",
    };
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (!c) {
        ct_check("stop_latency_init", false, state);
        return false;
    }
    ct_recorder_attach(c, &rec);
    int fds_before = ct_open_fds();
    esp_websocket_client_start(c);
    bool reached = reach_state(state, &rec);
    ct_check("stop_latency_state_reached", reached, state);
    int64_t start = ct_now_us();
    esp_err_t err = esp_websocket_client_stop(c);
    double ms = ct_ms_since(start);
    int fds_after = ct_open_fds();
    ESP_LOGI(TAG, "LATENCY state=%s ms=%.1f stop=%s", state, ms, esp_err_to_name(err));
    ESP_LOGI(TAG, "FDS before=%d after=%d", fds_before, fds_after);
    esp_websocket_client_destroy(c);
    return reached && err == ESP_OK;
}
