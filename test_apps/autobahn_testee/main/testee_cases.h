/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Autobahn client protocol: ask the case count, run each case, have the server write its reports.
 * Console task only.
 */
#pragma once

#include <stdbool.h>

#include "testee_command.h"

/* Runs every case the server offers, logging CASES, one CASE line each and DONE (docs/conformance.md).
 * False when the server could not be asked or no case ran. */
bool testee_cases_run(const testee_command_t *cmd);
