/*
 * WebSocket transport cases (see ws_cases.h): echo of one message of any size and opcode, client
 * fragmentation, the upgrade (subprotocol, headers, auth, status), PING handling in both propagate
 * modes, CLOSE handling, redirects, and masking. No locking: the console task runs one case at a time.
 */
#include "ws_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_conn.h"
#include "esp_log.h"
#include "esp_transport_ws.h"

static const char *TAG = "twt";

static void fill_pattern(char *buf, int len, int seed)
{
    for (int i = 0; i < len; i++) {
        buf[i] = (char)('a' + (i * 7 + seed) % 26);
    }
}

typedef struct {
    int reads;           /* read calls that returned data */
    int opcode;          /* opcode seen on the first data read */
    bool payload_len_ok; /* every read reported the whole message's payload length */
    bool fin_last;       /* FIN set once the last byte was read */
} read_stats_t;

/* Reads one whole message of len bytes in reads of at most chunk bytes. Returns bytes read or -1. */
static int read_message(esp_transport_handle_t ws, char *out, int len, int chunk, int timeout_ms, read_stats_t *st)
{
    memset(st, 0, sizeof(*st));
    st->payload_len_ok = true;
    int got = 0;
    while (got < len) {
        int want = len - got < chunk ? len - got : chunk;
        int n = esp_transport_read(ws, out + got, want, timeout_ms);
        if (n <= 0) {
            ESP_LOGE(TAG, "read returned %d after %d of %d bytes", n, got, len);
            return -1;
        }
        if (st->reads++ == 0) {
            st->opcode = esp_transport_ws_get_read_opcode(ws);
        }
        st->payload_len_ok &= esp_transport_ws_get_read_payload_len(ws) == len;
        got += n;
    }
    st->fin_last = esp_transport_ws_get_fin_flag(ws);
    return got;
}

static int opcode_arg(const case_args_t *args)
{
    const char *op = case_arg_str(args, "op", "binary");
    return strcmp(op, "text") == 0 ? WS_TRANSPORT_OPCODES_TEXT : WS_TRANSPORT_OPCODES_BINARY;
}

void ws_case_echo(const case_args_t *args)
{
    int size = case_arg_int(args, "size", 16);
    int chunk = case_arg_int(args, "chunk", 1 << 20);
    int opcode = opcode_arg(args);
    case_conn_t c;
    if (!case_conn_build(&c, args)) {
        case_done("echo", false, "reason=build");
        return;
    }
    char *msg = malloc((size_t)size + 1);
    char *copy = malloc((size_t)size + 1);
    char *back = malloc((size_t)size + 1);
    fill_pattern(msg, size, size);
    memcpy(copy, msg, (size_t)size);
    read_stats_t st = {0};
    int status = -1, sent = -1, got = -1;
    if (case_conn_connect(&c, args) == 0) {
        status = esp_transport_ws_get_upgrade_request_status(c.ws);
        sent = esp_transport_ws_send_raw(c.ws, opcode | WS_TRANSPORT_OPCODES_FIN, msg, size, 5000);
        got = read_message(c.ws, back, size, chunk, 5000, &st);
    } else {
        case_conn_print_errors(&c);
    }
    bool intact = memcmp(msg, copy, (size_t)size) == 0;
    bool same = got == size && memcmp(back, copy, (size_t)size) == 0;
    case_done("echo", sent == size && same && intact,
              "status=%d sent=%d got=%d same=%d buffer_intact=%d reads=%d opcode=%d payload_len_ok=%d fin=%d",
              status, sent, got, same, intact, st.reads, st.opcode, st.payload_len_ok, st.fin_last);
    free(msg);
    free(copy);
    free(back);
    case_conn_destroy(&c);
}

void ws_case_frag(const case_args_t *args)
{
    int size = case_arg_int(args, "size", 300);
    int parts = case_arg_int(args, "parts", 3);
    int opcode = opcode_arg(args);
    case_conn_t c;
    if (!case_conn_build(&c, args) || parts < 1 || size < parts) {
        case_done("frag", false, "reason=args");
        return;
    }
    char *msg = malloc((size_t)size);
    char *back = malloc((size_t)size);
    fill_pattern(msg, size, 3);
    bool sent_ok = case_conn_connect(&c, args) == 0;
    int part = size / parts;
    for (int i = 0, off = 0; sent_ok && i < parts; i++) {
        int len = i == parts - 1 ? size - off : part;
        int op = (i == 0 ? opcode : WS_TRANSPORT_OPCODES_CONT) | (i == parts - 1 ? WS_TRANSPORT_OPCODES_FIN : 0);
        sent_ok = esp_transport_ws_send_raw(c.ws, op, msg + off, len, 5000) == len;
        off += len;
    }
    read_stats_t st = {0};
    int got = sent_ok ? read_message(c.ws, back, size, 1 << 20, 5000, &st) : -1;
    bool same = got == size && memcmp(back, msg, (size_t)size) == 0;
    case_done("frag", sent_ok && same, "sent_ok=%d got=%d same=%d opcode=%d", sent_ok, got, same, st.opcode);
    free(msg);
    free(back);
    case_conn_destroy(&c);
}

void ws_case_handshake(const case_args_t *args)
{
    case_conn_t c;
    if (!case_conn_build(&c, args)) {
        case_done("handshake", false, "reason=build");
        return;
    }
    char response[1024] = {0};
    esp_transport_ws_set_response_headers(c.ws, response, sizeof(response));
    int ret = case_conn_connect(&c, args);
    int status = esp_transport_ws_get_upgrade_request_status(c.ws);
    const char *want = case_arg_str(args, "subprotocol", NULL);
    char expect[128] = "";
    if (want) {
        snprintf(expect, sizeof(expect), "Sec-WebSocket-Protocol: %s", want);
    }
    bool has_protocol = want && strcasestr(response, expect) != NULL;
    if (ret != 0) {
        case_conn_print_errors(&c);
    }
    case_done("handshake", ret == 0 && status == 101, "connect=%d status=%d response_has_protocol=%d", ret, status,
              has_protocol);
    case_conn_destroy(&c);
}

/* The peer sends PING "hello", then a text message saying whether the PONG it got matched. */
void ws_case_ping(const case_args_t *args)
{
    bool propagate = case_arg_int(args, "propagate", 0) != 0;
    case_conn_t c;
    if (!case_conn_build(&c, args) || case_conn_connect(&c, args) != 0) {
        case_done("ping", false, "reason=connect");
        case_conn_destroy(&c);
        return;
    }
    char buf[128] = {0};
    int first = esp_transport_read(c.ws, buf, sizeof(buf) - 1, 3000);
    int first_opcode = esp_transport_ws_get_read_opcode(c.ws);
    bool replied = true;
    if (propagate && first > 0 && first_opcode == WS_TRANSPORT_OPCODES_PING) {
        replied = esp_transport_ws_send_raw(c.ws, WS_TRANSPORT_OPCODES_PONG | WS_TRANSPORT_OPCODES_FIN, buf, first, 2000) == first;
    }
    char verdict[64] = {0};
    int n = esp_transport_read(c.ws, verdict, sizeof(verdict) - 1, 3000);
    bool ok = n > 0 && strcmp(verdict, "pong-ok") == 0 && replied;
    case_done("ping", ok, "first_read=%d first_opcode=%d first_payload=%s verdict=%s", first, first_opcode,
              first > 0 ? buf : "-", n > 0 ? verdict : "-");
    case_conn_destroy(&c);
}

/* After one echoed message the peer closes with a code: propagated, the CLOSE reaches us and we answer
 * it; not propagated, the transport answers and waits for the FIN itself. */
void ws_case_close(const case_args_t *args)
{
    bool propagate = case_arg_int(args, "propagate", 0) != 0;
    case_conn_t c;
    if (!case_conn_build(&c, args) || case_conn_connect(&c, args) != 0) {
        case_done("close", false, "reason=connect");
        case_conn_destroy(&c);
        return;
    }
    int idle = esp_transport_ws_poll_connection_closed(c.ws, 200);
    char msg[40];
    fill_pattern(msg, sizeof(msg), 1);
    esp_transport_ws_send_raw(c.ws, WS_TRANSPORT_OPCODES_BINARY | WS_TRANSPORT_OPCODES_FIN, msg, sizeof(msg), 2000);
    char buf[128];
    read_stats_t st;
    int echoed = read_message(c.ws, buf, sizeof(msg), sizeof(buf), 3000, &st);
    int n = esp_transport_read(c.ws, buf, sizeof(buf), 3000);
    int opcode = esp_transport_ws_get_read_opcode(c.ws);
    int code = -1;
    int closed = -1;
    if (propagate && n >= 2 && opcode == WS_TRANSPORT_OPCODES_CLOSE) {
        code = ((unsigned char)buf[0] << 8) | (unsigned char)buf[1];
        esp_transport_ws_send_raw(c.ws, WS_TRANSPORT_OPCODES_CLOSE | WS_TRANSPORT_OPCODES_FIN, buf, 2, 2000);
        closed = esp_transport_ws_poll_connection_closed(c.ws, 3000);
    }
    int after = esp_transport_read(c.ws, buf, sizeof(buf), 1000);
    bool ok = idle == 0 && echoed == (int)sizeof(msg) && after < 0 &&
              (propagate ? closed == 1 : (n == 0 && opcode == WS_TRANSPORT_OPCODES_NONE));
    case_done("close", ok, "idle_poll=%d read=%d opcode=%d code=%d poll_closed=%d read_after=%d", idle, n, opcode, code,
              closed, after);
    case_conn_destroy(&c);
}

void ws_case_redirect(const case_args_t *args)
{
    case_conn_t c;
    if (!case_conn_build(&c, args)) {
        case_done("redirect", false, "reason=build");
        return;
    }
    int ret = case_conn_connect(&c, args);
    int status = esp_transport_ws_get_upgrade_request_status(c.ws);
    const char *uri = esp_transport_ws_get_redir_uri(c.ws);
    /* As ESP-IDF's ws transport from v5.5.1: connect returns the HTTP status of a 3xx. */
    case_done("redirect", ret == status && status >= 300 && status < 400 && uri != NULL, "connect=%d status=%d location=%s",
              ret, status, uri ? uri : "-");
    case_conn_destroy(&c);
}

/* Sends the same payload count times; the raw peer reports whether the masks differed. */
void ws_case_masks(const case_args_t *args)
{
    int count = case_arg_int(args, "count", 4);
    case_conn_t c;
    if (!case_conn_build(&c, args) || case_conn_connect(&c, args) != 0) {
        case_done("masks", false, "reason=connect");
        case_conn_destroy(&c);
        return;
    }
    const char payload[] = "same payload every time";
    int sent = 0;
    for (int i = 0; i < count; i++) {
        sent += esp_transport_ws_send_raw(c.ws, WS_TRANSPORT_OPCODES_TEXT | WS_TRANSPORT_OPCODES_FIN, payload,
                                          (int)strlen(payload), 2000) == (int)strlen(payload);
    }
    char verdict[64] = {0};
    int n = esp_transport_read(c.ws, verdict, sizeof(verdict) - 1, 3000);
    case_done("masks", sent == count && n > 0, "sent=%d verdict=%s", sent, n > 0 ? verdict : "-");
    case_conn_destroy(&c);
}

/* Reads up to `reads` times (stopping at an error) and reports each read as opcode:fin:bytes:payload_len,
 * plus the text received; an optional `send` text goes out first (to trigger the peer). */
void ws_case_recv(const case_args_t *args)
{
    int reads = case_arg_int(args, "reads", 3);
    case_conn_t c;
    if (!case_conn_build(&c, args) || case_conn_connect(&c, args) != 0) {
        case_done("recv", false, "reason=connect");
        case_conn_destroy(&c);
        return;
    }
    const char *trigger = case_arg_str(args, "send", NULL);
    if (trigger) {
        esp_transport_ws_send_raw(c.ws, WS_TRANSPORT_OPCODES_TEXT | WS_TRANSPORT_OPCODES_FIN, trigger,
                                  (int)strlen(trigger), 2000);
    }
    char log[512] = "";
    char text[256] = "";
    int error_at = -1;
    for (int i = 0; i < reads; i++) {
        char buf[128];
        int n = esp_transport_read(c.ws, buf, sizeof(buf) - 1, 2000);
        if (n < 0) {
            error_at = i;
            break;
        }
        size_t used = strlen(log);
        snprintf(log + used, sizeof(log) - used, "%s%d:%d:%d:%d", used ? "," : "", esp_transport_ws_get_read_opcode(c.ws),
                 esp_transport_ws_get_fin_flag(c.ws), n, esp_transport_ws_get_read_payload_len(c.ws));
        buf[n] = '\0';
        strncat(text, buf, sizeof(text) - strlen(text) - 1);
    }
    case_done("recv", error_at < 0, "reads=%s text=%s error_at=%d", log[0] ? log : "-", text[0] ? text : "-", error_at);
    case_conn_destroy(&c);
}
