/*
 * Minimal ws:// / wss:// URI handling for the app's own needs: split a URI
 * into scheme/host/port/path, rebuild variants of it (another path, another
 * scheme) and read query parameters. Pure functions; no shared state.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HAMMER_URI_LEN 256

typedef struct {
    bool tls;           /* wss:// */
    char host[128];
    uint16_t port;      /* explicit, or 80/443 by scheme */
    char path[192];     /* starts with '/', may carry "?query" */
} hammer_uri_t;

/* Accepts ws://host[:port][/path] and wss://...; false on anything else. */
bool hammer_uri_parse(const char *text, hammer_uri_t *out);

/* Writes "<ws|wss>://host:port<path>"; false if it does not fit. */
bool hammer_uri_format(char *buf, size_t len, bool tls, const char *host, uint16_t port, const char *path);

/* True when the path (before any '?') is exactly name, e.g. "/close". */
bool hammer_uri_path_is(const hammer_uri_t *uri, const char *name);

/* Integer query parameter, or fallback when absent or not a number. */
long hammer_uri_query_int(const hammer_uri_t *uri, const char *key, long fallback);

/* String query parameter copied into out (NUL-terminated); false when absent. */
bool hammer_uri_query_str(const hammer_uri_t *uri, const char *key, char *out, size_t out_len);
