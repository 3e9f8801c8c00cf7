/*
 * Mutexes, semaphores and event groups: timeouts expire on time, a take blocks until the holder gives,
 * recursive depth is counted, and event-group waits honour all/any and clear-on-exit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
#include "test_util.h"

#define HELPER_STACK 4096

/* A helper that holds a mutex until told to let go. */
typedef struct {
    SemaphoreHandle_t mutex;
    SemaphoreHandle_t holding;   /* given once the helper holds the mutex */
    SemaphoreHandle_t release;   /* given by the test to make the helper give the mutex */
    SemaphoreHandle_t done;      /* given after the helper gave the mutex */
    int about_to_give;           /* atomic: set just before the give */
    TickType_t hold_ticks;       /* if nonzero, hold this long instead of waiting for `release` */
} holder_ctx_t;

static void holder_task(void *arg)
{
    holder_ctx_t *ctx = arg;
    xSemaphoreTake(ctx->mutex, portMAX_DELAY);
    xSemaphoreGive(ctx->holding);
    if (ctx->hold_ticks) {
        vTaskDelay(ctx->hold_ticks);
    } else {
        xSemaphoreTake(ctx->release, portMAX_DELAY);
    }
    __atomic_store_n(&ctx->about_to_give, 1, __ATOMIC_SEQ_CST);
    xSemaphoreGive(ctx->mutex);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void start_holder(holder_ctx_t *ctx, TickType_t hold_ticks, TaskHandle_t *task)
{
    *ctx = (holder_ctx_t) {
        .mutex = xSemaphoreCreateMutex(), .holding = xSemaphoreCreateBinary(),
        .release = xSemaphoreCreateBinary(), .done = xSemaphoreCreateBinary(), .hold_ticks = hold_ticks,
    };
    assert_non_null(ctx->mutex);
    assert_int_equal(xTaskCreate(holder_task, "holder", HELPER_STACK, ctx, 5, task), pdPASS);
    assert_true(xSemaphoreTake(ctx->holding, pdMS_TO_TICKS(5000)));
}

static void finish_holder(holder_ctx_t *ctx)
{
    assert_true(xSemaphoreTake(ctx->done, pdMS_TO_TICKS(5000)));
    vSemaphoreDelete(ctx->mutex);
    vSemaphoreDelete(ctx->holding);
    vSemaphoreDelete(ctx->release);
    vSemaphoreDelete(ctx->done);
}

static void test_mutex_take_times_out_while_held(void **state)
{
    holder_ctx_t ctx;
    TaskHandle_t holder;
    start_holder(&ctx, 0, &holder);
    assert_ptr_equal(xSemaphoreGetMutexHolder(ctx.mutex), holder);
    assert_int_equal(uxSemaphoreGetCount(ctx.mutex), 0);

    int64_t start = now_ms();
    assert_int_equal(xSemaphoreTake(ctx.mutex, pdMS_TO_TICKS(100)), pdFALSE);
    assert_elapsed_between(start, 100, 100 + LATE_MS);

    start = now_ms();
    assert_int_equal(xSemaphoreTake(ctx.mutex, 0), pdFALSE);
    assert_elapsed_between(start, 0, PROMPT_MS);

    xSemaphoreGive(ctx.release);
    assert_int_equal(xSemaphoreTake(ctx.mutex, portMAX_DELAY), pdTRUE);
    assert_ptr_equal(xSemaphoreGetMutexHolder(ctx.mutex), xTaskGetCurrentTaskHandle());
    assert_int_equal(xSemaphoreGive(ctx.mutex), pdTRUE);
    assert_null(xSemaphoreGetMutexHolder(ctx.mutex));
    finish_holder(&ctx);
}

static void test_mutex_take_blocks_until_holder_gives(void **state)
{
    holder_ctx_t ctx;
    TaskHandle_t holder;
    start_holder(&ctx, pdMS_TO_TICKS(200), &holder);
    int64_t start = now_ms();
    assert_int_equal(xSemaphoreTake(ctx.mutex, portMAX_DELAY), pdTRUE);
    /* The take can only have succeeded after the holder decided to give. */
    assert_int_equal(__atomic_load_n(&ctx.about_to_give, __ATOMIC_SEQ_CST), 1);
    assert_elapsed_between(start, 100, 200 + LATE_MS);
    xSemaphoreGive(ctx.mutex);
    finish_holder(&ctx);
}

/* Polls a recursive mutex from another task: pdTRUE if that task could take it (it gives it back). */
typedef struct {
    SemaphoreHandle_t mutex;
    SemaphoreHandle_t done;
    BaseType_t result;
} poll_ctx_t;

static void poll_recursive_task(void *arg)
{
    poll_ctx_t *ctx = arg;
    ctx->result = xSemaphoreTakeRecursive(ctx->mutex, 0);
    if (ctx->result) {
        xSemaphoreGiveRecursive(ctx->mutex);
    }
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static BaseType_t other_task_can_take(SemaphoreHandle_t mutex)
{
    poll_ctx_t ctx = { .mutex = mutex, .done = xSemaphoreCreateBinary() };
    xTaskCreate(poll_recursive_task, "poller", HELPER_STACK, &ctx, 5, NULL);
    xSemaphoreTake(ctx.done, portMAX_DELAY);
    vSemaphoreDelete(ctx.done);
    return ctx.result;
}

static void test_recursive_mutex_counts_depth(void **state)
{
    SemaphoreHandle_t m = xSemaphoreCreateRecursiveMutex();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(xSemaphoreTakeRecursive(m, 0), pdTRUE);
    }
    assert_ptr_equal(xSemaphoreGetMutexHolder(m), xTaskGetCurrentTaskHandle());
    assert_int_equal(other_task_can_take(m), pdFALSE);
    assert_int_equal(xSemaphoreGiveRecursive(m), pdTRUE);
    assert_int_equal(xSemaphoreGiveRecursive(m), pdTRUE);
    assert_int_equal(other_task_can_take(m), pdFALSE);
    assert_int_equal(xSemaphoreGiveRecursive(m), pdTRUE);
    assert_null(xSemaphoreGetMutexHolder(m));
    assert_int_equal(other_task_can_take(m), pdTRUE);
    vSemaphoreDelete(m);
}

static void test_binary_semaphore(void **state)
{
    SemaphoreHandle_t s = xSemaphoreCreateBinary();
    assert_int_equal(uxSemaphoreGetCount(s), 0);
    assert_int_equal(xSemaphoreTake(s, 0), pdFALSE);
    assert_int_equal(xSemaphoreGive(s), pdTRUE);
    assert_int_equal(xSemaphoreGive(s), pdFALSE);
    assert_int_equal(uxSemaphoreGetCount(s), 1);
    assert_int_equal(xSemaphoreTake(s, 0), pdTRUE);
    int64_t start = now_ms();
    assert_int_equal(xSemaphoreTake(s, pdMS_TO_TICKS(60)), pdFALSE);
    assert_elapsed_between(start, 60, 60 + LATE_MS);
    vSemaphoreDelete(s);
}

static void test_counting_semaphore(void **state)
{
    SemaphoreHandle_t s = xSemaphoreCreateCounting(3, 1);
    assert_int_equal(uxSemaphoreGetCount(s), 1);
    assert_int_equal(xSemaphoreGive(s), pdTRUE);
    assert_int_equal(xSemaphoreGive(s), pdTRUE);
    assert_int_equal(xSemaphoreGive(s), pdFALSE);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(xSemaphoreTake(s, 0), pdTRUE);
    }
    assert_int_equal(xSemaphoreTake(s, 0), pdFALSE);
    vSemaphoreDelete(s);
}

typedef struct {
    EventGroupHandle_t group;
    EventBits_t bits;          /* what to set, or to wait for */
    TickType_t delay;          /* before setting */
    SemaphoreHandle_t done;
    EventBits_t result;        /* what the wait returned */
} bits_ctx_t;

static void set_bits_later_task(void *arg)
{
    bits_ctx_t *ctx = arg;
    vTaskDelay(ctx->delay);
    xEventGroupSetBits(ctx->group, ctx->bits);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void wait_bits_task(void *arg)
{
    bits_ctx_t *ctx = arg;
    ctx->result = xEventGroupWaitBits(ctx->group, ctx->bits, pdTRUE, pdTRUE, portMAX_DELAY);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void test_wait_bits_all_and_any(void **state)
{
    EventGroupHandle_t g = xEventGroupCreate();
    xEventGroupSetBits(g, BIT0);

    int64_t start = now_ms();
    EventBits_t got = xEventGroupWaitBits(g, BIT0 | BIT1, pdFALSE, pdTRUE, pdMS_TO_TICKS(80));
    assert_int_equal(got, BIT0);  /* timed out: returns the bits as they are */
    assert_elapsed_between(start, 80, 80 + LATE_MS);

    start = now_ms();
    got = xEventGroupWaitBits(g, BIT0 | BIT1, pdFALSE, pdFALSE, pdMS_TO_TICKS(1000));
    assert_int_equal(got, BIT0);  /* any: BIT0 suffices at once */
    assert_elapsed_between(start, 0, PROMPT_MS);

    bits_ctx_t ctx = { .group = g, .bits = BIT1, .delay = pdMS_TO_TICKS(100), .done = xSemaphoreCreateBinary() };
    xTaskCreate(set_bits_later_task, "setter", HELPER_STACK, &ctx, 5, NULL);
    start = now_ms();
    got = xEventGroupWaitBits(g, BIT0 | BIT1, pdFALSE, pdTRUE, portMAX_DELAY);
    assert_int_equal(got & (BIT0 | BIT1), BIT0 | BIT1);
    assert_elapsed_between(start, 90, 100 + LATE_MS);
    xSemaphoreTake(ctx.done, portMAX_DELAY);
    assert_int_equal(xEventGroupGetBits(g), BIT0 | BIT1);
    vSemaphoreDelete(ctx.done);
    vEventGroupDelete(g);
}

static void test_wait_bits_clear_on_exit(void **state)
{
    EventGroupHandle_t g = xEventGroupCreate();
    xEventGroupSetBits(g, BIT2 | BIT3);
    assert_int_equal(xEventGroupWaitBits(g, BIT2, pdFALSE, pdTRUE, 0), BIT2 | BIT3);
    assert_int_equal(xEventGroupGetBits(g), BIT2 | BIT3);
    assert_int_equal(xEventGroupWaitBits(g, BIT2, pdTRUE, pdTRUE, 0), BIT2 | BIT3);
    assert_int_equal(xEventGroupGetBits(g), BIT3);
    assert_int_equal(xEventGroupClearBits(g, BIT3), BIT3);  /* returns the bits before clearing */
    assert_int_equal(xEventGroupGetBits(g), 0);
    vEventGroupDelete(g);
}

/* One set releases every waiter it satisfies, even when each asked to clear the bit on exit. */
static void test_one_set_releases_all_waiters(void **state)
{
    EventGroupHandle_t g = xEventGroupCreate();
    SemaphoreHandle_t done = xSemaphoreCreateCounting(2, 0);
    bits_ctx_t waiters[2];
    TaskHandle_t tasks[2];
    for (int i = 0; i < 2; i++) {
        waiters[i] = (bits_ctx_t) { .group = g, .bits = BIT4, .done = done };
        xTaskCreate(wait_bits_task, "bits_waiter", HELPER_STACK, &waiters[i], 5, &tasks[i]);
    }
    for (int i = 0; i < 2; i++) {
        assert_true(wait_until_blocked(tasks[i]));
    }
    xEventGroupSetBits(g, BIT4);
    for (int i = 0; i < 2; i++) {
        assert_true(xSemaphoreTake(done, pdMS_TO_TICKS(2000)));
    }
    for (int i = 0; i < 2; i++) {
        assert_true(waiters[i].result & BIT4);
    }
    assert_int_equal(xEventGroupGetBits(g), 0);
    vSemaphoreDelete(done);
    vEventGroupDelete(g);
}

typedef struct {
    EventGroupHandle_t group;
    SemaphoreHandle_t done;
    EventBits_t result;
} sync_ctx_t;

static void sync_task(void *arg)
{
    sync_ctx_t *ctx = arg;
    ctx->result = xEventGroupSync(ctx->group, BIT5, BIT5 | BIT6, portMAX_DELAY);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void test_event_group_sync_is_a_barrier(void **state)
{
    sync_ctx_t ctx = { .group = xEventGroupCreate(), .done = xSemaphoreCreateBinary() };
    TaskHandle_t task;
    xTaskCreate(sync_task, "sync", HELPER_STACK, &ctx, 5, &task);
    assert_true(wait_until_blocked(task));
    EventBits_t mine = xEventGroupSync(ctx.group, BIT6, BIT5 | BIT6, pdMS_TO_TICKS(2000));
    assert_int_equal(mine & (BIT5 | BIT6), BIT5 | BIT6);
    assert_true(xSemaphoreTake(ctx.done, pdMS_TO_TICKS(2000)));
    assert_int_equal(ctx.result & (BIT5 | BIT6), BIT5 | BIT6);
    assert_int_equal(xEventGroupGetBits(ctx.group), 0);
    vSemaphoreDelete(ctx.done);
    vEventGroupDelete(ctx.group);
}

/* Two tasks increment a plain counter inside portENTER_CRITICAL on one mux: no update is lost. */
#define CRITICAL_ROUNDS 20000

static portMUX_TYPE s_mux = portMUX_INITIALIZER_UNLOCKED;
static int s_guarded;

typedef struct {
    SemaphoreHandle_t done;
} critical_ctx_t;

static void critical_task(void *arg)
{
    critical_ctx_t *ctx = arg;
    for (int i = 0; i < CRITICAL_ROUNDS; i++) {
        taskENTER_CRITICAL(&s_mux);
        portENTER_CRITICAL(&s_mux);  /* nesting on one mux is allowed, as on a chip */
        s_guarded++;
        portEXIT_CRITICAL(&s_mux);
        taskEXIT_CRITICAL(&s_mux);
    }
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void test_critical_section_excludes(void **state)
{
    critical_ctx_t ctx = { .done = xSemaphoreCreateCounting(2, 0) };
    xTaskCreate(critical_task, "crit0", HELPER_STACK, &ctx, 5, NULL);
    xTaskCreate(critical_task, "crit1", HELPER_STACK, &ctx, 5, NULL);
    assert_true(xSemaphoreTake(ctx.done, pdMS_TO_TICKS(10000)));
    assert_true(xSemaphoreTake(ctx.done, pdMS_TO_TICKS(10000)));
    portENTER_CRITICAL(&s_mux);
    assert_int_equal(s_guarded, 2 * CRITICAL_ROUNDS);
    portEXIT_CRITICAL(&s_mux);
    vSemaphoreDelete(ctx.done);
}

int run_sync_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutex_take_times_out_while_held),
        cmocka_unit_test(test_mutex_take_blocks_until_holder_gives),
        cmocka_unit_test(test_recursive_mutex_counts_depth),
        cmocka_unit_test(test_binary_semaphore),
        cmocka_unit_test(test_counting_semaphore),
        cmocka_unit_test(test_wait_bits_all_and_any),
        cmocka_unit_test(test_wait_bits_clear_on_exit),
        cmocka_unit_test(test_one_set_releases_all_waiters),
        cmocka_unit_test(test_event_group_sync_is_a_barrier),
        cmocka_unit_test(test_critical_section_excludes),
    };
    return cmocka_run_group_tests_name("freertos_sync", tests, NULL, NULL);
}
