/* ESP-IDF's esp_system.h on the host: restart, reset reason, shutdown handlers, abort and heap figures.
 * Restart ends the process (see src/system_restart.c); heap figures come from the heap component. */
#pragma once

#include <stdint.h>
#include "esp_err.h"
#include "esp_attr.h"
#include "esp_bit_defs.h"
#include "esp_idf_version.h"
#include "sdkconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_RST_UNKNOWN,
    ESP_RST_POWERON,
    ESP_RST_EXT,
    ESP_RST_SW,
    ESP_RST_PANIC,
    ESP_RST_INT_WDT,
    ESP_RST_TASK_WDT,
    ESP_RST_WDT,
    ESP_RST_DEEPSLEEP,
    ESP_RST_BROWNOUT,
    ESP_RST_SDIO,
    ESP_RST_USB,
    ESP_RST_JTAG,
    ESP_RST_EFUSE,
    ESP_RST_PWR_GLITCH,
    ESP_RST_CPU_LOCKUP,
} esp_reset_reason_t;

typedef void (*shutdown_handler_t)(void);

/* Registers a handler esp_restart() runs first (most recent first). At most 5, as in ESP-IDF. */
esp_err_t esp_register_shutdown_handler(shutdown_handler_t handle);
esp_err_t esp_unregister_shutdown_handler(shutdown_handler_t handle);

/* Runs the shutdown handlers, logs, and ends the process with status 0 (the host has nothing to reboot). */
void esp_restart(void) __attribute__((noreturn));

/* Always ESP_RST_POWERON: every host run is a fresh process. */
esp_reset_reason_t esp_reset_reason(void);

/* Free heap in bytes: WSH_HEAP_SIZE minus the bytes the process holds (see docs/host-platform.md). */
uint32_t esp_get_free_heap_size(void);
uint32_t esp_get_free_internal_heap_size(void);
/* The lowest esp_get_free_heap_size() value observed so far. */
uint32_t esp_get_minimum_free_heap_size(void);

/* Prints "abort() was called: <details>" and aborts. */
void esp_system_abort(const char *details) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif
