/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * ws_client_utf8.c: an incremental UTF-8 check (RFC 3629's well-formed sequences, as RFC 6455 requires of text
 * messages and close reasons). The state carries a sequence cut between two pieces of a message, so a message
 * can be checked piece by piece as it is read; the first byte that cannot start or continue a well-formed
 * sequence fails at once (overlong forms, surrogates and code points above U+10FFFF included), which is what
 * lets a connection fail fast on a message that is still arriving.
 *
 * Locking: pure functions over a state owned by the caller (the client task's rx state, under the lock).
 */
#include "ws_client_priv.h"

/* What the byte after a lead byte may be: RFC 3629 section 4 narrows it for E0, ED, F0 and F4. */
static bool begin_sequence(ws_utf8_t *u, uint8_t lead)
{
    u->lo = 0x80;
    u->hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        u->need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        u->need = 2;
        if (lead == 0xE0) {
            u->lo = 0xA0; /* no overlong 3-byte forms */
        } else if (lead == 0xED) {
            u->hi = 0x9F; /* no UTF-16 surrogates */
        }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        u->need = 3;
        if (lead == 0xF0) {
            u->lo = 0x90; /* no overlong 4-byte forms */
        } else if (lead == 0xF4) {
            u->hi = 0x8F; /* nothing above U+10FFFF */
        }
    } else {
        return false; /* 80-C1 (a continuation or an overlong lead) and F5-FF never start a sequence */
    }
    return true;
}

bool ws_utf8_feed(ws_utf8_t *u, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = bytes[i];
        if (u->need == 0) {
            if (b < 0x80) {
                continue;
            }
            if (!begin_sequence(u, b)) {
                return false;
            }
            continue;
        }
        if (b < u->lo || b > u->hi) {
            return false;
        }
        u->lo = 0x80; /* only the second byte of a sequence has a narrowed range */
        u->hi = 0xBF;
        u->need--;
    }
    return true;
}

bool ws_utf8_complete(const ws_utf8_t *u)
{
    return u->need == 0;
}
