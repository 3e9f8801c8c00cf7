/*
 * Hammer message format: header encode/parse, the seeded shape and payload
 * generators and a nibble-table CRC-32. Everything here is a pure function of its
 * arguments (the tables are const), so no locking is needed.
 */
#include "hammer_message.h"

#include <string.h>

#define SPLITMIX_GAMMA 0x9E3779B97F4A7C15ULL

static const char ALPHABET[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
#define ALPHABET_LEN 62u

/* Reflected IEEE polynomial 0xEDB88320, four bits at a time: small enough for any target's flash. */
static const uint32_t CRC_NIBBLE[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t hammer_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ CRC_NIBBLE[crc & 0x0F];
        crc = (crc >> 4) ^ CRC_NIBBLE[crc & 0x0F];
    }
    return ~crc;
}

/*
 * Length and type come from a splitmix64 stream keyed by (seed, task, seq): the app's own choice, checked on
 * the echo. The payload bytes come from the rig's generator (pytest_plugins/wshammer/message.py, payload()),
 * a per-byte xorshift32, so the Python side can regenerate any message from (seed, task, seq, len) alone.
 */
static uint64_t shape_key(uint32_t seed, uint32_t task, uint32_t seq)
{
    return ((uint64_t)seed * SPLITMIX_GAMMA) ^ (((uint64_t)task << 32) | seq);
}

static uint64_t splitmix_next(uint64_t *state)
{
    *state += SPLITMIX_GAMMA;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t payload_key(uint32_t seed, uint32_t task, uint32_t seq)
{
    uint32_t state = (seed * 0x9E3779B1u) ^ (task * 0x85EBCA77u) ^ (seq * 0xC2B2AE3Du) ^ 0x27D4EB2Fu;
    return state ? state : 1;
}

uint32_t hammer_xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static void payload_fill(uint32_t *state, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = (uint8_t)ALPHABET[hammer_xorshift32(state) % ALPHABET_LEN];
    }
}

hammer_shape_t hammer_message_shape(uint32_t seed, uint32_t task, uint32_t seq, uint32_t min, uint32_t max)
{
    uint64_t state = shape_key(seed, task, seq);
    hammer_shape_t shape;
    uint64_t span = (uint64_t)max - min + 1;
    shape.len = min + (uint32_t)(splitmix_next(&state) % span);
    shape.text = (splitmix_next(&state) & 1) != 0;
    return shape;
}

static void put_hex(uint8_t *out, uint32_t value, int digits)
{
    static const char HEX[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (uint8_t)HEX[value & 0x0F];
        value >>= 4;
    }
}

hammer_shape_t hammer_message_build(uint8_t *buf, uint32_t seed, uint32_t task, uint32_t seq,
                                    uint32_t min, uint32_t max)
{
    hammer_shape_t shape = hammer_message_shape(seed, task, seq, min, max);
    uint8_t *payload = buf + HAMMER_HEADER_LEN;
    size_t payload_len = shape.len - HAMMER_HEADER_LEN;
    uint32_t state = payload_key(seed, task, seq);
    payload_fill(&state, payload, payload_len);

    buf[0] = 'W';
    put_hex(buf + 1, task, 2);
    put_hex(buf + 3, seq, 8);
    put_hex(buf + 11, shape.len, 8);
    put_hex(buf + 19, hammer_crc32(0, payload, payload_len), 8);
    buf[27] = ':';
    return shape;
}

static bool get_hex(const uint8_t *in, int digits, uint32_t *value)
{
    uint32_t v = 0;
    for (int i = 0; i < digits; i++) {
        uint8_t c = in[i];
        uint32_t nibble;
        if (c >= '0' && c <= '9') {
            nibble = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            nibble = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            nibble = c - 'A' + 10;
        } else {
            return false;
        }
        v = (v << 4) | nibble;
    }
    *value = v;
    return true;
}

bool hammer_header_parse(const uint8_t *msg, size_t len, hammer_header_t *out)
{
    if (len < HAMMER_HEADER_LEN || msg[0] != 'W' || msg[27] != ':') {
        return false;
    }
    return get_hex(msg + 1, 2, &out->task) && get_hex(msg + 3, 8, &out->seq) &&
           get_hex(msg + 11, 8, &out->len) && get_hex(msg + 19, 8, &out->crc);
}

/* Compares without a second full-size buffer: regenerate in small blocks. */
static bool payload_matches(uint32_t *state, const uint8_t *payload, size_t len)
{
    uint8_t block[64];
    while (len > 0) {
        size_t n = len < sizeof(block) ? len : sizeof(block);
        payload_fill(state, block, n);
        if (memcmp(block, payload, n) != 0) {
            return false;
        }
        payload += n;
        len -= n;
    }
    return true;
}

hammer_msg_verdict_t hammer_message_check(const uint8_t *msg, size_t len, bool text, uint32_t seed,
                                          uint32_t min, uint32_t max, hammer_header_t *hdr)
{
    if (!hammer_header_parse(msg, len, hdr)) {
        return HAMMER_MSG_BAD_HEADER;
    }
    if (hdr->len != len) {
        return HAMMER_MSG_BAD_LEN;
    }
    const uint8_t *payload = msg + HAMMER_HEADER_LEN;
    size_t payload_len = len - HAMMER_HEADER_LEN;
    if (hammer_crc32(0, payload, payload_len) != hdr->crc) {
        return HAMMER_MSG_BAD_CRC;
    }
    hammer_shape_t shape = hammer_message_shape(seed, hdr->task, hdr->seq, min, max);
    if (shape.len != len) {
        return HAMMER_MSG_BAD_LEN;
    }
    if (shape.text != text) {
        return HAMMER_MSG_BAD_TYPE;
    }
    uint32_t state = payload_key(seed, hdr->task, hdr->seq);
    return payload_matches(&state, payload, payload_len) ? HAMMER_MSG_OK : HAMMER_MSG_BAD_PAYLOAD;
}

const char *hammer_msg_verdict_name(hammer_msg_verdict_t verdict)
{
    switch (verdict) {
    case HAMMER_MSG_OK:
        return "ok";
    case HAMMER_MSG_BAD_HEADER:
        return "bad_header";
    case HAMMER_MSG_BAD_LEN:
        return "bad_len";
    case HAMMER_MSG_BAD_CRC:
        return "bad_crc";
    case HAMMER_MSG_BAD_PAYLOAD:
        return "bad_payload";
    case HAMMER_MSG_BAD_TYPE:
        return "bad_type";
    }
    return "unknown";
}
