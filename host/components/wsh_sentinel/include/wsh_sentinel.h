/*
 * wsh_sentinel: the transport contract checker of the parallel platform.
 *
 * wsh_transport_watch.c keeps a wsh_sentinel_t per transport handle and brackets ESP-IDF's transport calls
 * with the calls below. The sentinel
 * reports, the moment it happens, a misuse that ESP-IDF's transports leave undefined:
 *   tls_concurrent       two threads inside TLS I/O (handshake, read, write, close_notify) of one connection
 *   close_during_io      close/destroy while another thread is inside connect, read, write or poll
 *   io_after_close       any I/O on a transport that was closed (and not reconnected) or destroyed
 *   ws_write_concurrent  two threads writing WebSocket frames on one transport at once
 * as exactly one line per violating call:
 *   E (ms) wsh_sentinel: VIOLATION kind=<kind> transport=<id> task=<name> other=<name> op=<op>
 * With WSH_SENTINEL_FATAL=1 in the environment the process aborts right after the line.
 *
 * Locking: every field is a C11 atomic accessed with relaxed ordering. The sentinel must never add a
 * happens-before edge between client threads: that would hide from TSan the very races it runs beside.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of violation, as printed after "kind=". */
#define WSH_SENTINEL_TLS_CONCURRENT      "tls_concurrent"
#define WSH_SENTINEL_CLOSE_DURING_IO     "close_during_io"
#define WSH_SENTINEL_IO_AFTER_CLOSE      "io_after_close"
#define WSH_SENTINEL_WS_WRITE_CONCURRENT "ws_write_concurrent"

/* A thread inside a section: claimed on entry, given back on exit, so a report names who is still there. */
typedef struct {
    _Atomic uintptr_t owner;      /* the thread's token (0: free) */
    _Atomic uint64_t name[2];     /* its task name (16 bytes, NUL padded) */
} wsh_sentinel_holder_t;

/* One checked region ("section") of a transport: how many threads are inside, and which (the first
 * WSH_SENTINEL_HOLDERS of them). */
#define WSH_SENTINEL_HOLDERS 4
typedef struct {
    atomic_int inside;            /* threads currently inside */
    wsh_sentinel_holder_t holder[WSH_SENTINEL_HOLDERS];
} wsh_sentinel_section_t;

typedef enum {
    WSH_SENTINEL_IDLE = 0,        /* created, never connected */
    WSH_SENTINEL_OPEN,            /* connect was called */
    WSH_SENTINEL_CLOSED,          /* closed after a connect; a new connect reopens it */
    WSH_SENTINEL_DESTROYED,       /* poisoned: the handle must not be used again */
} wsh_sentinel_life_t;

typedef struct {
    atomic_uint id;               /* transport id printed in lines; set once by wsh_sentinel_init */
    atomic_int life;              /* wsh_sentinel_life_t */
    wsh_sentinel_section_t io;    /* connect, read, write, poll on this transport */
    wsh_sentinel_section_t tls;   /* TLS I/O on this transport's connection */
    wsh_sentinel_section_t ws_write; /* WebSocket frame writes */
} wsh_sentinel_t;

/* Gives the tracker a fresh process-unique id (from 1) and the IDLE state. */
void wsh_sentinel_init(wsh_sentinel_t *s);

/* Marks one public transport call of this thread. Nested calls (ws -> ssl -> esp-tls) report at most one
 * violation per outermost call. */
void wsh_sentinel_call_begin(void);
void wsh_sentinel_call_end(void);

/* I/O on the transport. Returns false (and reports io_after_close) when the transport is closed or
 * destroyed: the caller must then fail without touching the transport. On true, pair with io_end. */
bool wsh_sentinel_io_begin(wsh_sentinel_t *s, const char *op);
void wsh_sentinel_io_end(wsh_sentinel_t *s);

/* Connect: false only for a destroyed transport (reported); a closed one may connect again. Pair with
 * io_end on true. */
bool wsh_sentinel_connect_begin(wsh_sentinel_t *s);

/* Close and destroy: report close_during_io if a thread is inside I/O, then record the new state.
 * Closing a closed transport again is allowed (ESP-IDF's clients do). */
void wsh_sentinel_close(wsh_sentinel_t *s);
void wsh_sentinel_destroy(wsh_sentinel_t *s);

/* True when the handle was destroyed; reports io_after_close for op. */
bool wsh_sentinel_is_destroyed(wsh_sentinel_t *s, const char *op);

/* TLS I/O and WebSocket frame writes: report when another thread is already inside. Always pair with
 * the matching exit (the operation goes on after a report unless the sentinel is fatal). */
void wsh_sentinel_tls_enter(wsh_sentinel_t *s, const char *op);
void wsh_sentinel_tls_exit(wsh_sentinel_t *s);
void wsh_sentinel_ws_write_enter(wsh_sentinel_t *s, const char *op);
void wsh_sentinel_ws_write_exit(wsh_sentinel_t *s);

/* Violations reported since the process started. */
unsigned wsh_sentinel_violation_count(void);

#ifdef __cplusplus
}
#endif
