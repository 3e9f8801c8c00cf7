/*
 * Shared scenario steps. Everything here runs in the scenario task and owns
 * the client/sender objects it creates until it destroys them; cross-task
 * state is only read through hammer_client/hammer_stats atomics.
 */
#include "scenario_common.h"

#include <inttypes.h>

#include "esp_timer.h"
#include "hammer_message.h"
#include "hammer_stats.h"

/* Connecting may take a whole network timeout (TLS on a slow board), plus a margin. */
#define CONNECT_MARGIN_MS 3000
/*
 * With a per-send timeout this short a correct client may fail a send only because another task held its
 * lock; multi_send then allows send errors and checks that the connection survives them (F12).
 */
#define SHORT_TIMEOUT_MS 50

hammer_client_opts_t scenario_default_opts(const hammer_cmd_t *cmd)
{
    hammer_client_opts_t opts = {
        .auto_reconnect = cmd->auto_reconnect != 0,
        .close_reconnect = false,
        .log_events = false,
    };
    return opts;
}

hammer_client_t *scenario_open(const hammer_cmd_t *cmd, const hammer_client_opts_t *opts, hammer_verdict_t *verdict)
{
    const char *uri = opts->uri ? opts->uri : cmd->uri;
    hammer_run_note_op("init");
    hammer_client_t *client = hammer_client_create(cmd, opts);
    if (client == NULL) {
        hammer_verdict_fail(verdict, "could not create a client for %s", uri);
        return NULL;
    }
    hammer_run_note_op("start");
    esp_err_t err = esp_websocket_client_start(hammer_client_handle(client));
    if (err != ESP_OK) {
        hammer_verdict_fail(verdict, "start failed: %s", esp_err_to_name(err));
        hammer_client_destroy(client);
        return NULL;
    }
    hammer_run_note_op("waiting for CONNECTED");
    if (!hammer_client_wait(client, HAMMER_EV_CONNECTED, 1, cmd->network_timeout_ms + CONNECT_MARGIN_MS)) {
        hammer_verdict_fail(verdict, "no CONNECTED from %s within %" PRIu32 " ms", uri,
                            cmd->network_timeout_ms + CONNECT_MARGIN_MS);
        scenario_shutdown(client, verdict);
        return NULL;
    }
    return client;
}

double scenario_timed_stop(hammer_client_t *client)
{
    hammer_run_note_op("stop");
    int64_t t0 = esp_timer_get_time();
    esp_websocket_client_stop(hammer_client_handle(client));
    return (double)(esp_timer_get_time() - t0) / 1000.0;
}

double scenario_timed_destroy(hammer_client_t *client)
{
    hammer_run_note_op("destroy");
    int64_t t0 = esp_timer_get_time();
    hammer_client_destroy(client);
    return (double)(esp_timer_get_time() - t0) / 1000.0;
}

void scenario_check_heap_fall(hammer_verdict_t *verdict, const char *over, int64_t first, int64_t last)
{
    if (first >= 0 && last >= 0 && last + HAMMER_HEAP_TOLERANCE < first) {
        hammer_verdict_fail(verdict, "heap fell %lld bytes %s (tolerance %d)", (long long)(first - last), over,
                            HAMMER_HEAP_TOLERANCE);
    }
}

bool scenario_needs(bool has, const char *what, const char *since, hammer_verdict_t *verdict)
{
    if (!has) {
        hammer_verdict_skip(verdict, "this client tree has no %s (esp_websocket_client %s and later)", what, since);
    }
    return has;
}

void scenario_check_bound(hammer_verdict_t *verdict, const char *what, double ms)
{
    if (ms > HAMMER_STOP_BOUND_MS) {
        hammer_verdict_fail(verdict, "%s took %.0f ms (bound %d)", what, ms, HAMMER_STOP_BOUND_MS);
    }
}

void scenario_shutdown(hammer_client_t *client, hammer_verdict_t *verdict)
{
    double stop_ms = scenario_timed_stop(client);
    double destroy_ms = scenario_timed_destroy(client);
    scenario_check_bound(verdict, "stop", stop_ms);
    scenario_check_bound(verdict, "destroy", destroy_ms);
}

bool scenario_send_one(esp_websocket_client_handle_t h, const hammer_cmd_t *cmd, uint8_t *buf,
                       hammer_task_tally_t *tally)
{
    uint32_t seq = tally->attempted;
    hammer_shape_t shape = hammer_message_build(buf, cmd->seed, tally->id, seq, cmd->min, cmd->max);
    TickType_t timeout = pdMS_TO_TICKS(cmd->timeout_ms);
    int len = (int)shape.len;
    int64_t started = esp_timer_get_time();
    int r = shape.text ? esp_websocket_client_send_text(h, (const char *)buf, len, timeout)
            : esp_websocket_client_send_bin(h, (const char *)buf, len, timeout);
    hammer_stats_count_send(tally, seq, r == len, started);
    return r == len;
}

bool scenario_expects_echoes(const char *uri_text)
{
    hammer_uri_t uri;
    return !(hammer_uri_parse(uri_text, &uri) && hammer_uri_path_is(&uri, "/sink"));
}

uint32_t scenario_clamp_ms(uint64_t ms)
{
    /* Half the range: callers still add margins to it. */
    return ms > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)ms;
}

uint32_t scenario_send_bound_ms(const hammer_cmd_t *cmd)
{
    /* A partial message is several calls, each with its own timeout; allow a few per message. */
    uint64_t per_msg = (uint64_t)cmd->timeout_ms * 4 + 20;
    return scenario_clamp_ms(per_msg * cmd->msgs + 5000);
}

bool scenario_finish_senders(hammer_senders_t *senders, bool stop_first, uint32_t timeout_ms,
                             hammer_verdict_t *verdict)
{
    if (stop_first) {
        hammer_senders_stop(senders);
    }
    if (!hammer_senders_join(senders, timeout_ms)) {
        hammer_verdict_fail(verdict, "a send did not return within %" PRIu32 " ms", timeout_ms);
        hammer_run_wedge();
        return false;
    }
    uint32_t attempted = hammer_stats_get(HAMMER_STAT_ATTEMPTED);
    uint32_t returned = hammer_stats_get(HAMMER_STAT_SENT) + hammer_stats_get(HAMMER_STAT_SEND_ERR);
    if (attempted != returned) {
        hammer_verdict_fail(verdict, "%" PRIu32 " sends attempted but %" PRIu32 " returned", attempted, returned);
    }
    return true;
}

static void check_echoes(const hammer_cmd_t *cmd, hammer_verdict_t *verdict)
{
    uint32_t sent = hammer_stats_get(HAMMER_STAT_SENT);
    if (!scenario_expects_echoes(cmd->uri)) {
        /* /sink never answers: anything that comes back is a bug. */
        if (hammer_stats_get(HAMMER_STAT_ECHOED) != 0) {
            hammer_verdict_fail(verdict, "the sink echoed %" PRIu32 " messages",
                                hammer_stats_get(HAMMER_STAT_ECHOED));
        }
        return;
    }
    hammer_run_note_op("waiting for echoes");
    if (!hammer_stats_wait(HAMMER_STAT_ECHOED, sent, HAMMER_DRAIN_MS, HAMMER_DRAIN_QUIET_MS)) {
        hammer_verdict_fail(verdict, "%" PRIu32 " of %" PRIu32 " echoes arrived", hammer_stats_get(HAMMER_STAT_ECHOED),
                            sent);
    }
}

void scenario_send_and_drain(const hammer_cmd_t *cmd, bool partial, hammer_verdict_t *verdict)
{
    hammer_client_opts_t opts = scenario_default_opts(cmd);
    hammer_client_t *client = scenario_open(cmd, &opts, verdict);
    if (client == NULL) {
        return;
    }
    hammer_senders_cfg_t cfg = {
        .handle = hammer_client_handle(client),
        .cmd = cmd,
        .partial = partial,
        .msgs = cmd->msgs,
    };
    hammer_senders_t *senders = hammer_senders_start(&cfg);
    /* Partial senders take turns for whole messages, so their worst cases add up. */
    uint32_t join_ms = scenario_clamp_ms((uint64_t)scenario_send_bound_ms(cmd) * (partial ? cmd->tasks : 1));
    if (senders == NULL) {
        hammer_verdict_fail(verdict, "could not start %" PRIu32 " sender tasks", cmd->tasks);
    } else if (!scenario_finish_senders(senders, false, join_ms, verdict)) {
        return;
    } else {
        uint32_t err = hammer_stats_get(HAMMER_STAT_SEND_ERR);
        uint32_t drops = hammer_client_count(client, HAMMER_EV_FAILURE);
        bool lock_timeouts_allowed = !partial && cmd->timeout_ms < SHORT_TIMEOUT_MS;
        if (drops > 0) {
            hammer_verdict_fail(verdict, "the connection to a healthy server failed (%" PRIu32
                                " ERROR/DISCONNECTED events)", drops);
        } else if (err > 0 && !lock_timeouts_allowed) {
            hammer_verdict_fail(verdict, "%" PRIu32 " sends failed on a healthy connection", err);
        }
        check_echoes(cmd, verdict);
    }
    hammer_verdict_extra(verdict, " pushed=%" PRIu32, hammer_stats_get(HAMMER_STAT_PUSHED));
    scenario_shutdown(client, verdict);
}
