/*
 * Wi-Fi station link: joins CONFIG_HAMMER_NETWORK_WIFI_SSID and rejoins after a drop, each time for at
 * most CONFIG_HAMMER_NETWORK_WIFI_MAX_RETRY attempts, with power save off so that latency figures
 * measure the client, not the radio's sleep schedule.
 *
 * Locking: s_attempts is touched only by on_wifi_event(), which runs in the default event loop task.
 */
#include "sdkconfig.h"

#if CONFIG_HAMMER_NETWORK_LINK_WIFI

#include <string.h>

#include "esp_check.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_wifi.h"

#include "hammer_network_link.h"

static const char *TAG = "hammer_network";

const char *const hammer_link_name = "wifi";

static int s_attempts;

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id == WIFI_EVENT_STA_START) {
        s_attempts = 1;
        esp_wifi_connect();
        return;
    }
    if (id == WIFI_EVENT_STA_CONNECTED) {
        s_attempts = 0;  /* every outage gets the full number of attempts */
        return;
    }
    if (id != WIFI_EVENT_STA_DISCONNECTED) {
        return;
    }
    const wifi_event_sta_disconnected_t *lost = data;
    if (s_attempts >= CONFIG_HAMMER_NETWORK_WIFI_MAX_RETRY) {
        ESP_LOGE(TAG, "wifi: giving up on \"%s\" after %d attempts (last reason %d)",
                 CONFIG_HAMMER_NETWORK_WIFI_SSID, s_attempts, lost->reason);
        hammer_network_link_failed(ESP_ERR_WIFI_NOT_CONNECT);
        return;
    }
    ESP_LOGW(TAG, "wifi: not connected to \"%s\" (reason %d), attempt %d of %d", CONFIG_HAMMER_NETWORK_WIFI_SSID,
             lost->reason, s_attempts + 1, CONFIG_HAMMER_NETWORK_WIFI_MAX_RETRY);
    s_attempts++;
    esp_wifi_connect();
}

/* The SSID and password fields need no terminating NUL when full (a 32-byte SSID is valid). */
static void copy_field(uint8_t *field, size_t size, const char *text)
{
    size_t length = strlen(text);
    memcpy(field, text, length < size ? length : size);
}

static void fill_station_config(wifi_config_t *config)
{
    memset(config, 0, sizeof(*config));
    copy_field(config->sta.ssid, sizeof(config->sta.ssid), CONFIG_HAMMER_NETWORK_WIFI_SSID);
    copy_field(config->sta.password, sizeof(config->sta.password), CONFIG_HAMMER_NETWORK_WIFI_PASSWORD);
    /* An empty password means an open network; otherwise refuse anything weaker than WPA2. */
    config->sta.threshold.authmode =
        CONFIG_HAMMER_NETWORK_WIFI_PASSWORD[0] == '\0' ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA2_PSK;
}

esp_err_t hammer_link_start(esp_netif_t **out_netif)
{
    if (CONFIG_HAMMER_NETWORK_WIFI_SSID[0] == '\0') {
        ESP_LOGE(TAG, "wifi: no SSID: set CONFIG_HAMMER_NETWORK_WIFI_SSID (menu \"wshammer network\") or "
                      "WSH_WIFI_SSID in the environment of a fresh build");
        return ESP_ERR_INVALID_ARG;
    }
    *out_netif = esp_netif_create_default_wifi_sta();
    ESP_RETURN_ON_FALSE(*out_netif != NULL, ESP_FAIL, TAG, "wifi: no station netif");

    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    ESP_RETURN_ON_ERROR(esp_wifi_init(&init), TAG, "esp_wifi_init");
    ESP_RETURN_ON_ERROR(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL), TAG,
                        "Wi-Fi event handler");

    wifi_config_t config;
    fill_station_config(&config);
    ESP_RETURN_ON_ERROR(esp_wifi_set_mode(WIFI_MODE_STA), TAG, "station mode");
    ESP_RETURN_ON_ERROR(esp_wifi_set_config(WIFI_IF_STA, &config), TAG, "station config");
    ESP_RETURN_ON_ERROR(esp_wifi_start(), TAG, "esp_wifi_start");
    return esp_wifi_set_ps(WIFI_PS_NONE);
}

#endif /* CONFIG_HAMMER_NETWORK_LINK_WIFI */
