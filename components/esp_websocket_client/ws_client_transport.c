/*
 * ws_client_transport.c: building the ws/wss transport from the configuration (ws over the relay over TCP or
 * TLS: ws_client_relay.c), tearing it down, and waking a task blocked on its socket.
 *
 * Locking: ws_transport_prepare and ws_transport_destroy run in the client task with the lock held (they
 * publish/retire client->transport). ws_transport_wake runs in any task with the lock held: it only calls
 * shutdown() on the socket, which is safe beside the owner's blocking call; it never closes, because a close
 * would free the fd number for reuse while the owner still uses it. ws_socket_wait runs unlocked in any task;
 * ws_socket_alive and ws_socket_closed in the client task with the lock held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "esp_log.h"
#include "esp_transport.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ssl.h"
#include "esp_transport_ws.h"
#include "esp_tls_crypto.h"
#include "ws_client_priv.h"

static const char *TAG = WS_TAG;

static bool is_ssl(const ws_config_t *cfg)
{
    return cfg->transport == WEBSOCKET_TRANSPORT_OVER_SSL;
}

/* PEM when len is 0 or the data ends in NUL, DER otherwise (upstream's convention). */
static bool is_pem(const char *data, size_t len)
{
    return len == 0 || data[len - 1] == '\0';
}

static size_t pem_len(const char *data, size_t len)
{
    return len ? len : strlen(data) + 1;
}

static void configure_ssl_identity(esp_transport_handle_t ssl, const ws_config_t *cfg)
{
    if (cfg->client_cert) {
        if (is_pem(cfg->client_cert, cfg->client_cert_len)) {
            esp_transport_ssl_set_client_cert_data(ssl, cfg->client_cert,
                                                   pem_len(cfg->client_cert, cfg->client_cert_len));
        } else {
            esp_transport_ssl_set_client_cert_data_der(ssl, cfg->client_cert, cfg->client_cert_len);
        }
    }
    if (cfg->client_key) {
        if (is_pem(cfg->client_key, cfg->client_key_len)) {
            esp_transport_ssl_set_client_key_data(ssl, cfg->client_key, pem_len(cfg->client_key, cfg->client_key_len));
        } else {
            esp_transport_ssl_set_client_key_data_der(ssl, cfg->client_key, cfg->client_key_len);
        }
    }
#if CONFIG_ESP_TLS_USE_DS_PERIPHERAL
    if (cfg->client_ds_data && !cfg->client_key) {
        esp_transport_ssl_set_ds_data(ssl, cfg->client_ds_data);
    }
#endif
}

static void configure_ssl(esp_transport_handle_t ssl, const ws_config_t *cfg)
{
    if (cfg->use_global_ca_store) {
        esp_transport_ssl_enable_global_ca_store(ssl);
    } else if (cfg->cert_pem) {
        if (is_pem(cfg->cert_pem, cfg->cert_len)) {
            esp_transport_ssl_set_cert_data(ssl, cfg->cert_pem, pem_len(cfg->cert_pem, cfg->cert_len));
        } else {
            esp_transport_ssl_set_cert_data_der(ssl, cfg->cert_pem, cfg->cert_len);
        }
    } else if (cfg->crt_bundle_attach) {
        esp_transport_ssl_crt_bundle_attach(ssl, cfg->crt_bundle_attach);
    }
    configure_ssl_identity(ssl, cfg);
    if (cfg->cert_common_name) {
        esp_transport_ssl_set_common_name(ssl, cfg->cert_common_name);
    }
    if (cfg->skip_cert_common_name_check) {
        esp_transport_ssl_skip_common_name_check(ssl);
    }
}

/* The TCP or TLS transport under the ws layer, with keep-alive and interface binding. ESP-IDF's transport keeps
 * the pointers it is given (keep-alive, interface), not copies: both live in the client (lock held). */
static esp_transport_handle_t create_parent(ws_client_t *client)
{
    const ws_config_t *cfg = &client->cfg;
    esp_transport_keep_alive_t *keep_alive = &client->keep_alive;
    *keep_alive = (esp_transport_keep_alive_t) {
        .keep_alive_enable = cfg->keep_alive_enable,
        .keep_alive_idle = cfg->keep_alive_idle,
        .keep_alive_interval = cfg->keep_alive_interval,
        .keep_alive_count = cfg->keep_alive_count,
    };
    esp_transport_handle_t parent;
    if (is_ssl(cfg)) {
        parent = esp_transport_ssl_init();
        if (!parent) {
            return NULL;
        }
        configure_ssl(parent, cfg);
        esp_transport_ssl_set_keep_alive(parent, keep_alive);
        if (cfg->has_if_name) {
            esp_transport_ssl_set_interface_name(parent, (struct ifreq *)&cfg->if_name);
        }
    } else {
        parent = esp_transport_tcp_init();
        if (!parent) {
            return NULL;
        }
        esp_transport_tcp_set_keep_alive(parent, keep_alive);
        if (cfg->has_if_name) {
            esp_transport_tcp_set_interface_name(parent, (struct ifreq *)&cfg->if_name);
        }
    }
    return parent;
}

/* "Basic base64(user:password)", or NULL without credentials. */
static char *basic_auth(const ws_config_t *cfg)
{
    if (!cfg->username) {
        return NULL;
    }
    const char *password = cfg->password ? cfg->password : "";
    size_t plain_len = strlen(cfg->username) + strlen(password) + 1;
    char *plain = malloc(plain_len + 1);
    size_t b64_cap = 4 * ((plain_len + 2) / 3) + 1;
    char *auth = malloc(b64_cap + 6); /* "Basic " */
    size_t out_len = 0;
    if (plain && auth) {
        snprintf(plain, plain_len + 1, "%s:%s", cfg->username, password);
        memcpy(auth, "Basic ", 6);
        if (esp_crypto_base64_encode((unsigned char *)auth + 6, b64_cap, &out_len, (const unsigned char *)plain,
                                     plain_len) == 0) {
            auth[6 + out_len] = '\0';
            free(plain);
            return auth;
        }
    }
    free(plain);
    free(auth);
    return NULL;
}

/* Path, headers, auth and the rest of the upgrade request; control frames come to the client, which answers
 * them itself under its lock. */
static esp_err_t configure_ws(esp_transport_handle_t ws, const ws_config_t *cfg)
{
    char *auth = basic_auth(cfg);
    if (cfg->username && !auth) {
        return ESP_ERR_NO_MEM;
    }
    esp_transport_ws_config_t ws_cfg = {
        .ws_path = cfg->path,
        .sub_protocol = cfg->subprotocol,
        .user_agent = cfg->user_agent,
        .headers = cfg->headers,
        .auth = auth,
        .propagate_control_frames = true,
    };
    esp_err_t err = esp_transport_ws_set_config(ws, &ws_cfg);
    free(auth);
    return err;
}

/* Create the transport on the first connect of a run, and (re)apply the request settings on every connect so
 * headers set while running take effect at the next one. */
esp_err_t ws_transport_prepare(ws_client_t *client)
{
    const ws_config_t *cfg = &client->cfg;
    if (client->transport) {
        return configure_ws(client->transport, cfg);
    }
    if (cfg->ext_transport) {
        client->transport = cfg->ext_transport;
        return configure_ws(client->transport, cfg);
    }
    esp_transport_list_handle_t list = esp_transport_list_init();
    esp_transport_handle_t parent = list ? create_parent(client) : NULL;
    esp_transport_handle_t relay = NULL;
#if WS_TRANSPORT_TAKES_ANY_PARENT
    relay = parent ? ws_relay_init(client, parent) : NULL;
    esp_transport_handle_t ws = relay ? esp_transport_ws_init(relay) : NULL;
#else
    esp_transport_handle_t ws = parent ? esp_transport_ws_init(parent) : NULL;
#endif
    if (!ws) {
        ESP_LOGE(TAG, "No memory for the transport");
        esp_transport_destroy(relay);
        esp_transport_destroy(parent);
        esp_transport_list_destroy(list);
        return ESP_ERR_NO_MEM;
    }
    /* The list owns every layer, so destroying it frees them together. */
    esp_transport_list_add(list, parent, is_ssl(cfg) ? "_ssl" : "_tcp");
    if (relay) {
        esp_transport_list_add(list, relay, "_relay");
    }
    esp_transport_list_add(list, ws, is_ssl(cfg) ? "wss" : "ws");
    esp_transport_set_default_port(ws, ws_config_port(cfg));
    client->transport = ws;
    client->parent_transport = parent;
    client->relay = relay;
    client->transport_list = list;
    return configure_ws(ws, cfg);
}

void ws_transport_destroy(ws_client_t *client)
{
    if (client->transport_list) {
        esp_transport_list_destroy(client->transport_list);
    }
    client->transport_list = NULL;
    client->transport = NULL;
    client->parent_transport = NULL;
    client->relay = NULL;
    client->sock = -1;
}

int ws_transport_socket(ws_client_t *client)
{
    if (client->relay) {
        return client->sock; /* published by the relay (ws_client_relay.c) */
    }
    /* Without a relay (the user's ext_transport; ESP-IDF before v5.5) the socket is read only outside a
     * connect, whose end the task marks under the lock, never while ESP-IDF may still be writing it: a stop
     * then waits for the whole connect, the upgrade included. */
    return client->transport && !client->connecting ? esp_transport_get_socket(client->transport) : -1;
}

esp_transport_handle_t ws_transport_error_owner(ws_client_t *client)
{
    return client->parent_transport ? client->parent_transport : client->transport;
}

/* ESP-IDF's ws transport writes a frame as two writes, header then payload. With Nagle's algorithm on, the
 * payload then waits for the peer to acknowledge the header, and peers delay that ACK (Linux by up to 40 ms):
 * every small frame sent while the last is unacknowledged paid that delay (an echo test measured 10 ms a
 * message). Every write of the client ends a frame or a piece of one, so there is nothing for Nagle to merge.
 * Client task, lock held, after a successful connect. */
void ws_transport_no_delay(ws_client_t *client)
{
    int fd = ws_transport_socket(client);
    int on = 1;
    if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0) {
        ESP_LOGW(TAG, "Cannot turn Nagle's algorithm off on socket %d (errno %d); small frames may be delayed",
                 fd, errno);
    }
}

void ws_transport_wake(ws_client_t *client)
{
    if (!client->connecting && client->state != WS_STATE_CONNECTED && client->state != WS_STATE_CLOSING) {
        return;
    }
    int fd = ws_transport_socket(client);
    if (fd >= 0) {
        shutdown(fd, SHUT_RDWR);
    }
}

/* Wait without the lock until the socket is readable (or writable), or the slice ends; returns select()'s
 * result (0 for no socket, after sleeping the slice). Only select() runs on an fd that the client task may close
 * meanwhile: at worst it watches a reused number for one slice, and the caller re-checks the connection under
 * the lock before any I/O. */
int ws_socket_wait(int fd, bool for_write, int slice_ms)
{
    if (fd < 0) {
        vTaskDelay(pdMS_TO_TICKS(slice_ms));
        return 0;
    }
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    struct timeval tv = {.tv_sec = slice_ms / 1000, .tv_usec = (slice_ms % 1000) * 1000};
    return select(fd + 1, for_write ? NULL : &set, for_write ? &set : NULL, NULL, &tv);
}

/* Whether the peer still keeps the socket open: no FIN or reset seen, looked at without reading (client task,
 * lock held, transport open). Tells a frame the ws transport refused from a connection that ended, which its
 * read reports alike (-1). */
bool ws_socket_alive(int fd)
{
    if (fd < 0) {
        return false;
    }
    char byte;
    int got = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got > 0 || (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

int ws_socket_closed(int fd, int slice_ms)
{
    if (fd < 0) {
        return 1;
    }
    int ready = ws_socket_wait(fd, false, slice_ms);
    if (ready <= 0) {
        return ready < 0 && errno != EINTR ? 1 : 0;
    }
    return ws_socket_alive(fd) ? 0 : 1;
}
