/*
 * esp-tls for the host platform: ESP-IDF's TLS connection API over POSIX sockets and mbedTLS 2.28.
 *
 * Only what the tcp_transport component needs is provided; names, types and return conventions are
 * ESP-IDF's. Locking: an esp_tls_t is used by one thread at a time (as in ESP-IDF); the transports above
 * check that contract with the sentinel. The global CA store is guarded by its own mutex.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <net/if.h>

#include "esp_err.h"
#include "esp_tls_errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connection progress (esp_tls_get_conn_state). */
typedef enum esp_tls_conn_state {
    ESP_TLS_INIT = 0,
    ESP_TLS_CONNECTING,
    ESP_TLS_HANDSHAKE,
    ESP_TLS_FAIL,
    ESP_TLS_DONE,
} esp_tls_conn_state_t;

typedef enum esp_tls_role {
    ESP_TLS_CLIENT = 0,
    ESP_TLS_SERVER,
} esp_tls_role_t;

/* TCP keep-alive applied to the connection's socket. */
typedef struct tls_keep_alive_cfg {
    bool keep_alive_enable;
    int keep_alive_idle;        /* seconds */
    int keep_alive_interval;    /* seconds */
    int keep_alive_count;
} tls_keep_alive_cfg_t;

/* Connection options. Certificates and keys are PEM (length including the terminating NUL) or DER; the
 * buffers are not copied and must outlive the connection. */
typedef struct esp_tls_cfg {
    const char **alpn_protos;
    union { const unsigned char *cacert_buf; const unsigned char *cacert_pem_buf; };
    union { unsigned int cacert_bytes; unsigned int cacert_pem_bytes; };
    union { const unsigned char *clientcert_buf; const unsigned char *clientcert_pem_buf; };
    union { unsigned int clientcert_bytes; unsigned int clientcert_pem_bytes; };
    union { const unsigned char *clientkey_buf; const unsigned char *clientkey_pem_buf; };
    union { unsigned int clientkey_bytes; unsigned int clientkey_pem_bytes; };
    const unsigned char *clientkey_password;
    unsigned int clientkey_password_len;
    bool non_block;                     /* accepted; host sockets are always non-blocking (see read/write) */
    int timeout_ms;                     /* connect + handshake budget; 0 means 10 s */
    bool use_global_ca_store;
    const char *common_name;            /* name verified instead of the host */
    bool skip_common_name;
    tls_keep_alive_cfg_t *keep_alive_cfg;
    esp_err_t (*crt_bundle_attach)(void *conf);
    bool is_plain_tcp;                  /* no TLS: a plain TCP connection */
    struct ifreq *if_name;              /* bind to this interface (SO_BINDTODEVICE) */
} esp_tls_cfg_t;

typedef struct esp_tls esp_tls_t;

/* Allocates an unconnected handle; free it with esp_tls_conn_destroy. */
esp_tls_t *esp_tls_init(void);

/* Connects (TCP, then the TLS handshake unless is_plain_tcp) within cfg->timeout_ms.
 * Returns 1 when connected, -1 on failure (the error handle says why). */
int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *tls);

/* One non-blocking step of the same: 1 connected, 0 in progress (call again), -1 failed. The budget
 * cfg->timeout_ms runs from the first call. */
int esp_tls_conn_new_async(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *tls);

/* Plain TCP connect used by esp-tls itself: resolves host, connects within cfg->timeout_ms and leaves the
 * socket non-blocking in *sockfd. */
esp_err_t esp_tls_plain_tcp_connect(const char *host, int hostlen, int port, const esp_tls_cfg_t *cfg,
                                    esp_tls_error_handle_t error_handle, int *sockfd);

/* Always non-blocking on the host (as ESP-IDF with non_block): bytes moved, 0 when the peer closed (read),
 * ESP_TLS_ERR_SSL_WANT_READ/WRITE when nothing can move now, another negative code on error. Wait on the
 * socket (esp_tls_get_conn_sockfd) between tries, as the transports do. */
ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t datalen);
ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t datalen);

/* Sends close_notify (TLS), closes the socket and frees the handle. Returns 0, or -1 for NULL. */
int esp_tls_conn_destroy(esp_tls_t *tls);

/* Decrypted bytes buffered in the TLS layer (0 for plain TCP), or -1 for NULL. */
ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls);

esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd);
esp_err_t esp_tls_get_conn_state(esp_tls_t *tls, esp_tls_conn_state_t *conn_state);
esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *error_handle);

/* Returns h->last_error and hands out the stack code and certificate flags, then clears all three.
 * ESP_ERR_INVALID_STATE for NULL h. */
esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *esp_tls_code, int *esp_tls_flags);

/* The process-wide CA store used by connections with use_global_ca_store. */
esp_err_t esp_tls_init_global_ca_store(void);
esp_err_t esp_tls_set_global_ca_store(const unsigned char *cacert_pem_buf, const unsigned int cacert_pem_bytes);
void esp_tls_free_global_ca_store(void);

#ifdef __cplusplus
}
#endif
