/*
 * cmocka unit tests of tcp_transport's and esp-tls's pure parts (frame headers, handshake, error handles,
 * base64), transport lists, and the sentinel's single-thread rules. app_main runs the suite and exits with
 * the number of failures. Single-threaded: no locking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sdkconfig.h"
#include "esp_tls.h"
#include "esp_tls_crypto.h"
#include "esp_transport.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ws.h"
#include "wsh_sentinel.h"
#include "ws_frame.h"
#include "ws_handshake.h"

static const uint8_t MASK[4] = { 0x11, 0x22, 0x33, 0x44 };

static void test_header_length_forms(void **state)
{
    uint8_t h[WS_FRAME_HEADER_MAX];
    assert_int_equal(ws_frame_encode_header(h, 0x81, 125, MASK), 6);
    assert_int_equal(h[1], 0x80 | 125);
    assert_int_equal(ws_frame_encode_header(h, 0x82, 126, MASK), 8);
    assert_int_equal(h[1], 0x80 | 126);
    assert_int_equal((h[2] << 8) | h[3], 126);
    assert_int_equal(ws_frame_encode_header(h, 0x82, 65535, MASK), 8);
    assert_int_equal(ws_frame_encode_header(h, 0x02, 65536, MASK), 14);
    assert_int_equal(h[0], 0x02);
    assert_int_equal(h[1], 0x80 | 127);
    const uint8_t len64[8] = { 0, 0, 0, 0, 0, 1, 0, 0 };
    assert_memory_equal(h + 2, len64, 8);
    assert_memory_equal(h + 10, MASK, 4);
}

static void test_header_rest(void **state)
{
    assert_int_equal(ws_frame_header_rest((const uint8_t[]) { 0x81, 0x05 }), 0);
    assert_int_equal(ws_frame_header_rest((const uint8_t[]) { 0x81, 0x7E }), 2);
    assert_int_equal(ws_frame_header_rest((const uint8_t[]) { 0x82, 0x7F }), 8);
    assert_int_equal(ws_frame_header_rest((const uint8_t[]) { 0x82, 0xFE }), 6);
}

static void test_decode_round_trip(void **state)
{
    uint8_t h[WS_FRAME_HEADER_MAX];
    size_t n = ws_frame_encode_header(h, 0x80 | 0x1, 70000, MASK);
    ws_frame_header_t f;
    assert_null(ws_frame_decode_header(h, n, &f));
    assert_true(f.fin);
    assert_true(f.masked);
    assert_int_equal(f.opcode, 1);
    assert_int_equal(f.payload_len, 70000);
    assert_memory_equal(f.mask, MASK, 4);
    assert_non_null(ws_frame_decode_header(h, n - 1, &f));  /* truncated */
}

static void test_decode_rejects_protocol_errors(void **state)
{
    ws_frame_header_t f;
    assert_string_equal(ws_frame_decode_header((const uint8_t[]) { 0xC2, 0x00 }, 2, &f),
                        "reserved bits set (no extension was negotiated)");
    assert_string_equal(ws_frame_decode_header((const uint8_t[]) { 0x83, 0x00 }, 2, &f), "unknown opcode");
    assert_string_equal(ws_frame_decode_header((const uint8_t[]) { 0x09, 0x00 }, 2, &f),
                        "control frame fragmented or longer than 125 bytes");
    assert_string_equal(ws_frame_decode_header((const uint8_t[]) { 0x89, 0x7E, 0x00, 0x7E }, 4, &f),
                        "control frame fragmented or longer than 125 bytes");
    const uint8_t huge[] = { 0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    assert_string_equal(ws_frame_decode_header(huge, sizeof(huge), &f), "64-bit length with the top bit set");
}

static void test_mask_is_resumable_and_involutive(void **state)
{
    uint8_t whole[11] = "hello world";
    uint8_t parts[11] = "hello world";
    ws_frame_apply_mask(whole, sizeof(whole), MASK, 0);
    ws_frame_apply_mask(parts, 3, MASK, 0);
    ws_frame_apply_mask(parts + 3, 8, MASK, 3);
    assert_memory_equal(whole, parts, sizeof(whole));
    ws_frame_apply_mask(whole, sizeof(whole), MASK, 0);
    assert_memory_equal(whole, "hello world", sizeof(whole));
}

static void test_accept_matches_rfc_example(void **state)
{
    char accept[WS_ACCEPT_SIZE];
    assert_int_equal(ws_handshake_expected_accept("dGhlIHNhbXBsZSBub25jZQ==", accept), 0);
    assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void test_keys_are_random_16_bytes(void **state)
{
    char a[WS_KEY_SIZE], b[WS_KEY_SIZE];
    assert_int_equal(ws_handshake_make_key(a), 0);
    assert_int_equal(ws_handshake_make_key(b), 0);
    assert_int_equal(strlen(a), 24);
    assert_string_equal(a + 22, "==");
    assert_string_not_equal(a, b);
}

static void test_request_lines_and_overflow(void **state)
{
    ws_request_t req = {
        .host = "example", .port = 8080, .path = "/chat?x=1", .key = "k", .user_agent = "ua",
        .sub_protocol = "chat", .auth = "Basic YTpi", .headers = "X-A: 1\r\n",
    };
    char out[512];
    int n = ws_handshake_build_request(&req, out, sizeof(out));
    assert_true(n > 0);
    assert_int_equal(strncmp(out, "GET /chat?x=1 HTTP/1.1\r\n", 24), 0);
    assert_non_null(strstr(out, "Host: example:8080\r\n"));
    assert_non_null(strstr(out, "Sec-WebSocket-Protocol: chat\r\n"));
    assert_non_null(strstr(out, "Authorization: Basic YTpi\r\n"));
    assert_non_null(strstr(out, "X-A: 1\r\n\r\n"));
    assert_int_equal(ws_handshake_build_request(&req, out, 64), -1);
}

static void test_response_parse_and_check(void **state)
{
    char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    char head[] = "HTTP/1.1 101 Switching Protocols\r\nupgrade:  WebSocket \r\nConnection: keep-alive, Upgrade\r\n"
                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";
    size_t len = ws_handshake_head_length(head, strlen(head));
    assert_int_equal(len, strlen(head));
    assert_int_equal(ws_handshake_head_length(head, len - 1), 0);
    ws_response_t resp;
    assert_null(ws_handshake_parse_response(head, len, &resp, NULL, NULL));
    assert_int_equal(resp.status, 101);
    assert_string_equal(resp.upgrade, "WebSocket");
    assert_null(ws_handshake_check(&resp, key, "superchat, chat"));
    assert_string_equal(ws_handshake_check(&resp, key, NULL), "server chose a subprotocol that was not offered");
    assert_string_equal(ws_handshake_check(&resp, "AAAAAAAAAAAAAAAAAAAAAA==", "chat"),
                        "Sec-WebSocket-Accept does not match the key");
}

static void test_response_malformed(void **state)
{
    ws_response_t resp;
    char no_status[] = "HTTP/1.1 abc\r\n\r\n";
    assert_string_equal(ws_handshake_parse_response(no_status, strlen(no_status), &resp, NULL, NULL),
                        "no HTTP status line");
    char no_colon[] = "HTTP/1.1 101 OK\r\nbroken line\r\n\r\n";
    assert_string_equal(ws_handshake_parse_response(no_colon, strlen(no_colon), &resp, NULL, NULL),
                        "header line without a colon");
    char redirect[] = "HTTP/1.1 302 Found\r\nLOCATION: ws://h/x\r\n\r\n";
    assert_null(ws_handshake_parse_response(redirect, strlen(redirect), &resp, NULL, NULL));
    assert_int_equal(resp.status, 302);
    assert_string_equal(resp.location, "ws://h/x");
    assert_string_equal(ws_handshake_check(&resp, "k", NULL), "missing or wrong Upgrade header");
}

static void test_error_handle_get_and_clear(void **state)
{
    assert_int_equal(esp_tls_get_and_clear_last_error(NULL, NULL, NULL), ESP_ERR_INVALID_STATE);
    esp_tls_last_error_t err = { .last_error = ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, .esp_tls_error_code = -0x2700,
                                 .esp_tls_flags = 8 };
    int code = 0, flags = 0;
    assert_int_equal(esp_tls_get_and_clear_last_error(&err, &code, &flags), ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED);
    assert_int_equal(code, -0x2700);
    assert_int_equal(flags, 8);
    assert_int_equal(esp_tls_get_and_clear_last_error(&err, &code, &flags), ESP_OK);
    assert_int_equal(code, 0);
}

static void test_base64(void **state)
{
    size_t need = 0;
    const unsigned char in[] = "alice:secret";
    esp_crypto_base64_encode(NULL, 0, &need, in, 12);
    assert_int_equal(need, 17);
    unsigned char out[17];
    size_t olen = 0;
    assert_int_equal(esp_crypto_base64_encode(out, sizeof(out), &olen, in, 12), 0);
    assert_string_equal((char *)out, "YWxpY2U6c2VjcmV0");
}

static void test_list_by_scheme(void **state)
{
    esp_transport_list_handle_t list = esp_transport_list_init();
    esp_transport_handle_t tcp = esp_transport_tcp_init();
    esp_transport_handle_t ws = esp_transport_ws_init(tcp);
    assert_int_equal(esp_transport_list_add(list, tcp, "_tcp"), ESP_OK);
    assert_int_equal(esp_transport_list_add(list, ws, "ws"), ESP_OK);
    assert_ptr_equal(esp_transport_list_get_transport(list, "WS"), ws);
    assert_ptr_equal(esp_transport_list_get_transport(list, "_tcp"), tcp);
    assert_null(esp_transport_list_get_transport(list, "wss"));
    assert_int_equal(esp_transport_get_default_port(ws), 80);
    assert_int_equal(esp_transport_list_add(list, NULL, "x"), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_transport_list_destroy(list), ESP_OK);  /* destroys both; ASan checks the leak */
}

/* Uses that keep the contract make no report (the violations themselves: tests/host/test_sentinel.py). */
static void test_sentinel_allows_close_twice_and_reconnect(void **state)
{
    unsigned before = wsh_sentinel_violation_count();
    esp_transport_handle_t tcp = esp_transport_tcp_init();
    char buf[4];
    assert_int_equal(esp_transport_read(tcp, buf, sizeof(buf), 0), -1);  /* never connected: fails quietly */
    assert_int_equal(esp_transport_close(tcp), 0);
    assert_int_equal(esp_transport_close(tcp), 0);
    assert_int_equal(esp_transport_connect(tcp, "127.0.0.1", 1, 1000), -1);
    assert_int_equal(esp_transport_close(tcp), 0);
    assert_int_equal(esp_transport_connect(tcp, "127.0.0.1", 1, 1000), -1);
    assert_int_equal(esp_transport_get_errno(tcp), 111);                 /* ECONNREFUSED, then cleared */
    assert_int_equal(esp_transport_get_errno(tcp), 0);
    assert_int_equal(esp_transport_destroy(tcp), ESP_OK);
    assert_int_equal(wsh_sentinel_violation_count(), before);
}

static void test_bad_arguments(void **state)
{
    assert_null(esp_transport_ws_init(NULL));
    assert_int_equal(esp_transport_connect(NULL, "h", 1, 0), -1);
    assert_int_equal(esp_transport_read(NULL, NULL, 0, 0), -1);
    esp_transport_handle_t tcp = esp_transport_tcp_init();
    assert_int_equal(esp_transport_ws_get_upgrade_request_status(tcp), -1);  /* not a ws transport */
    assert_int_equal(esp_transport_ws_send_raw(tcp, WS_TRANSPORT_OPCODES_TEXT, "x", 1, 0), -1);
    char long_name[300];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(esp_transport_connect(tcp, long_name, 80, 1000), -1);
    esp_tls_error_handle_t err = esp_transport_get_error_handle(tcp);
    assert_int_equal(err->last_error, ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME);
    esp_transport_destroy(tcp);
}

/* A custom transport through esp_transport_init/set_func: an in-memory loopback. */
typedef struct {
    char data[32];
    int len;
    int connects;
    int closes;
} loopback_t;

static int loop_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    ((loopback_t *)esp_transport_get_context_data(t))->connects++;
    return 0;
}

static int loop_write(esp_transport_handle_t t, const char *buf, int len, int timeout_ms)
{
    loopback_t *lb = esp_transport_get_context_data(t);
    int n = len < (int)sizeof(lb->data) - lb->len ? len : (int)sizeof(lb->data) - lb->len;
    memcpy(lb->data + lb->len, buf, (size_t)n);
    lb->len += n;
    return n;
}

static int loop_read(esp_transport_handle_t t, char *buf, int len, int timeout_ms)
{
    loopback_t *lb = esp_transport_get_context_data(t);
    int n = len < lb->len ? len : lb->len;
    memcpy(buf, lb->data, (size_t)n);
    memmove(lb->data, lb->data + n, (size_t)(lb->len - n));
    lb->len -= n;
    return n;
}

static int loop_poll(esp_transport_handle_t t, int timeout_ms)
{
    return ((loopback_t *)esp_transport_get_context_data(t))->len > 0;
}

static int loop_close(esp_transport_handle_t t)
{
    ((loopback_t *)esp_transport_get_context_data(t))->closes++;
    return 0;
}

static void test_custom_transport_dispatch(void **state)
{
    loopback_t lb = {0};
    esp_transport_handle_t t = esp_transport_init();
    assert_int_equal(esp_transport_set_func(t, loop_connect, loop_read, loop_write, loop_close, loop_poll, loop_poll, NULL),
                     ESP_OK);
    assert_int_equal(esp_transport_set_context_data(t, &lb), ESP_OK);
    assert_int_equal(esp_transport_set_default_port(t, 1234), ESP_OK);
    assert_int_equal(esp_transport_get_default_port(t), 1234);
    assert_int_equal(esp_transport_connect_async(t, "h", 1, 0), -1);  /* no async function set */
    assert_int_equal(esp_transport_connect(t, "h", 1, 0), 0);
    assert_int_equal(esp_transport_poll_read(t, 0), 0);
    assert_int_equal(esp_transport_write(t, "abc", 3, 0), 3);
    assert_int_equal(esp_transport_poll_read(t, 0), 1);
    char buf[8] = {0};
    assert_int_equal(esp_transport_read(t, buf, sizeof(buf), 0), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(esp_transport_close(t), 0);
    assert_int_equal(lb.connects, 1);
    assert_int_equal(lb.closes, 1);
    assert_int_equal(esp_transport_get_socket(t), -1);  /* no socket function */
    assert_int_equal(esp_transport_destroy(t), ESP_OK);
}

static void test_ws_payload_transport_is_the_parent(void **state)
{
    esp_transport_handle_t tcp = esp_transport_tcp_init();
    esp_transport_handle_t ws = esp_transport_ws_init(tcp);
    assert_ptr_equal(esp_transport_get_payload_transport_handle(ws), tcp);
    assert_null(esp_transport_get_payload_transport_handle(tcp));
    assert_int_equal(esp_transport_ws_get_read_opcode(ws), WS_TRANSPORT_OPCODES_NONE);
    assert_int_equal(esp_transport_ws_get_upgrade_request_status(ws), -1);
    assert_null(esp_transport_ws_get_redir_uri(ws));
    esp_transport_destroy(ws);
    esp_transport_destroy(tcp);
}

/* A listening socket on 127.0.0.1 (never accepted: the kernel completes the handshake anyway). */
static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

static void test_plain_tcp_connect(void **state)
{
    int port = 0;
    int listener = listen_loopback(&port);
    esp_tls_cfg_t cfg = { .timeout_ms = 1000 };
    esp_tls_last_error_t err = {0};
    int fd = -1;
    assert_int_equal(esp_tls_plain_tcp_connect("127.0.0.1", 9, port, &cfg, &err, &fd), ESP_OK);
    assert_true(fd >= 0);
    close(fd);
    /* Through the tcp transport: a 0-byte read is not mistaken for the peer's FIN. */
    esp_transport_handle_t tcp = esp_transport_tcp_init();
    char buf[1];
    assert_int_equal(esp_transport_connect(tcp, "127.0.0.1", port, 1000), 0);
    assert_int_equal(esp_transport_read(tcp, buf, 0, 0), 0);
    assert_int_equal(esp_transport_read(tcp, buf, sizeof(buf), 0), 0);  /* nothing sent: timeout */
    esp_transport_destroy(tcp);
    close(listener);
    /* The port is closed now: refused, with errno in the error handle. */
    assert_int_equal(esp_tls_plain_tcp_connect("127.0.0.1", 9, port, &cfg, &err, &fd),
                     ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST);
    assert_int_equal(err.last_error, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST);
    assert_int_equal(err.esp_tls_error_code, 111);
}

/* Client sockets get lwIP's buffer sizes (Linux reports twice what was set, its bookkeeping included). */
static void test_client_sockets_have_lwip_sized_buffers(void **state)
{
    int port = 0;
    int listener = listen_loopback(&port);
    esp_transport_handle_t tcp = esp_transport_tcp_init();
    assert_int_equal(esp_transport_connect(tcp, "127.0.0.1", port, 1000), 0);
    int fd = esp_transport_get_socket(tcp);
    int snd = 0, rcv = 0;
    socklen_t len = sizeof(int);
    assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len), 0);
    assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len), 0);
    assert_in_range(snd, CONFIG_LWIP_TCP_SND_BUF_DEFAULT, 2 * CONFIG_LWIP_TCP_SND_BUF_DEFAULT);
    assert_in_range(rcv, CONFIG_LWIP_TCP_WND_DEFAULT, 2 * CONFIG_LWIP_TCP_WND_DEFAULT);
    esp_transport_destroy(tcp);
    close(listener);
}

void app_main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_length_forms),
        cmocka_unit_test(test_header_rest),
        cmocka_unit_test(test_decode_round_trip),
        cmocka_unit_test(test_decode_rejects_protocol_errors),
        cmocka_unit_test(test_mask_is_resumable_and_involutive),
        cmocka_unit_test(test_accept_matches_rfc_example),
        cmocka_unit_test(test_keys_are_random_16_bytes),
        cmocka_unit_test(test_request_lines_and_overflow),
        cmocka_unit_test(test_response_parse_and_check),
        cmocka_unit_test(test_response_malformed),
        cmocka_unit_test(test_error_handle_get_and_clear),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_list_by_scheme),
        cmocka_unit_test(test_sentinel_allows_close_twice_and_reconnect),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_plain_tcp_connect),
        cmocka_unit_test(test_client_sockets_have_lwip_sized_buffers),
        cmocka_unit_test(test_custom_transport_dispatch),
        cmocka_unit_test(test_ws_payload_transport_is_the_parent),
    };
    exit(cmocka_run_group_tests(tests, NULL, NULL));
}
