/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * wsh_platform_linux.c: start-up of a test app as a linux process (ESP-IDF's own linux target, or host/).
 * Runs once in the main task before any client exists; nothing is shared.
 */
#include "wsh_platform.h"

#include <signal.h>
#include "esp_idf_version.h"
#include "esp_log.h"

#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0)
#include "psa/crypto.h"

static const char *TAG = "wsh_platform";
#endif

esp_err_t wsh_platform_init(void)
{
    /* ESP-IDF's tcp transport writes with write()/send() and no MSG_NOSIGNAL: a write to a socket the peer
     * reset would end the process with SIGPIPE, where lwIP on a chip returns an error. */
    signal(SIGPIPE, SIG_IGN);
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0)
    /* Mbed TLS 4 refuses every operation before psa_crypto_init(); on a chip ESP-IDF calls it from a start-up
     * hook that the linux target never runs. */
    psa_status_t status = psa_crypto_init();
    if (status != PSA_SUCCESS) {
        ESP_LOGE(TAG, "psa_crypto_init failed: %d", (int)status);
        return ESP_FAIL;
    }
#endif
    return ESP_OK;
}
