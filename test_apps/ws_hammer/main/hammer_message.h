/*
 * Hammer message format (docs/hammer-protocol.md, "Message format"): the 28-byte
 * ASCII header, the seeded payload generator and CRC-32. Pure functions over
 * caller-owned buffers: no shared state, callable from any task.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HAMMER_HEADER_LEN 28
/* Task id of messages the server pushes by itself (/stream, /slowframe): valid header and CRC, rig's payload. */
#define HAMMER_PUSH_TASK 0xFF

typedef struct {
    uint32_t task;
    uint32_t seq;
    uint32_t len;   /* whole message, header included */
    uint32_t crc;   /* CRC-32 (IEEE, as zlib.crc32) of the payload after the header */
} hammer_header_t;

/* What (seed, task, seq) selects: the message length and its frame type. */
typedef struct {
    uint32_t len;
    bool text;
} hammer_shape_t;

typedef enum {
    HAMMER_MSG_OK = 0,
    HAMMER_MSG_BAD_HEADER,   /* not "W<hex>...:" */
    HAMMER_MSG_BAD_LEN,      /* header len differs from what arrived or from the seeded length */
    HAMMER_MSG_BAD_CRC,      /* payload does not match the header's CRC */
    HAMMER_MSG_BAD_PAYLOAD,  /* CRC fine but bytes differ from the seeded payload */
    HAMMER_MSG_BAD_TYPE,     /* text/binary differs from what was sent */
} hammer_msg_verdict_t;

/* One step of xorshift32 (13, 17, 5): the payload generator, also used for the app's seeded choices. */
uint32_t hammer_xorshift32(uint32_t *state);

/* zlib-compatible: hammer_crc32(0, p, n) == zlib.crc32(p[:n]); chain by passing the previous value. */
uint32_t hammer_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* Length in [min, max] and type chosen by the seed; min must already be >= HAMMER_HEADER_LEN. */
hammer_shape_t hammer_message_shape(uint32_t seed, uint32_t task, uint32_t seq, uint32_t min, uint32_t max);

/* Writes the whole message for (seed, task, seq) into buf (capacity >= max); returns its shape. */
hammer_shape_t hammer_message_build(uint8_t *buf, uint32_t seed, uint32_t task, uint32_t seq,
                                    uint32_t min, uint32_t max);

/* Parses the header only; false when msg is not a well-formed header. */
bool hammer_header_parse(const uint8_t *msg, size_t len, hammer_header_t *out);

/* Full check of a received message against the header, the CRC and the seeded shape and payload. */
hammer_msg_verdict_t hammer_message_check(const uint8_t *msg, size_t len, bool text, uint32_t seed,
                                          uint32_t min, uint32_t max, hammer_header_t *hdr);

const char *hammer_msg_verdict_name(hammer_msg_verdict_t verdict);
