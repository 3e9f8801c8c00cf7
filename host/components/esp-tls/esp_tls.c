/*
 * esp-tls connections: the connect state machine (INIT -> CONNECTING -> HANDSHAKE -> DONE | FAIL) run
 * step by step (async) or to completion within a budget (sync), record I/O, and teardown.
 *
 * Locking: none; an esp_tls_t is used by one thread at a time (ESP-IDF's contract, checked above us by
 * the transports' sentinel). The socket is non-blocking throughout: waiting happens in poll(), never
 * inside mbedTLS.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esp_log.h"
#include "esp_tls_private.h"

static const char *TAG = "esp-tls";

#define DEFAULT_TIMEOUT_MS 10000

esp_tls_t *esp_tls_init(void)
{
    esp_tls_t *tls = calloc(1, sizeof(*tls));
    if (tls) {
        tls->sockfd = -1;
        tls->state = ESP_TLS_INIT;
    }
    return tls;
}

static int budget_ms(const esp_tls_cfg_t *cfg)
{
    return cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
}

static int time_left(const esp_tls_t *tls)
{
    int64_t left = tls->deadline_ms - esp_tls_now_ms();
    return left > 0 ? (int)left : 0;
}

static int fail_connect(esp_tls_t *tls)
{
    tls->state = ESP_TLS_FAIL;
    ESP_LOGE(TAG, "Failed to open new connection");
    return -1;
}

static int timed_out(esp_tls_t *tls)
{
    ESP_LOGE(TAG, "connection timed out (%s)", tls->state == ESP_TLS_CONNECTING ? "TCP connect" : "TLS handshake");
    esp_tls_record_error(&tls->error, ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT, ETIMEDOUT, 0);
    return fail_connect(tls);
}

/* Advances the state machine as far as it goes without waiting. Returns 1 done, 0 waiting for *events on
 * the socket, -1 failed. */
static int connect_step(esp_tls_t *tls, const char *host, int hostlen, int port, const esp_tls_cfg_t *cfg,
                        short *events)
{
    for (;;) {
        switch (tls->state) {
        case ESP_TLS_INIT:
            tls->deadline_ms = esp_tls_now_ms() + budget_ms(cfg);
            if (esp_tls_socket_start(host, hostlen, port, cfg, &tls->error, &tls->sockfd) != ESP_OK) {
                return fail_connect(tls);
            }
            tls->state = ESP_TLS_CONNECTING;
            break;
        case ESP_TLS_CONNECTING: {
            int ret = esp_tls_socket_connected(tls->sockfd, 0, &tls->error);
            if (ret < 0) {
                return fail_connect(tls);
            }
            if (ret == 0) {
                *events = POLLOUT;
                return 0;
            }
            if (cfg->is_plain_tcp) {
                tls->state = ESP_TLS_DONE;
                return 1;
            }
            tls->mbed = esp_tls_mbedtls_new(host, hostlen, cfg, tls->sockfd, &tls->error);
            if (tls->mbed == NULL) {
                return fail_connect(tls);
            }
            tls->state = ESP_TLS_HANDSHAKE;
            break;
        }
        case ESP_TLS_HANDSHAKE: {
            int ret = esp_tls_mbedtls_handshake(tls->mbed, events, &tls->error);
            if (ret < 0) {
                return fail_connect(tls);
            }
            if (ret == 0) {
                return 0;
            }
            tls->state = ESP_TLS_DONE;
            return 1;
        }
        case ESP_TLS_DONE:
            return 1;
        case ESP_TLS_FAIL:
        default:
            return -1;
        }
    }
}

static bool valid_args(const char *host, int hostlen, const esp_tls_cfg_t *cfg, esp_tls_t *tls)
{
    if (host == NULL || hostlen <= 0 || cfg == NULL || tls == NULL) {
        ESP_LOGE(TAG, "invalid arguments to connect");
        return false;
    }
    return true;
}

int esp_tls_conn_new_async(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *tls)
{
    if (!valid_args(hostname, hostlen, cfg, tls)) {
        return -1;
    }
    short events = 0;
    int ret = connect_step(tls, hostname, hostlen, port, cfg, &events);
    if (ret == 0 && time_left(tls) == 0) {
        return timed_out(tls);
    }
    return ret;
}

int esp_tls_conn_new_sync(const char *hostname, int hostlen, int port, const esp_tls_cfg_t *cfg, esp_tls_t *tls)
{
    if (!valid_args(hostname, hostlen, cfg, tls)) {
        return -1;
    }
    for (;;) {
        short events = 0;
        int ret = connect_step(tls, hostname, hostlen, port, cfg, &events);
        if (ret != 0) {
            return ret;
        }
        int ready = esp_tls_socket_wait(tls->sockfd, events, time_left(tls));
        if (ready == 0) {
            return timed_out(tls);
        }
        if (ready < 0) {
            esp_tls_record_error(&tls->error, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, errno, 0);
            return fail_connect(tls);
        }
    }
}

esp_err_t esp_tls_plain_tcp_connect(const char *host, int hostlen, int port, const esp_tls_cfg_t *cfg,
                                    esp_tls_error_handle_t error_handle, int *sockfd)
{
    if (sockfd == NULL || cfg == NULL || host == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    int fd = -1;
    esp_err_t ret = esp_tls_socket_start(host, hostlen, port, cfg, error_handle, &fd);
    if (ret != ESP_OK) {
        return ret;
    }
    int done = esp_tls_socket_connected(fd, budget_ms(cfg), error_handle);
    if (done <= 0) {
        if (done == 0) {
            esp_tls_record_error(error_handle, ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT, ETIMEDOUT, 0);
        }
        close(fd);
        return done == 0 ? ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT : ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST;
    }
    *sockfd = fd;
    return ESP_OK;
}

static bool connected(esp_tls_t *tls)
{
    return tls != NULL && tls->state == ESP_TLS_DONE;
}

ssize_t esp_tls_conn_read(esp_tls_t *tls, void *data, size_t datalen)
{
    if (!connected(tls) || data == NULL) {
        return -ESP_ERR_INVALID_ARG;
    }
    if (tls->mbed) {
        return esp_tls_mbedtls_read(tls->mbed, data, datalen, &tls->error);
    }
    ssize_t n = recv(tls->sockfd, data, datalen, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return ESP_TLS_ERR_SSL_WANT_READ;
    }
    if (n < 0) {
        esp_tls_record_error(&tls->error, ESP_FAIL, errno, 0);
    } else if (n == 0) {
        esp_tls_record_error(&tls->error, ESP_ERR_ESP_TLS_TCP_CLOSED_FIN, 0, 0);
    }
    return n;
}

ssize_t esp_tls_conn_write(esp_tls_t *tls, const void *data, size_t datalen)
{
    if (!connected(tls) || data == NULL) {
        return -ESP_ERR_INVALID_ARG;
    }
    if (tls->mbed) {
        return esp_tls_mbedtls_write(tls->mbed, data, datalen, &tls->error);
    }
    ssize_t n = send(tls->sockfd, data, datalen, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return ESP_TLS_ERR_SSL_WANT_WRITE;
    }
    if (n < 0) {
        esp_tls_record_error(&tls->error, ESP_FAIL, errno, 0);
    }
    return n;
}

int esp_tls_conn_destroy(esp_tls_t *tls)
{
    if (tls == NULL) {
        return -1;
    }
    esp_tls_mbedtls_free(tls->mbed);
    if (tls->sockfd >= 0) {
        close(tls->sockfd);
    }
    free(tls);
    return 0;
}

ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls)
{
    if (tls == NULL) {
        return -1;
    }
    return tls->mbed ? esp_tls_mbedtls_bytes_avail(tls->mbed) : 0;
}

esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd)
{
    if (tls == NULL || sockfd == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *sockfd = tls->sockfd;
    return ESP_OK;
}

esp_err_t esp_tls_get_conn_state(esp_tls_t *tls, esp_tls_conn_state_t *conn_state)
{
    if (tls == NULL || conn_state == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *conn_state = tls->state;
    return ESP_OK;
}

esp_err_t esp_tls_get_error_handle(esp_tls_t *tls, esp_tls_error_handle_t *error_handle)
{
    if (tls == NULL || error_handle == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *error_handle = &tls->error;
    return ESP_OK;
}
