/*
 * Connection cases: a blocking connect with its outcome and errors, connect_async's progress, and a blocking
 * connect cut short by another task's shutdown() of the published socket.
 * Console task only.
 */
#pragma once

#include "case_args.h"

void conn_case_connect(const case_args_t *args);
void conn_case_async(const case_args_t *args);
void conn_case_interrupt(const case_args_t *args);
