/* ESP-IDF's certificate-bundle API. On the host the "bundle" is the system CA store, loaded once and
 * shared read-only by every TLS configuration it is attached to (see src/esp_crt_bundle.c). */
#pragma once

#include "esp_err.h"
#include "mbedtls/ssl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Makes conf verify peers against the CA store; conf is an mbedtls_ssl_config *. ESP_FAIL when the
 * store cannot be read or holds no certificate. */
esp_err_t esp_crt_bundle_attach(void *conf);

/* Removes the CA chain from conf (NULL: nothing to do). */
void esp_crt_bundle_detach(mbedtls_ssl_config *conf);

#ifdef __cplusplus
}
#endif
