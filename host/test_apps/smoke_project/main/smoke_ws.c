/*
 * ws and wss round trips (see smoke_ws.h). No locking: one transport, used by app_main only.
 */
#include "smoke_ws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_transport.h"
#include "esp_transport_ssl.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ws.h"
#include "http_parser.h"
#include "mbedtls/base64.h"

static const char *TAG = "smoke";

typedef struct {
    char scheme[8];
    char host[64];
    int port;
    char path[128];
} smoke_uri_t;

static bool copy_field(const char *uri, const struct http_parser_url *u, int field, char *out, size_t size)
{
    if (!(u->field_set & (1 << field)) || u->field_data[field].len >= size) {
        return false;
    }
    memcpy(out, uri + u->field_data[field].off, u->field_data[field].len);
    out[u->field_data[field].len] = '\0';
    return true;
}

static bool parse_uri(const char *uri, smoke_uri_t *out)
{
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(uri, strlen(uri), 0, &u) != 0 || !copy_field(uri, &u, UF_SCHEMA, out->scheme, sizeof(out->scheme)) ||
        !copy_field(uri, &u, UF_HOST, out->host, sizeof(out->host))) {
        return false;
    }
    if (!copy_field(uri, &u, UF_PATH, out->path, sizeof(out->path))) {
        strcpy(out->path, "/");
    }
    out->port = u.port ? u.port : (strcmp(out->scheme, "wss") == 0 ? 443 : 80);
    return strcmp(out->scheme, "ws") == 0 || strcmp(out->scheme, "wss") == 0;
}

/* Decodes the base64 CA; the result stays allocated while the transport lives. */
static unsigned char *decode_ca(const char *b64, size_t *len)
{
    size_t need = 0;
    mbedtls_base64_decode(NULL, 0, &need, (const unsigned char *)b64, strlen(b64));
    unsigned char *der = malloc(need ? need : 1);
    if (der && mbedtls_base64_decode(der, need, len, (const unsigned char *)b64, strlen(b64)) != 0) {
        free(der);
        der = NULL;
    }
    return der;
}

static bool exchange(esp_transport_handle_t ws, const char *scheme)
{
    char message[64];
    int len = snprintf(message, sizeof(message), "smoke-%s-hello", scheme);
    if (esp_transport_ws_send_raw(ws, WS_TRANSPORT_OPCODES_TEXT | WS_TRANSPORT_OPCODES_FIN, message, len, 3000) != len) {
        return false;
    }
    char echo[64] = {0};
    int got = 0;
    while (got < len) {
        int n = esp_transport_read(ws, echo + got, len - got, 3000);
        if (n <= 0) {
            return false;
        }
        got += n;
    }
    return esp_transport_ws_get_read_opcode(ws) == WS_TRANSPORT_OPCODES_TEXT && memcmp(echo, message, len) == 0;
}

bool smoke_ws_round_trip(const char *uri, const char *ca_der_b64)
{
    smoke_uri_t u;
    if (!parse_uri(uri, &u)) {
        ESP_LOGE(TAG, "SMOKE bad uri %s", uri);
        return false;
    }
    bool tls = strcmp(u.scheme, "wss") == 0;
    unsigned char *ca = NULL;
    size_t ca_len = 0;
    esp_transport_handle_t base = tls ? esp_transport_ssl_init() : esp_transport_tcp_init();
    if (tls) {
        ca = ca_der_b64 ? decode_ca(ca_der_b64, &ca_len) : NULL;
        if (ca == NULL) {
            ESP_LOGE(TAG, "SMOKE wss needs a CA (base64 DER)");
        } else {
            esp_transport_ssl_set_cert_data_der(base, (const char *)ca, (int)ca_len);
            esp_transport_ssl_set_common_name(base, "localhost");
        }
    }
    esp_transport_handle_t ws = esp_transport_ws_init(base);
    esp_transport_ws_set_path(ws, u.path);
    bool ok = (!tls || ca) && esp_transport_connect(ws, u.host, u.port, 5000) == 0 && exchange(ws, u.scheme);
    esp_transport_close(ws);
    esp_transport_destroy(ws);
    esp_transport_destroy(base);
    free(ca);
    if (ok) {
        ESP_LOGI(TAG, "SMOKE %s ok", u.scheme);
    } else {
        ESP_LOGE(TAG, "SMOKE %s failed (%s)", u.scheme, uri);
    }
    return ok;
}
