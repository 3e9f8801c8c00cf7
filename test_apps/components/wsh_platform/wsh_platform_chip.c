/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * wsh_platform_chip.c: on a chip, ESP-IDF's start-up already did everything wsh_platform_init stands for.
 */
#include "wsh_platform.h"

esp_err_t wsh_platform_init(void)
{
    return ESP_OK;
}
