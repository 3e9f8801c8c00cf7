/*
 * lifecycle: cmd->cycles rounds of init/start/send/stop/destroy, destroying
 * from each state: before start, while connecting, while connected, after
 * stop, after the server closed, and through destroy_on_exit. After every
 * case the open socket count must be back where it was; free heap after the
 * first and the last round may differ by at most HAMMER_HEAP_TOLERANCE. Runs in the
 * scenario task; each case owns the client it creates.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "hammer_scenario.h"
#include "hammer_stats.h"
#include "scenario_common.h"

/*
 * Bounded retention that is not a leak: lwIP keeps TIME_WAIT sockets for a while on a device; on linux the
 * host keeps the last 64 destroyed transports (its use-after-destroy sentinel) and glibc caches freed blocks
 * per thread. These stop growing; a per-cycle leak (F13) does not, and passes this with enough cycles.
 */
#define CONNECTED_MSGS 8
#define DETECT_MARGIN_MS 5000
#define FD_SETTLE_MS HAMMER_STOP_BOUND_MS /* destroy_on_exit closes the socket in the client's own task */

typedef enum {
    CASE_BEFORE_START,
    CASE_CONNECTING,
    CASE_CONNECTED,
    CASE_AFTER_STOP,
    CASE_AFTER_SERVER_CLOSE,
    CASE_DESTROY_ON_EXIT,
    CASE_COUNT,
} lc_case_t;

static const char *const CASE_NAMES[CASE_COUNT] = {
    "before_start", "connecting", "connected", "after_stop", "after_server_close", "destroy_on_exit",
};

typedef struct {
    const hammer_cmd_t *cmd;
    hammer_verdict_t *verdict;
    uint8_t *buf;
    char close_uri[HAMMER_URI_LEN];  /* same server, path /close?after=1&code=1000 */
    hammer_task_tally_t tally;       /* one sequence across every client of the run */
    uint32_t fd_leaks;
} lc_t;

static void timed_destroy(lc_t *lc, hammer_client_t *client, lc_case_t which)
{
    char what[48];
    snprintf(what, sizeof(what), "%s: destroy", CASE_NAMES[which]);
    scenario_check_bound(lc->verdict, what, scenario_timed_destroy(client));
}

static bool send_next(lc_t *lc, hammer_client_t *client)
{
    return scenario_send_one(hammer_client_handle(client), lc->cmd, lc->buf, &lc->tally);
}

static hammer_client_t *create_only(lc_t *lc, lc_case_t which)
{
    hammer_client_opts_t opts = scenario_default_opts(lc->cmd);
    hammer_client_t *client = hammer_client_create(lc->cmd, &opts);
    if (client == NULL) {
        hammer_verdict_fail(lc->verdict, "%s: init failed", CASE_NAMES[which]);
    }
    return client;
}

static void case_before_start(lc_t *lc)
{
    hammer_client_t *client = create_only(lc, CASE_BEFORE_START);
    if (client != NULL) {
        timed_destroy(lc, client, CASE_BEFORE_START);
    }
}

static void case_connecting(lc_t *lc)
{
    hammer_client_t *client = create_only(lc, CASE_CONNECTING);
    if (client != NULL) {
        esp_websocket_client_start(hammer_client_handle(client));
        timed_destroy(lc, client, CASE_CONNECTING);
    }
}

static void case_connected(lc_t *lc)
{
    hammer_client_opts_t opts = scenario_default_opts(lc->cmd);
    hammer_client_t *client = scenario_open(lc->cmd, &opts, lc->verdict);
    if (client == NULL) {
        return;
    }
    uint32_t target = hammer_stats_get(HAMMER_STAT_ECHOED) + CONNECTED_MSGS;
    bool sent = true;
    for (int i = 0; i < CONNECTED_MSGS && sent; i++) {
        sent = send_next(lc, client);
    }
    hammer_run_note_op("waiting for echoes");
    if (!sent) {
        hammer_verdict_fail(lc->verdict, "connected: a send failed");
    } else if (!hammer_stats_wait(HAMMER_STAT_ECHOED, target, HAMMER_DRAIN_MS, HAMMER_DRAIN_QUIET_MS)) {
        hammer_verdict_fail(lc->verdict, "connected: echoes missing");
    }
    timed_destroy(lc, client, CASE_CONNECTED);
}

static void case_after_stop(lc_t *lc)
{
    hammer_client_opts_t opts = scenario_default_opts(lc->cmd);
    hammer_client_t *client = scenario_open(lc->cmd, &opts, lc->verdict);
    if (client == NULL) {
        return;
    }
    if (!send_next(lc, client)) {
        hammer_verdict_fail(lc->verdict, "after_stop: a send failed");
    }
    scenario_shutdown(client, lc->verdict);
}

/* Opens a client on the closing path with reconnects off and sends the one message that triggers the close. */
static hammer_client_t *open_closing(lc_t *lc, lc_case_t which, bool destroy_on_exit)
{
    hammer_client_opts_t opts = scenario_default_opts(lc->cmd);
    opts.uri = lc->close_uri;
    opts.auto_reconnect = false;
    hammer_client_t *client = scenario_open(lc->cmd, &opts, lc->verdict);
    if (client == NULL) {
        return NULL;
    }
    if (!send_next(lc, client)) {
        hammer_verdict_fail(lc->verdict, "%s: a send failed", CASE_NAMES[which]);
    }
    /*
     * Right after the triggering send, while the server's close is still on its way: upstream lets the task
     * run on until that close ends it, a client that stops at once ends it too; either way it frees itself.
     */
    if (destroy_on_exit) {
        esp_websocket_client_destroy_on_exit(hammer_client_handle(client));
    }
    return client;
}

static void case_after_server_close(lc_t *lc)
{
    hammer_client_t *client = open_closing(lc, CASE_AFTER_SERVER_CLOSE, false);
    if (client == NULL) {
        return;
    }
    hammer_run_note_op("waiting for the server's close");
    uint32_t detect = lc->cmd->network_timeout_ms + DETECT_MARGIN_MS;
    if (!hammer_client_wait(client, HAMMER_EV_CLOSED, 1, detect) &&
            hammer_client_count(client, HAMMER_EV_FAILURE) == 0) {
        hammer_verdict_fail(lc->verdict, "after_server_close: no CLOSED/DISCONNECTED event");
    }
    timed_destroy(lc, client, CASE_AFTER_SERVER_CLOSE);
}

static void case_destroy_on_exit(lc_t *lc)
{
    hammer_client_t *client = open_closing(lc, CASE_DESTROY_ON_EXIT, true);
    if (client == NULL) {
        return;
    }
    hammer_run_note_op("waiting for the self-destroying client to finish");
    if (!hammer_client_release_after_exit(client, lc->cmd->network_timeout_ms + DETECT_MARGIN_MS)) {
        hammer_verdict_fail(lc->verdict, "destroy_on_exit: the client task never finished after the server closed");
    }
}

static void (*const CASES[CASE_COUNT])(lc_t *) = {
    case_before_start, case_connecting, case_connected, case_after_stop, case_after_server_close,
    case_destroy_on_exit,
};

/* Sockets must be back to their count before the case; destroy_on_exit gets time to close its own. */
static void run_case(lc_t *lc, lc_case_t which)
{
    int before = hammer_open_sockets();
    CASES[which](lc);
    int after = hammer_open_sockets();
    int64_t t0 = hammer_now_ms();
    while (which == CASE_DESTROY_ON_EXIT && after > before && hammer_now_ms() - t0 < FD_SETTLE_MS) {
        vTaskDelay(pdMS_TO_TICKS(20));
        after = hammer_open_sockets();
    }
    if (before >= 0 && after != before) {
        lc->fd_leaks++;
        hammer_verdict_fail(lc->verdict, "%s: open sockets %d before, %d after", CASE_NAMES[which], before, after);
    }
}

static bool make_close_uri(lc_t *lc)
{
    hammer_uri_t uri;
    return hammer_uri_parse(lc->cmd->uri, &uri) &&
           hammer_uri_format(lc->close_uri, sizeof(lc->close_uri), uri.tls, uri.host, uri.port,
                             "/close?after=1&code=1000");
}

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    lc_t lc = {.cmd = cmd, .verdict = verdict, .buf = malloc(cmd->max), .tally = {.first_seq = -1, .last_seq = -1}};
    if (lc.buf == NULL || !make_close_uri(&lc)) {
        hammer_verdict_fail(verdict, "cannot set up: out of memory or bad uri");
        free(lc.buf);
        return;
    }
    int64_t heap_first = -1, heap_last = -1;
    for (uint32_t cycle = 0; cycle < cmd->cycles && !verdict->failed; cycle++) {
        for (int which = 0; which < CASE_COUNT; which++) {
            run_case(&lc, (lc_case_t)which);
        }
        heap_last = hammer_free_heap();
        heap_first = cycle == 0 ? heap_last : heap_first;
    }
    free(lc.buf);
    hammer_verdict_extra(verdict, " heap_first_cycle=%lld heap_last_cycle=%lld heap_tolerance=%d fd_leaks=%" PRIu32,
                         (long long)heap_first, (long long)heap_last, HAMMER_HEAP_TOLERANCE, lc.fd_leaks);
    scenario_check_heap_fall(verdict, "from the first to the last cycle", heap_first, heap_last);
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    uint64_t per_case = cmd->network_timeout_ms + DETECT_MARGIN_MS + HAMMER_DRAIN_MS + 3 * HAMMER_STOP_BOUND_MS;
    return scenario_clamp_ms((uint64_t)cmd->cycles * CASE_COUNT * per_case);
}

const hammer_scenario_t hammer_scenario_lifecycle = {
    .name = "lifecycle",
    .run = run,
    .bound_ms = bound_ms,
};
