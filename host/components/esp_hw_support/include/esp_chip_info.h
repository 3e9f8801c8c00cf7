/* Chip information (ESP-IDF's esp_chip_info.h); the host reports the POSIX/Linux model. No state. */
#pragma once

#include <stdint.h>
#include "esp_bit_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CHIP_ESP32 = 1,
    CHIP_ESP32S2 = 2,
    CHIP_ESP32S3 = 9,
    CHIP_ESP32C3 = 5,
    CHIP_ESP32C2 = 12,
    CHIP_ESP32C6 = 13,
    CHIP_ESP32H2 = 16,
    CHIP_ESP32P4 = 18,
    CHIP_POSIX_LINUX = 999,
} esp_chip_model_t;

#define CHIP_FEATURE_EMB_FLASH      BIT0
#define CHIP_FEATURE_WIFI_BGN       BIT1
#define CHIP_FEATURE_BLE            BIT4
#define CHIP_FEATURE_BT             BIT5
#define CHIP_FEATURE_IEEE802154     BIT6
#define CHIP_FEATURE_EMB_PSRAM      BIT7

typedef struct {
    esp_chip_model_t model;
    uint32_t features;
    uint16_t revision;
    uint8_t cores;
} esp_chip_info_t;

/* model CHIP_POSIX_LINUX, no features, revision 0, cores = online CPUs (at most 255). */
void esp_chip_info(esp_chip_info_t *out_info);

#ifdef __cplusplus
}
#endif
