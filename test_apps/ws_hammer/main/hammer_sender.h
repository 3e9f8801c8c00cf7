/*
 * Sender tasks: K tasks each sending hammer messages with increasing seq on
 * one client, whole (send_text/send_bin) or fragmented (the partial API).
 * A sender set is created, stopped and joined by one scenario task; each
 * sender's tallies belong to its task until it signals completion.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "esp_websocket_client.h"
#include "hammer_cmd.h"

typedef struct {
    esp_websocket_client_handle_t handle;
    const hammer_cmd_t *cmd;   /* tasks, seed, min, max, timeout_ms */
    bool partial;              /* fragment every message with the partial API */
    uint32_t msgs;             /* per task; 0 = until hammer_senders_stop() */
} hammer_senders_cfg_t;

typedef struct hammer_senders hammer_senders_t;

/* NULL when not every task could be created (those created are stopped and joined). */
hammer_senders_t *hammer_senders_start(const hammer_senders_cfg_t *cfg);

/* Asks every task to finish after its current message. */
void hammer_senders_stop(hammer_senders_t *senders);

/*
 * Waits (bounded) for every task, prints one TASK line each, frees the set.
 * Returns false if a task is still inside a send at timeout: the set is then
 * leaked on purpose, since that task still uses it.
 */
bool hammer_senders_join(hammer_senders_t *senders, uint32_t timeout_ms);
