/*
 * esp_event on the host: dispatch by a loop task and by esp_event_loop_run, registration order, the copy of
 * posted data, unregistration while dispatching (from the handler itself and from another task), post
 * timeouts on a full queue, argument checks, and the default loop. app_main exits with the number of
 * failed tests (0 = all passed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "esp_event.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

static const char *TAG = "event_test";

ESP_EVENT_DEFINE_BASE(TEST_BASE_A);
ESP_EVENT_DEFINE_BASE(TEST_BASE_B);

/* Tolerance above a requested wait (sanitizers, a shared machine), and the bound for a call that must not
 * wait; lower bounds are exact. */
#define LATE_MS 500
#define PROMPT_MS 100
#define MAX_CALLS 32

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What handlers saw, in call order. Written by the dispatching task; read by the test after a
 * synchronising call (esp_event_loop_run returning, or `seen` being given). */
typedef struct {
    int calls;
    char tags[MAX_CALLS];        /* which handler ran: its arg's tag */
    int32_t ids[MAX_CALLS];
    int payload[MAX_CALLS];      /* first int of the data, or -1 */
    SemaphoreHandle_t seen;      /* given after each call if non-NULL */
} record_t;

typedef struct {
    char tag;
    record_t *rec;
} handler_arg_t;

static void recording_handler(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    handler_arg_t *h = arg;
    record_t *rec = h->rec;
    if (rec->calls < MAX_CALLS) {
        rec->tags[rec->calls] = h->tag;
        rec->ids[rec->calls] = id;
        rec->payload[rec->calls] = data ? *(int *)data : -1;
        rec->calls++;
    }
    if (rec->seen) {
        xSemaphoreGive(rec->seen);
    }
}

static esp_event_loop_handle_t create_loop(const char *task_name, int32_t queue_size)
{
    esp_event_loop_args_t args = {
        .queue_size = queue_size, .task_name = task_name, .task_priority = 5, .task_stack_size = 4096,
        .task_core_id = tskNO_AFFINITY,
    };
    esp_event_loop_handle_t loop = NULL;
    assert_int_equal(esp_event_loop_create(&args, &loop), ESP_OK);
    return loop;
}

static void test_dispatch_in_registration_order_without_task(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 8);
    record_t rec = { 0 };
    handler_arg_t by_id = { 'i', &rec }, any_id = { 'a', &rec }, any_base = { 'b', &rec };
    /* Registered in this order: a specific-id handler first, then the broader ones. */
    assert_int_equal(esp_event_handler_register_with(loop, TEST_BASE_A, 1, recording_handler, &by_id), ESP_OK);
    assert_int_equal(esp_event_handler_register_with(loop, ESP_EVENT_ANY_BASE, ESP_EVENT_ANY_ID, recording_handler,
                                                     &any_base), ESP_OK);
    assert_int_equal(esp_event_handler_register_with(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, recording_handler,
                                                     &any_id), ESP_OK);
    int one = 1, two = 2;
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 1, &one, sizeof(one), 0), ESP_OK);
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_B, 7, &two, sizeof(two), 0), ESP_OK);
    assert_int_equal(rec.calls, 0);  /* nothing runs until the application runs the loop */
    assert_int_equal(esp_event_loop_run(loop, 0), ESP_OK);
    assert_int_equal(rec.calls, 4);
    assert_memory_equal(rec.tags, "iba" "b", 4);  /* event 1: all three in registration order; event 2: ANY_BASE */
    assert_int_equal(rec.ids[3], 7);
    assert_int_equal(rec.payload[0], 1);
    assert_int_equal(rec.payload[3], 2);
    assert_int_equal(esp_event_loop_delete(loop), ESP_OK);
}

static void test_loop_task_dispatches_a_copy(void **state)
{
    esp_event_loop_handle_t loop = create_loop("evt_loop", 8);
    record_t rec = { .seen = xSemaphoreCreateCounting(MAX_CALLS, 0) };
    handler_arg_t h = { 'x', &rec };
    assert_int_equal(esp_event_handler_register_with(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, recording_handler, &h),
                     ESP_OK);
    int value = 11;
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 3, &value, sizeof(value), portMAX_DELAY), ESP_OK);
    value = 99;  /* the loop dispatches its own copy, taken at post time */
    assert_true(xSemaphoreTake(rec.seen, pdMS_TO_TICKS(2000)));
    assert_int_equal(rec.calls, 1);
    assert_int_equal(rec.payload[0], 11);
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 4, NULL, 0, portMAX_DELAY), ESP_OK);
    assert_true(xSemaphoreTake(rec.seen, pdMS_TO_TICKS(2000)));
    assert_int_equal(rec.payload[1], -1);
    assert_int_equal(esp_event_loop_run(loop, 0), ESP_ERR_INVALID_STATE);  /* its task runs it */
    assert_int_equal(esp_event_loop_delete(loop), ESP_OK);
    vSemaphoreDelete(rec.seen);
}

/* Pending events with data are freed when their loop is deleted (ASan's leak check would see them). */
static void test_delete_loop_with_pending_events(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 4);
    char blob[64] = "pending";
    for (int i = 0; i < 3; i++) {
        assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, i, blob, sizeof(blob), 0), ESP_OK);
    }
    assert_int_equal(esp_event_loop_delete(loop), ESP_OK);
}

/* Deleting a loop with its own task lets the task finish the events already queued, then frees the loop. */
static void test_delete_loop_task_finishes_queued_events(void **state)
{
    esp_event_loop_handle_t loop = create_loop("evt_drain", 8);
    record_t rec = { 0 };
    handler_arg_t h = { 'q', &rec };
    esp_event_handler_register_with(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, recording_handler, &h);
    char blob[32] = "queued";
    for (int i = 0; i < 5; i++) {
        assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, i, blob, sizeof(blob), portMAX_DELAY), ESP_OK);
    }
    assert_int_equal(esp_event_loop_delete(loop), ESP_OK);
    assert_int_equal(rec.calls, 5);
    assert_int_equal(rec.ids[4], 4);
}

typedef struct {
    esp_event_loop_handle_t loop;
    record_t *rec;
    handler_arg_t *victim;       /* the handler the first one unregisters */
} unreg_ctx_t;

static unreg_ctx_t s_unreg;

static void unregistering_handler(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    recording_handler(arg, base, id, data);
    esp_event_handler_unregister_with(s_unreg.loop, TEST_BASE_A, ESP_EVENT_ANY_ID, unregistering_handler);
    esp_event_handler_unregister_with(s_unreg.loop, TEST_BASE_A, 1, recording_handler);
}

static void test_unregister_from_handler(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 8);
    record_t rec = { 0 };
    handler_arg_t first = { 'u', &rec }, later = { 'l', &rec }, kept = { 'k', &rec };
    s_unreg = (unreg_ctx_t) { .loop = loop, .rec = &rec };
    esp_event_handler_register_with(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, unregistering_handler, &first);
    esp_event_handler_register_with(loop, TEST_BASE_A, 1, recording_handler, &later);
    esp_event_handler_register_with(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, recording_handler, &kept);
    esp_event_post_to(loop, TEST_BASE_A, 1, NULL, 0, 0);
    esp_event_post_to(loop, TEST_BASE_A, 1, NULL, 0, 0);
    esp_event_loop_run(loop, 0);
    /* Event 1: 'u' runs and unregisters itself and 'l', so 'l' is skipped; 'k' runs. Event 2: only 'k'. */
    assert_int_equal(rec.calls, 3);
    assert_memory_equal(rec.tags, "ukk", 3);
    esp_event_loop_delete(loop);
}

/* A handler that stays inside for a while, to be unregistered from another task meanwhile. */
typedef struct {
    SemaphoreHandle_t entered;
    int inside;       /* atomic */
    int calls;        /* atomic */
} slow_ctx_t;

static void slow_handler(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    slow_ctx_t *ctx = arg;
    __atomic_store_n(&ctx->inside, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&ctx->calls, 1, __ATOMIC_SEQ_CST);
    xSemaphoreGive(ctx->entered);
    vTaskDelay(pdMS_TO_TICKS(150));
    __atomic_store_n(&ctx->inside, 0, __ATOMIC_SEQ_CST);
}

static void test_unregister_waits_for_running_handler(void **state)
{
    esp_event_loop_handle_t loop = create_loop("evt_slow", 8);
    slow_ctx_t ctx = { .entered = xSemaphoreCreateBinary() };
    esp_event_handler_instance_t inst = NULL;
    assert_int_equal(esp_event_handler_instance_register_with(loop, TEST_BASE_B, 5, slow_handler, &ctx, &inst),
                     ESP_OK);
    assert_non_null(inst);
    esp_event_post_to(loop, TEST_BASE_B, 5, NULL, 0, portMAX_DELAY);
    assert_true(xSemaphoreTake(ctx.entered, pdMS_TO_TICKS(2000)));
    int64_t start = now_ms();
    assert_int_equal(esp_event_handler_instance_unregister_with(loop, TEST_BASE_B, 5, inst), ESP_OK);
    /* Unregistration returned only after the running call finished... */
    assert_int_equal(__atomic_load_n(&ctx.inside, __ATOMIC_SEQ_CST), 0);
    assert_in_range(now_ms() - start, 50, 150 + LATE_MS);
    /* ...and the handler is never called again. */
    esp_event_post_to(loop, TEST_BASE_B, 5, NULL, 0, portMAX_DELAY);
    vTaskDelay(pdMS_TO_TICKS(100));
    assert_int_equal(__atomic_load_n(&ctx.calls, __ATOMIC_SEQ_CST), 1);
    assert_int_equal(esp_event_handler_instance_unregister_with(loop, TEST_BASE_B, 5, inst), ESP_ERR_NOT_FOUND);
    esp_event_loop_delete(loop);
    vSemaphoreDelete(ctx.entered);
}

static void test_post_times_out_on_full_queue(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 2);
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 1, NULL, 0, 0), ESP_OK);
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 2, NULL, 0, 0), ESP_OK);
    int data = 5;
    int64_t start = now_ms();
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 3, &data, sizeof(data), pdMS_TO_TICKS(80)),
                     ESP_ERR_TIMEOUT);
    assert_in_range(now_ms() - start, 80, 80 + LATE_MS);
    start = now_ms();
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, 3, &data, sizeof(data), 0), ESP_ERR_TIMEOUT);
    assert_in_range(now_ms() - start, 0, PROMPT_MS);
    esp_event_loop_delete(loop);
}

static void test_run_returns_after_its_time(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 2);
    int64_t start = now_ms();
    assert_int_equal(esp_event_loop_run(loop, pdMS_TO_TICKS(100)), ESP_OK);
    assert_in_range(now_ms() - start, 100, 100 + LATE_MS);
    esp_event_loop_delete(loop);
}

/* A handler that posts a new event to its own loop every time it runs. */
static int s_reposts;

static void reposting_handler(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    s_reposts++;
    esp_event_post_to(arg, base, id, NULL, 0, 0);
}

/* A run ends on time even when handlers keep the queue busy; a zero-time run takes only what was queued. */
static void test_run_is_bounded_when_handlers_post(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 4);
    esp_event_handler_register_with(loop, TEST_BASE_A, 9, reposting_handler, loop);
    esp_event_post_to(loop, TEST_BASE_A, 9, NULL, 0, 0);
    s_reposts = 0;
    esp_event_loop_run(loop, 0);
    assert_int_equal(s_reposts, 1);
    esp_event_loop_run(loop, 0);
    assert_int_equal(s_reposts, 2);
    int64_t start = now_ms();
    assert_int_equal(esp_event_loop_run(loop, pdMS_TO_TICKS(100)), ESP_OK);
    /* The run counts whole ticks between dispatches, so it may end up to one tick early in real time. */
    assert_in_range(now_ms() - start, 100 - portTICK_PERIOD_MS, 100 + LATE_MS);
    assert_true(s_reposts > 2);
    esp_event_loop_delete(loop);
}

static void test_registration_rules_and_bad_arguments(void **state)
{
    esp_event_loop_handle_t loop = create_loop(NULL, 4);
    record_t rec = { 0 };
    handler_arg_t first = { '1', &rec }, second = { '2', &rec };
    /* Registering the same function for the same event again replaces its argument. */
    esp_event_handler_register_with(loop, TEST_BASE_A, 1, recording_handler, &first);
    esp_event_handler_register_with(loop, TEST_BASE_A, 1, recording_handler, &second);
    esp_event_post_to(loop, TEST_BASE_A, 1, NULL, 0, 0);
    esp_event_loop_run(loop, 0);
    assert_int_equal(rec.calls, 1);
    assert_int_equal(rec.tags[0], '2');
    /* Unregistering with a wildcard does not touch handlers registered for a specific id. */
    assert_int_equal(esp_event_handler_unregister_with(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, recording_handler),
                     ESP_OK);
    esp_event_post_to(loop, TEST_BASE_A, 1, NULL, 0, 0);
    esp_event_loop_run(loop, 0);
    assert_int_equal(rec.calls, 2);

    assert_int_equal(esp_event_handler_register_with(loop, ESP_EVENT_ANY_BASE, 3, recording_handler, &first),
                     ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_event_handler_register_with(NULL, TEST_BASE_A, 3, recording_handler, &first),
                     ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_event_post_to(loop, ESP_EVENT_ANY_BASE, 1, NULL, 0, 0), ESP_ERR_INVALID_ARG);
    assert_int_equal(esp_event_post_to(loop, TEST_BASE_A, ESP_EVENT_ANY_ID, NULL, 0, 0), ESP_ERR_INVALID_ARG);
    esp_event_loop_args_t bad = { .queue_size = 0 };
    esp_event_loop_handle_t none = NULL;
    assert_int_equal(esp_event_loop_create(&bad, &none), ESP_ERR_INVALID_ARG);
    assert_null(none);
    esp_event_loop_delete(loop);
}

static void test_default_loop(void **state)
{
    assert_int_equal(esp_event_post(TEST_BASE_A, 1, NULL, 0, 0), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_event_loop_create_default(), ESP_OK);
    assert_int_equal(esp_event_loop_create_default(), ESP_ERR_INVALID_STATE);
    record_t rec = { .seen = xSemaphoreCreateCounting(MAX_CALLS, 0) };
    handler_arg_t h = { 'd', &rec };
    assert_int_equal(esp_event_handler_register(TEST_BASE_B, 2, recording_handler, &h), ESP_OK);
    int v = 21;
    assert_int_equal(esp_event_post(TEST_BASE_B, 2, &v, sizeof(v), portMAX_DELAY), ESP_OK);
    assert_true(xSemaphoreTake(rec.seen, pdMS_TO_TICKS(2000)));
    assert_int_equal(rec.payload[0], 21);
    assert_int_equal(esp_event_handler_unregister(TEST_BASE_B, 2, recording_handler), ESP_OK);
    assert_int_equal(esp_event_loop_delete_default(), ESP_OK);
    assert_int_equal(esp_event_loop_delete_default(), ESP_ERR_INVALID_STATE);
    vSemaphoreDelete(rec.seen);
}

void app_main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_in_registration_order_without_task),
        cmocka_unit_test(test_loop_task_dispatches_a_copy),
        cmocka_unit_test(test_delete_loop_with_pending_events),
        cmocka_unit_test(test_delete_loop_task_finishes_queued_events),
        cmocka_unit_test(test_unregister_from_handler),
        cmocka_unit_test(test_unregister_waits_for_running_handler),
        cmocka_unit_test(test_post_times_out_on_full_queue),
        cmocka_unit_test(test_run_returns_after_its_time),
        cmocka_unit_test(test_run_is_bounded_when_handlers_post),
        cmocka_unit_test(test_registration_rules_and_bad_arguments),
        cmocka_unit_test(test_default_loop),
    };
    int failed = cmocka_run_group_tests_name("esp_event", tests, NULL, NULL);
    ESP_LOGI(TAG, "SUMMARY failed=%d", failed);
    exit(failed == 0 ? 0 : 1);
}
