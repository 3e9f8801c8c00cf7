/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * linux_idle.c: the idle hook for ESP-IDF's linux target (see CMakeLists.txt for why): the process still sleeps
 * while every task waits, but never longer than a tick, so the task due next starts on time.
 *
 * Locking: none; only the idle task calls it.
 */
#include <unistd.h>

#include "freertos/FreeRTOS.h"

void __wrap_esp_vApplicationIdleHook(void);

void __wrap_esp_vApplicationIdleHook(void)
{
    usleep(portTICK_PERIOD_MS * 1000);
}
