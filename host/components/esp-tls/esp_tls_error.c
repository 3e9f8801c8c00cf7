/*
 * esp-tls error handles: recording the last error of a connection and handing it out.
 *
 * Locking: none; an error handle is touched by the thread that owns its connection (see esp_tls.h).
 */
#include "esp_tls_private.h"

void esp_tls_record_error(esp_tls_last_error_t *err, esp_err_t last_error, int code, int flags)
{
    if (err == NULL) {
        return;
    }
    err->last_error = last_error;
    if (code != 0) {
        err->esp_tls_error_code = code;
    }
    if (flags != 0) {
        err->esp_tls_flags = flags;
    }
}

esp_err_t esp_tls_get_and_clear_last_error(esp_tls_error_handle_t h, int *esp_tls_code, int *esp_tls_flags)
{
    if (h == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    esp_err_t last = h->last_error;
    if (esp_tls_code) {
        *esp_tls_code = h->esp_tls_error_code;
    }
    if (esp_tls_flags) {
        *esp_tls_flags = h->esp_tls_flags;
    }
    h->last_error = ESP_OK;
    h->esp_tls_error_code = 0;
    h->esp_tls_flags = 0;
    return last;
}
