/*
 * esp-tls error codes and the error handle (ESP-IDF's names and values), for the host platform.
 *
 * Locking: an error handle belongs to one connection and is written by the thread doing its I/O; a caller
 * reading it (esp_tls_get_and_clear_last_error) must not race that thread.
 */
#pragma once

#include "esp_err.h"
#include "mbedtls/ssl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_ERR_ESP_TLS_BASE                           0x8000

#define ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME        (ESP_ERR_ESP_TLS_BASE + 0x01)
#define ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET           (ESP_ERR_ESP_TLS_BASE + 0x02)
#define ESP_ERR_ESP_TLS_UNSUPPORTED_PROTOCOL_FAMILY    (ESP_ERR_ESP_TLS_BASE + 0x03)
#define ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST         (ESP_ERR_ESP_TLS_BASE + 0x04)
#define ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED           (ESP_ERR_ESP_TLS_BASE + 0x05)
#define ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT             (ESP_ERR_ESP_TLS_BASE + 0x06)
#define ESP_ERR_ESP_TLS_SE_FAILED                      (ESP_ERR_ESP_TLS_BASE + 0x07)
#define ESP_ERR_ESP_TLS_TCP_CLOSED_FIN                 (ESP_ERR_ESP_TLS_BASE + 0x08)

#define ESP_ERR_MBEDTLS_CERT_PARTLY_OK                 (ESP_ERR_ESP_TLS_BASE + 0x10)
#define ESP_ERR_MBEDTLS_CTR_DRBG_SEED_FAILED           (ESP_ERR_ESP_TLS_BASE + 0x11)
#define ESP_ERR_MBEDTLS_SSL_SET_HOSTNAME_FAILED        (ESP_ERR_ESP_TLS_BASE + 0x12)
#define ESP_ERR_MBEDTLS_SSL_CONFIG_DEFAULTS_FAILED     (ESP_ERR_ESP_TLS_BASE + 0x13)
#define ESP_ERR_MBEDTLS_SSL_CONF_ALPN_PROTOCOLS_FAILED (ESP_ERR_ESP_TLS_BASE + 0x14)
#define ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED          (ESP_ERR_ESP_TLS_BASE + 0x15)
#define ESP_ERR_MBEDTLS_SSL_CONF_OWN_CERT_FAILED       (ESP_ERR_ESP_TLS_BASE + 0x16)
#define ESP_ERR_MBEDTLS_SSL_SETUP_FAILED               (ESP_ERR_ESP_TLS_BASE + 0x17)
#define ESP_ERR_MBEDTLS_SSL_WRITE_FAILED               (ESP_ERR_ESP_TLS_BASE + 0x18)
#define ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED            (ESP_ERR_ESP_TLS_BASE + 0x19)
#define ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED           (ESP_ERR_ESP_TLS_BASE + 0x1A)
#define ESP_ERR_MBEDTLS_SSL_CONF_PSK_FAILED            (ESP_ERR_ESP_TLS_BASE + 0x1B)
#define ESP_ERR_MBEDTLS_SSL_TICKET_SETUP_FAILED        (ESP_ERR_ESP_TLS_BASE + 0x1C)

/* What esp_tls_conn_read/write return when a non-blocking call must be repeated. */
#define ESP_TLS_ERR_SSL_WANT_READ   MBEDTLS_ERR_SSL_WANT_READ
#define ESP_TLS_ERR_SSL_WANT_WRITE  MBEDTLS_ERR_SSL_WANT_WRITE
#define ESP_TLS_ERR_SSL_TIMEOUT     MBEDTLS_ERR_SSL_TIMEOUT

/* Source of an error code recorded in an error handle. */
typedef enum {
    ESP_TLS_ERR_TYPE_UNKNOWN = 0,
    ESP_TLS_ERR_TYPE_SYSTEM,
    ESP_TLS_ERR_TYPE_MBEDTLS,
    ESP_TLS_ERR_TYPE_MBEDTLS_CERT_FLAGS,
    ESP_TLS_ERR_TYPE_ESP,
    ESP_TLS_ERR_TYPE_WOLFSSL,
    ESP_TLS_ERR_TYPE_WOLFSSL_CERT_FLAGS,
    ESP_TLS_ERR_TYPE_MAX,
} esp_tls_error_type_t;

typedef struct esp_tls_last_error *esp_tls_error_handle_t;

/* The last error of a connection: last_error is an ESP_ERR_ESP_TLS_* / ESP_ERR_MBEDTLS_* code,
 * esp_tls_error_code the TLS stack's own (negative mbedTLS) code, esp_tls_flags the certificate
 * verification flags (MBEDTLS_X509_BADCERT_*) of a failed handshake. */
typedef struct esp_tls_last_error {
    esp_err_t last_error;
    int esp_tls_error_code;
    int esp_tls_flags;
} esp_tls_last_error_t;

#ifdef __cplusplus
}
#endif
