/*
 * server_faults: one run against one fault path (/close, /reset, /stall,
 * /malformed, /handshake). Senders drive traffic until the fault fires; the
 * client must report it through events (one EVENT line each), reconnect when
 * configured, and never crash or hang. Runs in the scenario task; reads the
 * client's event record through its atomics.
 */
#include <inttypes.h>
#include <string.h>

#include "hammer_scenario.h"
#include "hammer_sender.h"
#include "hammer_stats.h"
#include "scenario_common.h"

/* After a fault: detection can take a network timeout (a stalled read), then a reconnect wait. */
#define DETECT_MARGIN_MS 5000

typedef enum {
    FAULT_CLOSE,
    FAULT_RESET,
    FAULT_STALL,
    FAULT_MALFORMED,
    FAULT_HANDSHAKE,
    FAULT_UNKNOWN,
} fault_t;

static const char *const FAULT_PATHS[] = {"/close", "/reset", "/stall", "/malformed", "/handshake"};

static fault_t fault_of(const hammer_uri_t *uri)
{
    for (int f = 0; f < FAULT_UNKNOWN; f++) {
        if (hammer_uri_path_is(uri, FAULT_PATHS[f])) {
            return (fault_t)f;
        }
    }
    return FAULT_UNKNOWN;
}

static uint32_t detect_ms(const hammer_cmd_t *cmd)
{
    return cmd->network_timeout_ms + DETECT_MARGIN_MS;
}

static uint32_t reconnect_ms(const hammer_cmd_t *cmd)
{
    return cmd->reconnect_timeout_ms + cmd->network_timeout_ms + DETECT_MARGIN_MS;
}

static void report_seen(hammer_client_t *client, hammer_verdict_t *verdict)
{
    hammer_client_seen_t seen;
    hammer_client_seen(client, &seen);
    hammer_verdict_extra(verdict,
                         " connected=%" PRIu32 " disconnected=%" PRIu32 " errors=%" PRIu32 " closed=%" PRIu32
                         " close_code=%d error_type=%s handshake_status=%d",
                         seen.count[HAMMER_EV_CONNECTED], seen.count[HAMMER_EV_DISCONNECTED],
                         seen.count[HAMMER_EV_ERROR], seen.count[HAMMER_EV_CLOSED], seen.last_close_code,
                         seen.last_error_type < 0 ? "none" : hammer_error_type_name(seen.last_error_type),
                         seen.last_handshake_status);
}

/* The upgrade is refused: no CONNECTED ever, a failure event naming the handshake or the transport. */
static void check_handshake(hammer_client_t *client, const hammer_cmd_t *cmd, const hammer_uri_t *uri,
                            hammer_verdict_t *verdict)
{
    hammer_run_note_op("waiting for the handshake failure");
    if (!hammer_client_wait(client, HAMMER_EV_FAILURE, 1, detect_ms(cmd))) {
        hammer_verdict_fail(verdict, "no DISCONNECTED/ERROR event after a bad handshake");
        return;
    }
    if (cmd->auto_reconnect && !hammer_client_wait(client, HAMMER_EV_BEFORE_CONNECT, 2, reconnect_ms(cmd))) {
        hammer_verdict_fail(verdict, "no reconnect attempt after a bad handshake");
    }
    hammer_client_seen_t seen;
    hammer_client_seen(client, &seen);
    uint32_t accepted = (1u << WEBSOCKET_ERROR_TYPE_HANDSHAKE) | (1u << WEBSOCKET_ERROR_TYPE_TCP_TRANSPORT);
    char kind[24] = "";
    hammer_uri_query_str(uri, "kind", kind, sizeof(kind));
    if (seen.count[HAMMER_EV_CONNECTED] > 0) {
        hammer_verdict_fail(verdict, "CONNECTED after a bad handshake (%s)", kind);
    } else if ((seen.error_types_seen & accepted) == 0) {
        hammer_verdict_fail(verdict, "bad handshake reported with error types 0x%" PRIx32, seen.error_types_seen);
    } else if (strcmp(kind, "status_500") == 0 && seen.last_handshake_status != 500) {
        hammer_verdict_fail(verdict, "handshake status %d reported, 500 expected", seen.last_handshake_status);
    }
}

/* What must be seen once the fault fires on an established connection. */
static void check_fault_events(hammer_client_t *client, const hammer_cmd_t *cmd, fault_t fault,
                               const hammer_uri_t *uri, hammer_verdict_t *verdict)
{
    hammer_run_note_op("waiting for the fault's events");
    if (fault == FAULT_CLOSE) {
        long code = hammer_uri_query_int(uri, "code", -1);
        if (!hammer_client_wait(client, HAMMER_EV_CLOSE_FRAME, 1, detect_ms(cmd))) {
            hammer_verdict_fail(verdict, "no CLOSE frame delivered after the server closed");
            return;
        }
        hammer_client_seen_t seen;
        hammer_client_seen(client, &seen);
        if (code >= 0 && seen.last_close_code != code) {
            hammer_verdict_fail(verdict, "close code %d reported, %ld sent", seen.last_close_code, code);
        }
    }
    /* Every fault ends the connection: the client must say so (CLOSED for a clean close). */
    bool ended = hammer_client_wait(client, HAMMER_EV_FAILURE, 1, detect_ms(cmd)) ||
                 hammer_client_count(client, HAMMER_EV_CLOSED) > 0;
    if (!ended) {
        hammer_verdict_fail(verdict, "no DISCONNECTED/CLOSED event within %" PRIu32 " ms of the fault",
                            detect_ms(cmd));
        return;
    }
    /* ERROR may come first: wait for the DISCONNECTED that must follow rather than counting it at once. */
    if (fault == FAULT_RESET && !hammer_client_wait(client, HAMMER_EV_DISCONNECTED, 1, detect_ms(cmd))) {
        hammer_verdict_fail(verdict, "a TCP reset was not reported as DISCONNECTED");
    }
    if (cmd->auto_reconnect && !hammer_client_wait(client, HAMMER_EV_CONNECTED, 2, reconnect_ms(cmd))) {
        hammer_verdict_fail(verdict, "no reconnect within %" PRIu32 " ms after the fault", reconnect_ms(cmd));
    }
}

static void run_established(hammer_client_t *client, const hammer_cmd_t *cmd, fault_t fault,
                            const hammer_uri_t *uri, hammer_verdict_t *verdict)
{
    hammer_senders_cfg_t cfg = {
        .handle = hammer_client_handle(client), .cmd = cmd, .partial = false, .msgs = cmd->msgs,
    };
    hammer_senders_t *senders = hammer_senders_start(&cfg);
    if (senders == NULL) {
        hammer_verdict_fail(verdict, "could not start the sender tasks");
        return;
    }
    check_fault_events(client, cmd, fault, uri, verdict);
    scenario_finish_senders(senders, true, scenario_send_bound_ms(cmd), verdict);
}

static void run(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    hammer_uri_t uri;
    fault_t fault = hammer_uri_parse(cmd->uri, &uri) ? fault_of(&uri) : FAULT_UNKNOWN;
    if (fault == FAULT_UNKNOWN) {
        hammer_verdict_fail(verdict, "uri path must be one of /close /reset /stall /malformed /handshake");
        return;
    }
    hammer_client_opts_t opts = scenario_default_opts(cmd);
    opts.close_reconnect = cmd->auto_reconnect != 0;
    opts.log_events = true;
    hammer_client_t *client;
    if (fault == FAULT_HANDSHAKE) {
        client = hammer_client_create(cmd, &opts);
        if (client == NULL) {
            hammer_verdict_fail(verdict, "could not create a client");
            return;
        }
        hammer_run_note_op("start");
        esp_websocket_client_start(hammer_client_handle(client));
        check_handshake(client, cmd, &uri, verdict);
    } else {
        client = scenario_open(cmd, &opts, verdict);
        if (client == NULL) {
            return;
        }
        run_established(client, cmd, fault, &uri, verdict);
        if (hammer_run_wedged()) {
            return;
        }
    }
    report_seen(client, verdict);
    scenario_shutdown(client, verdict);
}

static uint32_t bound_ms(const hammer_cmd_t *cmd)
{
    return scenario_clamp_ms((uint64_t)cmd->network_timeout_ms + 2 * detect_ms(cmd) + reconnect_ms(cmd) +
                             scenario_send_bound_ms(cmd) + 2 * HAMMER_STOP_BOUND_MS);
}

const hammer_scenario_t hammer_scenario_server_faults = {
    .name = "server_faults",
    .run = run,
    .bound_ms = bound_ms,
};
