/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * wsh_transport_watch: the sentinel over ESP-IDF's own transports, on the parallel platform. ESP-IDF's
 * tcp_transport and esp-tls run unmodified; the link wraps their public calls (-Wl,--wrap, CMakeLists.txt) so
 * that every call from another file passes through here first:
 *   esp_transport_*        the io section and life of each transport handle (connect, read, write, poll,
 *                          close, destroy), and, on a handle made by esp_transport_ws_init(), its frame writes;
 *   esp_mbedtls_*          the TLS section of each esp-tls connection (handshake, read, write): the functions
 *                          esp-tls's own esp_tls.c calls through, whatever Mbed TLS's options (its dynamic
 *                          buffers wrap mbedtls_ssl_read/write themselves, so those cannot be wrapped twice).
 * Inside each io section sit chaos mode's I/O points (transport_connect, _read, _write, _poll, their _done,
 * tls_handshake_step).
 * Calls inside one file of ESP-IDF (esp_transport_list_destroy() destroying each transport, say) are not
 * wrapped: a transport destroyed so is not marked, and a late call on it is left to AddressSanitizer, since
 * ESP-IDF frees the handle.
 *
 * Locking: the trackers live in one table of fixed size keyed by the handle's address, claimed by
 * compare-and-swap and read with relaxed atomics only, like the sentinel itself: looking a handle up must add
 * no happens-before edge between the client's threads.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "esp_log.h"
#include "esp_tls.h"
#include "esp_transport.h"
#include "esp_transport_ws.h"
#include "wsh_chaos.h"
#include "wsh_sentinel.h"

static const char *TAG = "wsh_sentinel";

/* Transports and TLS connections alive at once, with room for addresses that malloc has not reused yet. */
#define WATCH_SLOTS 4096

typedef struct {
    _Atomic uintptr_t key;       /* the watched object's address; 0: never used */
    atomic_bool ws;              /* made by esp_transport_ws_init(): its writes are WebSocket frames */
    wsh_sentinel_t sentinel;
} watch_slot_t;

static watch_slot_t s_slots[WATCH_SLOTS];
static atomic_bool s_full_reported;

static size_t slot_of(uintptr_t key)
{
    return (size_t)((key >> 4) * 0x9E3779B97F4A7C15ull) % WATCH_SLOTS;
}

/* The slot keyed by the object's address, or NULL. With make, a free slot on the way is claimed for it. */
static watch_slot_t *lookup(uintptr_t key, bool make)
{
    for (size_t i = 0, n = slot_of(key); i < WATCH_SLOTS; i++, n = (n + 1) % WATCH_SLOTS) {
        uintptr_t held = atomic_load_explicit(&s_slots[n].key, memory_order_relaxed);
        if (held == 0 && make &&
            atomic_compare_exchange_strong_explicit(&s_slots[n].key, &held, key, memory_order_relaxed,
                                                    memory_order_relaxed)) {
            return &s_slots[n];
        }
        if (held == key) {
            return &s_slots[n];
        }
        if (held == 0) {
            return NULL;
        }
    }
    return NULL;
}

/* Every slot is taken: one whose object was destroyed serves the new one. */
static watch_slot_t *reuse_destroyed(uintptr_t key)
{
    for (size_t n = 0; n < WATCH_SLOTS; n++) {
        uintptr_t held = atomic_load_explicit(&s_slots[n].key, memory_order_relaxed);
        int life = atomic_load_explicit(&s_slots[n].sentinel.life, memory_order_relaxed);
        if (life == WSH_SENTINEL_DESTROYED &&
            atomic_compare_exchange_strong_explicit(&s_slots[n].key, &held, key, memory_order_relaxed,
                                                    memory_order_relaxed)) {
            return &s_slots[n];
        }
    }
    return NULL;
}

/* A slot for the object, fresh (IDLE, no thread inside): the object at that address is new. Failing a free or
 * a destroyed slot the object goes unwatched (said once). */
static watch_slot_t *watch_new(const void *object)
{
    uintptr_t key = (uintptr_t)object;
    watch_slot_t *slot = lookup(key, true);
    if (slot == NULL) {
        slot = reuse_destroyed(key);
    }
    if (slot == NULL) {
        if (!atomic_exchange_explicit(&s_full_reported, true, memory_order_relaxed)) {
            ESP_LOGW(TAG, "%d objects watched at once: the sentinel leaves newer ones unwatched", WATCH_SLOTS);
        }
        return NULL;
    }
    atomic_store_explicit(&slot->ws, false, memory_order_relaxed);
    wsh_sentinel_init(&slot->sentinel);
    return slot;
}

/* The slot of an object, made on first sight for one this file did not see being made; NULL: unwatched. */
static watch_slot_t *watch_of(const void *object)
{
    if (object == NULL) {
        return NULL;
    }
    watch_slot_t *slot = lookup((uintptr_t)object, false);
    return slot ? slot : watch_new(object);
}

static wsh_sentinel_t *tracker(watch_slot_t *slot)
{
    return slot ? &slot->sentinel : NULL;
}

/* ---- transports: life and the io section ---- */

esp_transport_handle_t __real_esp_transport_init(void);
esp_transport_handle_t __real_esp_transport_ws_init(esp_transport_handle_t parent_handle);
int __real_esp_transport_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms);
int __real_esp_transport_connect_async(esp_transport_handle_t t, const char *host, int port, int timeout_ms);
int __real_esp_transport_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms);
int __real_esp_transport_write(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms);
int __real_esp_transport_poll_read(esp_transport_handle_t t, int timeout_ms);
int __real_esp_transport_poll_write(esp_transport_handle_t t, int timeout_ms);
int __real_esp_transport_close(esp_transport_handle_t t);
esp_err_t __real_esp_transport_destroy(esp_transport_handle_t t);
int __real_esp_transport_ws_send_raw(esp_transport_handle_t t, ws_transport_opcodes_t opcode, const char *b, int len,
                                     int timeout_ms);
int __real_esp_transport_ws_poll_connection_closed(esp_transport_handle_t t, int timeout_ms);

esp_transport_handle_t __wrap_esp_transport_init(void)
{
    esp_transport_handle_t t = __real_esp_transport_init();
    if (t) {
        watch_new(t);
    }
    return t;
}

esp_transport_handle_t __wrap_esp_transport_ws_init(esp_transport_handle_t parent_handle)
{
    esp_transport_handle_t t = __real_esp_transport_ws_init(parent_handle);
    watch_slot_t *slot = watch_of(t);
    if (slot) {
        atomic_store_explicit(&slot->ws, true, memory_order_relaxed);
    }
    return t;
}

/* Every wrapped call is inside the sentinel's call section; a call the sentinel refused (and reported) leaves it
 * at once and must not reach the transport. An unwatched handle (NULL tracker) is passed through. */
static bool admitted(bool ok)
{
    if (!ok) {
        wsh_sentinel_call_end();
    }
    return ok;
}

/* The io section around one call. */
static bool io_begin(wsh_sentinel_t *s, const char *op)
{
    wsh_sentinel_call_begin();
    return admitted(s == NULL || wsh_sentinel_io_begin(s, op));
}

/* A connect opens the handle again as it enters the io section. */
static bool connect_begin(wsh_sentinel_t *s)
{
    wsh_sentinel_call_begin();
    return admitted(s == NULL || wsh_sentinel_connect_begin(s));
}

static void io_end(wsh_sentinel_t *s)
{
    if (s) {
        wsh_sentinel_io_end(s);
    }
    wsh_sentinel_call_end();
}

int __wrap_esp_transport_connect(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!connect_begin(s)) {
        return -1;
    }
    wsh_chaos_point("transport_connect");
    int ret = __real_esp_transport_connect(t, host, port, timeout_ms);
    io_end(s);
    return ret;
}

int __wrap_esp_transport_connect_async(esp_transport_handle_t t, const char *host, int port, int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!connect_begin(s)) {
        return -1;
    }
    wsh_chaos_point("transport_connect");
    int ret = __real_esp_transport_connect_async(t, host, port, timeout_ms);
    io_end(s);
    return ret;
}

int __wrap_esp_transport_read(esp_transport_handle_t t, char *buffer, int len, int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!io_begin(s, "read")) {
        return -1;
    }
    wsh_chaos_point("transport_read");
    int ret = __real_esp_transport_read(t, buffer, len, timeout_ms);
    wsh_chaos_point("transport_read_done");
    io_end(s);
    return ret;
}

/* A write on a ws transport is one whole frame: it is also inside the frame-write section. */
int __wrap_esp_transport_write(esp_transport_handle_t t, const char *buffer, int len, int timeout_ms)
{
    watch_slot_t *slot = watch_of(t);
    wsh_sentinel_t *s = tracker(slot);
    if (!io_begin(s, "write")) {
        return -1;
    }
    bool frame = slot && atomic_load_explicit(&slot->ws, memory_order_relaxed);
    if (frame) {
        wsh_sentinel_ws_write_enter(s, "write");
    }
    wsh_chaos_point("transport_write");
    int ret = __real_esp_transport_write(t, buffer, len, timeout_ms);
    wsh_chaos_point("transport_write_done");
    if (frame) {
        wsh_sentinel_ws_write_exit(s);
    }
    io_end(s);
    return ret;
}

int __wrap_esp_transport_ws_send_raw(esp_transport_handle_t t, ws_transport_opcodes_t opcode, const char *b, int len,
                                     int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!io_begin(s, "send_raw")) {
        return -1;
    }
    if (s) {
        wsh_sentinel_ws_write_enter(s, "send_raw");
    }
    wsh_chaos_point("transport_write");
    int ret = __real_esp_transport_ws_send_raw(t, opcode, b, len, timeout_ms);
    wsh_chaos_point("transport_write_done");
    if (s) {
        wsh_sentinel_ws_write_exit(s);
    }
    io_end(s);
    return ret;
}

int __wrap_esp_transport_poll_read(esp_transport_handle_t t, int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!io_begin(s, "poll_read")) {
        return -1;
    }
    wsh_chaos_point("transport_poll");
    int ret = __real_esp_transport_poll_read(t, timeout_ms);
    io_end(s);
    return ret;
}

int __wrap_esp_transport_poll_write(esp_transport_handle_t t, int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!io_begin(s, "poll_write")) {
        return -1;
    }
    wsh_chaos_point("transport_poll");
    int ret = __real_esp_transport_poll_write(t, timeout_ms);
    io_end(s);
    return ret;
}

int __wrap_esp_transport_ws_poll_connection_closed(esp_transport_handle_t t, int timeout_ms)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    if (!io_begin(s, "poll_connection_closed")) {
        return -1;
    }
    wsh_chaos_point("transport_poll");
    int ret = __real_esp_transport_ws_poll_connection_closed(t, timeout_ms);
    io_end(s);
    return ret;
}

int __wrap_esp_transport_close(esp_transport_handle_t t)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    wsh_sentinel_call_begin();
    if (s && wsh_sentinel_is_destroyed(s, "close")) {
        wsh_sentinel_call_end();
        return -1;
    }
    if (s) {
        wsh_sentinel_close(s);
    }
    int ret = __real_esp_transport_close(t);
    wsh_sentinel_call_end();
    return ret;
}

esp_err_t __wrap_esp_transport_destroy(esp_transport_handle_t t)
{
    wsh_sentinel_t *s = tracker(watch_of(t));
    wsh_sentinel_call_begin();
    if (s && wsh_sentinel_is_destroyed(s, "destroy")) {
        wsh_sentinel_call_end();
        return ESP_FAIL;
    }
    esp_err_t ret = __real_esp_transport_destroy(t);
    if (s) {
        /* After: ESP-IDF's tcp and ssl transports close themselves in their destroy, through a wrapped call. */
        wsh_sentinel_destroy(s);
    }
    wsh_sentinel_call_end();
    return ret;
}

/* ---- esp-tls connections: the TLS section ---- */

ssize_t __real_esp_mbedtls_read(esp_tls_t *tls, char *data, size_t datalen);
ssize_t __real_esp_mbedtls_write(esp_tls_t *tls, const char *data, size_t datalen);
int __real_esp_mbedtls_handshake(esp_tls_t *tls, const esp_tls_cfg_t *cfg);
void __real_esp_mbedtls_conn_delete(esp_tls_t *tls);

/* The TLS section of an esp-tls connection (a NULL tracker: unwatched). */
static wsh_sentinel_t *tls_enter(esp_tls_t *tls, const char *op)
{
    wsh_sentinel_t *s = tracker(watch_of(tls));
    if (s) {
        wsh_sentinel_tls_enter(s, op);
    }
    return s;
}

static void tls_exit(wsh_sentinel_t *s)
{
    if (s) {
        wsh_sentinel_tls_exit(s);
    }
}

ssize_t __wrap_esp_mbedtls_read(esp_tls_t *tls, char *data, size_t datalen)
{
    wsh_sentinel_t *s = tls_enter(tls, "read");
    ssize_t ret = __real_esp_mbedtls_read(tls, data, datalen);
    tls_exit(s);
    return ret;
}

ssize_t __wrap_esp_mbedtls_write(esp_tls_t *tls, const char *data, size_t datalen)
{
    wsh_sentinel_t *s = tls_enter(tls, "write");
    ssize_t ret = __real_esp_mbedtls_write(tls, data, datalen);
    tls_exit(s);
    return ret;
}

int __wrap_esp_mbedtls_handshake(esp_tls_t *tls, const esp_tls_cfg_t *cfg)
{
    wsh_sentinel_t *s = tls_enter(tls, "handshake");
    wsh_chaos_point("tls_handshake_step");
    int ret = __real_esp_mbedtls_handshake(tls, cfg);
    tls_exit(s);
    return ret;
}

/* The connection's Mbed TLS state is freed: its slot may serve a newer object once the table is full. */
void __wrap_esp_mbedtls_conn_delete(esp_tls_t *tls)
{
    __real_esp_mbedtls_conn_delete(tls);
    watch_slot_t *slot = tls ? lookup((uintptr_t)tls, false) : NULL;
    if (slot) {
        atomic_store_explicit(&slot->sentinel.life, WSH_SENTINEL_DESTROYED, memory_order_relaxed);
    }
}
