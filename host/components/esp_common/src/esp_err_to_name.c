/* Names of the common esp_err_t codes. A constant table: no state, no locking. */
#include <stdio.h>
#include <string.h>
#include "esp_err.h"

typedef struct {
    esp_err_t code;
    const char *name;
} err_name_t;

#define ERR_NAME(code) { code, #code }

static const err_name_t s_names[] = {
    ERR_NAME(ESP_OK),
    ERR_NAME(ESP_FAIL),
    ERR_NAME(ESP_ERR_NO_MEM),
    ERR_NAME(ESP_ERR_INVALID_ARG),
    ERR_NAME(ESP_ERR_INVALID_STATE),
    ERR_NAME(ESP_ERR_INVALID_SIZE),
    ERR_NAME(ESP_ERR_NOT_FOUND),
    ERR_NAME(ESP_ERR_NOT_SUPPORTED),
    ERR_NAME(ESP_ERR_TIMEOUT),
    ERR_NAME(ESP_ERR_INVALID_RESPONSE),
    ERR_NAME(ESP_ERR_INVALID_CRC),
    ERR_NAME(ESP_ERR_INVALID_VERSION),
    ERR_NAME(ESP_ERR_INVALID_MAC),
    ERR_NAME(ESP_ERR_NOT_FINISHED),
    ERR_NAME(ESP_ERR_NOT_ALLOWED),
    ERR_NAME(ESP_ERR_WIFI_BASE),
    ERR_NAME(ESP_ERR_MESH_BASE),
    ERR_NAME(ESP_ERR_FLASH_BASE),
    ERR_NAME(ESP_ERR_HW_CRYPTO_BASE),
    ERR_NAME(ESP_ERR_MEMPROT_BASE),
};

static const char *lookup(esp_err_t code)
{
    for (size_t i = 0; i < sizeof(s_names) / sizeof(s_names[0]); i++) {
        if (s_names[i].code == code) {
            return s_names[i].name;
        }
    }
    return NULL;
}

const char *esp_err_to_name(esp_err_t code)
{
    const char *name = lookup(code);
    return name ? name : "UNKNOWN ERROR";
}

const char *esp_err_to_name_r(esp_err_t code, char *buf, size_t buflen)
{
    if (buf == NULL || buflen == 0) {
        return NULL;
    }
    const char *name = lookup(code);
    if (name) {
        snprintf(buf, buflen, "%s", name);
        return buf;
    }
    /* Codes below the ESP-IDF range are errno values, as in ESP-IDF. */
    if (code > 0 && code < 0x100) {
        char tmp[128];
        const char *text = strerror_r(code, tmp, sizeof(tmp)); /* GNU variant */
        snprintf(buf, buflen, "%s", text);
        return buf;
    }
    snprintf(buf, buflen, "Unknown error 0x%x", (unsigned)code);
    return buf;
}
