/*
 * wsh_sentinel: detection and reporting of transport contract violations (see wsh_sentinel.h).
 *
 * Locking: trackers and the violation counter are atomics with relaxed ordering (no happens-before edges
 * between client threads); a thread claims a free holder of a section by compare-and-swap as it enters and
 * gives it back as it leaves, so names in a report are best effort by design. The per-call de-duplication
 * state is thread-local.
 */
#include "wsh_sentinel.h"

#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static const char *TAG = "wsh_sentinel";

static atomic_uint s_next_id = 1;
static atomic_uint s_violations;
static atomic_int s_fatal = -1;              /* -1 unknown, else the cached WSH_SENTINEL_FATAL verdict */

static _Thread_local int t_call_depth;       /* nesting of public transport calls in this thread */
static _Thread_local bool t_reported;        /* a violation was reported in the current outermost call */

static void section_reset(wsh_sentinel_section_t *sec)
{
    atomic_store_explicit(&sec->inside, 0, memory_order_relaxed);
    for (int i = 0; i < WSH_SENTINEL_HOLDERS; i++) {
        atomic_store_explicit(&sec->holder[i].owner, 0, memory_order_relaxed);
        atomic_store_explicit(&sec->holder[i].name[0], 0, memory_order_relaxed);
        atomic_store_explicit(&sec->holder[i].name[1], 0, memory_order_relaxed);
    }
}

/* Field by field, atomically: on the parallel platform a tracker is reused for a new transport at the address
 * of a freed one, which a late thread may still be looking at. */
void wsh_sentinel_init(wsh_sentinel_t *s)
{
    atomic_store_explicit(&s->id, atomic_fetch_add_explicit(&s_next_id, 1, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&s->life, WSH_SENTINEL_IDLE, memory_order_relaxed);
    section_reset(&s->io);
    section_reset(&s->tls);
    section_reset(&s->ws_write);
}

static unsigned sentinel_id(const wsh_sentinel_t *s)
{
    return atomic_load_explicit(&((wsh_sentinel_t *)s)->id, memory_order_relaxed);
}

void wsh_sentinel_call_begin(void)
{
    if (t_call_depth++ == 0) {
        t_reported = false;
    }
}

void wsh_sentinel_call_end(void)
{
    if (t_call_depth > 0) {
        t_call_depth--;
    }
}

static bool fatal_enabled(void)
{
    int fatal = atomic_load_explicit(&s_fatal, memory_order_relaxed);
    if (fatal < 0) {
        const char *env = getenv("WSH_SENTINEL_FATAL");
        fatal = (env && strcmp(env, "1") == 0) ? 1 : 0;
        atomic_store_explicit(&s_fatal, fatal, memory_order_relaxed);
    }
    return fatal == 1;
}

/* The calling task's name packed into 16 bytes, so a section can hold it in two atomic words. */
static void own_name(uint64_t packed[2])
{
    char name[sizeof(uint64_t) * 2] = {0};
    const char *task = pcTaskGetName(NULL);
    strncpy(name, task ? task : "?", sizeof(name) - 1);
    memcpy(packed, name, sizeof(name));
}

static void unpack_name(const uint64_t packed[2], char out[sizeof(uint64_t) * 2 + 1])
{
    memcpy(out, packed, sizeof(uint64_t) * 2);
    out[sizeof(uint64_t) * 2] = '\0';
    if (out[0] == '\0') {
        strcpy(out, "?");
    }
}

static void report(const wsh_sentinel_t *s, const char *kind, const char *other, const char *op)
{
    if (t_call_depth > 0 && t_reported) {
        return;
    }
    t_reported = true;
    atomic_fetch_add_explicit(&s_violations, 1, memory_order_relaxed);
    uint64_t me[2];
    char me_name[sizeof(me) + 1];
    own_name(me);
    unpack_name(me, me_name);
    ESP_LOGE(TAG, "VIOLATION kind=%s transport=%u task=%s other=%s op=%s", kind, sentinel_id(s), me_name,
             other, op);
    if (fatal_enabled()) {
        abort();
    }
}

/* Room for every holder's name, comma-separated. */
#define HOLDER_NAMES (WSH_SENTINEL_HOLDERS * (sizeof(uint64_t) * 2 + 1) + 1)

static uintptr_t own_token(void)
{
    static _Thread_local char token;
    return (uintptr_t)&token;
}

/* The names of the threads inside sec, comma-separated; "?" when none has claimed its holder yet. */
static void holder_names(wsh_sentinel_section_t *sec, char out[HOLDER_NAMES])
{
    out[0] = '\0';
    for (int i = 0; i < WSH_SENTINEL_HOLDERS; i++) {
        wsh_sentinel_holder_t *h = &sec->holder[i];
        if (atomic_load_explicit(&h->owner, memory_order_relaxed) == 0) {
            continue;
        }
        uint64_t packed[2] = {
            atomic_load_explicit(&h->name[0], memory_order_relaxed),
            atomic_load_explicit(&h->name[1], memory_order_relaxed),
        };
        char name[sizeof(packed) + 1];
        unpack_name(packed, name);
        if (out[0] != '\0') {
            strcat(out, ",");
        }
        strcat(out, name);
    }
    if (out[0] == '\0') {
        strcpy(out, "?");
    }
}

/* Enters a section; reports kind (if not NULL) when another thread is inside, naming the threads there
 * (read before this one claims its holder). */
static void section_enter(wsh_sentinel_t *s, wsh_sentinel_section_t *sec, const char *kind, const char *op)
{
    int before = atomic_fetch_add_explicit(&sec->inside, 1, memory_order_relaxed);
    if (before > 0 && kind != NULL) {
        char others[HOLDER_NAMES];
        holder_names(sec, others);
        report(s, kind, others, op);
    }
    uint64_t me[2];
    own_name(me);
    for (int i = 0; i < WSH_SENTINEL_HOLDERS; i++) {
        uintptr_t free_slot = 0;
        wsh_sentinel_holder_t *h = &sec->holder[i];
        if (atomic_compare_exchange_strong_explicit(&h->owner, &free_slot, own_token(), memory_order_relaxed,
                                                    memory_order_relaxed)) {
            atomic_store_explicit(&h->name[0], me[0], memory_order_relaxed);
            atomic_store_explicit(&h->name[1], me[1], memory_order_relaxed);
            return;
        }
    }
}

static void section_exit(wsh_sentinel_section_t *sec)
{
    for (int i = 0; i < WSH_SENTINEL_HOLDERS; i++) {
        wsh_sentinel_holder_t *h = &sec->holder[i];
        if (atomic_load_explicit(&h->owner, memory_order_relaxed) == own_token()) {
            atomic_store_explicit(&h->owner, 0, memory_order_relaxed);
            break;
        }
    }
    atomic_fetch_sub_explicit(&sec->inside, 1, memory_order_relaxed);
}

static int life_of(wsh_sentinel_t *s)
{
    return atomic_load_explicit(&s->life, memory_order_relaxed);
}

bool wsh_sentinel_is_destroyed(wsh_sentinel_t *s, const char *op)
{
    if (life_of(s) != WSH_SENTINEL_DESTROYED) {
        return false;
    }
    report(s, WSH_SENTINEL_IO_AFTER_CLOSE, "-", op);
    return true;
}

bool wsh_sentinel_io_begin(wsh_sentinel_t *s, const char *op)
{
    int life = life_of(s);
    if (life == WSH_SENTINEL_CLOSED || life == WSH_SENTINEL_DESTROYED) {
        report(s, WSH_SENTINEL_IO_AFTER_CLOSE, "-", op);
        return false;
    }
    section_enter(s, &s->io, NULL, op);
    return true;
}

bool wsh_sentinel_connect_begin(wsh_sentinel_t *s)
{
    if (wsh_sentinel_is_destroyed(s, "connect")) {
        return false;
    }
    atomic_store_explicit(&s->life, WSH_SENTINEL_OPEN, memory_order_relaxed);
    section_enter(s, &s->io, NULL, "connect");
    return true;
}

void wsh_sentinel_io_end(wsh_sentinel_t *s)
{
    section_exit(&s->io);
}

static void check_no_io(wsh_sentinel_t *s, const char *op)
{
    if (atomic_load_explicit(&s->io.inside, memory_order_relaxed) > 0) {
        char others[HOLDER_NAMES];
        holder_names(&s->io, others);
        report(s, WSH_SENTINEL_CLOSE_DURING_IO, others, op);
    }
}

void wsh_sentinel_close(wsh_sentinel_t *s)
{
    check_no_io(s, "close");
    int expected = WSH_SENTINEL_OPEN;
    atomic_compare_exchange_strong_explicit(&s->life, &expected, WSH_SENTINEL_CLOSED, memory_order_relaxed,
                                            memory_order_relaxed);
}

void wsh_sentinel_destroy(wsh_sentinel_t *s)
{
    check_no_io(s, "destroy");
    atomic_store_explicit(&s->life, WSH_SENTINEL_DESTROYED, memory_order_relaxed);
}

void wsh_sentinel_tls_enter(wsh_sentinel_t *s, const char *op)
{
    section_enter(s, &s->tls, WSH_SENTINEL_TLS_CONCURRENT, op);
}

void wsh_sentinel_tls_exit(wsh_sentinel_t *s)
{
    section_exit(&s->tls);
}

void wsh_sentinel_ws_write_enter(wsh_sentinel_t *s, const char *op)
{
    section_enter(s, &s->ws_write, WSH_SENTINEL_WS_WRITE_CONCURRENT, op);
}

void wsh_sentinel_ws_write_exit(wsh_sentinel_t *s)
{
    section_exit(&s->ws_write);
}

unsigned wsh_sentinel_violation_count(void)
{
    return atomic_load_explicit(&s_violations, memory_order_relaxed);
}
