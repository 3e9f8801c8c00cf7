/*
 * Scenarios that break the transport contract on purpose (and one that keeps it). Each connects to the
 * peer given by port (and ca for TLS), runs, and prints "DONE case=<name> count=<violations so far>".
 * Run from the console task; the helper tasks each scenario starts are joined before it returns.
 */
#pragma once

typedef struct {
    const char *host;
    int port;
    const char *ca_path;    /* PEM file, for the TLS scenario */
} violation_peer_t;

void violation_io_after_close(const violation_peer_t *peer);
void violation_io_after_destroy(const violation_peer_t *peer);
void violation_close_during_io(const violation_peer_t *peer);
void violation_close_names_the_holder(const violation_peer_t *peer);
void violation_tls_concurrent(const violation_peer_t *peer);
void violation_ws_write_concurrent(const violation_peer_t *peer);
void violation_none_when_serialised(const violation_peer_t *peer);
