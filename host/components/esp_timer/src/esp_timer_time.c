/* esp_timer_get_time(): microseconds since the process started. s_start is written once by a
 * constructor before main() and only read afterwards, so it needs no lock. */
#include <time.h>
#include "esp_timer.h"

static struct timespec s_start;

__attribute__((constructor(101))) static void record_start(void)
{
    clock_gettime(CLOCK_MONOTONIC, &s_start);
}

int64_t esp_timer_get_time(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - s_start.tv_sec) * 1000000 + (now.tv_nsec - s_start.tv_nsec) / 1000;
}
