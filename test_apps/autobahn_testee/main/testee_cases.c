/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * testee_cases.c: the fuzzing server's client protocol (GET /getCaseCount, /runCase?case=N&agent=A,
 * /updateReports?agent=A), one connection each, in order. The verdicts are the server's; the lines logged
 * here are progress for the rig and the place a stuck case shows. Console task only; nothing shared.
 */
#include "testee_cases.h"

#include <stdio.h>
#include <stdlib.h>

#include "esp_log.h"
#include "testee_session.h"

static const char *TAG = "testee";

#define PATH_LEN (TESTEE_NAME_LEN + 64)

static int case_count(const testee_command_t *cmd)
{
    testee_outcome_t out;
    if (!testee_session_run(cmd, "/getCaseCount", TESTEE_COLLECT, &out) || out.timed_out) {
        return -1;
    }
    char *end;
    long count = strtol(out.collected, &end, 10);
    return end != out.collected && *end == '\0' && count > 0 ? (int)count : -1;
}

bool testee_cases_run(const testee_command_t *cmd)
{
    int count = case_count(cmd);
    if (count < 0) {
        ESP_LOGE(TAG, "FAILED reason=\"no case count from %s/getCaseCount\"", cmd->base);
        return false;
    }
    ESP_LOGI(TAG, "CASES count=%d agent=%s", count, cmd->agent);
    char path[PATH_LEN];
    int timeouts = 0;
    for (int n = 1; n <= count; n++) {
        snprintf(path, sizeof(path), "/runCase?case=%d&agent=%s", n, cmd->agent);
        testee_outcome_t out;
        bool started = testee_session_run(cmd, path, TESTEE_ECHO, &out);
        timeouts += out.timed_out;
        ESP_LOGI(TAG, "CASE %d/%d end=%s echoed=%d close_code=%d", n, count,
                 !started ? "not_started" : out.timed_out ? "timeout" : out.errored ? "error" : "closed",
                 out.echoed, out.close_code);
    }
    snprintf(path, sizeof(path), "/updateReports?agent=%s", cmd->agent);
    testee_outcome_t out;
    testee_session_run(cmd, path, TESTEE_COLLECT, &out);
    ESP_LOGI(TAG, "DONE cases=%d timeouts=%d", count, timeouts);
    return true;
}
