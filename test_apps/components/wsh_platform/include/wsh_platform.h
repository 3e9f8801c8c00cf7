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
