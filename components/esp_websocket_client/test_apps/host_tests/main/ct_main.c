/*
 * ct_main.c: console of the host test app. Each stdin line is "<case> key=value ..."; the app answers with
 * log lines (tag "ct") and ends each case with "DONE case=<name> ok=<0|1>". "quit" or EOF ends the process
 * with status 0 when every case passed.
 * Locking: single console task; nothing shared here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "ct_cases.h"
#include "ct_support.h"
#include "wsh_platform.h"
#include "wsh_stdin.h"

static const char *TAG = CT_TAG;

typedef struct {
    const char *name;
    bool (*run)(const ct_args_t *args);
} ct_case_t;

static const ct_case_t CASES[] = {
    {"api", ct_case_api},
    {"headers", ct_case_headers},
    {"events", ct_case_events},
    {"receive", ct_case_receive},
    {"server_close", ct_case_server_close},
    {"protocol_error", ct_case_protocol_error},
    {"handler_calls", ct_case_handler_calls},
    {"partial_stall", ct_case_partial_stall},
    {"stop_latency", ct_case_stop_latency},
    {"multi_send", ct_case_multi_send},
    {"abort_storm", ct_case_abort_storm},
    {"cycles", ct_case_cycles},
};

static bool run_line(char *line, bool *all_ok)
{
    char *name = strtok(line, " \t\r\n");
    if (!name) {
        return true;
    }
    if (strcmp(name, "quit") == 0) {
        return false;
    }
    char *rest = strtok(NULL, "\r\n");
    ct_args_t args;
    if (!ct_args_parse(&args, rest ? rest : (char[]) {""})) {
        ESP_LOGE(TAG, "BADCMD reason=\"malformed key=value list\"");
        *all_ok = false;
        return true;
    }
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        if (strcmp(CASES[i].name, name) == 0) {
            bool ok = CASES[i].run(&args);
            *all_ok &= ok;
            ESP_LOGI(TAG, "DONE case=%s ok=%d", name, ok);
            return true;
        }
    }
    ESP_LOGE(TAG, "BADCMD reason=\"unknown case %s\"", name);
    *all_ok = false;
    return true;
}

static void exit_at_once(void *arg)
{
    *(atomic_int *)arg = 1;
    vTaskDelete(NULL);
}

/* On linux the first thread exit of a process loads libgcc_s (glibc unwinds with it), holding a file
 * descriptor for a moment; let that happen now, not while a case counts open fds. */
static void warm_up_thread_exit(void)
{
    static atomic_int ran;
    xTaskCreate(exit_at_once, "warmup", 2048, &ran, 5, NULL);
    ct_wait_count(&ran, 1, 1000);
    vTaskDelay(pdMS_TO_TICKS(50));
}

void app_main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    ESP_ERROR_CHECK(wsh_platform_init());
    warm_up_thread_exit();
    ESP_LOGI(TAG, "READY");
    static char line[1024];
    bool all_ok = true;
    bool too_long;
    while (wsh_stdin_read_line(line, sizeof(line), &too_long)) {
        if (too_long) {
            ct_check("input_line", false, "a line longer than the input buffer");
            all_ok = false;
            continue;
        }
        if (!run_line(line, &all_ok)) {
            break;
        }
    }
    ESP_LOGI(TAG, "EXIT ok=%d", all_ok);
    exit(all_ok ? 0 : 1);
}
