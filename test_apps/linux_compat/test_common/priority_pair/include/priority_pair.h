/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * priority_pair.h: runs two functions as tasks of different priorities and waits for both to return.
 */
#pragma once

#include <stdbool.h>

#define PRIORITY_PAIR_LOW 2
#define PRIORITY_PAIR_HIGH 5

/*
 * Runs high() at PRIORITY_PAIR_HIGH and low() at PRIORITY_PAIR_LOW, high first (once low runs it may keep the
 * CPU from the caller), and returns once both have returned; false if the tasks cannot be created. The caller
 * must be of lower priority than both.
 */
bool priority_pair_run(void (*high)(void), void (*low)(void));
