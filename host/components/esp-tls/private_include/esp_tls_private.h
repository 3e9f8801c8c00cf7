/*
 * esp-tls internals shared by its modules: the connection object and the helpers of each module.
 *
 * Locking: an esp_tls_t belongs to the one thread using it at a time (ESP-IDF's contract); no field is
 * shared. The global CA store has its own mutex inside esp_tls_mbedtls.c.
 */
#pragma once

#include <stdint.h>

#include "esp_tls.h"

typedef struct esp_tls_mbedtls esp_tls_mbedtls_t;

struct esp_tls {
    esp_tls_conn_state_t state;  /* INIT -> CONNECTING -> [HANDSHAKE ->] DONE, or FAIL */
    int sockfd;                  /* -1 until the socket exists */
    int64_t deadline_ms;         /* monotonic end of the connect budget, set by the first connect step */
    esp_tls_mbedtls_t *mbed;     /* TLS session, NULL for plain TCP or before the handshake */
    esp_tls_last_error_t error;  /* what went wrong last */
};

/* Records an error: code is errno for ESP_TLS_ERR_TYPE_SYSTEM, the mbedTLS code otherwise. */
void esp_tls_record_error(esp_tls_last_error_t *err, esp_err_t last_error, int code, int flags);

/* --- sockets (esp_tls_socket.c) --- */
int64_t esp_tls_now_ms(void);
/* Resolves host, creates a non-blocking socket with cfg's options and starts connecting it. */
esp_err_t esp_tls_socket_start(const char *host, int hostlen, int port, const esp_tls_cfg_t *cfg,
                               esp_tls_last_error_t *err, int *sockfd);
/* Waits up to timeout_ms for the connect to finish: 1 connected, 0 not yet, -1 failed (recorded). */
int esp_tls_socket_connected(int sockfd, int timeout_ms, esp_tls_last_error_t *err);
/* poll() for events, retried on EINTR: >0 ready, 0 timeout, -1 error. timeout_ms < 0 waits forever. */
int esp_tls_socket_wait(int sockfd, short events, int timeout_ms);

/* --- TLS sessions (esp_tls_mbedtls.c) --- */
/* Prepares a client session on a connected socket; NULL on failure (recorded). */
esp_tls_mbedtls_t *esp_tls_mbedtls_new(const char *host, int hostlen, const esp_tls_cfg_t *cfg, int sockfd,
                                       esp_tls_last_error_t *err);
/* One handshake step: 1 done, 0 wants *events on the socket, -1 failed (recorded and logged). */
int esp_tls_mbedtls_handshake(esp_tls_mbedtls_t *m, short *events, esp_tls_last_error_t *err);
ssize_t esp_tls_mbedtls_read(esp_tls_mbedtls_t *m, void *data, size_t len, esp_tls_last_error_t *err);
ssize_t esp_tls_mbedtls_write(esp_tls_mbedtls_t *m, const void *data, size_t len, esp_tls_last_error_t *err);
ssize_t esp_tls_mbedtls_bytes_avail(esp_tls_mbedtls_t *m);
/* Sends close_notify when the session was established, then frees it. */
void esp_tls_mbedtls_free(esp_tls_mbedtls_t *m);
