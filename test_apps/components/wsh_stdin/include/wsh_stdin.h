/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Line input from stdin for the test apps: a pipe on linux, the console driver on a chip. One task reads;
 * nothing is shared.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Unbuffered stdout, and on a chip the console driver that makes stdin block. Call once, first in app_main. */
void wsh_stdin_init(void);

/* Reads one line (without its newline) into `line`, NUL-terminated, keeping every byte across interrupted
 * reads. A line longer than `cap - 1` bytes is consumed whole, cut, and flagged in `*too_long`. Returns false
 * at end of input (linux: the runner closed stdin; a chip's console never ends). */
bool wsh_stdin_read_line(char *line, size_t cap, bool *too_long);
