/*
 * The SSL transport (ESP-IDF's esp_transport_ssl.h): TLS 1.2 over esp-tls and mbedTLS.
 * Certificate, key and name buffers are referenced, not copied: keep them valid while the transport is
 * used, as in ESP-IDF. Locking: see esp_transport.h.
 */
#pragma once

#include <net/if.h>

#include "esp_tls.h"
#include "esp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

esp_transport_handle_t esp_transport_ssl_init(void);
/* CA certificate, PEM (len without the NUL) or DER. */
void esp_transport_ssl_set_cert_data(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_set_cert_data_der(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_enable_global_ca_store(esp_transport_handle_t t);
void esp_transport_ssl_crt_bundle_attach(esp_transport_handle_t t, esp_err_t ((*crt_bundle_attach)(void *conf)));
/* Client certificate and key for mutual authentication, PEM or DER. */
void esp_transport_ssl_set_client_cert_data(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_set_client_cert_data_der(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_set_client_key_data(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_set_client_key_data_der(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_set_client_key_password(esp_transport_handle_t t, const char *password, int password_len);
void esp_transport_ssl_set_alpn_protocol(esp_transport_handle_t t, const char **alpn_protos);
void esp_transport_ssl_skip_common_name_check(esp_transport_handle_t t);
/* Verify this name instead of the host connected to (e.g. "localhost" when connecting to 127.0.0.1). */
void esp_transport_ssl_set_common_name(esp_transport_handle_t t, const char *common_name);
void esp_transport_ssl_set_keep_alive(esp_transport_handle_t t, esp_transport_keep_alive_t *keep_alive_cfg);
esp_err_t esp_transport_ssl_set_interface_name(esp_transport_handle_t t, struct ifreq *if_name);

#ifdef __cplusplus
}
#endif
