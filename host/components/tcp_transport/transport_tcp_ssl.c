/*
 * The tcp and ssl transports: one implementation over esp-tls, the ssl flavour adding TLS (esp-tls's
 * is_plain_tcp off) and marking its TLS I/O for the sentinel.
 *
 * Locking: one thread at a time per transport (esp_transport.h). The session pointer and socket are
 * atomics (relaxed) so that a client breaking the contract -- closing while another thread reads -- is
 * reported by the sentinel instead of racing here; the esp-tls configuration is written only by the
 * setters, before the transport is shared.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "esp_log.h"
#include "esp_tls.h"
#include "esp_transport_internal.h"
#include "esp_transport_ssl.h"
#include "esp_transport_tcp.h"
#include "wsh_chaos.h"

static const char *TAG = "transport_base";

typedef enum {
    CONN_IDLE = 0,      /* no session */
    CONN_CONNECTING,    /* connect_async in progress */
    CONN_CONNECTED,
} conn_state_t;

typedef struct {
    esp_tls_cfg_t cfg;                 /* setters only */
    _Atomic(esp_tls_t *) tls;          /* the session, NULL when idle */
    atomic_int sockfd;                 /* its socket, -1 when idle */
    atomic_int state;                  /* conn_state_t */
} transport_esp_tls_t;

static transport_esp_tls_t *ctx_of(esp_transport_handle_t t)
{
    if (t == NULL || (t->kind != TRANSPORT_KIND_TCP && t->kind != TRANSPORT_KIND_SSL)) {
        ESP_LOGE(TAG, "not a tcp/ssl transport");
        return NULL;
    }
    return t->data;
}

static bool is_ssl(esp_transport_handle_t t)
{
    return t->kind == TRANSPORT_KIND_SSL;
}

static void tls_enter(esp_transport_handle_t t, const char *op)
{
    if (is_ssl(t)) {
        wsh_sentinel_tls_enter(&t->sentinel, op);
    }
}

static void tls_exit(esp_transport_handle_t t)
{
    if (is_ssl(t)) {
        wsh_sentinel_tls_exit(&t->sentinel);
    }
}

/* Ends the session: close_notify (ssl) and socket close. */
static void drop_session(esp_transport_handle_t t, transport_esp_tls_t *ctx)
{
    esp_tls_t *tls = atomic_exchange_explicit(&ctx->tls, NULL, memory_order_relaxed);
    atomic_store_explicit(&ctx->sockfd, -1, memory_order_relaxed);
    atomic_store_explicit(&ctx->state, CONN_IDLE, memory_order_relaxed);
    if (tls) {
        tls_enter(t, "close_notify");
        esp_tls_conn_destroy(tls);
        tls_exit(t);
    }
}

/* Keeps the esp-tls error and its errno (a positive code is a socket errno) for the caller. */
static void keep_failure(esp_transport_handle_t t, esp_tls_t *tls)
{
    esp_tls_error_handle_t err = NULL;
    if (esp_tls_get_error_handle(tls, &err) == ESP_OK) {
        esp_transport_set_errors(t, err);
        if (err->esp_tls_error_code > 0) {
            esp_transport_capture_errno(t, err->esp_tls_error_code);
        }
    }
}

static esp_tls_t *start_session(esp_transport_handle_t t, transport_esp_tls_t *ctx, int timeout_ms)
{
    drop_session(t, ctx);
    esp_tls_t *tls = esp_tls_init();
    if (tls == NULL) {
        ESP_LOGE(TAG, "no memory for a TLS session");
        return NULL;
    }
    ctx->cfg.is_plain_tcp = !is_ssl(t);
    ctx->cfg.timeout_ms = timeout_ms;
    atomic_store_explicit(&ctx->tls, tls, memory_order_relaxed);
    atomic_store_explicit(&ctx->state, CONN_CONNECTING, memory_order_relaxed);
    return tls;
}

static void session_up(transport_esp_tls_t *ctx, esp_tls_t *tls)
{
    int fd = -1;
    esp_tls_get_conn_sockfd(tls, &fd);
    atomic_store_explicit(&ctx->sockfd, fd, memory_order_relaxed);
    atomic_store_explicit(&ctx->state, CONN_CONNECTED, memory_order_relaxed);
}

static int session_failed(esp_transport_handle_t t, transport_esp_tls_t *ctx, esp_tls_t *tls)
{
    keep_failure(t, tls);
    drop_session(t, ctx);
    return -1;
}

/* A blocking connect runs esp-tls step by step so that its socket is published (esp_transport_get_socket)
 * as soon as it exists: another task may then shutdown() it to cut a connect or handshake short, which is
 * how a client's stop() stays fast. ESP-IDF's esp-tls publishes the socket only once the TCP connect has
 * completed (docs/host-platform.md, "Transports"). */
static void publish_socket(transport_esp_tls_t *ctx, esp_tls_t *tls)
{
    int fd = -1;
    esp_tls_get_conn_sockfd(tls, &fd);
    atomic_store_explicit(&ctx->sockfd, fd, memory_order_relaxed);
}

/* Waits a short slice for the peer; POLLIN also wakes on a shutdown() by another task. A TCP connect that
 * completes shows as POLLOUT, which is picked up at the next slice. */
#define CONNECT_SLICE_MS 10

static void wait_connect_progress(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (fd >= 0) {
        poll(&pfd, 1, CONNECT_SLICE_MS);
    }
}

static int base_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    esp_tls_t *tls = ctx ? start_session(t, ctx, timeout_ms < 0 ? 0 : timeout_ms) : NULL;
    if (tls == NULL) {
        return -1;
    }
    tls_enter(t, "handshake");
    int ret;
    while ((ret = esp_tls_conn_new_async(host, strlen(host), port, &ctx->cfg, tls)) == 0) {
        publish_socket(ctx, tls);
        wait_connect_progress(atomic_load_explicit(&ctx->sockfd, memory_order_relaxed));
    }
    tls_exit(t);
    if (ret <= 0) {
        ESP_LOGE(TAG, "Failed to open a new connection to %s:%d", host, port);
        return session_failed(t, ctx, tls);
    }
    session_up(ctx, tls);
    return 0;
}

static int base_connect_async(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    if (ctx == NULL) {
        return -1;
    }
    int state = atomic_load_explicit(&ctx->state, memory_order_relaxed);
    if (state == CONN_CONNECTED) {
        return 1;
    }
    esp_tls_t *tls = state == CONN_CONNECTING ? atomic_load_explicit(&ctx->tls, memory_order_relaxed)
                                              : start_session(t, ctx, timeout_ms < 0 ? 0 : timeout_ms);
    if (tls == NULL) {
        return -1;
    }
    tls_enter(t, "handshake");
    int ret = esp_tls_conn_new_async(host, strlen(host), port, &ctx->cfg, tls);
    tls_exit(t);
    if (ret < 0) {
        return session_failed(t, ctx, tls);
    }
    if (ret > 0) {
        session_up(ctx, tls);
    }
    return ret;
}

/* poll() on the socket: >0 ready, 0 timeout, -1 error (errno captured). */
static int wait_socket(esp_transport_handle_t t, int fd, short events, int timeout_ms)
{
    if (fd < 0) {
        return -1;
    }
    struct pollfd pfd = { .fd = fd, .events = events };
    int64_t deadline = esp_transport_deadline(timeout_ms);
    int ret;
    do {
        wsh_chaos_point("transport_poll");
        ret = poll(&pfd, 1, esp_transport_time_left(deadline));
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        esp_transport_capture_errno(t, errno);
        return -1;
    }
    if (ret > 0 && (pfd.revents & (POLLERR | POLLNVAL))) {
        int so_error = 0;
        socklen_t len = sizeof(so_error);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        esp_transport_capture_errno(t, so_error ? so_error : EBADF);
        return -1;
    }
    return ret;
}

/* Decrypted bytes waiting in the TLS layer. Plain TCP has none, and not asking keeps a tcp reader from
 * touching the session that a misusing closer may be freeing. */
static ssize_t buffered(esp_transport_handle_t t, esp_tls_t *tls)
{
    return is_ssl(t) ? esp_tls_get_bytes_avail(tls) : 0;
}

static esp_tls_t *connected_session(transport_esp_tls_t *ctx)
{
    if (ctx == NULL || atomic_load_explicit(&ctx->state, memory_order_relaxed) != CONN_CONNECTED) {
        return NULL;
    }
    return atomic_load_explicit(&ctx->tls, memory_order_relaxed);
}

static int base_poll_read(esp_transport_handle_t t, int timeout_ms)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    esp_tls_t *tls = connected_session(ctx);
    if (tls == NULL) {
        return -1;
    }
    if (buffered(t, tls) > 0) {
        return 1;
    }
    return wait_socket(t, atomic_load_explicit(&ctx->sockfd, memory_order_relaxed), POLLIN, timeout_ms);
}

static int base_poll_write(esp_transport_handle_t t, int timeout_ms)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    if (connected_session(ctx) == NULL) {
        return -1;
    }
    return wait_socket(t, atomic_load_explicit(&ctx->sockfd, memory_order_relaxed), POLLOUT, timeout_ms);
}

/* A failed esp-tls read/write: keep its error and errno. */
static int io_failed(esp_transport_handle_t t, esp_tls_t *tls, const char *what, int ret)
{
    int sock_errno = errno;
    keep_failure(t, tls);
    if (ret == 0) {
        ESP_LOGD(TAG, "%s: connection closed by peer", what);
    } else {
        ESP_LOGE(TAG, "%s failed: %d (errno %d)", what, ret, sock_errno);
        esp_transport_capture_errno(t, sock_errno);
    }
    return -1;
}

static int base_read_session(esp_transport_handle_t t, esp_tls_t *tls, char *buffer, int len, int timeout_ms)
{
    transport_esp_tls_t *ctx = t->data;
    int fd = atomic_load_explicit(&ctx->sockfd, memory_order_relaxed);
    int64_t deadline = esp_transport_deadline(timeout_ms);
    for (;;) {
        if (buffered(t, tls) <= 0) {
            int ready = wait_socket(t, fd, POLLIN, esp_transport_time_left(deadline));
            if (ready <= 0) {
                return ready;
            }
        }
        wsh_chaos_point("transport_read");
        ssize_t ret = esp_tls_conn_read(tls, buffer, len);
        wsh_chaos_point("transport_read_done");
        if (ret > 0) {
            return (int)ret;
        }
        if (ret != ESP_TLS_ERR_SSL_WANT_READ && ret != ESP_TLS_ERR_SSL_WANT_WRITE) {
            return io_failed(t, tls, "read", (int)ret);
        }
        if (esp_transport_time_left(deadline) == 0) {
            return 0;
        }
    }
}

static int base_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms)
{
    esp_tls_t *tls = connected_session(ctx_of(t));
    if (tls == NULL) {
        return -1;
    }
    if (len == 0) {
        return 0;  /* a 0-byte recv() would look like the peer's FIN */
    }
    tls_enter(t, "read");
    int ret = base_read_session(t, tls, buffer, len, timeout_ms);
    tls_exit(t);
    return ret;
}

/* Writes all of buffer unless the timeout or an error stops it: bytes written (0 if none), or -1. */
static int base_write_session(esp_transport_handle_t t, esp_tls_t *tls, const char *buffer, int len, int timeout_ms)
{
    transport_esp_tls_t *ctx = t->data;
    int fd = atomic_load_explicit(&ctx->sockfd, memory_order_relaxed);
    int64_t deadline = esp_transport_deadline(timeout_ms);
    int done = 0;
    while (done < len) {
        int ready = wait_socket(t, fd, POLLOUT, esp_transport_time_left(deadline));
        if (ready < 0) {
            return -1;
        }
        if (ready == 0) {
            break;
        }
        wsh_chaos_point("transport_write");
        ssize_t ret = esp_tls_conn_write(tls, buffer + done, len - done);
        wsh_chaos_point("transport_write_done");
        if (ret > 0) {
            done += (int)ret;
        } else if (ret != ESP_TLS_ERR_SSL_WANT_WRITE && ret != ESP_TLS_ERR_SSL_WANT_READ) {
            return io_failed(t, tls, "write", (int)ret);
        } else if (esp_transport_time_left(deadline) == 0) {
            break;
        }
    }
    return done;
}

static int base_write(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms)
{
    esp_tls_t *tls = connected_session(ctx_of(t));
    if (tls == NULL) {
        return -1;
    }
    tls_enter(t, "write");
    int ret = base_write_session(t, tls, buffer, len, timeout_ms);
    tls_exit(t);
    return ret;
}

static int base_close(esp_transport_handle_t t)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    if (ctx) {
        drop_session(t, ctx);
    }
    return 0;
}

static int base_destroy(esp_transport_handle_t t)
{
    base_close(t);
    free(t->data);
    t->data = NULL;
    return 0;
}

static int base_get_socket(esp_transport_handle_t t)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    return ctx ? atomic_load_explicit(&ctx->sockfd, memory_order_relaxed) : -1;
}

static esp_transport_handle_t base_init(transport_kind_t kind, int default_port)
{
    esp_transport_handle_t t = esp_transport_init();
    transport_esp_tls_t *ctx = calloc(1, sizeof(*ctx));
    if (t == NULL || ctx == NULL) {
        ESP_LOGE(TAG, "no memory for a transport");
        free(ctx);
        esp_transport_destroy(t);
        return NULL;
    }
    atomic_init(&ctx->sockfd, -1);
    t->kind = kind;
    t->port = default_port;
    t->data = ctx;
    t->_get_socket = base_get_socket;
    esp_transport_set_func(t, base_connect, base_read, base_write, base_close, base_poll_read, base_poll_write,
                           base_destroy);
    esp_transport_set_async_connect_func(t, base_connect_async);
    return t;
}

esp_transport_handle_t esp_transport_tcp_init(void)
{
    return base_init(TRANSPORT_KIND_TCP, 80);
}

esp_transport_handle_t esp_transport_ssl_init(void)
{
    return base_init(TRANSPORT_KIND_SSL, 443);
}

/* ---- options ---- */

static void set_keep_alive(esp_transport_handle_t t, esp_transport_keep_alive_t *keep_alive_cfg)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    if (ctx == NULL || keep_alive_cfg == NULL) {
        return;
    }
    /* ESP-IDF keeps the caller's pointer, not a copy, and reads it at every connect: so does host/, so that a
     * caller who hands over a struct that dies first is caught (ASan: stack-use-after-scope). */
    ctx->cfg.keep_alive_cfg = (tls_keep_alive_cfg_t *)keep_alive_cfg;
}

static esp_err_t set_interface_name(esp_transport_handle_t t, struct ifreq *if_name)
{
    transport_esp_tls_t *ctx = ctx_of(t);
    if (ctx == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (if_name == NULL) {
        ctx->cfg.if_name = NULL;
        return ESP_OK;
    }
    ctx->cfg.if_name = if_name; /* ESP-IDF keeps the caller's pointer too */
    return ESP_OK;
}

void esp_transport_tcp_set_keep_alive(esp_transport_handle_t t, esp_transport_keep_alive_t *keep_alive_cfg)
{
    set_keep_alive(t, keep_alive_cfg);
}

esp_err_t esp_transport_tcp_set_interface_name(esp_transport_handle_t t, struct ifreq *if_name)
{
    return set_interface_name(t, if_name);
}

void esp_transport_ssl_set_keep_alive(esp_transport_handle_t t, esp_transport_keep_alive_t *keep_alive_cfg)
{
    set_keep_alive(t, keep_alive_cfg);
}

esp_err_t esp_transport_ssl_set_interface_name(esp_transport_handle_t t, struct ifreq *if_name)
{
    return set_interface_name(t, if_name);
}

static esp_tls_cfg_t *ssl_cfg(esp_transport_handle_t t)
{
    if (t == NULL || t->kind != TRANSPORT_KIND_SSL) {
        ESP_LOGE(TAG, "not an ssl transport");
        return NULL;
    }
    return &((transport_esp_tls_t *)t->data)->cfg;
}

/* PEM lengths given to the transport exclude the NUL that mbedTLS wants counted. */
void esp_transport_ssl_set_cert_data(esp_transport_handle_t t, const char *data, int len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->cacert_pem_buf = (const unsigned char *)data;
        cfg->cacert_pem_bytes = data ? len + 1 : 0;
    }
}

void esp_transport_ssl_set_cert_data_der(esp_transport_handle_t t, const char *data, int len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->cacert_buf = (const unsigned char *)data;
        cfg->cacert_bytes = data ? len : 0;
    }
}

void esp_transport_ssl_enable_global_ca_store(esp_transport_handle_t t)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->use_global_ca_store = true;
    }
}

void esp_transport_ssl_crt_bundle_attach(esp_transport_handle_t t, esp_err_t ((*crt_bundle_attach)(void *conf)))
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->crt_bundle_attach = crt_bundle_attach;
    }
}

void esp_transport_ssl_set_client_cert_data(esp_transport_handle_t t, const char *data, int len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->clientcert_pem_buf = (const unsigned char *)data;
        cfg->clientcert_pem_bytes = data ? len + 1 : 0;
    }
}

void esp_transport_ssl_set_client_cert_data_der(esp_transport_handle_t t, const char *data, int len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->clientcert_buf = (const unsigned char *)data;
        cfg->clientcert_bytes = data ? len : 0;
    }
}

void esp_transport_ssl_set_client_key_data(esp_transport_handle_t t, const char *data, int len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->clientkey_pem_buf = (const unsigned char *)data;
        cfg->clientkey_pem_bytes = data ? len + 1 : 0;
    }
}

void esp_transport_ssl_set_client_key_data_der(esp_transport_handle_t t, const char *data, int len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->clientkey_buf = (const unsigned char *)data;
        cfg->clientkey_bytes = data ? len : 0;
    }
}

void esp_transport_ssl_set_client_key_password(esp_transport_handle_t t, const char *password, int password_len)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->clientkey_password = (const unsigned char *)password;
        cfg->clientkey_password_len = password ? password_len : 0;
    }
}

void esp_transport_ssl_set_alpn_protocol(esp_transport_handle_t t, const char **alpn_protos)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->alpn_protos = alpn_protos;
    }
}

void esp_transport_ssl_skip_common_name_check(esp_transport_handle_t t)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->skip_common_name = true;
    }
}

void esp_transport_ssl_set_common_name(esp_transport_handle_t t, const char *common_name)
{
    esp_tls_cfg_t *cfg = ssl_cfg(t);
    if (cfg) {
        cfg->common_name = common_name;
    }
}
