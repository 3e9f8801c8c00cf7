/* Emits log lines the pytest side checks one by one (tests/host/test_base_log.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define PARALLEL_TASKS 4
#define PARALLEL_LINES 200

static const char *TAG = "base_log";
static SemaphoreHandle_t s_done;

void log_ceiling_emit(void);

static void parallel_task(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int seq = 0; seq < PARALLEL_LINES; seq++) {
        ESP_LOGI("par", "task=%d seq=%d payload=%0*d", id, seq, 60, id);
        /* Grow the tag table while other tasks look tags up (TSan checks the locking). */
        char tag[16];
        snprintf(tag, sizeof(tag), "t%d_%d", id, seq % 40);
        esp_log_level_set(tag, ESP_LOG_ERROR);
        ESP_LOGI(tag, "hidden by its tag level");
    }
    xSemaphoreGive(s_done);
    vTaskDelete(NULL);
}

static void levels(void)
{
    ESP_LOGE(TAG, "error shows");
    ESP_LOGW(TAG, "warning shows");
    ESP_LOGI(TAG, "info shows");
    ESP_LOGD(TAG, "debug hidden by default level");
    ESP_LOGV(TAG, "verbose hidden by default level");

    esp_log_level_set("quiet", ESP_LOG_WARN);
    ESP_LOGI("quiet", "info hidden by tag level");
    ESP_LOGW("quiet", "warning shows at tag level");
    esp_log_level_set("loud", ESP_LOG_VERBOSE);
    ESP_LOGD("loud", "debug shows at tag level");
    ESP_LOGV("loud", "verbose shows at tag level");
    ESP_LOGI(TAG, "LEVELS quiet=%d loud=%d other=%d", esp_log_level_get("quiet"), esp_log_level_get("loud"),
             esp_log_level_get("other"));
    log_ceiling_emit();

    esp_log_level_set("*", ESP_LOG_ERROR);
    ESP_LOGW("loud", "warning hidden after star reset");
    ESP_LOGE("loud", "error shows after star reset");
    esp_log_level_set("*", ESP_LOG_INFO);
    ESP_EARLY_LOGI(TAG, "early log shows");
}

static void dumps(void)
{
    uint8_t bytes[20];
    for (int i = 0; i < (int)sizeof(bytes); i++) {
        bytes[i] = (uint8_t)i;
    }
    ESP_LOG_BUFFER_HEX("hex", bytes, sizeof(bytes));
    ESP_LOG_BUFFER_CHAR("chr", "0123456789abcdefXYZ", 19);
    ESP_LOG_BUFFER_HEXDUMP("dump", "ABCDEFGHIJKLMNOPQR", 18, ESP_LOG_INFO);
    ESP_LOG_BUFFER_HEX_LEVEL("hexdbg", bytes, 4, ESP_LOG_DEBUG);
}

static int s_sink_calls; /* only the main task logs while the sink is installed */
static vprintf_like_t s_previous_sink;

static int counting_sink(const char *format, va_list args)
{
    s_sink_calls++;
    return s_previous_sink(format, args);
}

/* A custom sink sees every line; restoring the previous one returns the custom sink. */
static void custom_sink(void)
{
    s_previous_sink = esp_log_set_vprintf(counting_sink);
    ESP_LOGI("sink", "through the custom sink");
    ESP_LOGD("sink", "filtered before any sink");
    vprintf_like_t replaced = esp_log_set_vprintf(s_previous_sink);
    ESP_LOGI("sink", "SINK calls=%d restored=%d", s_sink_calls, replaced == counting_sink);
}

static void long_line(void)
{
    static char text[2001];
    for (int i = 0; i < 2000; i++) {
        text[i] = (char)('a' + i % 26);
    }
    ESP_LOGI(TAG, "LONG %s END", text);
}

static void parallel(void)
{
    s_done = xSemaphoreCreateCounting(PARALLEL_TASKS, 0);
    for (int id = 0; id < PARALLEL_TASKS; id++) {
        xTaskCreate(parallel_task, "par", 4096, (void *)(intptr_t)id, 5, NULL);
    }
    for (int id = 0; id < PARALLEL_TASKS; id++) {
        xSemaphoreTake(s_done, portMAX_DELAY);
    }
    vSemaphoreDelete(s_done);
}

void app_main(void)
{
    levels();
    dumps();
    custom_sink();
    long_line();
    ESP_LOGI(TAG, "TICK first");
    vTaskDelay(pdMS_TO_TICKS(200));
    ESP_LOGI(TAG, "TICK second");
    parallel();
    ESP_LOGI(TAG, "DONE");
    exit(0);
}
