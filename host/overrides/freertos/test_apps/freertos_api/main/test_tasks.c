/*
 * Tasks: deletion of blocked tasks (in a semaphore take, a delay, an event-group wait), self-deletion,
 * names (also as thread names), priorities, notifications, delays and ticks, adoption of plain pthreads,
 * host stack sizes, and true parallelism: two spinning tasks see each other progress while both run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
#include "test_util.h"

#define HELPER_STACK 4096

typedef struct {
    SemaphoreHandle_t sem;
    EventGroupHandle_t group;
    int after_block;   /* atomic: set if the task ever ran past its blocking call */
} victim_ctx_t;

static void blocked_in_take_task(void *arg)
{
    victim_ctx_t *ctx = arg;
    xSemaphoreTake(ctx->sem, portMAX_DELAY);
    __atomic_store_n(&ctx->after_block, 1, __ATOMIC_SEQ_CST);
    vTaskDelete(NULL);
}

static void blocked_in_delay_task(void *arg)
{
    victim_ctx_t *ctx = arg;
    vTaskDelay(pdMS_TO_TICKS(10000));
    __atomic_store_n(&ctx->after_block, 1, __ATOMIC_SEQ_CST);
    vTaskDelete(NULL);
}

static void blocked_in_bits_task(void *arg)
{
    victim_ctx_t *ctx = arg;
    xEventGroupWaitBits(ctx->group, BIT0, pdTRUE, pdTRUE, portMAX_DELAY);
    __atomic_store_n(&ctx->after_block, 1, __ATOMIC_SEQ_CST);
    vTaskDelete(NULL);
}

static void test_delete_task_blocked_in_take(void **state)
{
    victim_ctx_t ctx = { .sem = xSemaphoreCreateBinary() };
    TaskHandle_t victim;
    xTaskCreate(blocked_in_take_task, "victim", HELPER_STACK, &ctx, 5, &victim);
    assert_true(wait_until_blocked(victim));
    vTaskDelete(victim);
    /* The victim is gone: nobody takes the token, and the semaphore has no waiter left. */
    assert_true(xSemaphoreGive(ctx.sem));
    vTaskDelay(pdMS_TO_TICKS(100));
    assert_int_equal(uxSemaphoreGetCount(ctx.sem), 1);
    assert_int_equal(__atomic_load_n(&ctx.after_block, __ATOMIC_SEQ_CST), 0);
    vSemaphoreDelete(ctx.sem);
}

static void test_delete_task_blocked_in_delay(void **state)
{
    victim_ctx_t ctx = { 0 };
    TaskHandle_t victim;
    xTaskCreate(blocked_in_delay_task, "sleeper", HELPER_STACK, &ctx, 5, &victim);
    assert_true(wait_until_blocked(victim));
    int64_t start = now_ms();
    vTaskDelete(victim);
    assert_elapsed_between(start, 0, LATE_MS);  /* released at once, not after its 10 s delay */
    assert_int_equal(__atomic_load_n(&ctx.after_block, __ATOMIC_SEQ_CST), 0);
}

static void test_delete_task_blocked_in_wait_bits(void **state)
{
    victim_ctx_t ctx = { .group = xEventGroupCreate() };
    TaskHandle_t victim;
    xTaskCreate(blocked_in_bits_task, "bits_victim", HELPER_STACK, &ctx, 5, &victim);
    assert_true(wait_until_blocked(victim));
    vTaskDelete(victim);
    /* Its wait record is gone: a set leaves the bit (no one clears it) and the group can be deleted. */
    xEventGroupSetBits(ctx.group, BIT0);
    assert_int_equal(xEventGroupGetBits(ctx.group), BIT0);
    assert_int_equal(__atomic_load_n(&ctx.after_block, __ATOMIC_SEQ_CST), 0);
    vEventGroupDelete(ctx.group);
}

typedef struct {
    SemaphoreHandle_t done;
    int after_delete;  /* atomic */
    char name[32];
    char thread_name[32];
    UBaseType_t priority;
} self_ctx_t;

static void self_deleting_task(void *arg)
{
    self_ctx_t *ctx = arg;
    snprintf(ctx->name, sizeof(ctx->name), "%s", pcTaskGetName(NULL));
    pthread_getname_np(pthread_self(), ctx->thread_name, sizeof(ctx->thread_name));
    ctx->priority = uxTaskPriorityGet(NULL);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
    __atomic_store_n(&ctx->after_delete, 1, __ATOMIC_SEQ_CST);
}

static void test_self_delete_names_and_priority(void **state)
{
    assert_string_equal(pcTaskGetName(NULL), "main");
    self_ctx_t ctx = { .done = xSemaphoreCreateBinary() };
    TaskHandle_t task;
    /* 20 characters: the task keeps configMAX_TASK_NAME_LEN - 1 (15), so does the thread. */
    xTaskCreatePinnedToCore(self_deleting_task, "a_rather_long_name__", HELPER_STACK, &ctx, 7, &task, 0);  /* ESP-IDF's linux target has one core */
    assert_true(xSemaphoreTake(ctx.done, pdMS_TO_TICKS(2000)));
    vTaskDelay(pdMS_TO_TICKS(50));
    assert_string_equal(ctx.name, "a_rather_long_n");
    assert_string_equal(ctx.thread_name, "a_rather_long_n");
    assert_int_equal(ctx.priority, 7);
    assert_int_equal(__atomic_load_n(&ctx.after_delete, __ATOMIC_SEQ_CST), 0);
    vSemaphoreDelete(ctx.done);
}

static void test_priority_set_and_get(void **state)
{
    UBaseType_t before = uxTaskPriorityGet(NULL);
    vTaskPrioritySet(NULL, 9);
    assert_int_equal(uxTaskPriorityGet(NULL), 9);
    vTaskPrioritySet(NULL, before);
    assert_int_equal(uxTaskPriorityGet(xTaskGetCurrentTaskHandle()), before);
}

typedef struct {
    TaskHandle_t target;
    SemaphoreHandle_t done;
} notifier_ctx_t;

static void notifier_task(void *arg)
{
    notifier_ctx_t *ctx = arg;
    vTaskDelay(pdMS_TO_TICKS(50));
    xTaskNotifyGive(ctx->target);
    xTaskNotifyGive(ctx->target);
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

static void test_task_notifications(void **state)
{
    assert_int_equal(ulTaskNotifyTake(pdTRUE, 0), 0);
    notifier_ctx_t ctx = { .target = xTaskGetCurrentTaskHandle(), .done = xSemaphoreCreateBinary() };
    xTaskCreate(notifier_task, "notifier", HELPER_STACK, &ctx, 5, NULL);
    int64_t start = now_ms();
    uint32_t first = ulTaskNotifyTake(pdFALSE, pdMS_TO_TICKS(2000));
    assert_in_range(first, 1, 2);
    assert_elapsed_between(start, 40, 50 + LATE_MS);
    xSemaphoreTake(ctx.done, portMAX_DELAY);
    /* Two gives, one taken by decrement: one is left whichever order they raced in. */
    assert_int_equal(ulTaskNotifyTake(pdTRUE, 0), 1);
    assert_int_equal(ulTaskNotifyTake(pdTRUE, 0), 0);

    uint32_t value = 0;
    assert_int_equal(xTaskNotify(xTaskGetCurrentTaskHandle(), BIT3, eSetBits), pdPASS);
    assert_int_equal(xTaskNotifyWait(0, UINT32_MAX, &value, 0), pdTRUE);
    assert_int_equal(value, BIT3);
    start = now_ms();
    assert_int_equal(xTaskNotifyWait(0, UINT32_MAX, &value, pdMS_TO_TICKS(60)), pdFALSE);
    assert_elapsed_between(start, 60, 60 + LATE_MS);
    vSemaphoreDelete(ctx.done);
}

static void test_delay_and_ticks(void **state)
{
    TickType_t ticks_before = xTaskGetTickCount();
    int64_t start = now_ms();
    vTaskDelay(pdMS_TO_TICKS(100));
    assert_elapsed_between(start, 100, 100 + LATE_MS);
    assert_in_range(xTaskGetTickCount() - ticks_before, 99, 100 + LATE_MS);
    assert_int_equal(portTICK_PERIOD_MS, 1);

    TickType_t wake = xTaskGetTickCount();
    start = now_ms();
    for (int i = 0; i < 5; i++) {
        xTaskDelayUntil(&wake, pdMS_TO_TICKS(20));  /* pdFALSE if a loaded machine made us miss a period */
    }
    assert_elapsed_between(start, 99, 100 + LATE_MS);

    /* A period already over does not wait, and says so. */
    wake = xTaskGetTickCount() - pdMS_TO_TICKS(100);
    start = now_ms();
    assert_int_equal(xTaskDelayUntil(&wake, pdMS_TO_TICKS(10)), pdFALSE);
    assert_elapsed_between(start, 0, PROMPT_MS);
}

/* A thread not created by xTaskCreate becomes a task on its first FreeRTOS call, named after the thread;
 * its record is freed when the thread exits (ASan's leak check watches). */
typedef struct {
    QueueHandle_t queue;
    char name[32];
} plain_ctx_t;

static void *plain_thread(void *arg)
{
    plain_ctx_t *ctx = arg;
    pthread_setname_np(pthread_self(), "plain_thr");
    snprintf(ctx->name, sizeof(ctx->name), "%s", pcTaskGetName(NULL));
    int v = 7;
    xQueueSend(ctx->queue, &v, portMAX_DELAY);
    return NULL;
}

static void test_plain_thread_is_adopted(void **state)
{
    plain_ctx_t ctx = { .queue = xQueueCreate(1, sizeof(int)) };
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, plain_thread, &ctx), 0);
    int got = 0;
    assert_true(xQueueReceive(ctx.queue, &got, pdMS_TO_TICKS(2000)));
    assert_int_equal(got, 7);
    pthread_join(thread, NULL);
    assert_string_equal(ctx.name, "plain_thr");
    vQueueDelete(ctx.queue);
}

typedef struct {
    SemaphoreHandle_t done;
    int ok;
} stack_ctx_t;

static void big_stack_task(void *arg)
{
    stack_ctx_t *ctx = arg;
    volatile char buf[48 * 1024];
    memset((char *)buf, 0x5a, sizeof(buf));
    ctx->ok = buf[sizeof(buf) - 1] == 0x5a && uxTaskGetStackHighWaterMark(NULL) == 2048;
    xSemaphoreGive(ctx->done);
    vTaskDelete(NULL);
}

/* A 2 KiB ESP-IDF stack becomes a host stack that holds 48 KiB of locals (see tasks.c for the scaling). */
static void test_host_stack_is_scaled(void **state)
{
    stack_ctx_t ctx = { .done = xSemaphoreCreateBinary() };
    xTaskCreate(big_stack_task, "big_stack", 2048, &ctx, 5, NULL);
    assert_true(xSemaphoreTake(ctx.done, pdMS_TO_TICKS(2000)));
    assert_true(ctx.ok);
    vSemaphoreDelete(ctx.done);
}

/* Two spinners, each counting its own progress and sampling the other's. On a one-task-at-a-time
 * scheduler (ESP-IDF's linux port) or one core, the other's counter is frozen while a task runs, so
 * consecutive samples rarely differ; in true parallel nearly every sample sees it move. */
#define SAMPLES_PER_WINDOW 2000
/* A shared machine may leave only one core to this process for a while: keep measuring this long
 * (WSH_PARALLEL_PATIENCE_MS overrides it). */
#define DEFAULT_PATIENCE_MS 20000

typedef struct {
    uint64_t counter[2];       /* atomic */
    int stop;                  /* atomic */
    int best_percent[2];       /* written by spinner i, read after `done` */
    SemaphoreHandle_t done;
    EventGroupHandle_t start;
} spin_ctx_t;

static spin_ctx_t s_spin;

static int window_percent(int me)
{
    int moved = 0;
    uint64_t last = __atomic_load_n(&s_spin.counter[!me], __ATOMIC_RELAXED);
    for (int i = 0; i < SAMPLES_PER_WINDOW; i++) {
        for (int k = 0; k < 50; k++) {
            __atomic_fetch_add(&s_spin.counter[me], 1, __ATOMIC_RELAXED);
        }
        uint64_t seen = __atomic_load_n(&s_spin.counter[!me], __ATOMIC_RELAXED);
        moved += seen != last;
        last = seen;
    }
    return moved * 100 / SAMPLES_PER_WINDOW;
}

static void spinner_task(void *arg)
{
    int me = (int)(intptr_t)arg;
    xEventGroupSync(s_spin.start, me ? BIT1 : BIT0, BIT0 | BIT1, portMAX_DELAY);
    int best = 0;
    const char *patience = getenv("WSH_PARALLEL_PATIENCE_MS");
    int64_t give_up = now_ms() + (patience ? atoi(patience) : DEFAULT_PATIENCE_MS);
    while (best < 50 && now_ms() < give_up && !__atomic_load_n(&s_spin.stop, __ATOMIC_RELAXED)) {
        int p = window_percent(me);
        best = p > best ? p : best;
    }
    __atomic_store_n(&s_spin.stop, 1, __ATOMIC_RELAXED);
    /* Keep moving until the other spinner has finished its own measurement. */
    xEventGroupSync(s_spin.start, me ? BIT3 : BIT2, BIT2 | BIT3, portMAX_DELAY);
    s_spin.best_percent[me] = best;
    xSemaphoreGive(s_spin.done);
    vTaskDelete(NULL);
}

static void test_tasks_run_in_parallel(void **state)
{
    s_spin = (spin_ctx_t) { .done = xSemaphoreCreateCounting(2, 0), .start = xEventGroupCreate() };
    xTaskCreate(spinner_task, "spin0", HELPER_STACK, (void *)0, 5, NULL);
    xTaskCreate(spinner_task, "spin1", HELPER_STACK, (void *)1, 5, NULL);
    assert_true(xSemaphoreTake(s_spin.done, pdMS_TO_TICKS(60000)));
    assert_true(xSemaphoreTake(s_spin.done, pdMS_TO_TICKS(60000)));
    print_message("parallel: best window saw the other spinner move in %d%% / %d%% of samples\n",
                  s_spin.best_percent[0], s_spin.best_percent[1]);
    assert_true(s_spin.best_percent[0] >= 50 || s_spin.best_percent[1] >= 50);
    vSemaphoreDelete(s_spin.done);
    vEventGroupDelete(s_spin.start);
}

int run_task_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delete_task_blocked_in_take),
        cmocka_unit_test(test_delete_task_blocked_in_delay),
        cmocka_unit_test(test_delete_task_blocked_in_wait_bits),
        cmocka_unit_test(test_self_delete_names_and_priority),
        cmocka_unit_test(test_priority_set_and_get),
        cmocka_unit_test(test_task_notifications),
        cmocka_unit_test(test_delay_and_ticks),
        cmocka_unit_test(test_plain_thread_is_adopted),
        cmocka_unit_test(test_host_stack_is_scaled),
        cmocka_unit_test(test_tasks_run_in_parallel),
    };
    return cmocka_run_group_tests_name("freertos_tasks", tests, NULL, NULL);
}
