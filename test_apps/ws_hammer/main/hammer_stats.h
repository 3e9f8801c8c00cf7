/*
 * Run-wide counters and the STATS reporter. Counters are C11 atomics: any task
 * may add or read them at any time without a lock. The reporter task is
 * started and stopped by the runner only (one at a time).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    HAMMER_STAT_ATTEMPTED,     /* send calls made (whole messages, or partial messages) */
    HAMMER_STAT_SENT,          /* sends that returned the full length */
    HAMMER_STAT_SEND_ERR,      /* sends that returned anything else */
    HAMMER_STAT_ECHOED,        /* echoes that arrived intact */
    HAMMER_STAT_CORRUPT,       /* received messages that failed a check */
    HAMMER_STAT_OUT_OF_ORDER,  /* intact echoes whose seq was not above the task's last one */
    HAMMER_STAT_RECONNECTS,    /* CONNECTED events after a client's first */
    HAMMER_STAT_PUSHED,        /* server-initiated messages (/stream, /slowframe) */
    HAMMER_STAT_COUNT,
} hammer_stat_t;

void hammer_stats_reset(void);
void hammer_stats_add(hammer_stat_t which, uint32_t n);
uint32_t hammer_stats_get(hammer_stat_t which);

/*
 * Waits until the counter reaches target; gives up at timeout_ms, or earlier
 * when it has not moved for quiet_ms. Returns whether target was reached.
 */
bool hammer_stats_wait(hammer_stat_t which, uint32_t target, uint32_t timeout_ms, uint32_t quiet_ms);

/* One sender's tally, as the protocol's TASK line; seqs are of successful sends, -1 when none. */
typedef struct {
    uint32_t id;
    uint32_t attempted, sent, send_err;
    int64_t first_seq, last_seq;
    int64_t max_send_us;  /* longest single send call: a lock held across a receive shows here (F1) */
} hammer_task_tally_t;

void hammer_stats_log_task(const char *scenario, const hammer_task_tally_t *tally);

/* Counts one send's outcome and duration (from its start, esp_timer µs) in the tally and the run counters. */
void hammer_stats_count_send(hammer_task_tally_t *tally, uint32_t seq, bool ok, int64_t started_us);

/* Free heap in bytes, -1 where the platform cannot tell. ESP-IDF's linux target reports UINT32_MAX for every
 * heap figure; there the app counts what the C library's malloc has handed out against a nominal heap
 * (HAMMER_NOMINAL_HEAP), so a leak still shows as a fall. */
int64_t hammer_free_heap(void);

/* The heap's low-water mark since boot, -1 where unknown (ESP-IDF's linux target). */
int64_t hammer_min_free_heap(void);

/* Sockets this process holds (/proc/self/fd on linux); -1 where it cannot be known (a device). */
int hammer_open_sockets(void);

/* Which fd numbers are sockets right now, as a bit set; `known` is false where the platform cannot tell. */
#define HAMMER_MAX_FD 1024
typedef struct {
    bool known;
    uint32_t bits[HAMMER_MAX_FD / 32];
} hammer_fd_set_t;
void hammer_socket_fds(hammer_fd_set_t *out);

/* How many sockets `set` holds; -1 when it is unknown. */
int hammer_fd_count(const hammer_fd_set_t *set);

/* The lowest fd that is a socket in `during` and in `after` but was not in `before`: a socket the client
 * opened and still holds in `after`; -1 when there is none or a set is unknown. */
int hammer_fd_kept(const hammer_fd_set_t *before, const hammer_fd_set_t *during, const hammer_fd_set_t *after);

/* Milliseconds since boot, from esp_timer. */
int64_t hammer_now_ms(void);

/* STATS once a second until stopped; t0_ms is the run's start for t_ms. */
bool hammer_stats_reporter_start(const char *scenario, int64_t t0_ms);
void hammer_stats_reporter_stop(void);
