/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The process's start on the parallel linux platform: main() starts app_main() in the "main" task with
 * ESP-IDF's main-task stack, priority and core (esp_task.h, CONFIG_ESP_MAIN_TASK_*), as ESP-IDF's linux port
 * does, then parks the process's own thread for good. The app ends the process (exit(), abort()); when
 * app_main returns, the main task is deleted and the other tasks go on, as on a device.
 *
 * Locking: none; main() runs before any task exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "esp_task.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void app_main(void);

static void main_task(void *arg)
{
    (void)arg;
    app_main();
    vTaskDelete(NULL);
}

int main(void)
{
    /* Unbuffered, so that a reader of the pipe (pytest-embedded, idf.py monitor) sees each line at once. */
    setvbuf(stdout, NULL, _IONBF, 0);
    if (xTaskCreatePinnedToCore(main_task, "main", ESP_TASK_MAIN_STACK, NULL, ESP_TASK_MAIN_PRIO, NULL,
                                ESP_TASK_MAIN_CORE) != pdPASS) {
        fprintf(stderr, "cannot start the main task\n");
        return EXIT_FAILURE;
    }
    for (;;) {
        pause();
    }
}
