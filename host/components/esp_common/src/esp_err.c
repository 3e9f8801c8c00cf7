/* ESP_ERROR_CHECK's failure reports. Stateless; each report is one write to stderr so concurrent
 * failures from several threads do not interleave. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "esp_err.h"

static void report_failed_check(const char *kind, esp_err_t rc, const char *file, int line,
                                const char *function, const char *expression)
{
    char line_buf[512];
    int n = snprintf(line_buf, sizeof(line_buf),
                     "%s failed: esp_err_t 0x%x (%s)\nfile: \"%s\" line %d\nfunc: %s\nexpression: %s\n",
                     kind, (unsigned)rc, esp_err_to_name(rc), file, line, function, expression);
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof(line_buf) ? (size_t)n : sizeof(line_buf) - 1;
    ssize_t written = write(STDERR_FILENO, line_buf, len);
    (void)written;
}

void _esp_error_check_failed(esp_err_t rc, const char *file, int line, const char *function,
                             const char *expression)
{
    report_failed_check("ESP_ERROR_CHECK", rc, file, line, function, expression);
    abort();
}

void _esp_error_check_failed_without_abort(esp_err_t rc, const char *file, int line, const char *function,
                                           const char *expression)
{
    report_failed_check("ESP_ERROR_CHECK_WITHOUT_ABORT", rc, file, line, function, expression);
}
