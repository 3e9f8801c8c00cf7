/*
 * ct_support.c: helpers of the host test cases (see ct_support.h).
 *
 * Locking: recorder counters are atomics (event handler writes, test task reads); nothing else is shared.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "ct_support.h"

static const char *TAG = CT_TAG;

bool ct_args_parse(ct_args_t *args, char *line)
{
    memset(args, 0, sizeof(*args));
    for (char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || args->count == CT_MAX_ARGS || (size_t)(eq - tok) >= sizeof(args->key[0]) ||
            strlen(eq + 1) >= sizeof(args->value[0])) {
            return false;
        }
        snprintf(args->key[args->count], sizeof(args->key[0]), "%.*s", (int)(eq - tok), tok);
        snprintf(args->value[args->count], sizeof(args->value[0]), "%s", eq + 1);
        args->count++;
    }
    return true;
}

const char *ct_arg_str(const ct_args_t *args, const char *key, const char *fallback)
{
    for (int i = 0; i < args->count; i++) {
        if (strcmp(args->key[i], key) == 0) {
            return args->value[i];
        }
    }
    return fallback;
}

int ct_arg_int(const ct_args_t *args, const char *key, int fallback)
{
    const char *v = ct_arg_str(args, key, NULL);
    return v ? atoi(v) : fallback;
}

static const char *event_name(int32_t id)
{
    switch (id) {
    case WEBSOCKET_EVENT_ERROR: return "ERROR";
    case WEBSOCKET_EVENT_CONNECTED: return "CONNECTED";
    case WEBSOCKET_EVENT_DISCONNECTED: return "DISCONNECTED";
    case WEBSOCKET_EVENT_DATA: return "DATA";
    case WEBSOCKET_EVENT_CLOSED: return "CLOSED";
    case WEBSOCKET_EVENT_BEFORE_CONNECT: return "BEFORE_CONNECT";
    case WEBSOCKET_EVENT_BEGIN: return "BEGIN";
    case WEBSOCKET_EVENT_FINISH: return "FINISH";
    default: return "OTHER";
    }
}

static atomic_int *counter_for(ct_recorder_t *rec, int32_t id)
{
    switch (id) {
    case WEBSOCKET_EVENT_ERROR: return &rec->error;
    case WEBSOCKET_EVENT_CONNECTED: return &rec->connected;
    case WEBSOCKET_EVENT_DISCONNECTED: return &rec->disconnected;
    case WEBSOCKET_EVENT_DATA: return &rec->data;
    case WEBSOCKET_EVENT_CLOSED: return &rec->closed;
    case WEBSOCKET_EVENT_BEFORE_CONNECT: return &rec->before_connect;
    case WEBSOCKET_EVENT_BEGIN: return &rec->begin;
    case WEBSOCKET_EVENT_FINISH: return &rec->finish;
    default: return NULL;
    }
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *event_data)
{
    ct_recorder_t *rec = arg;
    const esp_websocket_event_data_t *ev = event_data;
    if (id == WEBSOCKET_EVENT_DATA && ev->op_code <= WS_TRANSPORT_OPCODES_BINARY) {
        atomic_fetch_add(&rec->data_bytes, ev->data_len);
    }
    if (id == WEBSOCKET_EVENT_CLOSED) {
        atomic_store(&rec->last_close_code, ev->close_status_code);
    }
    if (!(id == WEBSOCKET_EVENT_DATA && atomic_load(&rec->quiet))) {
        const char *rule = ev->error_handle.esp_ws_protocol_error;
        ESP_LOGI(TAG, "EV name=%s op=%d len=%d off=%d plen=%d fin=%d code=%d etype=%d status=%d rule=\"%s\" sent=%d",
                 event_name(id), ev->op_code, ev->data_len, ev->payload_offset, ev->payload_len, ev->fin,
                 ev->close_status_code, ev->error_handle.error_type, ev->error_handle.esp_ws_handshake_status_code,
                 rule ? rule : "", ev->error_handle.esp_ws_close_code_sent);
    }
    atomic_int *counter = counter_for(rec, id);
    if (counter) {
        atomic_fetch_add(counter, 1); /* last, so a waiter sees the log line first */
    }
}

void ct_recorder_attach(esp_websocket_client_handle_t client, ct_recorder_t *rec)
{
    esp_websocket_register_events(client, WEBSOCKET_EVENT_ANY, on_event, rec);
}

bool ct_wait_count(atomic_int *counter, int target, int timeout_ms)
{
    int64_t start = ct_now_us();
    while (atomic_load(counter) < target) {
        if (ct_ms_since(start) > timeout_ms) {
            return false;
        }
        vTaskDelay(pdMS_TO_TICKS(5));
    }
    return true;
}

int64_t ct_now_us(void)
{
    return esp_timer_get_time();
}

double ct_ms_since(int64_t start_us)
{
    return (double)(esp_timer_get_time() - start_us) / 1000.0;
}

int ct_open_fds(void)
{
#ifdef __linux__
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) {
        return -1;
    }
    int n = 0;
    for (struct dirent *e = readdir(dir); e; e = readdir(dir)) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    closedir(dir);
    return n - 1; /* the directory stream's own fd */
#else
    return -1;
#endif
}

static uint32_t crc32_of(const char *data, int len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < len; i++) {
        crc ^= (uint8_t)data[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

void ct_make_message(char *buf, int len, int task, uint32_t seq)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const int header = 28;
    uint32_t x = seq * 2654435761u + (uint32_t)task * 40503u + 1u;
    for (int i = header; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
    }
    char head[header + 1];
    snprintf(head, sizeof(head), "W%02x%08x%08x%08x:", task & 0xFF, (unsigned)seq, (unsigned)len,
             (unsigned)crc32_of(buf + header, len - header));
    memcpy(buf, head, header);
}

void ct_check(const char *name, bool ok, const char *detail)
{
    if (ok) {
        ESP_LOGI(TAG, "CHECK name=%s ok=1 detail=\"%s\"", name, detail);
    } else {
        ESP_LOGE(TAG, "CHECK name=%s ok=0 detail=\"%s\"", name, detail);
    }
}

const char *ct_arg_ca(const ct_args_t *args)
{
    static char pem[16 * 1024];
    const char *path = ct_arg_str(args, "ca_file", NULL);
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        return NULL;
    }
    size_t n = fread(pem, 1, sizeof(pem) - 1, f);
    fclose(f);
    pem[n] = '\0';
    return n ? pem : NULL;
}
