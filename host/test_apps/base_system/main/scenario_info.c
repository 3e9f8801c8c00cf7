/* Error names, checks, version, task name, random numbers and chip information. */
#include <string.h>
#include "esp_chip_info.h"
#include "esp_check.h"
#include "esp_err.h"
#include "esp_idf_version.h"
#include "esp_log.h"
#include "esp_random.h"
#include "esp_rom_sys.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "scenarios.h"

static esp_err_t fails_with(esp_err_t err)
{
    ESP_RETURN_ON_ERROR(err, SYS_TAG, "returning %s", esp_err_to_name(err));
    return ESP_OK;
}

static esp_err_t goto_on_false(int value)
{
    esp_err_t ret = ESP_OK;
    ESP_GOTO_ON_FALSE(value > 0, ESP_ERR_INVALID_ARG, done, SYS_TAG, "value %d not positive", value);
    ret = ESP_OK;
done:
    return ret;
}

static void names(void)
{
    char buf[64];
    ESP_LOGI(SYS_TAG, "NAMES ok=%s fail=%s no_mem=%s timeout=%s not_finished=%s unknown=%s",
             esp_err_to_name(ESP_OK), esp_err_to_name(ESP_FAIL), esp_err_to_name(ESP_ERR_NO_MEM),
             esp_err_to_name(ESP_ERR_TIMEOUT), esp_err_to_name(ESP_ERR_NOT_FINISHED), esp_err_to_name(0x7777));
    ESP_LOGI(SYS_TAG, "NAME_R errno=\"%s\"", esp_err_to_name_r(2, buf, sizeof(buf)));
    ESP_LOGI(SYS_TAG, "NAME_R unknown=\"%s\"", esp_err_to_name_r(0x7777, buf, sizeof(buf)));
    ESP_LOGI(SYS_TAG, "CHECKS return_on_error=%s goto_on_false=%s goto_ok=%s without_abort=%s",
             esp_err_to_name(fails_with(ESP_ERR_NOT_FOUND)), esp_err_to_name(goto_on_false(-1)),
             esp_err_to_name(goto_on_false(1)), esp_err_to_name(ESP_ERROR_CHECK_WITHOUT_ABORT(ESP_ERR_TIMEOUT)));
}

static void randomness(void)
{
    uint32_t values[8];
    int distinct = 0;
    for (int i = 0; i < 8; i++) {
        values[i] = esp_random();
        bool seen = false;
        for (int j = 0; j < i; j++) {
            seen |= values[j] == values[i];
        }
        distinct += !seen;
    }
    uint8_t block[64] = { 0 };
    esp_fill_random(block, sizeof(block));
    int nonzero = 0;
    for (size_t i = 0; i < sizeof(block); i++) {
        nonzero += block[i] != 0;
    }
    ESP_LOGI(SYS_TAG, "RANDOM distinct=%d nonzero_of_64=%d", distinct, nonzero);
}

void scenario_info(void)
{
    esp_chip_info_t chip;
    esp_chip_info(&chip);
    int64_t before = esp_timer_get_time();
    esp_rom_delay_us(2000);
    int64_t slept = esp_timer_get_time() - before;
    ESP_LOGI(SYS_TAG, "INFO task=%s idf=%s version=%d.%d.%d reset=%d model=%d cores=%d delay_us=%lld",
             pcTaskGetName(NULL), esp_get_idf_version(), ESP_IDF_VERSION_MAJOR, ESP_IDF_VERSION_MINOR,
             ESP_IDF_VERSION_PATCH, (int)esp_reset_reason(), (int)chip.model, chip.cores, (long long)slept);
    names();
    randomness();
}
