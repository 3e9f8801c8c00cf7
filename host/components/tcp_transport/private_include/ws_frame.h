/*
 * RFC 6455 frame headers: encoding (client frames, masked) and decoding with validation, and masking.
 * Pure functions over caller buffers; no locking.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_FRAME_HEADER_MAX   14     /* 2 + 8 (64-bit length) + 4 (mask) */
#define WS_FRAME_FIN          0x80
#define WS_FRAME_RSV_BITS     0x70
#define WS_FRAME_OPCODE_MASK  0x0F
#define WS_FRAME_CONTROL_BIT  0x08
#define WS_FRAME_MASK_BIT     0x80
#define WS_CONTROL_MAX_PAYLOAD 125

typedef struct {
    uint8_t opcode;          /* 4 bits */
    bool fin;
    bool masked;
    uint8_t mask[4];
    uint64_t payload_len;
} ws_frame_header_t;

/* Writes a header for a frame of len payload bytes, masked with mask. Returns its length. */
size_t ws_frame_encode_header(uint8_t out[WS_FRAME_HEADER_MAX], uint8_t first_byte, uint64_t len, const uint8_t mask[4]);

/* Header bytes that follow the first two (extended length and mask). */
size_t ws_frame_header_rest(const uint8_t first_two[2]);

/* Decodes a complete header (first_two + rest). Returns NULL when valid, else why it is not. */
const char *ws_frame_decode_header(const uint8_t *header, size_t len, ws_frame_header_t *out);

/* XORs data with mask, as if data started offset bytes into the payload. */
void ws_frame_apply_mask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t offset);
