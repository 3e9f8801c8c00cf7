/*
 * esp-tls sockets: name resolution, a non-blocking connect with socket options, and waiting on it.
 *
 * Locking: none; every function works on the caller's socket and error record only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "esp_log.h"
#include "esp_tls_private.h"
#include "sdkconfig.h"
#include "wsh_chaos.h"

static const char *TAG = "esp-tls";

int64_t esp_tls_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static esp_err_t resolve(const char *host, int hostlen, int port, esp_tls_last_error_t *err, struct addrinfo **out)
{
    char name[256];
    if (hostlen <= 0 || (size_t)hostlen >= sizeof(name)) {
        ESP_LOGE(TAG, "invalid host name length %d", hostlen);
        esp_tls_record_error(err, ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME, 0, 0);
        return ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME;
    }
    memcpy(name, host, hostlen);
    name[hostlen] = '\0';
    char service[8];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    int ret = getaddrinfo(name, service, &hints, out);
    if (ret != 0 || *out == NULL) {
        ESP_LOGE(TAG, "couldn't get hostname for :%s: getaddrinfo() returns %d (%s)", name, ret, gai_strerror(ret));
        esp_tls_record_error(err, ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME, 0, 0);
        return ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME;
    }
    return ESP_OK;
}

/* lwIP's per-connection TCP buffers, so back-pressure reaches a sender after kilobytes as on a device, not
 * after the megabytes Linux autotunes to, and lwIP's segment size, which keeps a window of a few kB larger
 * than a segment (Kconfig says what loopback's own did). Set before connect, so they are negotiated. */
static bool apply_lwip_tcp(int fd)
{
    int snd = CONFIG_LWIP_TCP_SND_BUF_DEFAULT;
    int wnd = CONFIG_LWIP_TCP_WND_DEFAULT;
    int mss = CONFIG_LWIP_TCP_MSS;
    bool ok = snd == 0 || setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd)) == 0;
    ok = ok && (wnd == 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &wnd, sizeof(wnd)) == 0);
    return ok && (mss == 0 || setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss)) == 0);
}

static esp_err_t apply_options(int fd, const esp_tls_cfg_t *cfg, esp_tls_last_error_t *err)
{
    int one = 1;
    bool ok = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) == 0;
    ok = ok && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0;
    ok = ok && apply_lwip_tcp(fd);
    if (ok && cfg->if_name && cfg->if_name->ifr_name[0] != '\0') {
        ok = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->if_name, sizeof(struct ifreq)) == 0;
        if (!ok) {
            ESP_LOGE(TAG, "cannot bind to interface %s (errno %d)", cfg->if_name->ifr_name, errno);
        }
    }
    const tls_keep_alive_cfg_t *ka = cfg->keep_alive_cfg;
    if (ok && ka && ka->keep_alive_enable) {
        ok = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0 &&
             setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &ka->keep_alive_idle, sizeof(int)) == 0 &&
             setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &ka->keep_alive_interval, sizeof(int)) == 0 &&
             setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &ka->keep_alive_count, sizeof(int)) == 0;
        if (!ok) {
            ESP_LOGE(TAG, "invalid keep-alive settings idle=%d interval=%d count=%d (errno %d)",
                     ka->keep_alive_idle, ka->keep_alive_interval, ka->keep_alive_count, errno);
        }
    }
    if (!ok) {
        esp_tls_record_error(err, ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED, errno, 0);
        return ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED;
    }
    return ESP_OK;
}

esp_err_t esp_tls_socket_start(const char *host, int hostlen, int port, const esp_tls_cfg_t *cfg,
                               esp_tls_last_error_t *err, int *sockfd)
{
    struct addrinfo *res = NULL;
    esp_err_t ret = resolve(host, hostlen, port, err, &res);
    if (ret != ESP_OK) {
        return ret;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0) {
        ESP_LOGE(TAG, "Failed to create socket (family %d, errno %d)", res->ai_family, errno);
        esp_tls_record_error(err, ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET, errno, 0);
        freeaddrinfo(res);
        return ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET;
    }
    ret = apply_options(fd, cfg, err);
    if (ret == ESP_OK) {
        wsh_chaos_point("esp_tls_connect");
        if (connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
            ESP_LOGE(TAG, "Failed to connect to host (errno %d: %s)", errno, strerror(errno));
            esp_tls_record_error(err, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, errno, 0);
            ret = ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST;
        }
    }
    freeaddrinfo(res);
    if (ret != ESP_OK) {
        close(fd);
        return ret;
    }
    *sockfd = fd;
    return ESP_OK;
}

int esp_tls_socket_wait(int sockfd, short events, int timeout_ms)
{
    struct pollfd pfd = { .fd = sockfd, .events = events };
    int64_t deadline = timeout_ms < 0 ? 0 : esp_tls_now_ms() + timeout_ms;
    for (;;) {
        int left = timeout_ms < 0 ? -1 : (int)(deadline - esp_tls_now_ms());
        if (timeout_ms >= 0 && left < 0) {
            left = 0;
        }
        int ret = poll(&pfd, 1, left);
        if (ret >= 0 || errno != EINTR) {
            return ret;
        }
    }
}

int esp_tls_socket_connected(int sockfd, int timeout_ms, esp_tls_last_error_t *err)
{
    int ready = esp_tls_socket_wait(sockfd, POLLOUT, timeout_ms);
    if (ready == 0) {
        return 0;
    }
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (ready < 0 || getsockopt(sockfd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
        so_error = errno;
    }
    if (so_error != 0) {
        ESP_LOGE(TAG, "Failed to connect to host (errno %d: %s)", so_error, strerror(so_error));
        esp_tls_record_error(err, ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST, so_error, 0);
        return -1;
    }
    return 1;
}
