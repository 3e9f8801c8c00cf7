/*
 * Connection cases: a blocking connect with its outcome and errors, and connect_async's progress.
 * Console task only.
 */
#pragma once

#include "case_args.h"

void conn_case_connect(const case_args_t *args);
void conn_case_async(const case_args_t *args);
