/*
 * The WebSocket opening handshake: key, request, response parsing and checks (see ws_handshake.h).
 * Locking: stateless.
 */
#include "ws_handshake.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_tls_crypto.h"

static const char WS_GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int ws_handshake_make_key(char key[WS_KEY_SIZE])
{
    unsigned char nonce[16];
    size_t olen = 0;
    arc4random_buf(nonce, sizeof(nonce));
    return esp_crypto_base64_encode((unsigned char *)key, WS_KEY_SIZE, &olen, nonce, sizeof(nonce));
}

int ws_handshake_expected_accept(const char *key, char accept[WS_ACCEPT_SIZE])
{
    char text[WS_KEY_SIZE + sizeof(WS_GUID)];
    unsigned char digest[20];
    size_t olen = 0;
    int n = snprintf(text, sizeof(text), "%s%s", key, WS_GUID);
    esp_crypto_sha1((const unsigned char *)text, (size_t)n, digest);
    return esp_crypto_base64_encode((unsigned char *)accept, WS_ACCEPT_SIZE, &olen, digest, sizeof(digest));
}

int ws_handshake_build_request(const ws_request_t *req, char *out, size_t size)
{
    int n = snprintf(out, size,
                     "GET %s HTTP/1.1\r\n"
                     "Connection: Upgrade\r\n"
                     "Host: %s:%d\r\n"
                     "User-Agent: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "%s%s%s"
                     "%s%s%s"
                     "%s"
                     "\r\n",
                     req->path, req->host, req->port, req->user_agent, req->key,
                     req->sub_protocol ? "Sec-WebSocket-Protocol: " : "", req->sub_protocol ? req->sub_protocol : "",
                     req->sub_protocol ? "\r\n" : "",
                     req->auth ? "Authorization: " : "", req->auth ? req->auth : "", req->auth ? "\r\n" : "",
                     req->headers ? req->headers : "");
    return (n < 0 || (size_t)n >= size) ? -1 : n;
}

size_t ws_handshake_head_length(const char *buffer, size_t len)
{
    for (size_t i = 3; i < len; i++) {
        if (buffer[i - 3] == '\r' && buffer[i - 2] == '\n' && buffer[i - 1] == '\r' && buffer[i] == '\n') {
            return i + 1;
        }
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t')) {
        *--end = '\0';
    }
    return s;
}

static void take_header(ws_response_t *resp, const char *name, const char *value)
{
    static const struct {
        const char *name;
        size_t offset;
    } wanted[] = {
        { "Upgrade", offsetof(ws_response_t, upgrade) },
        { "Connection", offsetof(ws_response_t, connection) },
        { "Sec-WebSocket-Accept", offsetof(ws_response_t, accept) },
        { "Sec-WebSocket-Protocol", offsetof(ws_response_t, protocol) },
        { "Location", offsetof(ws_response_t, location) },
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (strcasecmp(name, wanted[i].name) == 0) {
            *(const char **)((char *)resp + wanted[i].offset) = value;
        }
    }
}

static const char *parse_status(const char *line, ws_response_t *resp)
{
    int major = 0, minor = 0, status = 0;
    if (sscanf(line, "HTTP/%d.%d %d", &major, &minor, &status) != 3 || status < 100 || status > 999) {
        return "no HTTP status line";
    }
    resp->status = status;
    return NULL;
}

const char *ws_handshake_parse_response(char *head, size_t head_len, ws_response_t *resp,
                                        void (*line_cb)(void *ctx, const char *line, int len), void *ctx)
{
    memset(resp, 0, sizeof(*resp));
    char *end = head + head_len;
    char *line = head;
    bool first = true;
    while (line < end) {
        char *eol = strstr(line, "\r\n");
        if (eol == NULL || eol >= end) {
            return "header line without CRLF";
        }
        *eol = '\0';
        if (line == eol) {
            break;  /* blank line: end of head */
        }
        if (first) {
            const char *why = parse_status(line, resp);
            if (why) {
                return why;
            }
            first = false;
        } else {
            if (line_cb) {
                line_cb(ctx, line, (int)(eol - line));
            }
            char *colon = strchr(line, ':');
            if (colon == NULL) {
                return "header line without a colon";
            }
            *colon = '\0';
            take_header(resp, trim(line), trim(colon + 1));
        }
        line = eol + 2;
    }
    return first ? "empty response" : NULL;
}

/* True when the comma-separated list holds token (case-insensitive). */
static bool has_token(const char *list, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (strncasecmp(p, token, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) {
            return true;
        }
        p = strchr(p, ',');
    }
    return false;
}

const char *ws_handshake_check(const ws_response_t *resp, const char *key, const char *sub_protocol)
{
    if (resp->upgrade == NULL || strcasecmp(resp->upgrade, "websocket") != 0) {
        return "missing or wrong Upgrade header";
    }
    if (resp->connection == NULL || !has_token(resp->connection, "upgrade")) {
        return "missing or wrong Connection header";
    }
    char expected[WS_ACCEPT_SIZE];
    ws_handshake_expected_accept(key, expected);
    if (resp->accept == NULL) {
        return "Sec-WebSocket-Accept not found";
    }
    if (strcmp(resp->accept, expected) != 0) {
        return "Sec-WebSocket-Accept does not match the key";
    }
    if (resp->protocol && (sub_protocol == NULL || !has_token(sub_protocol, resp->protocol))) {
        return "server chose a subprotocol that was not offered";
    }
    return NULL;
}
