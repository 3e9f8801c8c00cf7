/* Log timestamps: milliseconds since the process started. s_start is written once by a constructor
 * before main() and only read afterwards, so it needs no lock. */
#include <time.h>
#include "esp_log.h"

static struct timespec s_start;

__attribute__((constructor(101))) static void record_start(void)
{
    clock_gettime(CLOCK_MONOTONIC, &s_start);
}

uint32_t esp_log_timestamp(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (int64_t)(now.tv_sec - s_start.tv_sec) * 1000 + (now.tv_nsec - s_start.tv_nsec) / 1000000;
    return (uint32_t)ms;
}

uint32_t esp_log_early_timestamp(void)
{
    return esp_log_timestamp();
}
