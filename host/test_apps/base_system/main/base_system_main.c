/* Reads one scenario name from stdin and runs it (tests/host/test_base_system.py, test_base_heap.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_err.h"
#include "esp_log.h"
#include "esp_system.h"
#include "scenarios.h"

static void on_shutdown(void)
{
    ESP_LOGI(SYS_TAG, "SHUTDOWN handler ran");
}

static void run(const char *name)
{
    if (strcmp(name, "info") == 0) {
        scenario_info();
        exit(0);
    } else if (strcmp(name, "heap") == 0) {
        scenario_heap();
        exit(0);
    } else if (strcmp(name, "errcheck") == 0) {
        ESP_ERROR_CHECK(ESP_ERR_INVALID_STATE);
    } else if (strcmp(name, "race") == 0) {
        scenario_race();
        exit(0);
    } else if (strcmp(name, "leak") == 0) {
        scenario_leak();
        exit(0);
    } else if (strncmp(name, "overflow ", 9) == 0) {
        scenario_overflow(name + 9);
        exit(0);
    } else if (strcmp(name, "use_after_free") == 0) {
        scenario_use_after_free();
        exit(0);
    } else if (strcmp(name, "abort") == 0) {
        esp_system_abort("base_system asked for it");
    } else if (strcmp(name, "restart") == 0) {
        ESP_ERROR_CHECK(esp_register_shutdown_handler(on_shutdown));
        esp_restart();
    } else if (strcmp(name, "return") == 0) {
        ESP_LOGI(SYS_TAG, "RETURNING");
    } else {
        ESP_LOGE(SYS_TAG, "unknown scenario '%s'", name);
        exit(2);
    }
}

void app_main(void)
{
    char line[64];
    if (fgets(line, sizeof(line), stdin) == NULL) {
        ESP_LOGE(SYS_TAG, "no scenario on stdin");
        exit(2);
    }
    line[strcspn(line, "\r\n")] = '\0';
    run(line);
}
