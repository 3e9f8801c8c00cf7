/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * wsh_stdin.c: console set-up and a line reader over read() that survives what the platforms do to a blocking
 * read. On ESP-IDF's linux target FreeRTOS runs on its POSIX port: a task blocked in read() still counts as
 * running and the tick signal interrupts the call (EINTR), so input is polled and the wait is a vTaskDelay
 * that lets the other tasks run. On a chip the console driver, installed by wsh_stdin_init() and bound to the
 * VFS, makes read() block (without it read() returns at once); the driver and VFS calls used exist unchanged
 * from ESP-IDF v5.3 to v6.0.
 *
 * Locking: none; the calling task is the only reader of stdin.
 */
#include "wsh_stdin.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#if CONFIG_IDF_TARGET_LINUX
#include <sys/select.h>
#elif CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG
#include "driver/usb_serial_jtag.h"
#include "driver/usb_serial_jtag_vfs.h"
#elif CONFIG_ESP_CONSOLE_UART
#include "driver/uart.h"
#include "driver/uart_vfs.h"
#else
#error "the test apps read commands from the console: enable a UART or USB-serial-JTAG console"
#endif

#define INPUT_RETRY_MS 10
#define UART_RX_BUFFER 2048

#if CONFIG_IDF_TARGET_LINUX
static void console_driver_install(void)
{
}
#elif CONFIG_ESP_CONSOLE_USB_SERIAL_JTAG
static void console_driver_install(void)
{
    usb_serial_jtag_driver_config_t cfg = USB_SERIAL_JTAG_DRIVER_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(usb_serial_jtag_driver_install(&cfg));
    usb_serial_jtag_vfs_use_driver();
}
#else
static void console_driver_install(void)
{
    ESP_ERROR_CHECK(uart_driver_install(CONFIG_ESP_CONSOLE_UART_NUM, UART_RX_BUFFER, 0, 0, NULL, 0));
    uart_vfs_dev_use_driver(CONFIG_ESP_CONSOLE_UART_NUM);
}
#endif

void wsh_stdin_init(void)
{
    /* pytest-embedded reads stdout from a file: line-by-line output must not sit in a buffer. */
    setvbuf(stdout, NULL, _IONBF, 0);
    console_driver_install();
    setvbuf(stdin, NULL, _IONBF, 0);
}

#if CONFIG_IDF_TARGET_LINUX
static bool input_ready(int fd)
{
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    struct timeval now = {0};
    return select(fd + 1, &set, NULL, NULL, &now) > 0;
}
#else
static bool input_ready(int fd)
{
    (void)fd;
    return true;
}
#endif

/* One byte: 1 read, 0 end of input, -1 nothing yet. */
static int read_byte(char *c)
{
    int fd = fileno(stdin); /* not always 0 on a chip */
    if (!input_ready(fd)) {
        return -1;
    }
    ssize_t n = read(fd, c, 1);
    if (n == 1) {
        return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        return -1;
    }
#if CONFIG_IDF_TARGET_LINUX
    return 0;
#else
    return -1;
#endif
}

bool wsh_stdin_read_line(char *line, size_t cap, bool *too_long)
{
    size_t len = 0;
    *too_long = false;
    for (;;) {
        char c;
        int got = read_byte(&c);
        if (got < 0) {
            vTaskDelay(pdMS_TO_TICKS(INPUT_RETRY_MS));
            continue;
        }
        if (got == 0) {
            if (len == 0) {
                return false;
            }
            break; /* a last line without its newline */
        }
        if (c == '\n') {
            break;
        }
        if (len + 1 < cap) {
            line[len++] = c;
        } else {
            *too_long = true;
        }
    }
    line[len] = '\0';
    return true;
}
