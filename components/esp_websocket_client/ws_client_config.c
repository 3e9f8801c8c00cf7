/*
 * ws_client_config.c: the client's own copy of its configuration: defaults, URI parsing (http_parser) and
 * header strings.
 *
 * Locking: these functions work on a ws_config_t the caller owns or guards; init calls them before the client
 * is shared, the setters call them with the client's lock held. No function here takes a lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "esp_log.h"
#include "http_parser.h"
#include "ws_client_priv.h"

#define WS_DEFAULT_TASK_PRIO 5
#define WS_DEFAULT_TASK_STACK 4096
#define WS_DEFAULT_BUFFER_SIZE 1024
#define WS_DEFAULT_RECONNECT_MS 10000
#define WS_DEFAULT_NETWORK_MS 10000
#define WS_DEFAULT_PING_SEC 10
#define WS_DEFAULT_PINGPONG_SEC 120
#define WS_DEFAULT_KEEPALIVE_IDLE 5
#define WS_DEFAULT_KEEPALIVE_INTERVAL 5
#define WS_DEFAULT_KEEPALIVE_COUNT 3
#define WS_DEFAULT_PORT_TCP 80
#define WS_DEFAULT_PORT_SSL 443

static const char *TAG = WS_TAG;

/* Replace *dst with a copy of src (NULL clears). */
static esp_err_t replace_str(char **dst, const char *src)
{
    char *copy = NULL;
    if (src) {
        copy = strdup(src);
        if (!copy) {
            return ESP_ERR_NO_MEM;
        }
    }
    free(*dst);
    *dst = copy;
    return ESP_OK;
}

/* Replace *dst with a copy of len bytes at src. */
static esp_err_t replace_strn(char **dst, const char *src, size_t len)
{
    char *copy = strndup(src, len);
    if (!copy) {
        return ESP_ERR_NO_MEM;
    }
    free(*dst);
    *dst = copy;
    return ESP_OK;
}

static int positive_or(int value, int fallback)
{
    return value > 0 ? value : fallback;
}

static esp_err_t copy_strings(ws_config_t *cfg, const esp_websocket_client_config_t *user)
{
    const char *task_name = user->task_name ? user->task_name : "websocket_task";
    const char *path = user->path ? user->path : "/";
    if (replace_str(&cfg->host, user->host) != ESP_OK || replace_str(&cfg->path, path) != ESP_OK ||
        replace_str(&cfg->username, user->username) != ESP_OK ||
        replace_str(&cfg->password, user->password) != ESP_OK ||
        replace_str(&cfg->subprotocol, user->subprotocol) != ESP_OK ||
        replace_str(&cfg->user_agent, user->user_agent) != ESP_OK ||
        replace_str(&cfg->headers, user->headers) != ESP_OK ||
        replace_str(&cfg->cert_common_name, user->cert_common_name) != ESP_OK ||
        replace_str(&cfg->task_name, task_name) != ESP_OK) {
        return ESP_ERR_NO_MEM;
    }
    return ESP_OK;
}

static void copy_tls(ws_config_t *cfg, const esp_websocket_client_config_t *user)
{
    cfg->cert_pem = user->cert_pem;
    cfg->cert_len = user->cert_len;
    cfg->client_cert = user->client_cert;
    cfg->client_cert_len = user->client_cert_len;
    cfg->client_key = user->client_key;
    cfg->client_key_len = user->client_key_len;
#if CONFIG_ESP_TLS_USE_DS_PERIPHERAL
    cfg->client_ds_data = user->client_ds_data;
#endif
    cfg->use_global_ca_store = user->use_global_ca_store;
    cfg->crt_bundle_attach = user->crt_bundle_attach;
    cfg->skip_cert_common_name_check = user->skip_cert_common_name_check;
}

static void copy_numbers(ws_config_t *cfg, const esp_websocket_client_config_t *user)
{
    cfg->port = user->port;
    cfg->transport = user->transport;
    cfg->keep_alive_enable = user->keep_alive_enable;
    cfg->keep_alive_idle = positive_or(user->keep_alive_idle, WS_DEFAULT_KEEPALIVE_IDLE);
    cfg->keep_alive_interval = positive_or(user->keep_alive_interval, WS_DEFAULT_KEEPALIVE_INTERVAL);
    cfg->keep_alive_count = positive_or(user->keep_alive_count, WS_DEFAULT_KEEPALIVE_COUNT);
    if (user->if_name) {
        cfg->has_if_name = true;
        cfg->if_name = *user->if_name;
    }
    cfg->auto_reconnect = !user->disable_auto_reconnect;
    cfg->close_reconnect = user->enable_close_reconnect;
    cfg->reconnect_timeout_ms = positive_or(user->reconnect_timeout_ms, WS_DEFAULT_RECONNECT_MS);
    cfg->network_timeout_ms = positive_or(user->network_timeout_ms, WS_DEFAULT_NETWORK_MS);
    cfg->ping_interval_sec = user->ping_interval_sec > 0 ? user->ping_interval_sec : WS_DEFAULT_PING_SEC;
    cfg->pingpong_timeout_sec = positive_or(user->pingpong_timeout_sec, WS_DEFAULT_PINGPONG_SEC);
    cfg->pingpong_discon = !user->disable_pingpong_discon;
    cfg->buffer_size = positive_or(user->buffer_size, WS_DEFAULT_BUFFER_SIZE);
    cfg->task_prio = positive_or(user->task_prio, WS_DEFAULT_TASK_PRIO);
    cfg->task_stack = positive_or(user->task_stack, WS_DEFAULT_TASK_STACK);
    cfg->task_core_id_set = user->task_core_id_set;
    cfg->task_core_id = user->task_core_id;
    cfg->user_context = user->user_context;
    cfg->ext_transport = user->ext_transport;
}

esp_err_t ws_config_from_user(ws_config_t *cfg, const esp_websocket_client_config_t *user)
{
    copy_numbers(cfg, user);
    copy_tls(cfg, user);
    if (copy_strings(cfg, user) != ESP_OK) {
        ESP_LOGE(TAG, "No memory for the configuration");
        return ESP_ERR_NO_MEM;
    }
    if (user->uri) {
        esp_err_t err = ws_config_apply_uri(cfg, user->uri);
        if (err != ESP_OK) {
            return err;
        }
        if (cfg->port == 0) {
            cfg->port = user->port; /* a URI without a port keeps config.port */
        }
    }
    if (!cfg->host || cfg->host[0] == '\0') {
        ESP_LOGE(TAG, "No host: set config.uri or config.host");
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

static esp_err_t uri_field(const char *uri, const struct http_parser_url *u, int field, char **dst)
{
    if (!(u->field_set & (1 << field))) {
        return ESP_OK;
    }
    return replace_strn(dst, uri + u->field_data[field].off, u->field_data[field].len);
}

/* Scheme decides the transport unless it was forced; anything but ws/wss is refused. */
static esp_err_t uri_scheme(ws_config_t *cfg, const char *uri, const struct http_parser_url *u)
{
    if (!(u->field_set & (1 << UF_SCHEMA))) {
        ESP_LOGE(TAG, "URI without a scheme: %s", uri);
        return ESP_ERR_INVALID_ARG;
    }
    const char *scheme = uri + u->field_data[UF_SCHEMA].off;
    size_t len = u->field_data[UF_SCHEMA].len;
    if (len == 2 && strncasecmp(scheme, "ws", 2) == 0) {
        cfg->transport = WEBSOCKET_TRANSPORT_OVER_TCP;
    } else if (len == 3 && strncasecmp(scheme, "wss", 3) == 0) {
        cfg->transport = WEBSOCKET_TRANSPORT_OVER_SSL;
    } else {
        ESP_LOGE(TAG, "Unsupported URI scheme '%.*s' (want ws or wss): %s", (int)len, scheme, uri);
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

/* path plus "?query", or "/" */
static esp_err_t uri_path(ws_config_t *cfg, const char *uri, const struct http_parser_url *u)
{
    bool has_path = u->field_set & (1 << UF_PATH);
    bool has_query = u->field_set & (1 << UF_QUERY);
    if (!has_path && !has_query) {
        return replace_str(&cfg->path, "/");
    }
    const char *path = has_path ? uri + u->field_data[UF_PATH].off : "/";
    int path_len = has_path ? u->field_data[UF_PATH].len : 1;
    int query_len = has_query ? u->field_data[UF_QUERY].len : 0;
    char *joined = malloc(path_len + query_len + 2);
    if (!joined) {
        return ESP_ERR_NO_MEM;
    }
    if (has_query) {
        snprintf(joined, path_len + query_len + 2, "%.*s?%.*s", path_len, path, query_len,
                 uri + u->field_data[UF_QUERY].off);
    } else {
        snprintf(joined, path_len + 1, "%.*s", path_len, path);
    }
    free(cfg->path);
    cfg->path = joined;
    return ESP_OK;
}

/* "user:password" from the URI's userinfo. */
static esp_err_t uri_userinfo(ws_config_t *cfg, const char *uri, const struct http_parser_url *u)
{
    if (!(u->field_set & (1 << UF_USERINFO))) {
        return ESP_OK;
    }
    const char *info = uri + u->field_data[UF_USERINFO].off;
    size_t len = u->field_data[UF_USERINFO].len;
    const char *colon = memchr(info, ':', len);
    size_t user_len = colon ? (size_t)(colon - info) : len;
    esp_err_t err = replace_strn(&cfg->username, info, user_len);
    if (err == ESP_OK && colon) {
        err = replace_strn(&cfg->password, colon + 1, len - user_len - 1);
    }
    return err;
}

esp_err_t ws_config_apply_uri(ws_config_t *cfg, const char *uri)
{
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (!uri || http_parser_parse_url(uri, strlen(uri), 0, &u) != 0) {
        ESP_LOGE(TAG, "Malformed URI: %s", uri ? uri : "(null)");
        return ESP_ERR_INVALID_ARG;
    }
    if (!(u.field_set & (1 << UF_HOST)) || u.field_data[UF_HOST].len == 0) {
        ESP_LOGE(TAG, "URI without a host: %s", uri);
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = uri_scheme(cfg, uri, &u);
    if (err == ESP_OK) {
        err = uri_field(uri, &u, UF_HOST, &cfg->host);
    }
    if (err == ESP_OK) {
        err = uri_path(cfg, uri, &u);
    }
    if (err == ESP_OK) {
        err = uri_userinfo(cfg, uri, &u);
    }
    if (err != ESP_OK) {
        return err;
    }
    cfg->port = (u.field_set & (1 << UF_PORT)) ? u.port : 0;
    return ESP_OK;
}

int ws_config_port(const ws_config_t *cfg)
{
    if (cfg->port > 0) {
        return cfg->port;
    }
    return cfg->transport == WEBSOCKET_TRANSPORT_OVER_SSL ? WS_DEFAULT_PORT_SSL : WS_DEFAULT_PORT_TCP;
}

esp_err_t ws_config_set_headers(ws_config_t *cfg, const char *headers)
{
    return replace_str(&cfg->headers, headers);
}

esp_err_t ws_config_append_header(ws_config_t *cfg, const char *key, const char *value)
{
    size_t old_len = cfg->headers ? strlen(cfg->headers) : 0;
    size_t add_len = strlen(key) + strlen(value) + 4; /* ": " and CRLF */
    char *joined = realloc(cfg->headers, old_len + add_len + 1);
    if (!joined) {
        return ESP_ERR_NO_MEM;
    }
    snprintf(joined + old_len, add_len + 1, "%s: %s\r\n", key, value);
    cfg->headers = joined;
    return ESP_OK;
}

void ws_config_free(ws_config_t *cfg)
{
    free(cfg->host);
    free(cfg->path);
    free(cfg->username);
    free(cfg->password);
    free(cfg->headers);
    free(cfg->subprotocol);
    free(cfg->user_agent);
    free(cfg->cert_common_name);
    free(cfg->task_name);
    memset(cfg, 0, sizeof(*cfg));
}
