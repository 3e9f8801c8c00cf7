/*
 * ct_cases_api.c: API behaviour without a live session: argument and URI validation, setters and getters,
 * sends and stop/close on a client that is not connected; and the upgrade request's headers and auth.
 * Locking: runs in the console task only.
 */
#include <stdio.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "ct_cases.h"

static bool check(bool *all, const char *name, bool ok, const char *detail)
{
    ct_check(name, ok, detail);
    *all &= ok;
    return ok;
}

static bool init_fails(const char *uri)
{
    esp_websocket_client_config_t cfg = {.uri = uri};
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (c) {
        esp_websocket_client_destroy(c);
        return false;
    }
    return true;
}

static void check_init(bool *all)
{
    esp_websocket_client_config_t empty = {0};
    check(all, "init_null_config", esp_websocket_client_init(NULL) == NULL, "NULL config gives NULL");
    check(all, "init_no_uri_no_host", esp_websocket_client_init(&empty) == NULL, "no uri and no host gives NULL");
    check(all, "init_bad_scheme", init_fails("http://127.0.0.1:80/"), "http:// refused");
    check(all, "init_no_host", init_fails("ws://"), "ws:// without host refused");
    check(all, "init_garbage", init_fails("not a uri"), "garbage refused");
    check(all, "init_bad_port", init_fails("ws://127.0.0.1:99999999/"), "port out of range refused");
}

static void check_setters(bool *all, esp_websocket_client_handle_t c)
{
    check(all, "set_uri_bad", esp_websocket_client_set_uri(c, "ftp://x/") != ESP_OK, "bad set_uri refused");
    check(all, "set_uri_null", esp_websocket_client_set_uri(c, NULL) == ESP_ERR_INVALID_ARG, "NULL uri refused");
    check(all, "set_uri_good", esp_websocket_client_set_uri(c, "wss://user:pw@localhost:8443/a?b=c") == ESP_OK,
          "good set_uri accepted");
    check(all, "set_headers", esp_websocket_client_set_headers(c, "X-A: 1\r\n") == ESP_OK, "headers replaced");
    check(all, "append_header", esp_websocket_client_append_header(c, "X-B", "2") == ESP_OK, "header appended");
    check(all, "append_header_null",
          esp_websocket_client_append_header(c, NULL, "2") == ESP_ERR_INVALID_ARG, "NULL key refused");
    check(all, "ping_default", esp_websocket_client_get_ping_interval_sec(c) == 10, "default ping interval 10 s");
    check(all, "ping_zero", esp_websocket_client_set_ping_interval_sec(c, 0) == ESP_ERR_INVALID_ARG, "0 s refused");
    check(all, "ping_set", esp_websocket_client_set_ping_interval_sec(c, 3) == ESP_OK &&
          esp_websocket_client_get_ping_interval_sec(c) == 3, "ping interval set to 3 s");
    check(all, "reconnect_default", esp_websocket_client_get_reconnect_timeout(c) == 10000, "default 10000 ms");
    check(all, "reconnect_zero", esp_websocket_client_set_reconnect_timeout(c, 0) == ESP_ERR_INVALID_ARG,
          "0 ms refused");
    check(all, "reconnect_set", esp_websocket_client_set_reconnect_timeout(c, 2500) == ESP_OK &&
          esp_websocket_client_get_reconnect_timeout(c) == 2500, "reconnect timeout set to 2500 ms");
}

static void check_not_connected(bool *all, esp_websocket_client_handle_t c)
{
    char detail[96];
    check(all, "is_connected_idle", !esp_websocket_client_is_connected(c), "not connected before start");
    int64_t start = ct_now_us();
    int ret = esp_websocket_client_send_text(c, "x", 1, pdMS_TO_TICKS(2000));
    double ms = ct_ms_since(start);
    snprintf(detail, sizeof(detail), "ret=%d ms=%.1f", ret, ms);
    check(all, "send_not_connected", ret == -1 && ms < 100, detail);
    check(all, "send_null_client", esp_websocket_client_send_bin(NULL, "x", 1, 10) == -1, "NULL client gives -1");
    check(all, "send_negative_len", esp_websocket_client_send_bin(c, "x", -1, 10) == -1, "negative len gives -1");
    check(all, "send_long_ping", esp_websocket_client_send_with_opcode(c, WS_TRANSPORT_OPCODES_PING,
          (const uint8_t *)detail, 126, 10) == -1, "control frame over 125 bytes refused");
    check(all, "stop_not_started", esp_websocket_client_stop(c) == ESP_FAIL, "stop before start fails");
    check(all, "close_not_started", esp_websocket_client_close(c, 10) == ESP_FAIL, "close before start fails");
    check(all, "close_long_reason", esp_websocket_client_close_with_code(c, 1000, detail, 124, 10) ==
          ESP_ERR_INVALID_ARG, "close reason over 123 bytes refused");
}

bool ct_case_api(const ct_args_t *args)
{
    (void)args;
    bool all = true;
    check_init(&all);
    esp_websocket_client_config_t cfg = {.uri = "ws://127.0.0.1:1/path?x=1"};
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (!check(&all, "init_good", c != NULL, "valid uri accepted")) {
        return false;
    }
    check_setters(&all, c);
    check_not_connected(&all, c);
    check(&all, "destroy", esp_websocket_client_destroy(c) == ESP_OK, "destroy of an idle client");
    check(&all, "destroy_null", esp_websocket_client_destroy(NULL) == ESP_ERR_INVALID_ARG, "NULL refused");
    esp_websocket_client_config_t no_reconnect = {.uri = "ws://127.0.0.1:1/", .disable_auto_reconnect = true};
    c = esp_websocket_client_init(&no_reconnect);
    check(&all, "reconnect_disabled", c && esp_websocket_client_get_reconnect_timeout(c) == -1,
          "-1 when auto reconnect is disabled");
    esp_websocket_client_destroy(c);
    return all;
}

/* Connects to a peer that records the upgrade request (the test checks it); the handshake itself fails. */
bool ct_case_headers(const ct_args_t *args)
{
    ct_recorder_t rec = {0};
    esp_websocket_client_config_t cfg = {
        .uri = ct_arg_str(args, "uri", NULL),
        .headers = "X-Config: one\r\n",
        .subprotocol = "chat",
        .user_agent = "ct-agent",
        .disable_auto_reconnect = true,
        .network_timeout_ms = 3000,
    };
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (!c) {
        ct_check("headers_init", false, "init failed");
        return false;
    }
    esp_websocket_client_append_header(c, "X-Appended", "two");
    ct_recorder_attach(c, &rec);
    esp_websocket_client_start(c);
    bool finished = ct_wait_count(&rec.finish, 1, 8000);
    ct_check("headers_attempt_finished", finished, "the failed handshake ended the run");
    esp_websocket_client_stop(c);
    esp_websocket_client_destroy(c);
    return finished;
}
