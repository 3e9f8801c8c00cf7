void app_main(void) {}
