/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Entry point of autobahn_testee: console, platform start-up, network bring-up, READY, then commands
 * (testee_command.h) until `quit` or the end of input. Runs in the main task only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"
#include "testee_cases.h"
#include "testee_command.h"
#include "wsh_platform.h"
#include "wsh_stdin.h"

static const char *TAG = "testee";

#define LINE_MAX_LEN 4096 /* a `ca` of a few kB of base64 fits */

static char s_line[LINE_MAX_LEN];
static testee_command_t s_cmd;

static void quit(int status)
{
    ESP_LOGI(TAG, "QUIT");
#if CONFIG_IDF_TARGET_LINUX
    fflush(stdout);
    exit(status);
#else
    (void)status;
    for (;;) {
        vTaskDelay(portMAX_DELAY); /* a board stays where it is for the log to be read */
    }
#endif
}

void app_main(void)
{
    const char *address = wsh_platform_start(TAG);
    ESP_LOGI(TAG, "READY target=%s idf=%s address=%s", CONFIG_IDF_TARGET, esp_get_idf_version(),
             address ? address : "none");
    int failures = 0;
    for (;;) {
        bool too_long;
        if (!wsh_stdin_read_line(s_line, sizeof(s_line), &too_long)) {
            quit(failures == 0 ? 0 : 1);
        }
        char why[TESTEE_WHY_LEN];
        switch (too_long ? TESTEE_LINE_BAD : testee_command_parse(s_line, &s_cmd, why, sizeof(why))) {
        case TESTEE_LINE_EMPTY:
            break;
        case TESTEE_LINE_QUIT:
            quit(failures == 0 ? 0 : 1);
            break;
        case TESTEE_LINE_BAD:
            ESP_LOGE(TAG, "BADCMD reason=\"%s\"", too_long ? "line too long" : why);
            failures++;
            break;
        case TESTEE_LINE_RUN:
            failures += !testee_cases_run(&s_cmd);
            break;
        }
    }
}
