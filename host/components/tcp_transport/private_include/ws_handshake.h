/*
 * The WebSocket opening handshake (RFC 6455 section 4): the client's key, the upgrade request, and the
 * parsing and checking of the server's response. Pure functions over caller buffers; no locking.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define WS_KEY_SIZE    25    /* base64 of 16 random bytes + NUL */
#define WS_ACCEPT_SIZE 29    /* base64 of a SHA-1 + NUL */

typedef struct {
    const char *host;
    int port;
    const char *path;
    const char *key;
    const char *user_agent;
    const char *sub_protocol;   /* NULL: none */
    const char *auth;           /* NULL: none */
    const char *headers;        /* NULL or lines ending in "\r\n" */
} ws_request_t;

typedef struct {
    int status;                 /* HTTP status code */
    const char *upgrade;        /* header values, NULL when absent; point into the parsed buffer */
    const char *connection;
    const char *accept;
    const char *protocol;
    const char *location;
} ws_response_t;

/* A fresh random Sec-WebSocket-Key. Returns 0. */
int ws_handshake_make_key(char key[WS_KEY_SIZE]);

/* The Sec-WebSocket-Accept a server must answer to key. Returns 0. */
int ws_handshake_expected_accept(const char *key, char accept[WS_ACCEPT_SIZE]);

/* Writes the upgrade request into out (NUL terminated). Returns its length, or -1 if it does not fit. */
int ws_handshake_build_request(const ws_request_t *req, char *out, size_t size);

/* Length of the response head including its blank line, or 0 when buffer does not hold one yet. */
size_t ws_handshake_head_length(const char *buffer, size_t len);

/* Parses the response head in place (header lines are NUL terminated). line_cb, if set, sees each
 * header line. Returns NULL, or why the head is malformed. */
const char *ws_handshake_parse_response(char *head, size_t head_len, ws_response_t *resp,
                                        void (*line_cb)(void *ctx, const char *line, int len), void *ctx);

/* Checks a 101 response against the request. Returns NULL if it upgrades, else why not. */
const char *ws_handshake_check(const ws_response_t *resp, const char *key, const char *sub_protocol);
