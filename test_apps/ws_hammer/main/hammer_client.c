/*
 * The hammer's websocket client wrapper and its event handler.
 *
 * Locking rules (see each field): the handler runs in the client's own task,
 * so the reassembly buffer, per-task sequence table and log budgets need no
 * lock. Counters and "last seen" fields are atomics, written by that task,
 * read by any. `wake` is a FreeRTOS event group (internally synchronised)
 * used only to cut wait latency; the counters are the truth.
 */
#include "hammer_client.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/task.h"
#include "hammer_message.h"
#include "hammer_stats.h"

static const char *TAG = "wsh";

#define EVENT_LOG_BUDGET 40     /* EVENT lines per client: keeps a reconnect loop from flooding a UART */
#define CORRUPT_LOG_BUDGET 5    /* CORRUPT lines per client: the first few tell the story */
#define WAIT_SLICE_MS 50        /* a waiter re-checks the counters at least this often */
#define CLIENT_TASK_STACK 6144  /* TLS plus our handler's verification on a device */
#define EXIT_GRACE_MS 200       /* after FINISH the client task still destroys itself; let it finish */
#define CLOSE_NO_STATUS 1005    /* RFC 6455: a CLOSE frame without a status code */

struct hammer_client {
    esp_websocket_client_handle_t handle;  /* scenario task only */
    /* Immutable after create. */
    uint32_t seed, min, max, tasks;
    bool log_events;
    EventGroupHandle_t wake;
    /* Client task only. */
    struct {
        uint8_t *buf;
        uint32_t cap;
        uint32_t len;                      /* bytes of the message so far, may exceed cap */
        uint32_t crc;                      /* running CRC-32 of the bytes after the header */
        bool active;                       /* a message has started and not ended */
        bool text;
    } rx;
    int64_t last_seq[HAMMER_MAX_TASKS];
    uint32_t events_logged;
    uint32_t corrupt_logged;
    /* Written by the client task, read by any. */
    _Atomic uint32_t count[HAMMER_EV_COUNT];
    _Atomic uint32_t error_types_seen;
    _Atomic int last_error_type;
    _Atomic int last_handshake_status;
    _Atomic int last_sock_errno;
    _Atomic int last_close_code;
    _Atomic int64_t heap_early;          /* see note_reconnect_heap */
    _Atomic int64_t heap_late;
    int64_t heap_latest_reconnect;       /* client task only */
    _Atomic int fds_first_reconnect;
    _Atomic int fds_last_connect;
};

const char *hammer_error_type_name(int error_type)
{
    switch (error_type) {
    case WEBSOCKET_ERROR_TYPE_NONE:
        return "none";
    case WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT:
        return "tcp_transport";
#if WSH_CLIENT_HAS_PONG_TIMEOUT_ERROR
    case WEBSOCKET_ERROR_TYPE_PONG_TIMEOUT:
        return "pong_timeout";
#endif
    case WEBSOCKET_ERROR_TYPE_HANDSHAKE:
        return "handshake";
#if WSH_CLIENT_HAS_SERVER_CLOSE_ERROR
    case WEBSOCKET_ERROR_TYPE_SERVER_CLOSE:
        return "server_close";
#endif
    default:
        return "unknown";
    }
}

static void note(hammer_client_t *c, hammer_ev_t ev)
{
    atomic_fetch_add(&c->count[ev], 1);
    xEventGroupSetBits(c->wake, 1u << ev);
}

static void log_event(hammer_client_t *c, const char *kind)
{
    if (!c->log_events || c->events_logged > EVENT_LOG_BUDGET) {
        return;
    }
    if (c->events_logged++ == EVENT_LOG_BUDGET) {
        ESP_LOGI(TAG, "EVENT kind=suppressed budget=%d", EVENT_LOG_BUDGET);
        return;
    }
    int error_type = atomic_load(&c->last_error_type);
    ESP_LOGI(TAG, "EVENT kind=%s error_type=%s handshake_status=%d sock_errno=%d close_code=%d free_heap=%lld"
             " open_fds=%d", kind, error_type < 0 ? "none" : hammer_error_type_name(error_type),
             atomic_load(&c->last_handshake_status), atomic_load(&c->last_sock_errno),
             atomic_load(&c->last_close_code), (long long)hammer_free_heap(), hammer_open_sockets());
}

static void report_corrupt(hammer_client_t *c, const char *why, const hammer_header_t *hdr, uint32_t len)
{
    hammer_stats_add(HAMMER_STAT_CORRUPT, 1);
    if (c->corrupt_logged++ < CORRUPT_LOG_BUDGET) {
        ESP_LOGW(TAG, "CORRUPT reason=%s task=%" PRIu32 " seq=%" PRIu32 " len=%" PRIu32 " text=%d", why,
                 hdr ? hdr->task : 0, hdr ? hdr->seq : 0, len, c->rx.text);
    }
}

/*
 * Free heap is sampled at each reconnect while senders are mid-flight, so one sample may catch a buffer that
 * is live for that moment only (seen on ESP-IDF's linux target: 32 kB more in use at one reconnect of four).
 * Each figure keeps the higher of two samples: the early one of reconnects 1 and 2, the late one of the
 * latest two. One transient no longer passes for a leak, and a leak per reconnect still lowers both
 * samples of the late figure. Client task only; readers load the atomics.
 */
static void note_reconnect_heap(hammer_client_t *c, uint32_t reconnect, int64_t heap)
{
    int64_t early = atomic_load(&c->heap_early);
    if (reconnect == 1 || (reconnect == 2 && heap > early)) {
        atomic_store(&c->heap_early, heap);
    }
    int64_t previous = reconnect == 1 ? heap : c->heap_latest_reconnect;
    atomic_store(&c->heap_late, heap > previous ? heap : previous);
    c->heap_latest_reconnect = heap;
}

static void on_connected(hammer_client_t *c)
{
    int64_t heap = hammer_free_heap();
    int fds = hammer_open_sockets();
    uint32_t earlier = atomic_load(&c->count[HAMMER_EV_CONNECTED]);
    if (earlier > 0) {
        hammer_stats_add(HAMMER_STAT_RECONNECTS, 1);
        note_reconnect_heap(c, earlier, heap);
    }
    if (earlier == 1) {
        atomic_store(&c->fds_first_reconnect, fds);
    }
    atomic_store(&c->fds_last_connect, fds);
    /* A message cut by the previous disconnect is lost, not corrupt. */
    c->rx.active = false;
    log_event(c, "connected");
    note(c, HAMMER_EV_CONNECTED);
}

static void on_failure(hammer_client_t *c, hammer_ev_t ev, const esp_websocket_event_data_t *data)
{
    if (data != NULL) {
        int type = data->error_handle.error_type;
        atomic_store(&c->last_error_type, type);
        atomic_store(&c->last_handshake_status, data->error_handle.esp_ws_handshake_status_code);
        atomic_store(&c->last_sock_errno, data->error_handle.esp_transport_sock_errno);
        if (type >= 0 && type < 32) {
            atomic_fetch_or(&c->error_types_seen, 1u << type);
        }
    }
    log_event(c, ev == HAMMER_EV_ERROR ? "error" : "disconnected");
    note(c, ev);
    note(c, HAMMER_EV_FAILURE);
}

static void on_close_frame(hammer_client_t *c, const esp_websocket_event_data_t *data)
{
    if (data->payload_offset != 0) {
        return; /* only the first chunk carries the status code */
    }
    int code = CLOSE_NO_STATUS;
    if (data->data_len >= 2) {
        const uint8_t *p = (const uint8_t *)data->data_ptr;
        code = (p[0] << 8) | p[1];
    }
    atomic_store(&c->last_close_code, code);
    log_event(c, "close_frame");
    note(c, HAMMER_EV_CLOSE_FRAME);
}

/* A push carries the rig's payload, which we cannot regenerate, and may outgrow rx.buf: header, length, CRC. */
static void push_complete(hammer_client_t *c, const hammer_header_t *hdr)
{
    if (hdr->len != c->rx.len) {
        report_corrupt(c, "bad_len", hdr, c->rx.len);
    } else if (hdr->crc != c->rx.crc) {
        report_corrupt(c, "bad_crc", hdr, c->rx.len);
    } else {
        hammer_stats_add(HAMMER_STAT_PUSHED, 1);
    }
}

static void echo_complete(hammer_client_t *c)
{
    hammer_header_t hdr;
    hammer_msg_verdict_t verdict = hammer_message_check(c->rx.buf, c->rx.len, c->rx.text, c->seed, c->min, c->max,
                                   &hdr);
    if (verdict != HAMMER_MSG_OK) {
        report_corrupt(c, hammer_msg_verdict_name(verdict), &hdr, c->rx.len);
        return;
    }
    if (hdr.task >= c->tasks) {
        report_corrupt(c, "bad_task", &hdr, c->rx.len);
        return;
    }
    if ((int64_t)hdr.seq <= c->last_seq[hdr.task]) {
        hammer_stats_add(HAMMER_STAT_OUT_OF_ORDER, 1);
    } else {
        c->last_seq[hdr.task] = hdr.seq;
    }
    hammer_stats_add(HAMMER_STAT_ECHOED, 1);
}

static void message_complete(hammer_client_t *c)
{
    hammer_header_t hdr;
    uint32_t stored = c->rx.len < c->rx.cap ? c->rx.len : c->rx.cap;
    if (!hammer_header_parse(c->rx.buf, stored, &hdr)) {
        report_corrupt(c, "bad_header", NULL, c->rx.len);
    } else if (hdr.task == HAMMER_PUSH_TASK) {
        push_complete(c, &hdr);
    } else if (c->rx.len > c->rx.cap) {
        report_corrupt(c, "too_long", &hdr, c->rx.len);
    } else {
        echo_complete(c);
    }
}

/* Keeps the message's first rx.cap bytes and a CRC over everything after the header. */
static void append_chunk(hammer_client_t *c, const uint8_t *data, uint32_t n)
{
    uint32_t room = c->rx.len < c->rx.cap ? c->rx.cap - c->rx.len : 0;
    memcpy(c->rx.buf + c->rx.len, data, n < room ? n : room);
    uint32_t skip = c->rx.len < HAMMER_HEADER_LEN ? HAMMER_HEADER_LEN - c->rx.len : 0;
    if (n > skip) {
        c->rx.crc = hammer_crc32(c->rx.crc, data + skip, n - skip);
    }
    c->rx.len += n;
}

/* Reassembles one message from DATA chunks of one or more frames. */
static void on_message_chunk(hammer_client_t *c, const esp_websocket_event_data_t *data)
{
    bool starts_message = data->op_code != WS_TRANSPORT_OPCODES_CONT && data->payload_offset == 0;
    if (starts_message) {
        if (c->rx.active) {
            report_corrupt(c, "unfinished_message", NULL, c->rx.len);
        }
        c->rx.active = true;
        c->rx.text = data->op_code == WS_TRANSPORT_OPCODES_TEXT;
        c->rx.len = 0;
        c->rx.crc = 0;
    } else if (!c->rx.active) {
        report_corrupt(c, "stray_continuation", NULL, (uint32_t)data->data_len);
        return;
    }
    if (data->data_len > 0) {
        append_chunk(c, (const uint8_t *)data->data_ptr, (uint32_t)data->data_len);
    }
    bool frame_done = data->payload_offset + data->data_len >= data->payload_len;
    if (frame_done && data->fin) {
        c->rx.active = false;
        message_complete(c);
    }
}

static void on_data(hammer_client_t *c, const esp_websocket_event_data_t *data)
{
    switch (data->op_code) {
    case WS_TRANSPORT_OPCODES_CLOSE:
        on_close_frame(c, data);
        break;
    case WS_TRANSPORT_OPCODES_PING:
    case WS_TRANSPORT_OPCODES_PONG:
        break;
    case WS_TRANSPORT_OPCODES_CONT:
    case WS_TRANSPORT_OPCODES_TEXT:
    case WS_TRANSPORT_OPCODES_BINARY:
        on_message_chunk(c, data);
        break;
    default:
        report_corrupt(c, "bad_opcode", NULL, (uint32_t)data->data_len);
        break;
    }
    note(c, HAMMER_EV_DATA);
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *event_data)
{
    (void)base;
    hammer_client_t *c = arg;
    const esp_websocket_event_data_t *data = event_data;
    switch (id) {
    case WEBSOCKET_EVENT_BEFORE_CONNECT:
        note(c, HAMMER_EV_BEFORE_CONNECT);
        break;
    case WEBSOCKET_EVENT_CONNECTED:
        on_connected(c);
        break;
    case WEBSOCKET_EVENT_DISCONNECTED:
        on_failure(c, HAMMER_EV_DISCONNECTED, data);
        break;
    case WEBSOCKET_EVENT_ERROR:
        on_failure(c, HAMMER_EV_ERROR, data);
        break;
    case WEBSOCKET_EVENT_CLOSED:
        log_event(c, "closed");
        note(c, HAMMER_EV_CLOSED);
        break;
    case WEBSOCKET_EVENT_DATA:
        if (data != NULL) {
            on_data(c, data);
        }
        break;
#if WSH_CLIENT_HAS_FINISH_EVENT
    case WEBSOCKET_EVENT_FINISH:
        log_event(c, "finish");
        note(c, HAMMER_EV_FINISH);
        break;
#endif
    default:
        break;
    }
}

static void wrapper_free(hammer_client_t *c)
{
    if (c->wake != NULL) {
        vEventGroupDelete(c->wake);
    }
    free(c->rx.buf);
    free(c);
}

static hammer_client_t *wrapper_new(const hammer_cmd_t *cmd, const hammer_client_opts_t *opts)
{
    hammer_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->seed = cmd->seed;
    c->min = cmd->min;
    c->max = cmd->max;
    c->tasks = cmd->tasks;
    c->log_events = opts->log_events;
    c->rx.cap = cmd->max;
    c->rx.buf = malloc(cmd->max);
    c->wake = xEventGroupCreate();
    for (int i = 0; i < HAMMER_MAX_TASKS; i++) {
        c->last_seq[i] = -1;
    }
    atomic_init(&c->last_error_type, -1);
    atomic_init(&c->last_close_code, -1);
    atomic_init(&c->heap_early, -1);
    atomic_init(&c->heap_late, -1);
    atomic_init(&c->fds_first_reconnect, -1);
    atomic_init(&c->fds_last_connect, -1);
    if (c->rx.buf == NULL || c->wake == NULL) {
        wrapper_free(c);
        return NULL;
    }
    return c;
}

hammer_client_t *hammer_client_create(const hammer_cmd_t *cmd, const hammer_client_opts_t *opts)
{
    const char *uri = opts->uri ? opts->uri : cmd->uri;
    hammer_client_t *c = wrapper_new(cmd, opts);
    if (c == NULL) {
        ESP_LOGE(TAG, "client wrapper: out of memory");
        return NULL;
    }
    esp_websocket_client_config_t cfg = {
        .uri = uri,
        .buffer_size = (int)cmd->buffer,
        .network_timeout_ms = (int)cmd->network_timeout_ms,
        .reconnect_timeout_ms = (int)(opts->reconnect_timeout_ms ? opts->reconnect_timeout_ms
                                      : cmd->reconnect_timeout_ms),
        .disable_auto_reconnect = !opts->auto_reconnect,
#if WSH_CLIENT_HAS_CLOSE_RECONNECT
        .enable_close_reconnect = opts->close_reconnect,
#endif
        .cert_pem = (const char *)cmd->ca_der,
        .cert_len = cmd->ca_der_len,
#if WSH_CLIENT_HAS_CERT_COMMON_NAME
        .cert_common_name = cmd->cn,
#endif
        .task_stack = CLIENT_TASK_STACK,
    };
    c->handle = esp_websocket_client_init(&cfg);
    if (c->handle == NULL) {
        ESP_LOGE(TAG, "esp_websocket_client_init failed for %s", uri);
        wrapper_free(c);
        return NULL;
    }
    esp_err_t err = esp_websocket_register_events(c->handle, WEBSOCKET_EVENT_ANY, on_event, c);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_websocket_register_events failed: %s", esp_err_to_name(err));
        hammer_client_destroy(c);
        return NULL;
    }
    return c;
}

esp_websocket_client_handle_t hammer_client_handle(const hammer_client_t *client)
{
    return client->handle;
}

esp_err_t hammer_client_destroy(hammer_client_t *client)
{
    esp_err_t err = esp_websocket_client_destroy(client->handle);
    wrapper_free(client);
    return err;
}

uint32_t hammer_client_count(const hammer_client_t *client, hammer_ev_t ev)
{
    return atomic_load(&client->count[ev]);
}

/* Until `ev` or `or_ev` (the same event for one) has been seen `target` times; false on the timeout. */
static bool wait_either(hammer_client_t *client, hammer_ev_t ev, hammer_ev_t or_ev, uint32_t target,
                        uint32_t timeout_ms)
{
    int64_t deadline = hammer_now_ms() + timeout_ms;
    while (hammer_client_count(client, ev) < target && hammer_client_count(client, or_ev) < target) {
        int64_t left = deadline - hammer_now_ms();
        if (left <= 0) {
            return false;
        }
        uint32_t slice = left < WAIT_SLICE_MS ? (uint32_t)left : WAIT_SLICE_MS;
        xEventGroupWaitBits(client->wake, (1u << ev) | (1u << or_ev), pdTRUE, pdFALSE, pdMS_TO_TICKS(slice) + 1);
    }
    return true;
}

bool hammer_client_wait(hammer_client_t *client, hammer_ev_t ev, uint32_t target, uint32_t timeout_ms)
{
    return wait_either(client, ev, ev, target, timeout_ms);
}

bool hammer_client_release_after_exit(hammer_client_t *client, uint32_t timeout_ms)
{
#if WSH_CLIENT_HAS_FINISH_EVENT
    bool ended = hammer_client_wait(client, HAMMER_EV_FINISH, 1, timeout_ms);
#else
    /* Before 1.3 there is no FINISH: an ending task's last event is DISCONNECTED or CLOSED, then it ends. */
    bool ended = wait_either(client, HAMMER_EV_FAILURE, HAMMER_EV_CLOSED, 1, timeout_ms);
#endif
    if (!ended) {
        return false;
    }
    vTaskDelay(pdMS_TO_TICKS(EXIT_GRACE_MS));
    wrapper_free(client);
    return true;
}

void hammer_client_seen(const hammer_client_t *client, hammer_client_seen_t *out)
{
    const hammer_client_t *c = client;
    for (int i = 0; i < HAMMER_EV_COUNT; i++) {
        out->count[i] = atomic_load(&c->count[i]);
    }
    out->error_types_seen = atomic_load(&c->error_types_seen);
    out->last_error_type = atomic_load(&c->last_error_type);
    out->last_handshake_status = atomic_load(&c->last_handshake_status);
    out->last_sock_errno = atomic_load(&c->last_sock_errno);
    out->last_close_code = atomic_load(&c->last_close_code);
    out->heap_early_reconnects = atomic_load(&c->heap_early);
    out->heap_late_reconnects = atomic_load(&c->heap_late);
    out->fds_first_reconnect = atomic_load(&c->fds_first_reconnect);
    out->fds_last_connect = atomic_load(&c->fds_last_connect);
}
