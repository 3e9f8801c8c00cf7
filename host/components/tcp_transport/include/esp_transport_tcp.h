/*
 * The TCP transport (ESP-IDF's esp_transport_tcp.h): a plain TCP connection built on esp-tls.
 * Locking: see esp_transport.h (one thread at a time per transport).
 */
#pragma once

#include <net/if.h>

#include "esp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

esp_transport_handle_t esp_transport_tcp_init(void);
/* Keep-alive for the next connections (the struct is copied). */
void esp_transport_tcp_set_keep_alive(esp_transport_handle_t t, esp_transport_keep_alive_t *keep_alive_cfg);
/* Binds the next connections to this interface (copied; NULL clears). */
esp_err_t esp_transport_tcp_set_interface_name(esp_transport_handle_t t, struct ifreq *if_name);

#ifdef __cplusplus
}
#endif
