/*
 * Console I/O and the command loop. Everything here runs in the console task
 * (app_main's); the line buffer and the pass/fail tally are that task's alone.
 * The console itself (driver, VFS, unbuffered stdout) is wsh_stdin's.
 */
#include "hammer_console.h"
#include "sdkconfig.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "hammer_cmd.h"
#include "hammer_run.h"
#include "wsh_stdin.h"

static const char *TAG = "wsh";

#define LINE_MAX_LEN 4096        /* a `ca` of a few kB of base64 fits */

static char s_line[LINE_MAX_LEN];
static hammer_cmd_t s_cmd;       /* ~1.3 kB: kept off the small main-task stack */
static uint32_t s_passed;
static uint32_t s_failed;

static void quit(void)
{
    ESP_LOGI(TAG, "QUIT passed=%" PRIu32 " failed=%" PRIu32, s_passed, s_failed);
#if CONFIG_IDF_TARGET_LINUX
    fflush(stdout);
    exit(s_failed == 0 ? 0 : 1);
#endif
}

static void handle_line(void)
{
    char reason[HAMMER_REASON_LEN];
    switch (hammer_cmd_parse(s_line, &s_cmd, reason, sizeof(reason))) {
    case HAMMER_LINE_EMPTY:
        break;
    case HAMMER_LINE_QUIT:
        quit();
        break;
    case HAMMER_LINE_BAD:
        ESP_LOGE(TAG, "BADCMD reason=\"%s\"", reason);
        break;
    case HAMMER_LINE_RUN:
        if (hammer_run_wedged()) {
            hammer_cmd_release(&s_cmd);
            ESP_LOGE(TAG, "BADCMD reason=\"a previous run hung inside the client; restart the app\"");
            s_failed++;
            break;
        }
        if (hammer_run(&s_cmd)) {
            s_passed++;
        } else {
            s_failed++;
        }
        break;
    }
}

void hammer_console_run(const char *network_address)
{
    ESP_LOGI(TAG, "READY target=%s idf=%s buffer_size_default=1024 address=%s", CONFIG_IDF_TARGET,
             esp_get_idf_version(), network_address ? network_address : "none");
    for (;;) {
        bool too_long;
        if (!wsh_stdin_read_line(s_line, sizeof(s_line), &too_long)) {
            quit(); /* the runner closed our stdin: same as quit */
            return;
        }
        if (too_long) {
            ESP_LOGE(TAG, "BADCMD reason=\"line longer than %d characters\"", LINE_MAX_LEN - 1);
            continue;
        }
        handle_line();
    }
}
