/*
 * Queues: FIFO order with front/back sends, peek, reset, overwrite, full and empty timeouts, and blocked
 * senders and receivers released by another task.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "test_util.h"

#define HELPER_STACK 4096

static void test_queue_order_front_and_back(void **state)
{
    QueueHandle_t q = xQueueCreate(4, sizeof(int));
    int v = 1;
    assert_true(xQueueSendToBack(q, &v, 0));
    v = 2;
    assert_true(xQueueSend(q, &v, 0));
    v = 0;
    assert_true(xQueueSendToFront(q, &v, 0));
    v = 3;
    assert_true(xQueueSendToBack(q, &v, 0));
    assert_int_equal(uxQueueMessagesWaiting(q), 4);
    assert_int_equal(uxQueueSpacesAvailable(q), 0);
    int got = -1;
    assert_true(xQueuePeek(q, &got, 0));
    assert_int_equal(got, 0);
    for (int expect = 0; expect < 4; expect++) {
        assert_true(xQueueReceive(q, &got, 0));
        assert_int_equal(got, expect);
    }
    assert_int_equal(uxQueueSpacesAvailable(q), 4);
    vQueueDelete(q);
}

static void test_queue_full_and_empty_time_out(void **state)
{
    QueueHandle_t q = xQueueCreate(2, sizeof(uint64_t));
    uint64_t v = 0x1122334455667788ULL;
    assert_true(xQueueSend(q, &v, 0));
    assert_true(xQueueSend(q, &v, 0));
    int64_t start = now_ms();
    assert_int_equal(xQueueSend(q, &v, pdMS_TO_TICKS(70)), errQUEUE_FULL);
    assert_elapsed_between(start, 70, 70 + LATE_MS);
    assert_int_equal(xQueueReset(q), pdPASS);
    assert_int_equal(uxQueueMessagesWaiting(q), 0);
    start = now_ms();
    assert_int_equal(xQueueReceive(q, &v, pdMS_TO_TICKS(70)), errQUEUE_EMPTY);
    assert_elapsed_between(start, 70, 70 + LATE_MS);
    start = now_ms();
    assert_int_equal(xQueueReceive(q, &v, 0), errQUEUE_EMPTY);
    assert_elapsed_between(start, 0, PROMPT_MS);
    vQueueDelete(q);
}

static void test_queue_overwrite(void **state)
{
    QueueHandle_t q = xQueueCreate(1, sizeof(int));
    int v = 5;
    assert_true(xQueueOverwrite(q, &v));
    v = 6;
    assert_true(xQueueOverwrite(q, &v));
    assert_int_equal(uxQueueMessagesWaiting(q), 1);
    int got = 0;
    assert_true(xQueueReceive(q, &got, 0));
    assert_int_equal(got, 6);
    vQueueDelete(q);
}

typedef struct {
    QueueHandle_t queue;
    TickType_t delay;
    SemaphoreHandle_t done;
    int value;
} later_ctx_t;

static void send_later_task(void *arg)
{
    later_ctx_t *ctx = arg;
    vTaskDelay(ctx->delay);
    xQueueSend(ctx->queue, &ctx->value, portMAX_DELAY);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void receive_later_task(void *arg)
{
    later_ctx_t *ctx = arg;
    vTaskDelay(ctx->delay);
    xQueueReceive(ctx->queue, &ctx->value, portMAX_DELAY);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void test_blocked_receiver_gets_item(void **state)
{
    later_ctx_t ctx = { .queue = xQueueCreate(1, sizeof(int)), .delay = pdMS_TO_TICKS(100),
                        .done = xSemaphoreCreateBinary(), .value = 42 };
    xTaskCreate(send_later_task, "sender", HELPER_STACK, &ctx, 5, NULL);
    int64_t start = now_ms();
    int got = 0;
    assert_true(xQueueReceive(ctx.queue, &got, portMAX_DELAY));
    assert_int_equal(got, 42);
    assert_elapsed_between(start, 90, 100 + LATE_MS);
    xSemaphoreTake(ctx.done, portMAX_DELAY);
    vSemaphoreDelete(ctx.done);
    vQueueDelete(ctx.queue);
}

static void test_blocked_sender_released_by_receive(void **state)
{
    later_ctx_t ctx = { .queue = xQueueCreate(1, sizeof(int)), .delay = pdMS_TO_TICKS(100),
                        .done = xSemaphoreCreateBinary() };
    int first = 1, second = 2;
    assert_true(xQueueSend(ctx.queue, &first, 0));
    xTaskCreate(receive_later_task, "receiver", HELPER_STACK, &ctx, 5, NULL);
    int64_t start = now_ms();
    assert_true(xQueueSend(ctx.queue, &second, portMAX_DELAY));
    assert_elapsed_between(start, 90, 100 + LATE_MS);
    xSemaphoreTake(ctx.done, portMAX_DELAY);
    assert_int_equal(ctx.value, 1);
    int got = 0;
    assert_true(xQueueReceive(ctx.queue, &got, 0));
    assert_int_equal(got, 2);
    vSemaphoreDelete(ctx.done);
    vQueueDelete(ctx.queue);
}

int run_queue_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_order_front_and_back),
        cmocka_unit_test(test_queue_full_and_empty_time_out),
        cmocka_unit_test(test_queue_overwrite),
        cmocka_unit_test(test_blocked_receiver_gets_item),
        cmocka_unit_test(test_blocked_sender_released_by_receive),
    };
    return cmocka_run_group_tests_name("freertos_queue", tests, NULL, NULL);
}
