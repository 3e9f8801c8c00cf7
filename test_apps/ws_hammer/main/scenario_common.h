/*
 * Steps several scenarios share: open a connected client, stop/destroy it
 * under a time bound, send-and-drain with sender tasks. Each call runs in the
 * scenario task; the clients and sender sets they touch belong to it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hammer_client.h"
#include "hammer_sender.h"
#include "hammer_cmd.h"
#include "hammer_run.h"
#include "hammer_stats.h"

/* Longest stop()/destroy() may take in any client state (docs/hammer-protocol.md). */
#define HAMMER_STOP_BOUND_MS 1500
/* How long echoes may keep arriving after the last send before we stop waiting. */
#define HAMMER_DRAIN_MS 15000
#define HAMMER_DRAIN_QUIET_MS 3000

/* The options most scenarios use: the command's reconnect policy, no EVENT lines. */
hammer_client_opts_t scenario_default_opts(const hammer_cmd_t *cmd);

/* Creates and starts a client, waits for CONNECTED; on failure records why and returns NULL. */
hammer_client_t *scenario_open(const hammer_cmd_t *cmd, const hammer_client_opts_t *opts, hammer_verdict_t *verdict);

/* Calls stop() and returns how long it took in ms (fractional). */
double scenario_timed_stop(hammer_client_t *client);

/* Calls destroy() (the wrapper goes too) and returns how long it took in ms. */
double scenario_timed_destroy(hammer_client_t *client);

/* Fails the verdict when free heap fell more than HAMMER_HEAP_TOLERANCE from `first` to `last` (`over` names the
 * span); a figure of -1 (unknown) skips the check. */
#define HAMMER_HEAP_TOLERANCE 32768
void scenario_check_heap_fall(hammer_verdict_t *verdict, const char *over, int64_t first, int64_t last);

/*
 * True when the tree under test has the feature (has: a WSH_CLIENT_HAS_* of main/CMakeLists.txt); else the
 * run is skipped, naming the feature (`what`) and the release that added it (`since`).
 */
bool scenario_needs(bool has, const char *what, const char *since, hammer_verdict_t *verdict);

/* Records a failure "<what> took X ms (bound B)" when ms exceeds HAMMER_STOP_BOUND_MS. */
void scenario_check_bound(hammer_verdict_t *verdict, const char *what, double ms);

/* stop() then destroy(), each held to HAMMER_STOP_BOUND_MS; records a failure if either overruns. */
void scenario_shutdown(hammer_client_t *client, hammer_verdict_t *verdict);

/* Sends the tally's next message (seq = attempts so far) whole with the command's timeout, counting it. */
bool scenario_send_one(esp_websocket_client_handle_t h, const hammer_cmd_t *cmd, uint8_t *buf,
                       hammer_task_tally_t *tally);

/* Does the server at this URI echo (everything but /sink)? */
bool scenario_expects_echoes(const char *uri);

/* Watchdog bounds are uint32 ms; long runs saturate instead of wrapping. */
uint32_t scenario_clamp_ms(uint64_t ms);

/* Worst case for one sender task to get through its messages when every send times out. */
uint32_t scenario_send_bound_ms(const hammer_cmd_t *cmd);

/*
 * Ends a sender set: optionally asks it to stop, joins it within timeout_ms and checks that every send
 * returned (attempted == sent + send_err). If a sender is stuck inside the client, records why, wedges the
 * run (the client must not be destroyed under it) and returns false.
 */
bool scenario_finish_senders(hammer_senders_t *senders, bool stop_first, uint32_t timeout_ms,
                             hammer_verdict_t *verdict);

/*
 * multi_send and partial: one client, cmd->tasks senders x cmd->msgs, then a
 * bounded wait for every echo; fails on a dropped connection, a missing echo,
 * or any send error (multi_send with timeout_ms < 50 allows send errors:
 * lock timeouts under contention are legitimate there).
 */
void scenario_send_and_drain(const hammer_cmd_t *cmd, bool partial, hammer_verdict_t *verdict);
