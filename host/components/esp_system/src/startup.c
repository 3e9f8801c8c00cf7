/* The process entry point. main() makes stdout/stderr unbuffered (the rig reads the log through a pipe
 * or file), starts app_main in a FreeRTOS task named "main", and then parks the initial thread: the
 * process lives on after app_main returns, as on a chip, until something calls exit() or esp_restart().
 * No shared state. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

/* ESP-IDF's priority for the main task (ESP_TASK_MAIN_PRIO). */
#define MAIN_TASK_PRIORITY 1

static const char *TAG = "main_task";

extern void app_main(void);

static void main_task(void *arg)
{
    app_main();
    ESP_LOGI(TAG, "Returned from app_main()");
    vTaskDelete(NULL);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    if (xTaskCreate(main_task, "main", CONFIG_ESP_MAIN_TASK_STACK_SIZE, NULL, MAIN_TASK_PRIORITY, NULL) != pdPASS) {
        fprintf(stderr, "startup: cannot create the main task\n");
        return 1;
    }
    for (;;) {
        pause();
    }
}
