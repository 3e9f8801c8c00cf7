/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * ws_client_protocol.c: the RFC 6455 rules a received frame must keep, checked in the client itself because
 * ESP-IDF's ws transport checks few or none of them (v5.3 none; from v5.5 reserved bits, opcodes and
 * control-frame rules, never the order of a fragmented message, close payloads or UTF-8).
 *
 * Locking: pure functions of their arguments; the caller holds the client's lock for the message-in-progress
 * flag it passes in and updates.
 */
#include "esp_transport_ws.h"
#include "ws_client_priv.h"

static bool is_control(int opcode)
{
    return (opcode & 0x08) != 0;
}

static bool is_known(int opcode)
{
    switch (opcode) {
    case WS_TRANSPORT_OPCODES_CONT:
    case WS_TRANSPORT_OPCODES_TEXT:
    case WS_TRANSPORT_OPCODES_BINARY:
    case WS_TRANSPORT_OPCODES_CLOSE:
    case WS_TRANSPORT_OPCODES_PING:
    case WS_TRANSPORT_OPCODES_PONG:
        return true;
    default:
        return false;
    }
}

const char *ws_frame_violation(bool *message_open, int opcode, bool fin, int payload_len)
{
    if (!is_known(opcode)) {
        return "reserved opcode";
    }
    if (is_control(opcode)) {
        if (!fin) {
            return "fragmented control frame";
        }
        if (payload_len > WS_MAX_CONTROL_PAYLOAD) {
            return "control frame over 125 bytes";
        }
        return NULL; /* control frames may come between the fragments of a message */
    }
    if (opcode == WS_TRANSPORT_OPCODES_CONT && !*message_open) {
        return "continuation frame with no message in progress";
    }
    if (opcode != WS_TRANSPORT_OPCODES_CONT && *message_open) {
        return "new data frame inside a fragmented message";
    }
    *message_open = !fin;
    return NULL;
}

/* RFC 6455 7.4: the codes an endpoint may send. 1004-1006 and 1015 are reserved and never sent; 1012-1014 are
 * registered by IANA since; 3000-3999 are for libraries and frameworks, 4000-4999 private. */
static bool close_code_valid(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const char *ws_close_violation(const uint8_t *payload, int len, int *close_code)
{
    *close_code = WS_CLOSE_PROTOCOL_ERROR;
    if (len == 0) {
        return NULL;
    }
    if (len == 1) {
        return "close frame with a 1-byte payload";
    }
    if (!close_code_valid((payload[0] << 8) | payload[1])) {
        return "invalid close code";
    }
    ws_utf8_t reason = {0};
    if (!ws_utf8_feed(&reason, payload + 2, len - 2) || !ws_utf8_complete(&reason)) {
        *close_code = WS_CLOSE_INVALID_PAYLOAD;
        return "close reason not valid UTF-8";
    }
    return NULL;
}
