/*
 * ct_cases.h: the test cases of the host test app, one function per command name.
 * Each case logs CHECK/measurement lines and returns true when its own checks passed.
 * Locking: cases run in the console task; shared state is in ct_support's atomics.
 */
#pragma once

#include <stdbool.h>
#include "ct_support.h"

bool ct_case_api(const ct_args_t *args);
bool ct_case_headers(const ct_args_t *args);
bool ct_case_events(const ct_args_t *args);
bool ct_case_receive(const ct_args_t *args);
bool ct_case_server_close(const ct_args_t *args);
bool ct_case_protocol_error(const ct_args_t *args);
bool ct_case_handler_calls(const ct_args_t *args);
bool ct_case_partial_stall(const ct_args_t *args);
bool ct_case_stop_latency(const ct_args_t *args);
bool ct_case_multi_send(const ct_args_t *args);
bool ct_case_abort_storm(const ct_args_t *args);
bool ct_case_cycles(const ct_args_t *args);
