/*
 * ct_cases_load.c: concurrent senders.
 *   multi_send   tasks send hammer messages (docs/hammer-protocol.md) while the server streams; logs the
 *                slowest send, failures and disconnects. timeout_ms small + size > buffer makes many sends
 *                time out on the lock: they must fail alone, never drop the connection (F12), and the long
 *                messages' frames must not interleave (F15; the server's ledger checks CRCs). fragment=N sends
 *                each message through the partial API in calls of N bytes, with no application lock.
 *   abort_storm  tasks send while the server resets the connection: sends on a dead connection fail fast,
 *                the client reconnects, nothing crashes (F3-F5).
 *   cycles       init/start/stop/destroy cycles and reconnects; logs fds and heap in use before/after (F13).
 * Locking: sender tasks share only atomics with the console task.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "ct_cases.h"

static const char *TAG = CT_TAG;

typedef struct {
    esp_websocket_client_handle_t client;
    int id, msgs, size, gap_ms;
    int fragment;        /* > 0: each message through the partial API, in calls of this many bytes */
    TickType_t timeout;
    atomic_int sent, failed, max_us, max_fail_us, done;
} ct_sender_t;

static void atomic_max(atomic_int *slot, int value)
{
    int cur = atomic_load(slot);
    while (value > cur && !atomic_compare_exchange_weak(slot, &cur, value)) {
    }
}

/* One message through the partial API: a first call, continuations, then FIN, a tick apart so that other
 * tasks' calls fall between them; the application takes no lock. Returns the bytes sent or -1. */
static int send_in_calls(const ct_sender_t *s, const char *msg)
{
    int n = s->fragment < s->size ? s->fragment : s->size;
    if (esp_websocket_client_send_bin_partial(s->client, msg, n, s->timeout) != n) {
        return -1;
    }
    for (int off = n; off < s->size; off += n) {
        vTaskDelay(1);
        n = s->size - off < s->fragment ? s->size - off : s->fragment;
        if (esp_websocket_client_send_cont_msg(s->client, msg + off, n, s->timeout) != n) {
            return -1;
        }
    }
    vTaskDelay(1);
    return esp_websocket_client_send_fin(s->client, s->timeout) == 0 ? s->size : -1;
}

static void sender_task(void *arg)
{
    ct_sender_t *s = arg;
    char *msg = malloc(s->size);
    for (int seq = 0; msg && seq < s->msgs; seq++) {
        ct_make_message(msg, s->size, s->id, seq);
        int64_t start = ct_now_us();
        int ret = s->fragment > 0 ? send_in_calls(s, msg)
                  : esp_websocket_client_send_bin(s->client, msg, s->size, s->timeout);
        int us = (int)(ct_now_us() - start);
        if (ret == s->size) {
            atomic_fetch_add(&s->sent, 1);
            atomic_max(&s->max_us, us);
        } else {
            atomic_fetch_add(&s->failed, 1);
            atomic_max(&s->max_fail_us, us);
        }
        vTaskDelay(pdMS_TO_TICKS(s->gap_ms));
    }
    free(msg);
    atomic_store(&s->done, 1);
    vTaskDelete(NULL);
}

/* Run `tasks` senders against the connected client and log per-task and total results. */
static bool run_senders(esp_websocket_client_handle_t c, const ct_args_t *args, ct_sender_t *senders, int tasks)
{
    for (int i = 0; i < tasks; i++) {
        senders[i] = (ct_sender_t) {
            .client = c, .id = i, .msgs = ct_arg_int(args, "msgs", 20), .size = ct_arg_int(args, "size", 200),
            .gap_ms = ct_arg_int(args, "gap_ms", 50), .fragment = ct_arg_int(args, "fragment", 0),
            .timeout = pdMS_TO_TICKS(ct_arg_int(args, "timeout_ms", 5000)),
        };
        char name[24];
        snprintf(name, sizeof(name), "sender%d", i);
        if (xTaskCreate(sender_task, name, 4096, &senders[i], 5, NULL) != pdPASS) {
            return false;
        }
    }
    int max_us = 0, max_fail_us = 0, sent = 0, failed = 0;
    for (int i = 0; i < tasks; i++) {
        ct_wait_count(&senders[i].done, 1, 120000);
        ESP_LOGI(TAG, "SEND task=%d sent=%d failed=%d max_ms=%.1f", i, atomic_load(&senders[i].sent),
                 atomic_load(&senders[i].failed), atomic_load(&senders[i].max_us) / 1000.0);
        sent += atomic_load(&senders[i].sent);
        failed += atomic_load(&senders[i].failed);
        max_us = atomic_load(&senders[i].max_us) > max_us ? atomic_load(&senders[i].max_us) : max_us;
        max_fail_us = atomic_load(&senders[i].max_fail_us) > max_fail_us ? atomic_load(&senders[i].max_fail_us)
                      : max_fail_us;
    }
    ESP_LOGI(TAG, "SENDSTATS sent=%d failed=%d max_ms=%.1f max_fail_ms=%.1f", sent, failed, max_us / 1000.0,
             max_fail_us / 1000.0);
    return true;
}

static esp_websocket_client_handle_t connect_quiet(const ct_args_t *args, ct_recorder_t *rec)
{
    atomic_store(&rec->quiet, true);
    esp_websocket_client_config_t cfg = {
        .uri = ct_arg_str(args, "uri", NULL),
        .buffer_size = ct_arg_int(args, "buffer", 1024),
        .reconnect_timeout_ms = ct_arg_int(args, "reconnect_timeout_ms", 10000),
        .network_timeout_ms = ct_arg_int(args, "network_timeout_ms", 10000),
        .enable_close_reconnect = ct_arg_int(args, "close_reconnect", 0),
        .cert_pem = ct_arg_ca(args),
        .cert_common_name = "localhost",
    };
    esp_websocket_client_handle_t c = esp_websocket_client_init(&cfg);
    if (!c) {
        return NULL;
    }
    ct_recorder_attach(c, rec);
    esp_websocket_client_start(c);
    if (!ct_wait_count(&rec->connected, 1, 5000)) {
        esp_websocket_client_destroy(c);
        return NULL;
    }
    return c;
}

bool ct_case_multi_send(const ct_args_t *args)
{
    static ct_sender_t senders[16];
    int tasks = ct_arg_int(args, "tasks", 8);
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = tasks <= 16 ? connect_quiet(args, &rec) : NULL;
    if (!c) {
        ct_check("multi_send_connect", false, "no connection");
        return false;
    }
    bool ok = run_senders(c, args, senders, tasks);
    vTaskDelay(pdMS_TO_TICKS(ct_arg_int(args, "settle_ms", 300))); /* let the last echoes arrive */
    bool connected = esp_websocket_client_is_connected(c);
    ESP_LOGI(TAG, "SESSION connected=%d disconnected=%d errors=%d rx_bytes=%d", connected,
             atomic_load(&rec.disconnected), atomic_load(&rec.error), atomic_load(&rec.data_bytes));
    /* A clean close, so the server's ledger shows no truncated stream. */
    esp_err_t err = esp_websocket_client_close(c, pdMS_TO_TICKS(3000));
    esp_websocket_client_destroy(c);
    return ok && err == ESP_OK;
}

bool ct_case_abort_storm(const ct_args_t *args)
{
    static ct_sender_t senders[16];
    int tasks = ct_arg_int(args, "tasks", 4);
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = tasks <= 16 ? connect_quiet(args, &rec) : NULL;
    if (!c) {
        ct_check("abort_storm_connect", false, "no connection");
        return false;
    }
    bool ok = run_senders(c, args, senders, tasks);
    ESP_LOGI(TAG, "SESSION connected=%d disconnected=%d errors=%d", atomic_load(&rec.connected),
             atomic_load(&rec.disconnected), atomic_load(&rec.error));
    int64_t start = ct_now_us();
    esp_err_t err = esp_websocket_client_stop(c);
    ESP_LOGI(TAG, "LATENCY state=abort_storm ms=%.1f stop=%s", ct_ms_since(start), esp_err_to_name(err));
    esp_websocket_client_destroy(c);
    return ok && err == ESP_OK;
}

/* Bytes in use on the C heap; -1 under a sanitizer, whose allocator keeps its own books (LeakSanitizer
 * checks leaks there at exit). */
static long heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return -1;
#else
    return (long)mallinfo2().uordblks;
#endif
}

static bool one_cycle(const ct_args_t *args)
{
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = connect_quiet(args, &rec);
    bool ok = c && esp_websocket_client_send_text(c, "cycle", 5, portMAX_DELAY) == 5 &&
              ct_wait_count(&rec.data_bytes, 5, 5000);
    if (c) {
        ok &= esp_websocket_client_stop(c) == ESP_OK;
        ok &= esp_websocket_client_start(c) == ESP_OK && ct_wait_count(&rec.connected, 2, 5000);
        ok &= esp_websocket_client_stop(c) == ESP_OK;
        esp_websocket_client_destroy(c);
    }
    return ok;
}

/* One client through `reconnects` reconnections (uri: a server path that closes; close_reconnect=1). */
static bool reconnect_run(const ct_args_t *args, int reconnects)
{
    ct_args_t reconnect_args = *args;
    for (int i = 0; i < reconnect_args.count; i++) {
        if (strcmp(reconnect_args.key[i], "uri") == 0) {
            snprintf(reconnect_args.value[i], sizeof(reconnect_args.value[i]), "%s",
                     ct_arg_str(args, "reconnect_uri", ""));
        }
    }
    ct_recorder_t rec = {0};
    esp_websocket_client_handle_t c = connect_quiet(&reconnect_args, &rec);
    if (!c) {
        return false;
    }
    long heap_before = heap_in_use();
    for (int i = 0; i < reconnects; i++) {
        esp_websocket_client_send_text(c, "x", 1, portMAX_DELAY);
        ct_wait_count(&rec.connected, i + 2, 5000);
    }
    long heap_after = heap_in_use();
    ESP_LOGI(TAG, "RECONNECTS connected=%d closed=%d heap_before=%ld heap_after=%ld", atomic_load(&rec.connected),
             atomic_load(&rec.closed), heap_before, heap_after);
    bool ok = atomic_load(&rec.connected) >= reconnects + 1;
    esp_websocket_client_destroy(c);
    return ok;
}

/* `warmup` cycles of init/start/stop/start/stop/destroy fill one-time allocations (the C library's caches
 * among them); the next `cycles` are measured. Then one client goes through `reconnects` reconnections,
 * measured on its own. */
bool ct_case_cycles(const ct_args_t *args)
{
    int warmup = ct_arg_int(args, "warmup", 17);
    int cycles = ct_arg_int(args, "cycles", 8);
    bool ok = true;
    for (int i = 0; i < warmup && ok; i++) {
        ok = one_cycle(args);
    }
    int fds_before = ct_open_fds();
    long heap_before = heap_in_use();
    for (int i = 0; i < cycles && ok; i++) {
        ok = one_cycle(args);
    }
    ESP_LOGI(TAG, "CYCLES cycles=%d fds_before=%d fds_after=%d heap_before=%ld heap_after=%ld", cycles, fds_before,
             ct_open_fds(), heap_before, heap_in_use());
    int reconnects = ct_arg_int(args, "reconnects", 0);
    if (ok && reconnects > 0) {
        ok = reconnect_run(args, reconnects);
    }
    return ok;
}
