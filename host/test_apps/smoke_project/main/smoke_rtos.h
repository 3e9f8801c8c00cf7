/*
 * FreeRTOS and esp_event checks of the smoke project. Each returns true when the behaviour held and logs
 * "SMOKE <what> ok" or an error saying what did not. Called from app_main only.
 */
#pragma once

#include <stdbool.h>

bool smoke_recursive_mutex(void);
bool smoke_event_group(void);
bool smoke_event_loop(void);
