/*
 * tcp_transport core: transport handles, lists of transports by scheme, and the public I/O calls that
 * check the contract (wsh_sentinel) and dispatch to the implementation.
 *
 * Locking: none beyond the contract (one thread at a time per transport, one for a list). Every public
 * I/O call is bracketed by the sentinel so that a second thread is reported, not silently raced. A
 * destroyed handle is poisoned and retired to the sentinel's quarantine instead of freed, so a late call
 * through it is reported rather than being a use-after-free.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp_log.h"
#include "esp_transport_internal.h"

static const char *TAG = "transport";

typedef struct esp_transport_internal {
    STAILQ_HEAD(transport_list_head, esp_transport_item_t) items;
} esp_transport_list_t;

int64_t esp_transport_deadline(int timeout_ms)
{
    if (timeout_ms < 0) {
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
}

int esp_transport_time_left(int64_t deadline_ms)
{
    if (deadline_ms < 0) {
        return -1;
    }
    int64_t left = deadline_ms - esp_transport_deadline(0);
    return left > 0 ? (int)left : 0;
}

/* ---- lists ---- */

esp_transport_list_handle_t esp_transport_list_init(void)
{
    esp_transport_list_t *list = calloc(1, sizeof(*list));
    if (list == NULL) {
        ESP_LOGE(TAG, "no memory for a transport list");
        return NULL;
    }
    STAILQ_INIT(&list->items);
    return list;
}

esp_err_t esp_transport_list_add(esp_transport_list_handle_t list, esp_transport_handle_t t, const char *scheme)
{
    if (list == NULL || t == NULL || scheme == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    char *copy = strdup(scheme);
    if (copy == NULL) {
        return ESP_ERR_NO_MEM;
    }
    free(t->scheme);
    t->scheme = copy;
    STAILQ_INSERT_TAIL(&list->items, t, next);
    return ESP_OK;
}

esp_transport_handle_t esp_transport_list_get_transport(esp_transport_list_handle_t list, const char *scheme)
{
    if (list == NULL) {
        return NULL;
    }
    if (scheme == NULL) {
        return STAILQ_FIRST(&list->items);
    }
    esp_transport_handle_t t;
    STAILQ_FOREACH(t, &list->items, next) {
        if (strcasecmp(t->scheme, scheme) == 0) {
            return t;
        }
    }
    return NULL;
}

esp_err_t esp_transport_list_clean(esp_transport_list_handle_t list)
{
    if (list == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    while (!STAILQ_EMPTY(&list->items)) {
        esp_transport_handle_t t = STAILQ_FIRST(&list->items);
        STAILQ_REMOVE_HEAD(&list->items, next);
        esp_transport_destroy(t);
    }
    return ESP_OK;
}

esp_err_t esp_transport_list_destroy(esp_transport_list_handle_t list)
{
    if (list == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_transport_list_clean(list);
    free(list);
    return ESP_OK;
}

/* ---- handles ---- */

esp_transport_handle_t esp_transport_init(void)
{
    esp_transport_handle_t t = calloc(1, sizeof(*t));
    if (t == NULL) {
        ESP_LOGE(TAG, "no memory for a transport");
        return NULL;
    }
    wsh_sentinel_init(&t->sentinel);
    return t;
}

esp_err_t esp_transport_destroy(esp_transport_handle_t t)
{
    if (t == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    wsh_sentinel_call_begin();
    if (wsh_sentinel_is_destroyed(&t->sentinel, "destroy")) {
        wsh_sentinel_call_end();
        return ESP_FAIL;
    }
    wsh_sentinel_destroy(&t->sentinel);
    if (t->_destroy) {
        t->_destroy(t);
    }
    free(t->scheme);
    t->scheme = NULL;
    wsh_sentinel_call_end();
    wsh_sentinel_retire(t);
    return ESP_OK;
}

int esp_transport_get_default_port(esp_transport_handle_t t)
{
    return t ? t->port : -1;
}

esp_err_t esp_transport_set_default_port(esp_transport_handle_t t, int port)
{
    if (t == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    t->port = port;
    return ESP_OK;
}

void *esp_transport_get_context_data(esp_transport_handle_t t)
{
    return t ? t->data : NULL;
}

esp_err_t esp_transport_set_context_data(esp_transport_handle_t t, void *data)
{
    if (t == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    t->data = data;
    return ESP_OK;
}

esp_err_t esp_transport_set_func(esp_transport_handle_t t, connect_func _connect, io_read_func _read, io_func _write,
                                 trans_func _close, poll_func _poll_read, poll_func _poll_write,
                                 trans_func _destroy)
{
    if (t == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    t->_connect = _connect;
    t->_read = _read;
    t->_write = _write;
    t->_close = _close;
    t->_poll_read = _poll_read;
    t->_poll_write = _poll_write;
    t->_destroy = _destroy;
    return ESP_OK;
}

esp_err_t esp_transport_set_async_connect_func(esp_transport_handle_t t, connect_async_func _connect_async_func)
{
    if (t == NULL) {
        return ESP_FAIL;
    }
    t->_connect_async = _connect_async_func;
    return ESP_OK;
}

esp_err_t esp_transport_set_parent_transport_func(esp_transport_handle_t t, payload_transfer_func _parent_transport)
{
    if (t == NULL) {
        return ESP_FAIL;
    }
    t->_parent_transfer = _parent_transport;
    return ESP_OK;
}

esp_transport_handle_t esp_transport_get_payload_transport_handle(esp_transport_handle_t t)
{
    if (t && t->_parent_transfer) {
        return t->_parent_transfer(t);
    }
    return NULL;
}

/* ---- errors ---- */

void esp_transport_capture_errno(esp_transport_handle_t t, int sock_errno)
{
    if (t && sock_errno != 0) {
        atomic_store_explicit(&t->sock_errno, sock_errno, memory_order_relaxed);
    }
}

void esp_transport_set_errors(esp_transport_handle_t t, const esp_tls_last_error_t *error)
{
    if (t && error) {
        t->tls_error = *error;
    }
}

/* A ws transport keeps no errors of its own: they are its parent's (ESP-IDF shares them too). */
static esp_transport_handle_t error_owner(esp_transport_handle_t t)
{
    while (t && t->parent) {
        t = t->parent;
    }
    return t;
}

esp_tls_error_handle_t esp_transport_get_error_handle(esp_transport_handle_t t)
{
    if (t == NULL || wsh_sentinel_is_destroyed(&t->sentinel, "get_error_handle")) {
        return NULL;
    }
    return &error_owner(t)->tls_error;
}

int esp_transport_get_errno(esp_transport_handle_t t)
{
    if (t == NULL || wsh_sentinel_is_destroyed(&t->sentinel, "get_errno")) {
        return -1;
    }
    return atomic_exchange_explicit(&error_owner(t)->sock_errno, 0, memory_order_relaxed);
}

int esp_transport_get_socket(esp_transport_handle_t t)
{
    if (t == NULL || t->_get_socket == NULL || wsh_sentinel_is_destroyed(&t->sentinel, "get_socket")) {
        return -1;
    }
    return t->_get_socket(t);
}

/* ---- I/O ---- */

int esp_transport_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    if (t == NULL || t->_connect == NULL || host == NULL) {
        return -1;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_connect_begin(&t->sentinel)) {
        ret = t->_connect(t, host, port, timeout_ms);
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

int esp_transport_connect_async(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    if (t == NULL || t->_connect_async == NULL || host == NULL) {
        return -1;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_connect_begin(&t->sentinel)) {
        ret = t->_connect_async(t, host, port, timeout_ms);
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

int esp_transport_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms)
{
    if (t == NULL || t->_read == NULL || buffer == NULL || len < 0) {
        return -1;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_io_begin(&t->sentinel, "read")) {
        ret = t->_read(t, buffer, len, timeout_ms);
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

int esp_transport_write(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms)
{
    if (t == NULL || t->_write == NULL || (buffer == NULL && len > 0) || len < 0) {
        return -1;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_io_begin(&t->sentinel, "write")) {
        ret = t->_write(t, buffer, len, timeout_ms);
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

static int poll_call(esp_transport_handle_t t, poll_func fn, const char *op, int timeout_ms)
{
    if (t == NULL || fn == NULL) {
        return -1;
    }
    int ret = -1;
    wsh_sentinel_call_begin();
    if (wsh_sentinel_io_begin(&t->sentinel, op)) {
        ret = fn(t, timeout_ms);
        wsh_sentinel_io_end(&t->sentinel);
    }
    wsh_sentinel_call_end();
    return ret;
}

int esp_transport_poll_read(esp_transport_handle_t t, int timeout_ms)
{
    return poll_call(t, t ? t->_poll_read : NULL, "poll_read", timeout_ms);
}

int esp_transport_poll_write(esp_transport_handle_t t, int timeout_ms)
{
    return poll_call(t, t ? t->_poll_write : NULL, "poll_write", timeout_ms);
}

int esp_transport_close(esp_transport_handle_t t)
{
    if (t == NULL) {
        return -1;
    }
    wsh_sentinel_call_begin();
    int ret = -1;
    if (!wsh_sentinel_is_destroyed(&t->sentinel, "close")) {
        wsh_sentinel_close(&t->sentinel);
        ret = t->_close ? t->_close(t) : 0;
    }
    wsh_sentinel_call_end();
    return ret;
}
