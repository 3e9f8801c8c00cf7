/*
 * Connection cases (see conn_cases.h): how a connect ends (ok, refused, timed out, bad certificate,
 * refused upgrade) and how long it took, and connect_async stepping. No locking: console task only.
 */
#include "conn_cases.h"

#include <stdatomic.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "case_conn.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "esp_transport_ws.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static int elapsed_ms(int64_t since_us)
{
    return (int)((esp_timer_get_time() - since_us) / 1000);
}

void conn_case_connect(const case_args_t *args)
{
    case_conn_t c;
    if (!case_conn_build(&c, args)) {
        case_done("connect", false, "reason=build");
        return;
    }
    int64_t start = esp_timer_get_time();
    int ret = case_conn_connect(&c, args);
    int took = elapsed_ms(start);
    int status = c.ws ? esp_transport_ws_get_upgrade_request_status(c.ws) : 0;
    case_conn_print_errors(&c);
    int fd = esp_transport_get_socket(case_conn_top(&c));
    int keepalive = -1, idle = -1, interval = -1, count = -1;
    socklen_t len = sizeof(int);
    if (fd >= 0) {
        getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepalive, &len);
        getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &len);
        getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, &len);
        getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, &len);
    }
    case_done("connect", ret == 0, "connect=%d elapsed_ms=%d status=%d keepalive=%d,%d,%d,%d", ret, took, status,
              keepalive != 0, idle, interval, count);
    case_conn_destroy(&c);
}

void conn_case_async(const case_args_t *args)
{
    case_conn_t c;
    if (!case_conn_build(&c, args) || c.ws != NULL) {
        case_done("async", false, "reason=needs scheme tcp or ssl");
        case_conn_destroy(&c);
        return;
    }
    const char *host = case_arg_str(args, "host", "127.0.0.1");
    int port = case_arg_int(args, "port", 0);
    int timeout_ms = case_arg_int(args, "timeout_ms", 3000);
    int64_t start = esp_timer_get_time();
    int in_progress = 0;
    int ret;
    while ((ret = esp_transport_connect_async(c.base, host, port, timeout_ms)) == 0) {
        in_progress++;
        vTaskDelay(pdMS_TO_TICKS(5));
        if (elapsed_ms(start) > timeout_ms + 2000) {
            break;  /* the transport overran its budget: reported below as ret=0 */
        }
    }
    int took = elapsed_ms(start);
    int writable = ret == 1 ? esp_transport_poll_write(c.base, 1000) : -1;
    int sock = esp_transport_get_socket(c.base);
    case_conn_print_errors(&c);
    case_done("async", ret == 1, "result=%d in_progress=%d elapsed_ms=%d writable=%d socket_ok=%d", ret, in_progress,
              took, writable, sock >= 0);
    case_conn_destroy(&c);
}

/* The interrupter: once the connect has published its socket, shut it down from this other task, the way a
 * client's stop() cuts a connect short. */
typedef struct {
    esp_transport_handle_t transport;
    int after_ms;
    atomic_int saw_socket;
    atomic_int finished;
} interrupter_t;

static void interrupter_task(void *arg)
{
    interrupter_t *in = arg;
    vTaskDelay(pdMS_TO_TICKS(in->after_ms));
    int fd = -1;
    for (int tries = 0; tries < 1000 && fd < 0 && !atomic_load(&in->finished); tries++) {
        fd = esp_transport_get_socket(in->transport);
        if (fd < 0) {
            vTaskDelay(pdMS_TO_TICKS(1));
        }
    }
    if (fd >= 0) {
        atomic_store(&in->saw_socket, 1);
        shutdown(fd, SHUT_RDWR);
    }
    atomic_store(&in->finished, 2);
    vTaskDelete(NULL);
}

void conn_case_interrupt(const case_args_t *args)
{
    case_conn_t c;
    if (!case_conn_build(&c, args)) {
        case_done("interrupt", false, "reason=build");
        return;
    }
    interrupter_t in = { .transport = case_conn_top(&c), .after_ms = case_arg_int(args, "after_ms", 200) };
    xTaskCreate(interrupter_task, "interrupter", 4096, &in, 5, NULL);
    int64_t start = esp_timer_get_time();
    int ret = case_conn_connect(&c, args);
    int took = elapsed_ms(start);
    atomic_fetch_add(&in.finished, 1);
    while (atomic_load(&in.finished) < 2) {
        vTaskDelay(pdMS_TO_TICKS(1));
    }
    case_done("interrupt", ret != 0 && atomic_load(&in.saw_socket), "connect=%d elapsed_ms=%d saw_socket=%d", ret,
              took, atomic_load(&in.saw_socket));
    case_conn_destroy(&c);
}
