/* esp_restart(), shutdown handlers, esp_system_abort() and the reset reason. Locking: s_lock guards
 * s_handlers; handlers are copied out and run without the lock so one may unregister itself. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "esp_log.h"
#include "esp_system.h"

#define MAX_SHUTDOWN_HANDLERS 5

static const char *TAG = "esp_system";

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static shutdown_handler_t s_handlers[MAX_SHUTDOWN_HANDLERS]; /* guarded by s_lock */

esp_err_t esp_register_shutdown_handler(shutdown_handler_t handler)
{
    if (handler == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_ERR_NO_MEM;
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < MAX_SHUTDOWN_HANDLERS; i++) {
        if (s_handlers[i] == handler) {
            err = ESP_ERR_INVALID_STATE;
            break;
        }
        if (s_handlers[i] == NULL) {
            s_handlers[i] = handler;
            err = ESP_OK;
            break;
        }
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

esp_err_t esp_unregister_shutdown_handler(shutdown_handler_t handler)
{
    esp_err_t err = ESP_ERR_INVALID_STATE;
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < MAX_SHUTDOWN_HANDLERS; i++) {
        if (s_handlers[i] == handler) {
            s_handlers[i] = NULL;
            err = ESP_OK;
            break;
        }
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

static void run_shutdown_handlers(void)
{
    shutdown_handler_t handlers[MAX_SHUTDOWN_HANDLERS];
    pthread_mutex_lock(&s_lock);
    memcpy(handlers, s_handlers, sizeof(handlers));
    pthread_mutex_unlock(&s_lock);
    for (int i = MAX_SHUTDOWN_HANDLERS - 1; i >= 0; i--) {
        if (handlers[i]) {
            handlers[i]();
        }
    }
}

void esp_restart(void)
{
    run_shutdown_handlers();
    ESP_LOGW(TAG, "esp_restart() called: the host platform has no reboot, exiting the process (status 0)");
    exit(0);
}

esp_reset_reason_t esp_reset_reason(void)
{
    return ESP_RST_POWERON;
}

void esp_system_abort(const char *details)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "abort() was called: %s\n", details ? details : "(no details)");
    if (n > 0) {
        ssize_t written = write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        (void)written;
    }
    abort();
}
