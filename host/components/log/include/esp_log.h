/* ESP-IDF's logging API on the host. Lines are "L (ms) TAG: message\n", ms since the process started,
 * written with one write() each so lines from parallel threads never interleave. Per-tag levels are
 * thread-safe (see src/log_level.c). Colors are never emitted. */
#pragma once

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <inttypes.h>
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_LOG_NONE,
    ESP_LOG_ERROR,
    ESP_LOG_WARN,
    ESP_LOG_INFO,
    ESP_LOG_DEBUG,
    ESP_LOG_VERBOSE,
    ESP_LOG_MAX,
} esp_log_level_t;

typedef int (*vprintf_like_t)(const char *, va_list);

/* Sets the level of one tag; "*" sets the default and resets every tag to it. */
void esp_log_level_set(const char *tag, esp_log_level_t level);
esp_log_level_t esp_log_level_get(const char *tag);

/* Replaces the line sink (default: one write() of the formatted line to stdout); returns the previous one. */
vprintf_like_t esp_log_set_vprintf(vprintf_like_t func);

/* Milliseconds since the process started. */
uint32_t esp_log_timestamp(void);
uint32_t esp_log_early_timestamp(void);

/* Writes one message of tag at level if the tag's level allows it; format carries the whole line. */
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args);

void esp_log_buffer_hex_internal(const char *tag, const void *buffer, uint16_t buff_len, esp_log_level_t level);
void esp_log_buffer_char_internal(const char *tag, const void *buffer, uint16_t buff_len, esp_log_level_t level);
void esp_log_buffer_hexdump_internal(const char *tag, const void *buffer, uint16_t buff_len,
                                     esp_log_level_t log_level);

#ifndef LOG_LOCAL_LEVEL
#define LOG_LOCAL_LEVEL CONFIG_LOG_MAXIMUM_LEVEL
#endif

#define LOG_FORMAT(letter, format) #letter " (%" PRIu32 ") %s: " format "\n"

#define ESP_LOG_LEVEL(level, tag, format, ...) do {                                                    \
        if ((level) == ESP_LOG_ERROR) {                                                                \
            esp_log_write(ESP_LOG_ERROR, tag, LOG_FORMAT(E, format), esp_log_timestamp(), tag, ##__VA_ARGS__); \
        } else if ((level) == ESP_LOG_WARN) {                                                          \
            esp_log_write(ESP_LOG_WARN, tag, LOG_FORMAT(W, format), esp_log_timestamp(), tag, ##__VA_ARGS__); \
        } else if ((level) == ESP_LOG_DEBUG) {                                                         \
            esp_log_write(ESP_LOG_DEBUG, tag, LOG_FORMAT(D, format), esp_log_timestamp(), tag, ##__VA_ARGS__); \
        } else if ((level) == ESP_LOG_VERBOSE) {                                                       \
            esp_log_write(ESP_LOG_VERBOSE, tag, LOG_FORMAT(V, format), esp_log_timestamp(), tag, ##__VA_ARGS__); \
        } else {                                                                                       \
            esp_log_write(ESP_LOG_INFO, tag, LOG_FORMAT(I, format), esp_log_timestamp(), tag, ##__VA_ARGS__); \
        }                                                                                              \
    } while (0)

#define ESP_LOG_LEVEL_LOCAL(level, tag, format, ...) do {                                              \
        if (LOG_LOCAL_LEVEL >= (level)) {                                                              \
            ESP_LOG_LEVEL(level, tag, format, ##__VA_ARGS__);                                          \
        }                                                                                              \
    } while (0)

#define ESP_LOGE(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_ERROR, tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_WARN, tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_INFO, tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_DEBUG, tag, format, ##__VA_ARGS__)
#define ESP_LOGV(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_VERBOSE, tag, format, ##__VA_ARGS__)

/* Early and DRAM logging have no separate path on the host: same filter, same sink. */
#define ESP_EARLY_LOGE(tag, format, ...) ESP_LOGE(tag, format, ##__VA_ARGS__)
#define ESP_EARLY_LOGW(tag, format, ...) ESP_LOGW(tag, format, ##__VA_ARGS__)
#define ESP_EARLY_LOGI(tag, format, ...) ESP_LOGI(tag, format, ##__VA_ARGS__)
#define ESP_EARLY_LOGD(tag, format, ...) ESP_LOGD(tag, format, ##__VA_ARGS__)
#define ESP_EARLY_LOGV(tag, format, ...) ESP_LOGV(tag, format, ##__VA_ARGS__)
#define ESP_DRAM_LOGE(tag, format, ...) ESP_LOGE(tag, format, ##__VA_ARGS__)
#define ESP_DRAM_LOGW(tag, format, ...) ESP_LOGW(tag, format, ##__VA_ARGS__)
#define ESP_DRAM_LOGI(tag, format, ...) ESP_LOGI(tag, format, ##__VA_ARGS__)
#define ESP_DRAM_LOGD(tag, format, ...) ESP_LOGD(tag, format, ##__VA_ARGS__)
#define ESP_DRAM_LOGV(tag, format, ...) ESP_LOGV(tag, format, ##__VA_ARGS__)

#define ESP_LOG_BUFFER_HEX_LEVEL(tag, buffer, buff_len, level) do {                                   \
        if (LOG_LOCAL_LEVEL >= (level)) {                                                              \
            esp_log_buffer_hex_internal(tag, buffer, buff_len, level);                                 \
        }                                                                                              \
    } while (0)
#define ESP_LOG_BUFFER_CHAR_LEVEL(tag, buffer, buff_len, level) do {                                  \
        if (LOG_LOCAL_LEVEL >= (level)) {                                                              \
            esp_log_buffer_char_internal(tag, buffer, buff_len, level);                                \
        }                                                                                              \
    } while (0)
#define ESP_LOG_BUFFER_HEXDUMP(tag, buffer, buff_len, level) do {                                     \
        if (LOG_LOCAL_LEVEL >= (level)) {                                                              \
            esp_log_buffer_hexdump_internal(tag, buffer, buff_len, level);                             \
        }                                                                                              \
    } while (0)
#define ESP_LOG_BUFFER_HEX(tag, buffer, buff_len) ESP_LOG_BUFFER_HEX_LEVEL(tag, buffer, buff_len, ESP_LOG_INFO)
#define ESP_LOG_BUFFER_CHAR(tag, buffer, buff_len) ESP_LOG_BUFFER_CHAR_LEVEL(tag, buffer, buff_len, ESP_LOG_INFO)
#define esp_log_buffer_hex(tag, buffer, buff_len) ESP_LOG_BUFFER_HEX(tag, buffer, buff_len)
#define esp_log_buffer_char(tag, buffer, buff_len) ESP_LOG_BUFFER_CHAR(tag, buffer, buff_len)

#ifdef __cplusplus
}
#endif
