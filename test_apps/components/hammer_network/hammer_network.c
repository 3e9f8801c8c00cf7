/*
 * Device bring-up shared by every link: NVS, esp_netif and the default event loop, then the link that
 * menuconfig chose, then a bounded wait for its IPv4 address.
 *
 * Locking: s_events is created before any handler that uses it is registered, and never deleted.
 * s_address and s_failure are each written by exactly one event before that event's bit is set in
 * s_events, and read only after the bit was seen: the event group orders them. s_netif is written
 * before the link's driver starts, so before any IP event about it. s_up is touched only
 * by the task that calls hammer_network_up() (documented as a single caller).
 */
#include <stdbool.h>
#include <stdio.h>

#include "esp_check.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "nvs_flash.h"

#include "hammer_network.h"
#include "hammer_network_link.h"

#define GOT_IP_BIT BIT0
#define FAILED_BIT BIT1

static const char *TAG = "hammer_network";

static EventGroupHandle_t s_events;
static esp_netif_t *s_netif;      /* guard: the link stores it before it starts its driver, whose events
                                     reach on_ip_event() later through the event loop's queue */
static char s_address[16];        /* guard: GOT_IP_BIT; written once, before the bit is set */
static esp_err_t s_failure;       /* guard: FAILED_BIT */
static bool s_up;                 /* the caller's task only */

void hammer_network_link_failed(esp_err_t err)
{
    s_failure = err;
    xEventGroupSetBits(s_events, FAILED_BIT);
}

static void on_ip_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id != IP_EVENT_STA_GOT_IP && id != IP_EVENT_ETH_GOT_IP) {
        return;
    }
    const ip_event_got_ip_t *got = data;
    if (got->esp_netif != s_netif) {
        return;
    }
    /* s_address is written once: later leases (after a reconnect) only get logged, so readers of
     * hammer_network_address() never see it change under them. */
    if (xEventGroupGetBits(s_events) & GOT_IP_BIT) {
        ESP_LOGW(TAG, "%s: new lease " IPSTR " (the rig keeps using %s)", hammer_link_name,
                 IP2STR(&got->ip_info.ip), s_address);
        return;
    }
    snprintf(s_address, sizeof(s_address), IPSTR, IP2STR(&got->ip_info.ip));
    xEventGroupSetBits(s_events, GOT_IP_BIT);
}

/* NVS holds Wi-Fi calibration and settings; a partition from another app layout is erased and reused. */
static esp_err_t init_nvs(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_RETURN_ON_ERROR(nvs_flash_erase(), TAG, "erasing NVS");
        err = nvs_flash_init();
    }
    return err;
}

/* The app may have created the default loop already: that is not an error here. */
static esp_err_t init_event_loop(void)
{
    esp_err_t err = esp_event_loop_create_default();
    return err == ESP_ERR_INVALID_STATE ? ESP_OK : err;
}

static esp_err_t wait_for_address(void)
{
    EventBits_t bits = xEventGroupWaitBits(s_events, GOT_IP_BIT | FAILED_BIT, pdFALSE, pdFALSE,
                                           pdMS_TO_TICKS(CONFIG_HAMMER_NETWORK_TIMEOUT_MS));
    if (bits & GOT_IP_BIT) {
        return ESP_OK;
    }
    if (bits & FAILED_BIT) {
        ESP_LOGE(TAG, "%s: link failed: %s", hammer_link_name, esp_err_to_name(s_failure));
        return s_failure;
    }
    ESP_LOGE(TAG, "%s: no IPv4 address within %d ms (cable, access point, DHCP server?)", hammer_link_name,
             CONFIG_HAMMER_NETWORK_TIMEOUT_MS);
    return ESP_ERR_TIMEOUT;
}

esp_err_t hammer_network_up(void)
{
    if (s_up) {
        return ESP_OK;
    }
    ESP_RETURN_ON_ERROR(init_nvs(), TAG, "NVS init failed");
    ESP_RETURN_ON_ERROR(esp_netif_init(), TAG, "esp_netif_init failed");
    ESP_RETURN_ON_ERROR(init_event_loop(), TAG, "default event loop");
    if (s_events == NULL) {
        s_events = xEventGroupCreate();
        ESP_RETURN_ON_FALSE(s_events != NULL, ESP_ERR_NO_MEM, TAG, "event group");
        ESP_RETURN_ON_ERROR(esp_event_handler_register(IP_EVENT, ESP_EVENT_ANY_ID, on_ip_event, NULL), TAG,
                            "IP event handler");
    }
    ESP_LOGI(TAG, "%s: starting", hammer_link_name);
    esp_err_t err = hammer_link_start(&s_netif);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "%s: start failed: %s", hammer_link_name, esp_err_to_name(err));
        return err;
    }
    ESP_RETURN_ON_ERROR(wait_for_address(), TAG, "network bring-up failed");
    s_up = true;
    ESP_LOGI(TAG, "%s: up, ip=%s", hammer_link_name, s_address);
    return ESP_OK;
}

const char *hammer_network_address(void)
{
    return s_up ? s_address : "";
}
