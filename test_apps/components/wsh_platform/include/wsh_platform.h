/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Start-up of the test apps: what ESP-IDF does before app_main on a chip and a linux process lacks.
 * Called once, first thing in app_main, before any task or client exists; no locking.
 */
#pragma once

#include "esp_err.h"

/* linux: SIGPIPE ignored, PSA crypto initialised (Mbed TLS 4). A chip: nothing to do. */
esp_err_t wsh_platform_init(void);

/* The console (wsh_stdin_init), wsh_platform_init, then the network (hammer_network_up): the device's address,
 * or NULL when one of them failed (logged under `tag` as "NETWORK error=<name>"). */
const char *wsh_platform_start(const char *tag);
