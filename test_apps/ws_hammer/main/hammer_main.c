/*
 * Entry point of the ws_hammer test app: console, platform start-up, network bring-up, then the
 * command loop (docs/hammer-protocol.md). Runs in the main task only.
 */
#include "esp_err.h"
#include "esp_log.h"
#include "hammer_console.h"
#include "hammer_network.h"
#include "wsh_platform.h"

static const char *TAG = "wsh";

void app_main(void)
{
    hammer_console_init();
    esp_err_t err = wsh_platform_init();
    if (err == ESP_OK) {
        err = hammer_network_up();
    }
    if (err != ESP_OK) {
        /* Still take commands: every run will then fail with a connect error the rig can read. */
        ESP_LOGE(TAG, "NETWORK error=%s", esp_err_to_name(err));
    }
    hammer_console_run(err == ESP_OK ? hammer_network_address() : NULL);
}
