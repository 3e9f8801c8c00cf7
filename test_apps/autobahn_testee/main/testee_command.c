/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * testee_command.c: parses the testee's command line into a testee_command_t. Console task only; nothing shared.
 */
#include "testee_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/base64.h"

#define DEFAULT_CASE_TIMEOUT_MS 60000

static bool copy_text(char *dst, size_t cap, const char *value)
{
    size_t len = strlen(value);
    if (len == 0 || len >= cap) {
        return false;
    }
    memcpy(dst, value, len + 1);
    return true;
}

static bool parse_int(const char *value, int min, int *out)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || n < min || n > 0x7FFFFFFF) {
        return false;
    }
    *out = (int)n;
    return true;
}

static bool decode_ca(testee_command_t *cmd, const char *value)
{
    size_t len = 0;
    const unsigned char *text = (const unsigned char *)value;
    size_t text_len = strlen(value);
    /* A first call with no room tells the decoded size, or that the text is not base64. */
    if (mbedtls_base64_decode(NULL, 0, &len, text, text_len) == MBEDTLS_ERR_BASE64_INVALID_CHARACTER || len == 0) {
        return false;
    }
    free(cmd->ca_der);
    cmd->ca_der = malloc(len);
    if (!cmd->ca_der || mbedtls_base64_decode(cmd->ca_der, len, &cmd->ca_der_len, text, text_len) != 0) {
        return false;
    }
    return true;
}

/* One key=value token; false with `why` filled when the key is unknown or the value bad. */
static bool apply(testee_command_t *cmd, const char *key, const char *value, char *why, size_t why_len)
{
    bool ok;
    if (strcmp(key, "base") == 0) {
        ok = copy_text(cmd->base, sizeof(cmd->base), value) &&
             (strncmp(value, "ws://", 5) == 0 || strncmp(value, "wss://", 6) == 0);
    } else if (strcmp(key, "agent") == 0) {
        ok = copy_text(cmd->agent, sizeof(cmd->agent), value);
    } else if (strcmp(key, "cn") == 0) {
        ok = copy_text(cmd->cn, sizeof(cmd->cn), value);
    } else if (strcmp(key, "ca") == 0) {
        ok = decode_ca(cmd, value);
    } else if (strcmp(key, "buffer_size") == 0) {
        ok = parse_int(value, 0, &cmd->buffer_size);
    } else if (strcmp(key, "case_timeout_ms") == 0) {
        ok = parse_int(value, 1, &cmd->case_timeout_ms);
    } else {
        snprintf(why, why_len, "unknown key %s", key);
        return false;
    }
    if (!ok) {
        snprintf(why, why_len, "bad value for %s", key);
    }
    return ok;
}

testee_line_t testee_command_parse(char *line, testee_command_t *cmd, char *why, size_t why_len)
{
    char *save = NULL;
    char *word = strtok_r(line, " \t", &save);
    if (!word) {
        return TESTEE_LINE_EMPTY;
    }
    if (strcmp(word, "quit") == 0) {
        return TESTEE_LINE_QUIT;
    }
    if (strcmp(word, "autobahn") != 0) {
        snprintf(why, why_len, "unknown command %s (autobahn or quit)", word);
        return TESTEE_LINE_BAD;
    }
    testee_command_release(cmd);
    memset(cmd, 0, sizeof(*cmd));
    strcpy(cmd->agent, "wshammer");
    strcpy(cmd->cn, "localhost");
    cmd->case_timeout_ms = DEFAULT_CASE_TIMEOUT_MS;
    while ((word = strtok_r(NULL, " \t", &save)) != NULL) {
        char *eq = strchr(word, '=');
        if (!eq) {
            snprintf(why, why_len, "expected key=value, got %s", word);
            return TESTEE_LINE_BAD;
        }
        *eq = '\0';
        if (!apply(cmd, word, eq + 1, why, why_len)) {
            return TESTEE_LINE_BAD;
        }
    }
    if (cmd->base[0] == '\0') {
        snprintf(why, why_len, "base=<ws|wss>://host:port is required");
        return TESTEE_LINE_BAD;
    }
    return TESTEE_LINE_RUN;
}

void testee_command_release(testee_command_t *cmd)
{
    free(cmd->ca_der);
    cmd->ca_der = NULL;
    cmd->ca_der_len = 0;
}
