/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * wsh_platform_start.c: the start-up every test app runs first in app_main, on every target. Main task only,
 * before any client exists; nothing is shared.
 */
#include "wsh_platform.h"

#include <stddef.h>
#include "esp_log.h"
#include "hammer_network.h"
#include "wsh_stdin.h"

const char *wsh_platform_start(const char *tag)
{
    wsh_stdin_init();
    esp_err_t err = wsh_platform_init();
    if (err == ESP_OK) {
        err = hammer_network_up();
    }
    if (err != ESP_OK) {
        /* The app still takes commands: every run then fails with a connect error the rig can read. */
        ESP_LOGE(tag, "NETWORK error=%s", esp_err_to_name(err));
        return NULL;
    }
    return hammer_network_address();
}
