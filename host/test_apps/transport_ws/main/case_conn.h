/*
 * Building the transports a case needs from its arguments: tcp or ssl (scheme ws/wss or tcp/ssl), an
 * optional ws layer, certificates read from files, and reporting of the connection's errors.
 * No locking: a case_conn_t belongs to the case that made it (only the sentinel cases share one, on
 * purpose).
 */
#pragma once

#include <stdbool.h>
#include <net/if.h>

#include "case_args.h"
#include "esp_transport.h"

typedef struct {
    esp_transport_handle_t base;   /* tcp or ssl */
    esp_transport_handle_t ws;     /* NULL without a ws layer */
    char *ca;                      /* file contents, owned */
    char *client_cert;
    char *client_key;
    char *auth;
    char *headers;
    esp_transport_keep_alive_t keep_alive; /* the transport keeps pointers to these two, as ESP-IDF's does */
    struct ifreq if_name;
} case_conn_t;

/* Keys: scheme (ws|wss|tcp|ssl), ca (+ ca_mode pem|der|global), cn or skip_cn=1, client_cert, client_key, path, subprotocol, headers (Name:value
 * pairs joined by ','), user + pass (basic auth), ua, propagate (0|1), keepalive=<idle>,<intvl>,<count>,
 * ifname. */
bool case_conn_build(case_conn_t *c, const case_args_t *args);
/* The transport I/O goes through: ws if present, else base. */
esp_transport_handle_t case_conn_top(const case_conn_t *c);
/* Connects with keys host, port, timeout_ms (default 5000). Returns esp_transport_connect's result. */
int case_conn_connect(case_conn_t *c, const case_args_t *args);
void case_conn_destroy(case_conn_t *c);
/* Prints "ERRORS last_error=0x.. tls_code=-0x.. flags=0x.. errno=.." for the connection. */
void case_conn_print_errors(const case_conn_t *c);

/* Prints the case's result line: "DONE case=<name> ok=<0|1> <details>". */
void case_done(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
