/*
 * WebSocket transport cases against a live peer. Each prints one DONE line. Console task only.
 */
#pragma once

#include "case_args.h"

void ws_case_echo(const case_args_t *args);
void ws_case_frag(const case_args_t *args);
void ws_case_handshake(const case_args_t *args);
void ws_case_ping(const case_args_t *args);
void ws_case_close(const case_args_t *args);
void ws_case_redirect(const case_args_t *args);
void ws_case_masks(const case_args_t *args);
void ws_case_recv(const case_args_t *args);
