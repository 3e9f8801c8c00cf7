/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * ws_client_relay.c: a pass-through transport between ESP-IDF's ws transport and its TCP or TLS parent, which
 * tells the client the socket of the connection the moment the parent's connect returns.
 *
 * Why: stop() and a failed send wake the client task by shutdown() of the socket (ws_transport_wake). The socket
 * lives inside ESP-IDF's transport, which writes it during connect from the client task, unlocked; reading it from
 * another task then is a data race (ThreadSanitizer names it: base_get_socket in transport_ssl.c against
 * tcp_connect and esp_tls_get_conn_sockfd). The relay reads it in the client task as the parent connect returns,
 * and publishes it under the client's lock before the ws transport starts the HTTP upgrade, so an upgrade the
 * server never answers can still be cut short; a stop asked for during the TCP connect or TLS handshake ends
 * the connect right there instead of starting the upgrade.
 *
 * Locking: `client->sock` is written here under the lock (connect publishes, close retires it before the
 * parent closes its socket, so no other task can shut down a number the system may reuse) and read elsewhere
 * under the lock. The relay's own record is immutable after creation. Every call runs in the client task.
 */
#include <stdlib.h>
#include "esp_log.h"
#include "esp_transport.h"
#include "ws_client_priv.h"

static const char *TAG = WS_TAG;

typedef struct {
    esp_transport_handle_t parent; /* TCP or TLS; owned by the client's transport list */
    ws_client_t *client;
} ws_relay_t;

static ws_relay_t *relay_of(esp_transport_handle_t t)
{
    return esp_transport_get_context_data(t);
}

static void publish_socket(ws_client_t *client, int sock)
{
    ws_lock(client, portMAX_DELAY);
    client->sock = sock;
    ws_unlock(client);
}

static int relay_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    ws_relay_t *relay = relay_of(t);
    int ret = esp_transport_connect(relay->parent, host, port, timeout_ms);
    if (ret != 0) {
        return ret;
    }
    publish_socket(relay->client, esp_transport_get_socket(relay->parent));
    if (xEventGroupGetBits(relay->client->bits) & WS_BIT_STOP_REQ) {
        ESP_LOGD(TAG, "Stop asked for while connecting: no upgrade request");
        return -1;
    }
    return 0;
}

static int relay_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms)
{
    return esp_transport_read(relay_of(t)->parent, buffer, len, timeout_ms);
}

static int relay_write(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms)
{
    return esp_transport_write(relay_of(t)->parent, buffer, len, timeout_ms);
}

static int relay_poll_read(esp_transport_handle_t t, int timeout_ms)
{
    return esp_transport_poll_read(relay_of(t)->parent, timeout_ms);
}

static int relay_poll_write(esp_transport_handle_t t, int timeout_ms)
{
    return esp_transport_poll_write(relay_of(t)->parent, timeout_ms);
}

static int relay_close(esp_transport_handle_t t)
{
    ws_relay_t *relay = relay_of(t);
    ws_lock(relay->client, portMAX_DELAY); /* recursive: the task usually holds it already */
    relay->client->sock = -1;
    int ret = esp_transport_close(relay->parent);
    ws_unlock(relay->client);
    return ret;
}

static int relay_destroy(esp_transport_handle_t t)
{
    free(relay_of(t));
    return 0;
}

esp_transport_handle_t ws_relay_init(ws_client_t *client, esp_transport_handle_t parent)
{
    ws_relay_t *relay = calloc(1, sizeof(*relay));
    esp_transport_handle_t t = relay ? esp_transport_init() : NULL;
    if (!t) {
        free(relay);
        return NULL;
    }
    relay->parent = parent;
    relay->client = client;
    esp_transport_set_context_data(t, relay);
    esp_transport_set_func(t, relay_connect, relay_read, relay_write, relay_close, relay_poll_read, relay_poll_write,
                           relay_destroy);
    return t;
}
