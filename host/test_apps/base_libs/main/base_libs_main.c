/* Logs what the wrapped libraries do (tests/host/test_base_libs.py judges it). */
#include <stdlib.h>
#include <string.h>
#include "esp_crt_bundle.h"
#include "esp_log.h"
#include "http_parser.h"
#include "lwip/err.h"
#include "lwip/inet.h"
#include "lwip/ip_addr.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "mbedtls/ssl.h"
#include "mbedtls/version.h"

static const char *TAG = "libs_test";

static void crt_bundle(void)
{
    mbedtls_ssl_config conf;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                MBEDTLS_SSL_PRESET_DEFAULT);
    esp_err_t rc = esp_crt_bundle_attach(&conf);
    int certs = 0;
    for (const mbedtls_x509_crt *crt = rc == ESP_OK ? conf.ca_chain : NULL; crt && crt->version; crt = crt->next) {
        certs++;
    }
    ESP_LOGI(TAG, "BUNDLE rc=%s certs=%d null_conf=%s mbedtls=%s", esp_err_to_name(rc), certs,
             esp_err_to_name(esp_crt_bundle_attach(NULL)), MBEDTLS_VERSION_STRING);
    esp_crt_bundle_detach(&conf);
    mbedtls_ssl_config_free(&conf);
}

static void url(void)
{
    const char *uri = "wss://user:pw@example.com:8443/path/x?q=1";
    struct http_parser_url parsed;
    http_parser_url_init(&parsed);
    int rc = http_parser_parse_url(uri, strlen(uri), 0, &parsed);
    ESP_LOGI(TAG, "URL rc=%d schema=%.*s host=%.*s port=%u path=%.*s query=%.*s userinfo=%.*s", rc,
             parsed.field_data[UF_SCHEMA].len, uri + parsed.field_data[UF_SCHEMA].off,
             parsed.field_data[UF_HOST].len, uri + parsed.field_data[UF_HOST].off, parsed.port,
             parsed.field_data[UF_PATH].len, uri + parsed.field_data[UF_PATH].off,
             parsed.field_data[UF_QUERY].len, uri + parsed.field_data[UF_QUERY].off,
             parsed.field_data[UF_USERINFO].len, uri + parsed.field_data[UF_USERINFO].off);
    ESP_LOGI(TAG, "BADURL rc=%d", http_parser_parse_url("::not a url", 11, 0, &parsed));
}

static void sockets(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int bound = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    close(fd);
    ip_addr_t ip = { .type = IPADDR_TYPE_V4 };
    ip.u_addr.ip4.addr = addr.sin_addr.s_addr;
    err_t err = ERR_OK;
    ESP_LOGI(TAG, "SOCKETS fd_ok=%d bind=%d v4=%d err_ok=%d", fd >= 0, bound, IP_IS_V4(&ip), err == ERR_OK);
}

void app_main(void)
{
    crt_bundle();
    url();
    sockets();
    exit(0);
}
