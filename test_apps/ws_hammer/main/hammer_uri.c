/*
 * ws:// / wss:// URI splitting and rebuilding for the hammer app. Pure
 * functions over caller buffers; nothing here is shared between tasks.
 */
#include "hammer_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool copy_span(char *dst, size_t dst_len, const char *src, size_t n)
{
    if (n >= dst_len) {
        return false;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

static bool parse_port(const char *text, size_t n, uint16_t *port)
{
    if (n == 0 || n > 5) {
        return false;
    }
    unsigned long value = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        value = value * 10 + (unsigned long)(text[i] - '0');
    }
    if (value == 0 || value > 65535) {
        return false;
    }
    *port = (uint16_t)value;
    return true;
}

bool hammer_uri_parse(const char *text, hammer_uri_t *out)
{
    const char *rest;
    if (strncmp(text, "ws://", 5) == 0) {
        out->tls = false;
        rest = text + 5;
    } else if (strncmp(text, "wss://", 6) == 0) {
        out->tls = true;
        rest = text + 6;
    } else {
        return false;
    }
    size_t authority_len = strcspn(rest, "/?");
    const char *path = rest + authority_len;
    const char *colon = memchr(rest, ':', authority_len);
    size_t host_len = colon ? (size_t)(colon - rest) : authority_len;
    if (host_len == 0 || !copy_span(out->host, sizeof(out->host), rest, host_len)) {
        return false;
    }
    if (colon) {
        if (!parse_port(colon + 1, authority_len - host_len - 1, &out->port)) {
            return false;
        }
    } else {
        out->port = out->tls ? 443 : 80;
    }
    if (*path == '\0') {
        path = "/";
    }
    if (*path == '?') {
        return snprintf(out->path, sizeof(out->path), "/%s", path) < (int)sizeof(out->path);
    }
    return copy_span(out->path, sizeof(out->path), path, strlen(path));
}

bool hammer_uri_format(char *buf, size_t len, bool tls, const char *host, uint16_t port, const char *path)
{
    int n = snprintf(buf, len, "%s://%s:%u%s", tls ? "wss" : "ws", host, (unsigned)port, path);
    return n > 0 && (size_t)n < len;
}

bool hammer_uri_path_is(const hammer_uri_t *uri, const char *name)
{
    size_t n = strcspn(uri->path, "?");
    return strlen(name) == n && strncmp(uri->path, name, n) == 0;
}

/* Finds "key=" as a whole parameter name in the query; returns its value and length. */
static const char *query_find(const hammer_uri_t *uri, const char *key, size_t *value_len)
{
    const char *query = strchr(uri->path, '?');
    size_t key_len = strlen(key);
    for (const char *p = query; p != NULL; p = strchr(p + 1, '&')) {
        const char *name = p + 1;
        if (strncmp(name, key, key_len) == 0 && name[key_len] == '=') {
            const char *value = name + key_len + 1;
            *value_len = strcspn(value, "&");
            return value;
        }
    }
    return NULL;
}

long hammer_uri_query_int(const hammer_uri_t *uri, const char *key, long fallback)
{
    size_t n;
    const char *value = query_find(uri, key, &n);
    char digits[16];
    if (value == NULL || !copy_span(digits, sizeof(digits), value, n) || n == 0) {
        return fallback;
    }
    char *end;
    long parsed = strtol(digits, &end, 10);
    return *end == '\0' ? parsed : fallback;
}

bool hammer_uri_query_str(const hammer_uri_t *uri, const char *key, char *out, size_t out_len)
{
    size_t n;
    const char *value = query_find(uri, key, &n);
    return value != NULL && copy_span(out, out_len, value, n);
}
