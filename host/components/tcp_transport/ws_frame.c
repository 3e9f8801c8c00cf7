/*
 * RFC 6455 frame headers: encode, decode with validation, mask (see ws_frame.h).
 * Locking: stateless.
 */
#include "ws_frame.h"

#include <string.h>

size_t ws_frame_encode_header(uint8_t out[WS_FRAME_HEADER_MAX], uint8_t first_byte, uint64_t len, const uint8_t mask[4])
{
    size_t n = 0;
    out[n++] = first_byte;
    if (len <= WS_CONTROL_MAX_PAYLOAD) {
        out[n++] = WS_FRAME_MASK_BIT | (uint8_t)len;
    } else if (len <= 0xFFFF) {
        out[n++] = WS_FRAME_MASK_BIT | 126;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = WS_FRAME_MASK_BIT | 127;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out[n++] = (uint8_t)(len >> shift);
        }
    }
    memcpy(out + n, mask, 4);
    return n + 4;
}

size_t ws_frame_header_rest(const uint8_t first_two[2])
{
    uint8_t len7 = first_two[1] & 0x7F;
    size_t rest = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return rest + ((first_two[1] & WS_FRAME_MASK_BIT) ? 4 : 0);
}

static bool known_opcode(uint8_t opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

const char *ws_frame_decode_header(const uint8_t *header, size_t len, ws_frame_header_t *out)
{
    if (len < 2 || len != 2 + ws_frame_header_rest(header)) {
        return "truncated header";
    }
    memset(out, 0, sizeof(*out));
    out->fin = (header[0] & WS_FRAME_FIN) != 0;
    out->opcode = header[0] & WS_FRAME_OPCODE_MASK;
    out->masked = (header[1] & WS_FRAME_MASK_BIT) != 0;
    uint8_t len7 = header[1] & 0x7F;
    size_t pos = 2;
    if (len7 == 126) {
        out->payload_len = ((uint64_t)header[2] << 8) | header[3];
        pos += 2;
    } else if (len7 == 127) {
        for (int i = 0; i < 8; i++) {
            out->payload_len = (out->payload_len << 8) | header[2 + i];
        }
        pos += 8;
    } else {
        out->payload_len = len7;
    }
    if (out->masked) {
        memcpy(out->mask, header + pos, 4);
    }
    if (header[0] & WS_FRAME_RSV_BITS) {
        return "reserved bits set (no extension was negotiated)";
    }
    if (!known_opcode(out->opcode)) {
        return "unknown opcode";
    }
    if ((out->opcode & WS_FRAME_CONTROL_BIT) && (!out->fin || out->payload_len > WS_CONTROL_MAX_PAYLOAD)) {
        return "control frame fragmented or longer than 125 bytes";
    }
    if (out->payload_len >> 63) {
        return "64-bit length with the top bit set";
    }
    return NULL;
}

void ws_frame_apply_mask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t offset)
{
    for (size_t i = 0; i < len; i++) {
        data[i] ^= mask[(offset + i) & 3];
    }
}
