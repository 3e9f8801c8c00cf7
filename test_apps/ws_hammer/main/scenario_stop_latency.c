/*
 * stop_latency: esp_websocket_client_stop() timed from each state it must
 * leave promptly (network_timeout_ms from the command, 10 s by default):
 *   connected_idle  - connected, nothing in flight
 *   receiving       - mid-way through a slowly arriving frame (/slowframe)
 *   tcp_connect     - a TCP connect the peer never answers (blackhole_uri)
 *   tls_handshake   - a TLS handshake the peer never answers (stall_uri, wss)
 *   ws_handshake    - an HTTP upgrade the peer never answers (stall_uri, ws)
 *   reconnect_wait  - waiting to reconnect after a refused connect (refused_uri)
 *   start_failed    - the task already ended by itself (refused, no reconnect)
 * `states=a,b` limits the run to those states (so known failures can be run
 * apart). One LATENCY line per state; fails if any stop (or the destroy after it)
 * exceeds its bound or if the socket count after stop() differs
 * from the count before start(). States whose address was not given print a
 * SKIP line. The bound is HAMMER_STOP_BOUND_MS, except in the states whose `uncut_from` the
 * `uncut_connect` level reaches (1: TCP connect and TLS handshake; 2: the upgrade too, where the client
 * learns the socket only when the whole connect returns): ESP-IDF's esp-tls keeps the socket to
 * itself until the TCP connect and the TLS handshake return, so nothing can cut
 * them short and stop() there returns within network_timeout_ms plus the bound
 * (F9 is then only half closed; docs/concurrency.md). Scenario task only; each
 * state owns the client it creates.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "hammer_scenario.h"
#include "hammer_stats.h"
#include "scenario_common.h"

static const char *TAG = "wsh";

#define SETTLE_MS 300           /* let the client get well into its state (connect, handshake, a wait) */
#define FIRST_DATA_WAIT_MS 5000
#define SLOWFRAME_PATH "/slowframe?size=65536&chunk=256&interval_ms=20"  /* ~5 s to arrive in full */
#define REFUSED_PORT 1

typedef enum {
    WAIT_CONNECTED,     /* wait for CONNECTED */
    WAIT_DATA,          /* wait for CONNECTED then the first DATA chunk */
    WAIT_SETTLE,        /* just let SETTLE_MS pass */
    WAIT_FAILURE,       /* wait for the first ERROR/DISCONNECTED (the connect was refused) */
    WAIT_FINISH,        /* wait until the client task has ended */
} state_wait_t;

typedef enum { ADDR_URI, ADDR_BLACKHOLE, ADDR_STALL, ADDR_REFUSED } addr_t;

typedef struct {
    const char *name;
    addr_t addr;
    int scheme;           /* -1 keep, 0 ws, 1 wss */
    const char *path;     /* NULL keeps the address's path */
    bool auto_reconnect;
    state_wait_t wait;
    uint32_t uncut_from;  /* the uncut_connect level from which stop() here is held to the connect's timeout:
                             1 inside esp-tls's connect, 2 in the upgrade after it; 0 never */
} latency_state_t;

static const latency_state_t STATES[] = {
    {"connected_idle", ADDR_URI, -1, NULL, true, WAIT_CONNECTED, 0},
    {"receiving", ADDR_URI, -1, SLOWFRAME_PATH, true, WAIT_DATA, 0},
    {"tcp_connect", ADDR_BLACKHOLE, -1, "/", true, WAIT_SETTLE, 1},
    {"tls_handshake", ADDR_STALL, 1, "/", true, WAIT_SETTLE, 1},
    {"ws_handshake", ADDR_STALL, 0, "/", true, WAIT_SETTLE, 2},
    {"reconnect_wait", ADDR_REFUSED, 0, "/", true, WAIT_FAILURE, 0},
    {"start_failed", ADDR_REFUSED, 0, "/", false, WAIT_FINISH, 0},
};

#define STATE_COUNT (sizeof(STATES) / sizeof(STATES[0]))

/* Builds the URI a state connects to; false (with why) when its address was not given. */
static bool state_uri(const hammer_cmd_t *cmd, const latency_state_t *st, char *out, size_t len, const char **why)
{
    hammer_uri_t uri;
    const char *given = cmd->uri;
    if (st->addr == ADDR_BLACKHOLE) {
        given = cmd->blackhole_uri;
        *why = "no blackhole_uri given";
    } else if (st->addr == ADDR_STALL) {
        given = cmd->stall_uri;
        *why = "no stall_uri given";
        if (st->scheme == 1 && cmd->ca_der == NULL) {
            *why = "no ca given (without one the TLS layer refuses before any handshake)";
            return false;
        }
    }
    if (given[0] == '\0' || !hammer_uri_parse(given, &uri)) {
        return false;
    }
    if (st->addr == ADDR_REFUSED) {
        if (cmd->refused_uri[0] != '\0') {
            hammer_uri_parse(cmd->refused_uri, &uri);
        } else {
            uri.port = REFUSED_PORT; /* nothing listens on tcpmux: the peer answers with RST */
        }
    }
    bool tls = st->scheme < 0 ? uri.tls : st->scheme == 1;
    return hammer_uri_format(out, len, tls, uri.host, uri.port, st->path ? st->path : uri.path);
}

/* The connect failed, and the task had SETTLE_MS to go on from the failure it reported: into its wait to
 * reconnect, or to its end. */
static bool failed_and_settled(hammer_client_t *client, uint32_t connect_ms)
{
    if (!hammer_client_wait(client, HAMMER_EV_FAILURE, 1, connect_ms)) {
        return false;
    }
    vTaskDelay(pdMS_TO_TICKS(SETTLE_MS));
    return true;
}

static bool reach_state(hammer_client_t *client, const hammer_cmd_t *cmd, const latency_state_t *st)
{
    uint32_t connect_ms = cmd->network_timeout_ms + 3000;
    hammer_run_note_op(st->name);
    switch (st->wait) {
    case WAIT_CONNECTED:
        if (!hammer_client_wait(client, HAMMER_EV_CONNECTED, 1, connect_ms)) {
            return false;
        }
        /* Idle means the task has settled into its wait for data, not still finishing the connect. */
        vTaskDelay(pdMS_TO_TICKS(SETTLE_MS));
        return hammer_client_count(client, HAMMER_EV_FAILURE) == 0;
    case WAIT_DATA:
        return hammer_client_wait(client, HAMMER_EV_CONNECTED, 1, connect_ms) &&
               hammer_client_wait(client, HAMMER_EV_DATA, 1, FIRST_DATA_WAIT_MS);
    case WAIT_SETTLE:
        vTaskDelay(pdMS_TO_TICKS(SETTLE_MS));
        /* Still trying: a connect that already failed would measure a different state. */
        return hammer_client_count(client, HAMMER_EV_CONNECTED) == 0 &&
               hammer_client_count(client, HAMMER_EV_FAILURE) == 0;
    case WAIT_FAILURE:
        return failed_and_settled(client, connect_ms) && hammer_client_count(client, HAMMER_EV_CONNECTED) == 0;
    case WAIT_FINISH:
#if WSH_CLIENT_HAS_FINISH_EVENT
        return hammer_client_wait(client, HAMMER_EV_FINISH, 1, connect_ms);
#else
        /* Before 1.3 there is no FINISH: a task whose connect failed with no reconnect ends right after. */
        return failed_and_settled(client, connect_ms);
#endif
    }
    return false;
}

static void measure(const hammer_cmd_t *cmd, const latency_state_t *st, const char *uri, hammer_verdict_t *verdict,
                    double *worst)
{
    hammer_client_opts_t opts = scenario_default_opts(cmd);
    opts.uri = uri;
    opts.auto_reconnect = st->auto_reconnect;
    hammer_client_t *client = hammer_client_create(cmd, &opts);
    if (client == NULL) {
        hammer_verdict_fail(verdict, "%s: could not create a client", st->name);
        return;
    }
    hammer_fd_set_t before, during, after;
    hammer_socket_fds(&before);
    esp_websocket_client_start(hammer_client_handle(client));
    bool reached = reach_state(client, cmd, st);
    hammer_socket_fds(&during);
    double stop_ms = scenario_timed_stop(client);
    hammer_socket_fds(&after); /* the moment stop() returned: the client's socket must be closed by then */
    int fds_before = hammer_fd_count(&before);
    int fds_after = hammer_fd_count(&after);
    int kept_fd = hammer_fd_kept(&before, &during, &after);
    hammer_run_note_op("destroy");
    int64_t t0 = esp_timer_get_time();
    hammer_client_destroy(client);
    double destroy_ms = (double)(esp_timer_get_time() - t0) / 1000.0;

    bool uncut = st->uncut_from && cmd->uncut_connect >= st->uncut_from;
    uint32_t bound = uncut ? cmd->network_timeout_ms + HAMMER_STOP_BOUND_MS : HAMMER_STOP_BOUND_MS;
    ESP_LOGI(TAG, "LATENCY scenario=stop_latency state=%s ms=%.1f destroy_ms=%.1f reached=%d fds_before=%d "
             "fds_after=%d kept_fd=%d bound_ms=%" PRIu32 " uncut=%d", st->name, stop_ms, destroy_ms, reached,
             fds_before, fds_after, kept_fd, bound, uncut);
    *worst = stop_ms > *worst ? stop_ms : *worst;
    if (!reached) {
        hammer_verdict_fail(verdict, "%s: the client never reached the state (uri %s)", st->name, uri);
    }
    if (stop_ms > bound || destroy_ms > HAMMER_STOP_BOUND_MS) {
        hammer_verdict_fail(verdict, "%s: stop took %.0f ms (bound %" PRIu32 "), destroy %.0f ms (bound %d)",
                            st->name, stop_ms, bound, destroy_ms, HAMMER_STOP_BOUND_MS);
    }
    if (kept_fd >= 0) {
        hammer_verdict_fail(verdict, "%s: stop() returned with the client's socket (fd %d) still open", st->name,
                            kept_fd);
    }
    if (fds_before >= 0 && fds_after != fds_before) {
        hammer_verdict_fail(verdict, "%s: %d sockets open after stop(), %d before start()", st->name, fds_after,
                            fds_before);
    }
}

/* Is name one of the comma-separated entries of list (an empty list selects all)? */
static bool in_list(const char *list, const char *name)
{
    if (list[0] == '\0') {
        return true;
    }
    size_t len = strlen(name);
    for (const char *p = list; p != NULL; p = strchr(p, ',')) {
        p += *p == ',';
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0')) {
            return true;
        }
    }
    return false;
}

static const latency_state_t *state_named(const char *name, size_t len)
{
    for (size_t i = 0; i < STATE_COUNT; i++) {
        if (strlen(STATES[i].name) == len && strncmp(STATES[i].name, name, len) == 0) {
            return &STATES[i];
        }
    }
    return NULL;
}

static bool check(const hammer_cmd_t *cmd, char *reason, size_t reason_len)
{
    for (const char *p = cmd->states; *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (state_named(p, len) == NULL) {
            int shown = (int)(len > 32 ? 32 : len);
            int used = snprintf(reason, reason_len, "unknown stop_latency state '%.*s'; known:", shown, p);
            for (size_t i = 0; i < STATE_COUNT && used > 0 && (size_t)used < reason_len; i++) {
                used += snprintf(reason + used, reason_len - (size_t)used, " %s", STATES[i].name);
            }
            return false;
        }
        p += len + (p[len] == ',');
    }
    return true;
}

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    double worst = 0;
    char skipped[96] = "";
    for (size_t i = 0; i < STATE_COUNT; i++) {
        if (!in_list(cmd->states, STATES[i].name)) {
            continue;
        }
        char uri[HAMMER_URI_LEN];
        const char *why = "bad uri";
        if (!state_uri(cmd, &STATES[i], uri, sizeof(uri), &why)) {
            ESP_LOGI(TAG, "SKIP scenario=stop_latency state=%s reason=\"%s\"", STATES[i].name, why);
            if (cmd->states[0] != '\0') {
                /* Asked for by name: a run that measured nothing must not pass. */
                hammer_verdict_fail(verdict, "%s was requested but cannot run: %s", STATES[i].name, why);
            }
            size_t used = strlen(skipped);
            snprintf(skipped + used, sizeof(skipped) - used, "%s%s", used ? "," : "", STATES[i].name);
            continue;
        }
        measure(cmd, &STATES[i], uri, verdict, &worst);
    }
    hammer_verdict_extra(verdict, " worst_stop_ms=%.1f bound_ms=%d skipped=%s", worst, HAMMER_STOP_BOUND_MS,
                         skipped[0] ? skipped : "none");
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    uint64_t per_state = (uint64_t)cmd->network_timeout_ms + 3000 + FIRST_DATA_WAIT_MS + 2 * HAMMER_STOP_BOUND_MS;
    return scenario_clamp_ms(STATE_COUNT * per_state);
}

const hammer_scenario_t hammer_scenario_stop_latency = {
    .name = "stop_latency",
    .run = run,
    .bound_ms = bound_ms,
    .check = check,
};
