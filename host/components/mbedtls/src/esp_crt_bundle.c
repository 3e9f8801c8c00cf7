/* The certificate bundle on the host: the system CA store (WSH_CRT_BUNDLE or
 * /etc/ssl/certs/ca-certificates.crt), parsed once. Locking: pthread_once guards the single load;
 * afterwards s_store/s_load_result are only read, and mbedTLS reads the chain without writing it. */
#include <pthread.h>
#include <stdlib.h>
#include "esp_crt_bundle.h"
#include "esp_log.h"
#include "mbedtls/x509_crt.h"

#define DEFAULT_CA_STORE "/etc/ssl/certs/ca-certificates.crt"

static const char *TAG = "esp-x509-crt-bundle";

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static mbedtls_x509_crt s_store;          /* written once under s_once */
static esp_err_t s_load_result = ESP_FAIL; /* written once under s_once */

static const char *store_path(void)
{
    const char *path = getenv("WSH_CRT_BUNDLE");
    return (path && path[0]) ? path : DEFAULT_CA_STORE;
}

static void load_store(void)
{
    const char *path = store_path();
    mbedtls_x509_crt_init(&s_store);
    int ret = mbedtls_x509_crt_parse_file(&s_store, path);
    if (ret < 0) {
        ESP_LOGE(TAG, "Failed to read the CA store %s (mbedTLS error -0x%04x)", path, (unsigned)-ret);
        return;
    }
    if (ret > 0) {
        ESP_LOGW(TAG, "%d certificates in %s could not be parsed and were skipped", ret, path);
    }
    if (s_store.version == 0) {
        ESP_LOGE(TAG, "The CA store %s holds no certificate", path);
        return;
    }
    s_load_result = ESP_OK;
}

esp_err_t esp_crt_bundle_attach(void *conf)
{
    if (conf == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_once(&s_once, load_store);
    if (s_load_result != ESP_OK) {
        return s_load_result;
    }
    mbedtls_ssl_conf_ca_chain((mbedtls_ssl_config *)conf, &s_store, NULL);
    mbedtls_ssl_conf_authmode((mbedtls_ssl_config *)conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    return ESP_OK;
}

void esp_crt_bundle_detach(mbedtls_ssl_config *conf)
{
    if (conf) {
        mbedtls_ssl_conf_ca_chain(conf, NULL, NULL);
    }
}
