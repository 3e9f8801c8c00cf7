/*
 * Console of the transport test app: reads one case per stdin line ("<case> key=value ..."), runs it and
 * prints its DONE line; "quit" (or end of input) ends the process with status 0. Runs in the main task only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_args.h"
#include "conn_cases.h"
#include "esp_log.h"
#include "ws_cases.h"

static const char *TAG = "twt";

typedef struct {
    const char *name;
    void (*run)(const case_args_t *args);
} test_case_t;

static const test_case_t CASES[] = {
    { "echo", ws_case_echo },
    { "frag", ws_case_frag },
    { "handshake", ws_case_handshake },
    { "ping", ws_case_ping },
    { "close", ws_case_close },
    { "redirect", ws_case_redirect },
    { "masks", ws_case_masks },
    { "recv", ws_case_recv },
    { "connect", conn_case_connect },
    { "async", conn_case_async },
    { "interrupt", conn_case_interrupt },
};

static void run_line(char *line)
{
    case_args_t args;
    const char *why = NULL;
    const char *name = case_args_parse(line, &args, &why);
    if (name == NULL) {
        ESP_LOGE(TAG, "BADCMD reason=\"%s\"", why);
        return;
    }
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        if (strcmp(CASES[i].name, name) == 0) {
            CASES[i].run(&args);
            return;
        }
    }
    ESP_LOGE(TAG, "BADCMD reason=\"unknown case %s\"", name);
}

void app_main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    ESP_LOGI(TAG, "READY");
    char line[4096];
    while (fgets(line, sizeof(line), stdin)) {
        if (strncmp(line, "quit", 4) == 0) {
            break;
        }
        run_line(line);
    }
    ESP_LOGI(TAG, "BYE");
    exit(0);  /* on linux, returning from app_main leaves the scheduler running */
}
