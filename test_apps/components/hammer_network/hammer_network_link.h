/*
 * The seam between hammer_network.c (bring-up and the wait for an address) and the one link driver
 * that menuconfig selected (hammer_link_wifi.c or hammer_link_eth.c). Exactly one file defines
 * hammer_link_start() for a given configuration.
 *
 * Locking: hammer_link_start() runs in the task that called hammer_network_up(); link event handlers
 * run in the default event loop task and talk back only through hammer_network_link_failed().
 */
#pragma once

#include "esp_err.h"
#include "esp_netif.h"

/* Name of the configured link, for log lines ("wifi", "eth-emac", "eth-w5500", "openeth"). */
extern const char *const hammer_link_name;

/*
 * Create the interface's esp_netif (stored in *out_netif before the driver starts) and its driver, and
 * start it. Returns at once; the address arrives later as an IP_EVENT on *out_netif. On error it
 * returns the driver's code; hammer_network_up() logs it and the app reports it before giving up.
 */
esp_err_t hammer_link_start(esp_netif_t **out_netif);

/* Called by a link (from any task) when it has given up for good; wakes hammer_network_up() with err. */
void hammer_network_link_failed(esp_err_t err);
