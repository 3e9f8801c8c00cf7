/*
 * Entry point of the ws_hammer test app: console, platform start-up, network bring-up, then the
 * command loop (docs/hammer-protocol.md). Runs in the main task only.
 */
#include "hammer_console.h"
#include "wsh_platform.h"

static const char *TAG = "wsh";

void app_main(void)
{
    hammer_console_run(wsh_platform_start(TAG));
}
