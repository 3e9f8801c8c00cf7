/*
 * Smoke project entry: runs the FreeRTOS/esp_event checks, then one round trip per stdin line
 * ("ws <uri>" or "wss <uri> <CA as base64 DER>") until "quit" (or end of input), and exits 0 only if
 * everything passed. Runs in the main task only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "smoke_rtos.h"
#include "smoke_ws.h"

static const char *TAG = "smoke";

static bool run_line(char *line)
{
    char *save = NULL;
    const char *kind = strtok_r(line, " \r\n", &save);
    const char *uri = strtok_r(NULL, " \r\n", &save);
    const char *ca = strtok_r(NULL, " \r\n", &save);
    if (kind == NULL || uri == NULL || (strcmp(kind, "ws") != 0 && strcmp(kind, "wss") != 0)) {
        ESP_LOGE(TAG, "SMOKE bad command: expected 'ws <uri>' or 'wss <uri> <ca>'");
        return false;
    }
    return smoke_ws_round_trip(uri, ca);
}

void app_main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    bool ok = smoke_recursive_mutex();
    ok = smoke_event_group() && ok;
    ok = smoke_event_loop() && ok;
    ESP_LOGI(TAG, "SMOKE ready for uris");
    char line[4096];
    int trips = 0;
    while (fgets(line, sizeof(line), stdin) && strncmp(line, "quit", 4) != 0) {
        ok = run_line(line) && ok;
        trips++;
    }
    ESP_LOGI(TAG, "SMOKE done ok=%d round_trips=%d", ok, trips);
    exit(ok ? 0 : 1);  /* on linux, returning from app_main leaves the scheduler running */
}
