/*
 * Transports for a case from its arguments (see case_conn.h). No locking (see there).
 */
#include "case_conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_tls.h"
#include "esp_tls_crypto.h"
#include "esp_transport_ssl.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ws.h"

static const char *TAG = "twt";

/* The file's bytes plus a NUL (for PEM); *len gets the size without it. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        ESP_LOGE(TAG, "cannot open %s", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = calloc(1, (size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    if (len) {
        *len = (size_t)size;
    }
    return data;
}

/* "A:1,B:2" -> "A: 1\r\nB: 2\r\n" */
static char *format_headers(const char *pairs)
{
    char *out = calloc(1, strlen(pairs) * 2 + 8);
    char *copy = strdup(pairs);
    char *save = NULL;
    for (char *p = strtok_r(copy, ",", &save); p && out; p = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = '\0';
            strcat(out, p);
            strcat(out, ": ");
            strcat(out, colon + 1);
            strcat(out, "\r\n");
        }
    }
    free(copy);
    return out;
}

static char *basic_auth(const char *user, const char *pass)
{
    char plain[256];
    int n = snprintf(plain, sizeof(plain), "%s:%s", user, pass);
    size_t need = 0;
    esp_crypto_base64_encode(NULL, 0, &need, (const unsigned char *)plain, (size_t)n);
    char *out = calloc(1, need + 8);
    size_t olen = 0;
    strcpy(out, "Basic ");
    esp_crypto_base64_encode((unsigned char *)out + 6, need, &olen, (const unsigned char *)plain, (size_t)n);
    return out;
}

/* ca_mode: pem (default), der (ca names a DER file) or global (the PEM goes to the global CA store). */
static bool configure_ca(case_conn_t *c, const case_args_t *args)
{
    const char *ca = case_arg_str(args, "ca", NULL);
    const char *mode = case_arg_str(args, "ca_mode", "pem");
    size_t len = 0;
    if (ca == NULL) {
        return true;
    }
    c->ca = read_file(ca, &len);
    if (c->ca == NULL) {
        return false;
    }
    if (strcmp(mode, "der") == 0) {
        esp_transport_ssl_set_cert_data_der(c->base, c->ca, (int)len);
    } else if (strcmp(mode, "global") == 0) {
        if (esp_tls_set_global_ca_store((const unsigned char *)c->ca, (unsigned)len + 1) != ESP_OK) {
            return false;
        }
        esp_transport_ssl_enable_global_ca_store(c->base);
    } else {
        esp_transport_ssl_set_cert_data(c->base, c->ca, (int)len);
    }
    return true;
}

static bool configure_ssl(case_conn_t *c, const case_args_t *args)
{
    const char *cert = case_arg_str(args, "client_cert", NULL);
    const char *key = case_arg_str(args, "client_key", NULL);
    if (!configure_ca(c, args)) {
        return false;
    }
    if (cert && key) {
        size_t cert_len = 0, key_len = 0;
        c->client_cert = read_file(cert, &cert_len);
        c->client_key = read_file(key, &key_len);
        if (c->client_cert == NULL || c->client_key == NULL) {
            return false;
        }
        esp_transport_ssl_set_client_cert_data(c->base, c->client_cert, (int)cert_len);
        esp_transport_ssl_set_client_key_data(c->base, c->client_key, (int)key_len);
    }
    if (case_arg_int(args, "skip_cn", 0)) {
        esp_transport_ssl_skip_common_name_check(c->base);
    } else {
        esp_transport_ssl_set_common_name(c->base, case_arg_str(args, "cn", "localhost"));
    }
    return true;
}

static bool configure_ws(case_conn_t *c, const case_args_t *args)
{
    c->ws = esp_transport_ws_init(c->base);
    if (c->ws == NULL) {
        return false;
    }
    const char *headers = case_arg_str(args, "headers", NULL);
    const char *user = case_arg_str(args, "user", NULL);
    if (headers) {
        c->headers = format_headers(headers);
    }
    if (user) {
        c->auth = basic_auth(user, case_arg_str(args, "pass", ""));
    }
    esp_transport_ws_config_t cfg = {
        .ws_path = case_arg_str(args, "path", "/"),
        .sub_protocol = case_arg_str(args, "subprotocol", NULL),
        .user_agent = case_arg_str(args, "ua", NULL),
        .headers = c->headers,
        .auth = c->auth,
        .propagate_control_frames = case_arg_int(args, "propagate", 0) != 0,
    };
    return esp_transport_ws_set_config(c->ws, &cfg) == ESP_OK;
}

/* keepalive=<idle>,<interval>,<count> and ifname=<interface> for the tcp or ssl layer. */
static bool configure_socket(case_conn_t *c, const case_args_t *args, bool tls)
{
    const char *keepalive = case_arg_str(args, "keepalive", NULL);
    const char *ifname = case_arg_str(args, "ifname", NULL);
    if (keepalive) {
        esp_transport_keep_alive_t *ka = &c->keep_alive;
        *ka = (esp_transport_keep_alive_t) { .keep_alive_enable = true };
        if (sscanf(keepalive, "%d,%d,%d", &ka->keep_alive_idle, &ka->keep_alive_interval, &ka->keep_alive_count) != 3) {
            return false;
        }
        if (tls) {
            esp_transport_ssl_set_keep_alive(c->base, ka);
        } else {
            esp_transport_tcp_set_keep_alive(c->base, ka);
        }
    }
    if (ifname) {
        struct ifreq *ifr = &c->if_name;
        memset(ifr, 0, sizeof(*ifr));
        snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
        esp_err_t err = tls ? esp_transport_ssl_set_interface_name(c->base, ifr)
                            : esp_transport_tcp_set_interface_name(c->base, ifr);
        return err == ESP_OK;
    }
    return true;
}

bool case_conn_build(case_conn_t *c, const case_args_t *args)
{
    memset(c, 0, sizeof(*c));
    const char *scheme = case_arg_str(args, "scheme", "ws");
    bool tls = strcmp(scheme, "wss") == 0 || strcmp(scheme, "ssl") == 0;
    bool ws = strcmp(scheme, "ws") == 0 || strcmp(scheme, "wss") == 0;
    c->base = tls ? esp_transport_ssl_init() : esp_transport_tcp_init();
    if (c->base == NULL || !configure_socket(c, args, tls) || (tls && !configure_ssl(c, args)) ||
        (ws && !configure_ws(c, args))) {
        case_conn_destroy(c);
        return false;
    }
    return true;
}

esp_transport_handle_t case_conn_top(const case_conn_t *c)
{
    return c->ws ? c->ws : c->base;
}

int case_conn_connect(case_conn_t *c, const case_args_t *args)
{
    return esp_transport_connect(case_conn_top(c), case_arg_str(args, "host", "127.0.0.1"),
                                 case_arg_int(args, "port", 0), case_arg_int(args, "timeout_ms", 5000));
}

void case_conn_destroy(case_conn_t *c)
{
    if (c->ws) {
        esp_transport_destroy(c->ws);
    }
    if (c->base) {
        esp_transport_destroy(c->base);
    }
    esp_tls_free_global_ca_store();
    free(c->ca);
    free(c->client_cert);
    free(c->client_key);
    free(c->auth);
    free(c->headers);
    memset(c, 0, sizeof(*c));
}

void case_conn_print_errors(const case_conn_t *c)
{
    int code = 0, flags = 0;
    esp_err_t last = esp_tls_get_and_clear_last_error(esp_transport_get_error_handle(case_conn_top(c)), &code, &flags);
    int sock_errno = esp_transport_get_errno(case_conn_top(c));
    ESP_LOGI(TAG, "ERRORS last_error=0x%x tls_code=%d flags=0x%x errno=%d", (unsigned)last, code, (unsigned)flags,
             sock_errno);
}

void case_done(const char *name, bool ok, const char *fmt, ...)
{
    char details[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(details, sizeof(details), fmt, ap);
    va_end(ap);
    ESP_LOGI(TAG, "DONE case=%s ok=%d %s", name, ok ? 1 : 0, details);
}
