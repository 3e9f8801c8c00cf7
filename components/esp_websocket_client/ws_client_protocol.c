/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * ws_client_protocol.c: the RFC 6455 rules a received frame header must keep, checked in the client itself
 * because ESP-IDF's ws transport checks few or none of them (v5.3 none; from v5.5 reserved bits, opcodes and
 * control-frame rules, never the order of a fragmented message).
 *
 * Locking: ws_frame_violation is a pure function of its arguments; the caller holds the client's lock for
 * the message-in-progress flag it passes in and updates.
 */
#include <stdio.h>
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

const char *ws_frame_violation(bool *message_open, int opcode, bool fin, int payload_len, char *why, size_t why_len)
{
    if (!is_known(opcode)) {
        snprintf(why, why_len, "reserved opcode 0x%X", (unsigned)opcode);
        return why;
    }
    if (is_control(opcode)) {
        if (!fin) {
            snprintf(why, why_len, "fragmented control frame (opcode 0x%X)", (unsigned)opcode);
            return why;
        }
        if (payload_len > WS_MAX_CONTROL_PAYLOAD) {
            snprintf(why, why_len, "control frame of %d bytes (at most %d)", payload_len, WS_MAX_CONTROL_PAYLOAD);
            return why;
        }
        return NULL; /* control frames may come between the fragments of a message */
    }
    if (opcode == WS_TRANSPORT_OPCODES_CONT && !*message_open) {
        snprintf(why, why_len, "continuation frame with no message in progress");
        return why;
    }
    if (opcode != WS_TRANSPORT_OPCODES_CONT && *message_open) {
        snprintf(why, why_len, "new data frame (opcode 0x%X) inside a fragmented message", (unsigned)opcode);
        return why;
    }
    *message_open = !fin;
    return NULL;
}
