/* A file that lowers the compile-time ceiling: its warnings vanish whatever the runtime level. */
#define LOG_LOCAL_LEVEL ESP_LOG_ERROR
#include "esp_log.h"

void log_ceiling_emit(void)
{
    ESP_LOGW("loud", "ceiling hides this warning");
    ESP_LOGE("loud", "ceiling keeps this error");
}
