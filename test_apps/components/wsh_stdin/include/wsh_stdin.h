/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Line input from stdin for the test apps: a pipe on linux, the console driver on a chip. One task reads;
 * nothing is shared.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Reads one line (without its newline) into `line`, NUL-terminated, keeping every byte across interrupted
 * reads. A line longer than `cap - 1` bytes is consumed whole, cut, and flagged in `*too_long`. Returns false
 * at end of input (linux: the runner closed stdin; a chip's console never ends). */
bool wsh_stdin_read_line(char *line, size_t cap, bool *too_long);
