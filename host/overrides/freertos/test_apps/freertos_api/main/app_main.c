/*
 * Entry of the host FreeRTOS test app. Without WSH_TEST_CASE it runs the cmocka suites and exits with the
 * number of failed tests (0 = all passed); with WSH_TEST_CASE=<name> it runs one misuse case that must end
 * in a reported error and an abort (fatal_cases.c).
 * WSH_TEST_FILTER=<cmocka pattern> runs only the matching tests. WSH_TEST_ONE_CPU=1 confines the app to one
 * CPU (tasks inherit the main task's affinity), to show that the parallelism test fails there.
 */
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "esp_log.h"
#include "test_util.h"

static const char *TAG = "freertos_test";

void app_main(void)
{
    const char *fatal = getenv("WSH_TEST_CASE");
    if (fatal) {
        run_fatal_case(fatal);
        ESP_LOGE(TAG, "fatal case \"%s\" did not abort", fatal);
        exit(3);
    }
    const char *filter = getenv("WSH_TEST_FILTER");
    if (filter) {
        cmocka_set_test_filter(filter);
    }
    if (getenv("WSH_TEST_ONE_CPU")) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
        if (sched_setaffinity(0, sizeof(one), &one) != 0) {
            ESP_LOGE(TAG, "cannot confine the app to one CPU");
            exit(2);
        }
    }
    int failed = run_sync_tests() + run_queue_tests() + run_task_tests();
    ESP_LOGI(TAG, "SUMMARY failed=%d", failed);
    exit(failed == 0 ? 0 : 1);
}
