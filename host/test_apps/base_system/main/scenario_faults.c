/* Deliberate defects, one per sanitizer, proving that the tsan and asan variants turn each into a failed
 * run (tests/host/test_base_system.py). s_racy_counter is written by two tasks without any lock: that is
 * the defect, not an oversight. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "scenarios.h"

static int s_racy_counter;
static void *volatile s_leak_sink;

static void racy_task(void *arg)
{
    for (int i = 0; i < 100000; i++) {
        s_racy_counter++;
    }
    vTaskDelete(NULL);
}

void scenario_race(void)
{
    xTaskCreate(racy_task, "racy1", 4096, NULL, 5, NULL);
    xTaskCreate(racy_task, "racy2", 4096, NULL, 5, NULL);
    vTaskDelay(pdMS_TO_TICKS(500));
    printf("race counter=%d\n", s_racy_counter);
}

void scenario_leak(void)
{
    char *block = malloc(4096);
    memset(block, 1, 4096);
    s_leak_sink = block;
    s_leak_sink = NULL; /* the only pointer is gone: a leak LeakSanitizer must report at exit */
}

void scenario_overflow(const char *digits)
{
    int value = atoi(digits); /* from stdin, so the compiler cannot fold the overflow away */
    printf("overflow %d\n", value + INT_MAX);
}

void scenario_use_after_free(void)
{
    char *block = malloc(32);
    s_leak_sink = block;
    free(block);
    printf("stale byte %d\n", ((volatile char *)s_leak_sink)[3]);
}
