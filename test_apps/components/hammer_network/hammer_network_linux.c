/*
 * linux target (ESP-IDF's own, or host/): the process uses the machine's network stack directly, so
 * there is no interface to bring up and the servers are reached over loopback.
 *
 * Locking: none needed; nothing is mutable.
 */
#include "hammer_network.h"

esp_err_t hammer_network_up(void)
{
    return ESP_OK;
}

const char *hammer_network_address(void)
{
    return "127.0.0.1";
}
