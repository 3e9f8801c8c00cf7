/*
 * Calls hammer_network_up() twice (it must be idempotent) and prints what a test can check, then ends
 * the process: on linux the address is loopback and bring-up is immediate.
 * Locking: single task.
 */
#include <stdio.h>
#include <stdlib.h>

#include "esp_err.h"
#include "hammer_network.h"

void app_main(void)
{
    esp_err_t first = hammer_network_up();
    esp_err_t again = hammer_network_up();
    printf("network_app: up=%s again=%s address=%s\n", esp_err_to_name(first), esp_err_to_name(again),
           hammer_network_address());
    fflush(stdout);
    exit(first == ESP_OK && again == ESP_OK ? 0 : 1);
}
