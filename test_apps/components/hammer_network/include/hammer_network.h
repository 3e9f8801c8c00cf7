/*
 * hammer_network: brings the device onto the network the hammer rig talks over.
 *
 * One call, hammer_network_up(), from app_main before the app prints READY. On a board it starts the
 * link chosen in menuconfig ("wshammer network": Wi-Fi station, internal EMAC + PHY, SPI W5500, or
 * OpenCores Ethernet under QEMU) and blocks until DHCP gives an IPv4 address or the bring-up timeout
 * passes. On linux (ESP-IDF's own linux target, or host/) the process shares the machine's network:
 * both calls are trivial.
 *
 * Threading: call hammer_network_up() from one task (app_main); hammer_network_address() may be called
 * from any task once hammer_network_up() has returned ESP_OK.
 */
#pragma once

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Bring the configured network link up and wait for an IPv4 address.
 *
 * Idempotent: once up, later calls return ESP_OK at once.
 *
 * @return ESP_OK with an address; ESP_ERR_TIMEOUT when no address came within
 *         CONFIG_HAMMER_NETWORK_TIMEOUT_MS; ESP_ERR_INVALID_ARG when the link is
 *         misconfigured (e.g. an empty Wi-Fi SSID); another esp_err_t from the driver that
 *         failed. Every failure is logged at error level with the reason. On linux: ESP_OK.
 */
esp_err_t hammer_network_up(void);

/**
 * The device's IPv4 address as dotted text ("127.0.0.1" on linux), or "" before
 * hammer_network_up() has succeeded. The string is static and stays valid.
 */
const char *hammer_network_address(void);

#ifdef __cplusplus
}
#endif
