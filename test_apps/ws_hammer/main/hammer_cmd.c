/*
 * Console command parser: `run key=value ...` and `quit`. Table-driven so each
 * key's type, range and default live in one place. Pure apart from the heap
 * buffer holding a decoded `ca`; the caller owns the resulting command.
 */
#include "hammer_cmd.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hammer_message.h"
#include "hammer_scenario.h"

typedef enum {
    KEY_UINT,
    KEY_TEXT,
    KEY_URI,
    KEY_BASE64,
} key_kind_t;

typedef struct {
    const char *name;
    key_kind_t kind;
    size_t offset;
    size_t size;      /* KEY_TEXT / KEY_URI: destination capacity */
    uint32_t lo, hi;  /* KEY_UINT: inclusive range */
} key_spec_t;

#define FIELD(f) offsetof(hammer_cmd_t, f), sizeof(((hammer_cmd_t *)0)->f)

static const key_spec_t KEYS[] = {
    {"scenario", KEY_TEXT, FIELD(scenario), 0, 0},
    {"uri", KEY_URI, FIELD(uri), 0, 0},
    {"stall_uri", KEY_URI, FIELD(stall_uri), 0, 0},
    {"blackhole_uri", KEY_URI, FIELD(blackhole_uri), 0, 0},
    {"refused_uri", KEY_URI, FIELD(refused_uri), 0, 0},
    {"cn", KEY_TEXT, FIELD(cn), 0, 0},
    {"states", KEY_TEXT, FIELD(states), 0, 0},
    {"ca", KEY_BASE64, FIELD(ca_der), 0, 0},
    {"tasks", KEY_UINT, FIELD(tasks), 1, HAMMER_MAX_TASKS},
    {"msgs", KEY_UINT, FIELD(msgs), 1, 1000000},
    {"min", KEY_UINT, FIELD(min), 0, HAMMER_MAX_MSG_LEN},
    {"max", KEY_UINT, FIELD(max), HAMMER_HEADER_LEN, HAMMER_MAX_MSG_LEN},
    {"buffer", KEY_UINT, FIELD(buffer), 64, 65536},
    {"seed", KEY_UINT, FIELD(seed), 0, UINT32_MAX},
    {"duration_ms", KEY_UINT, FIELD(duration_ms), 1, 600000},
    {"cycles", KEY_UINT, FIELD(cycles), 1, 10000},
    {"timeout_ms", KEY_UINT, FIELD(timeout_ms), 1, 600000},
    {"network_timeout_ms", KEY_UINT, FIELD(network_timeout_ms), 1, 600000},
    {"reconnect_timeout_ms", KEY_UINT, FIELD(reconnect_timeout_ms), 1, 600000},
    {"auto_reconnect", KEY_UINT, FIELD(auto_reconnect), 0, 1},
    {"uncut_connect", KEY_UINT, FIELD(uncut_connect), 0, 2},
};

#define KEY_COUNT (sizeof(KEYS) / sizeof(KEYS[0]))

static void set_defaults(hammer_cmd_t *cmd)
{
    memset(cmd, 0, sizeof(*cmd));
    strcpy(cmd->cn, "localhost");
    cmd->tasks = 4;
    cmd->msgs = 100;
    cmd->min = HAMMER_HEADER_LEN;
    cmd->max = 4096;
    cmd->buffer = 1024;
    cmd->seed = 1;
    cmd->duration_ms = 5000;
    cmd->cycles = 10;
    cmd->timeout_ms = 1000;
    cmd->network_timeout_ms = 10000;
    cmd->reconnect_timeout_ms = 10000;
    cmd->auto_reconnect = 1;
}

/* Reasons end up inside reason="..."; user text is clipped and its double quotes swapped. */
static void reason_set(char *reason, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, len, fmt, ap);
    va_end(ap);
    for (char *p = reason; *p; p++) {
        if (*p == '"' || *p < ' ') {
            *p = '\'';
        }
    }
}

static const key_spec_t *key_find(const char *name, size_t *index)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (strcmp(KEYS[i].name, name) == 0) {
            *index = i;
            return &KEYS[i];
        }
    }
    return NULL;
}

static bool parse_uint(const char *text, uint32_t lo, uint32_t hi, uint32_t *out)
{
    if (*text < '0' || *text > '9') {
        return false;
    }
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (*end != '\0' || value < lo || value > hi) {
        return false;
    }
    *out = (uint32_t)value;
    return true;
}

static int base64_digit(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/* Standard alphabet, '=' padding required (as Python's base64.b64encode writes it). */
static bool base64_decode(const char *text, uint8_t **out, size_t *out_len)
{
    size_t len = strlen(text);
    if (len == 0 || len % 4 != 0) {
        return false;
    }
    size_t pad = (text[len - 1] == '=') + (text[len - 2] == '=');
    uint8_t *buf = malloc(len / 4 * 3);
    if (buf == NULL) {
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t group = 0;
        for (size_t k = 0; k < 4; k++) {
            bool is_pad = i + k >= len - pad;
            int d = is_pad ? 0 : base64_digit(text[i + k]);
            if (d < 0 || (is_pad && text[i + k] != '=')) {
                free(buf);
                return false;
            }
            group = (group << 6) | (uint32_t)d;
        }
        buf[n++] = (uint8_t)(group >> 16);
        buf[n++] = (uint8_t)(group >> 8);
        buf[n++] = (uint8_t)group;
    }
    *out = buf;
    *out_len = n - pad;
    return true;
}

static bool store_text(const key_spec_t *key, char *field, const char *value, char *reason, size_t rlen)
{
    if (strlen(value) >= key->size) {
        reason_set(reason, rlen, "value for %s too long (max %u characters)", key->name, (unsigned)(key->size - 1));
        return false;
    }
    strcpy(field, value);
    return true;
}

static bool apply_key(hammer_cmd_t *cmd, const key_spec_t *key, const char *value, char *reason, size_t rlen)
{
    void *field = (char *)cmd + key->offset;
    hammer_uri_t uri;
    switch (key->kind) {
    case KEY_UINT:
        if (!parse_uint(value, key->lo, key->hi, field)) {
            reason_set(reason, rlen, "bad value for %s: '%.40s' (expected an integer %lu..%lu)", key->name, value,
                       (unsigned long)key->lo, (unsigned long)key->hi);
            return false;
        }
        return true;
    case KEY_URI:
        if (!hammer_uri_parse(value, &uri)) {
            reason_set(reason, rlen, "bad value for %s: '%.60s' (expected ws://host[:port][/path] or wss://...)",
                       key->name, value);
            return false;
        }
        return store_text(key, field, value, reason, rlen);
    case KEY_TEXT:
        return store_text(key, field, value, reason, rlen);
    case KEY_BASE64:
        if (!base64_decode(value, &cmd->ca_der, &cmd->ca_der_len)) {
            reason_set(reason, rlen, "bad value for %s: not padded base64 (DER certificate expected)", key->name);
            return false;
        }
        return true;
    }
    return false;
}

static bool parse_pair(hammer_cmd_t *cmd, char *token, uint32_t *seen, char *reason, size_t rlen)
{
    char *eq = strchr(token, '=');
    if (eq == NULL || eq == token) {
        reason_set(reason, rlen, "expected key=value, got '%.40s'", token);
        return false;
    }
    *eq = '\0';
    const char *value = eq + 1;
    size_t index;
    const key_spec_t *key = key_find(token, &index);
    if (key == NULL) {
        reason_set(reason, rlen, "unknown key '%.40s'", token);
        return false;
    }
    if (*seen & (1u << index)) {
        reason_set(reason, rlen, "key %s given twice", key->name);
        return false;
    }
    *seen |= 1u << index;
    if (*value == '\0') {
        reason_set(reason, rlen, "empty value for %s", key->name);
        return false;
    }
    return apply_key(cmd, key, value, reason, rlen);
}

static bool check_whole(hammer_cmd_t *cmd, char *reason, size_t rlen)
{
    if (cmd->scenario[0] == '\0') {
        reason_set(reason, rlen, "missing scenario");
        return false;
    }
    const hammer_scenario_t *scenario = hammer_scenario_find(cmd->scenario);
    if (scenario == NULL) {
        reason_set(reason, rlen, "unknown scenario '%s'", cmd->scenario);
        return false;
    }
    if (cmd->uri[0] == '\0') {
        reason_set(reason, rlen, "missing uri");
        return false;
    }
    if (cmd->min < HAMMER_HEADER_LEN) {
        cmd->min = HAMMER_HEADER_LEN;
    }
    if (cmd->min > cmd->max) {
        reason_set(reason, rlen, "min %lu is above max %lu", (unsigned long)cmd->min, (unsigned long)cmd->max);
        return false;
    }
    /* Anywhere else it would be silently ignored. */
    if (cmd->states[0] != '\0' && scenario != &hammer_scenario_stop_latency) {
        reason_set(reason, rlen, "states applies to stop_latency only");
        return false;
    }
    return scenario->check == NULL || scenario->check(cmd, reason, rlen);
}

static hammer_line_kind_t parse_run(char **save, hammer_cmd_t *cmd, char *reason, size_t rlen)
{
    uint32_t seen = 0;
    for (char *tok = strtok_r(NULL, " \t\r\n", save); tok; tok = strtok_r(NULL, " \t\r\n", save)) {
        if (!parse_pair(cmd, tok, &seen, reason, rlen)) {
            return HAMMER_LINE_BAD;
        }
    }
    return check_whole(cmd, reason, rlen) ? HAMMER_LINE_RUN : HAMMER_LINE_BAD;
}

hammer_line_kind_t hammer_cmd_parse(char *line, hammer_cmd_t *cmd, char *reason, size_t reason_len)
{
    set_defaults(cmd);
    reason[0] = '\0';
    char *save = NULL;
    char *verb = strtok_r(line, " \t\r\n", &save);
    if (verb == NULL) {
        return HAMMER_LINE_EMPTY;
    }
    if (strcmp(verb, "quit") == 0) {
        if (strtok_r(NULL, " \t\r\n", &save) != NULL) {
            reason_set(reason, reason_len, "quit takes no arguments");
            return HAMMER_LINE_BAD;
        }
        return HAMMER_LINE_QUIT;
    }
    if (strcmp(verb, "run") != 0) {
        reason_set(reason, reason_len, "unknown command '%.40s' (expected run or quit)", verb);
        return HAMMER_LINE_BAD;
    }
    hammer_line_kind_t kind = parse_run(&save, cmd, reason, reason_len);
    if (kind != HAMMER_LINE_RUN) {
        hammer_cmd_release(cmd);
    }
    return kind;
}

void hammer_cmd_release(hammer_cmd_t *cmd)
{
    free(cmd->ca_der);
    cmd->ca_der = NULL;
    cmd->ca_der_len = 0;
}
