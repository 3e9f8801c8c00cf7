/*
 * Console of the sentinel test app: one line "<case> port=<n> [host=<ip>] [ca=<pem file>]" runs one
 * scenario, then the process exits 0 (unless the sentinel aborted it). Main task only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "violations.h"

static const char *TAG = "sentinel_app";

typedef struct {
    const char *name;
    void (*run)(const violation_peer_t *peer);
} scenario_t;

static const scenario_t SCENARIOS[] = {
    { "io_after_close", violation_io_after_close },
    { "io_after_destroy", violation_io_after_destroy },
    { "close_during_io", violation_close_during_io },
    { "close_names_the_holder", violation_close_names_the_holder },
    { "tls_concurrent", violation_tls_concurrent },
    { "ws_write_concurrent", violation_ws_write_concurrent },
    { "serialised", violation_none_when_serialised },
};

/* Fills peer from "key=value" tokens; returns false on an unknown key. */
static bool parse_peer(char *save, violation_peer_t *peer)
{
    for (char *tok = strtok_r(NULL, " \r\n", &save); tok; tok = strtok_r(NULL, " \r\n", &save)) {
        if (strncmp(tok, "port=", 5) == 0) {
            peer->port = atoi(tok + 5);
        } else if (strncmp(tok, "host=", 5) == 0) {
            peer->host = tok + 5;
        } else if (strncmp(tok, "ca=", 3) == 0) {
            peer->ca_path = tok + 3;
        } else {
            return false;
        }
    }
    return peer->port > 0;
}

void app_main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    char line[512];
    if (fgets(line, sizeof(line), stdin) == NULL) {
        ESP_LOGE(TAG, "BADCMD reason=\"no input\"");
        exit(2);
    }
    char *save = NULL;
    const char *name = strtok_r(line, " \r\n", &save);
    violation_peer_t peer = { .host = "127.0.0.1" };
    if (name == NULL || !parse_peer(save, &peer)) {
        ESP_LOGE(TAG, "BADCMD reason=\"usage: <case> port=<n> [host=<ip>] [ca=<file>]\"");
        exit(2);
    }
    for (size_t i = 0; i < sizeof(SCENARIOS) / sizeof(SCENARIOS[0]); i++) {
        if (strcmp(SCENARIOS[i].name, name) == 0) {
            SCENARIOS[i].run(&peer);
            exit(0);  /* on linux, returning from app_main leaves the scheduler running */
        }
    }
    ESP_LOGE(TAG, "BADCMD reason=\"unknown case %s\"", name);
    exit(2);
}
