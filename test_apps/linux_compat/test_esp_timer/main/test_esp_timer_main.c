/*
 * test_esp_timer_main.c: checks test_apps/linux_compat/esp_timer on the linux target of real ESP-IDF.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Prints one line per check ("PASS name" or "FAIL name: why") and then "N passed, M failed", and exits 0
 * only when nothing failed. Bounds are generous (a loaded 2-core machine, a 10 ms tick): they catch a timer
 * that never fires, fires early, fires too often or keeps firing, not one that is a few ticks late.
 */

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_err.h"
#include "esp_private/esp_timer_private.h" /* only to prove the override exports esp_private/ */
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#define MS 1000LL /* in microseconds */
#define FIRE_TIMEOUT_MS 5000

static int s_passed;
static int s_failed;
static char s_why[200];

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            snprintf(s_why, sizeof(s_why), "line %d: %s", __LINE__, #cond);        \
            return false;                                                           \
        }                                                                           \
    } while (0)

/* What a callback saw; each check has its own. */
typedef struct {
    atomic_int count;
    _Atomic int64_t first_us;
    _Atomic int64_t last_us;
    SemaphoreHandle_t fired;         /* given once per call */
    char task_name[configMAX_TASK_NAME_LEN];
    int block_ms;                    /* the callback holds the esp_timer task this long */
    esp_timer_handle_t delete_me;    /* the callback deletes this timer (its own) */
    atomic_int delete_result;
    atomic_int order;                /* position among the calls of the shared sequence */
} cb_ctx_t;

static atomic_int s_sequence; /* shared by the timers of check_order */

static void sleep_ms(int ms)
{
    TickType_t ticks = pdMS_TO_TICKS(ms);
    vTaskDelay(ticks > 0 ? ticks : 1);
}

static void ctx_init(cb_ctx_t *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->fired = xSemaphoreCreateCounting(100000, 0);
    atomic_store(&ctx->delete_result, -1);
}

static void ctx_free(cb_ctx_t *ctx)
{
    vSemaphoreDelete(ctx->fired);
}

static void on_timer(void *arg)
{
    cb_ctx_t *ctx = arg;
    int64_t now = esp_timer_get_time();
    if (atomic_fetch_add(&ctx->count, 1) == 0) {
        atomic_store(&ctx->first_us, now);
        snprintf(ctx->task_name, sizeof(ctx->task_name), "%s", pcTaskGetName(NULL));
        atomic_store(&ctx->order, atomic_fetch_add(&s_sequence, 1));
    }
    atomic_store(&ctx->last_us, now);
    if (ctx->delete_me != NULL) {
        atomic_store(&ctx->delete_result, esp_timer_delete(ctx->delete_me));
    }
    if (ctx->block_ms > 0) {
        sleep_ms(ctx->block_ms);
    }
    xSemaphoreGive(ctx->fired);
}

#if CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
static void on_timer_isr(void *arg)
{
    cb_ctx_t *ctx = arg;
    BaseType_t woken = pdFALSE;
    atomic_fetch_add(&ctx->count, 1);
    snprintf(ctx->task_name, sizeof(ctx->task_name), "%s", pcTaskGetName(NULL));
    xSemaphoreGiveFromISR(ctx->fired, &woken);
    if (woken == pdTRUE) {
        esp_timer_isr_dispatch_need_yield();
    }
}
#endif

static esp_err_t make_timer(cb_ctx_t *ctx, const char *name, bool skip, esp_timer_handle_t *out)
{
    const esp_timer_create_args_t args = {
        .callback = on_timer,
        .arg = ctx,
        .dispatch_method = ESP_TIMER_TASK,
        .name = name,
        .skip_unhandled_events = skip,
    };
    return esp_timer_create(&args, out);
}

static bool wait_fired(cb_ctx_t *ctx, int timeout_ms)
{
    return xSemaphoreTake(ctx->fired, pdMS_TO_TICKS(timeout_ms)) == pdTRUE;
}

static bool wait_count(cb_ctx_t *ctx, int count, int timeout_ms)
{
    int64_t deadline = esp_timer_get_time() + timeout_ms * MS;
    while (atomic_load(&ctx->count) < count && esp_timer_get_time() < deadline) {
        sleep_ms(5);
    }
    return atomic_load(&ctx->count) >= count;
}

/* ---------------------------------------------------------------- the checks */

static bool check_get_time(void)
{
    int64_t t0 = esp_timer_get_time();
    CHECK(t0 >= 0 && t0 < 60000 * MS); /* since start-up, like a chip: not the host's uptime */
    int64_t prev = t0;
    for (int i = 0; i < 100000; i++) {
        int64_t now = esp_timer_get_time();
        CHECK(now >= prev);
        prev = now;
    }
    sleep_ms(200);
    int64_t t1 = esp_timer_get_time();
    CHECK(t1 - t0 >= 150 * MS);
    CHECK(t1 - t0 < 20000 * MS);
    return true;
}

static bool check_one_shot(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t timer;
    CHECK(make_timer(&ctx, "one_shot", false, &timer) == ESP_OK);
    int64_t start = esp_timer_get_time();
    CHECK(esp_timer_start_once(timer, 100 * MS) == ESP_OK);
    CHECK(esp_timer_is_active(timer));
    uint64_t expiry = 0;
    CHECK(esp_timer_get_expiry_time(timer, &expiry) == ESP_OK);
    CHECK((int64_t)expiry >= start + 100 * MS && (int64_t)expiry < start + 5000 * MS);
    CHECK(wait_fired(&ctx, FIRE_TIMEOUT_MS));
    int64_t fired = atomic_load(&ctx.first_us);
    CHECK(fired >= start + 100 * MS); /* never early */
    CHECK(fired < start + 3000 * MS);
    sleep_ms(300);
    CHECK(atomic_load(&ctx.count) == 1);
    CHECK(!esp_timer_is_active(timer));
    CHECK(esp_timer_delete(timer) == ESP_OK); /* an expired one-shot needs no stop */
    ctx_free(&ctx);
    return true;
}

static bool check_periodic(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t timer;
    CHECK(make_timer(&ctx, "periodic", false, &timer) == ESP_OK);
    int64_t start = esp_timer_get_time();
    CHECK(esp_timer_start_periodic(timer, 20 * MS) == ESP_OK);
    uint64_t period = 0;
    CHECK(esp_timer_get_period(timer, &period) == ESP_OK && period == 20 * MS);
    CHECK(wait_count(&ctx, 5, FIRE_TIMEOUT_MS));
    CHECK(esp_timer_is_active(timer));
    CHECK(esp_timer_stop(timer) == ESP_OK);
    int64_t stopped = esp_timer_get_time();
    int count = atomic_load(&ctx.count);
    /* The fifth call is due 100 ms after the start; more calls than periods means it fired early. */
    CHECK(atomic_load(&ctx.last_us) >= start + 100 * MS);
    CHECK(count <= (stopped - start) / (20 * MS) + 1);
    sleep_ms(300);
    CHECK(atomic_load(&ctx.count) <= count + 1); /* stopped means stopped */
    CHECK(!esp_timer_is_active(timer));
    CHECK(esp_timer_stop(timer) == ESP_ERR_INVALID_STATE);
    CHECK(esp_timer_delete(timer) == ESP_OK);
    ctx_free(&ctx);
    return true;
}

static bool check_restart(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t timer;
    CHECK(make_timer(&ctx, "restart", false, &timer) == ESP_OK);
    CHECK(esp_timer_restart(timer, 10 * MS) == ESP_ERR_INVALID_STATE); /* not running */
    CHECK(esp_timer_start_once(timer, 60000 * MS) == ESP_OK);
    int64_t restarted = esp_timer_get_time();
    CHECK(esp_timer_restart(timer, 100 * MS) == ESP_OK);
    CHECK(wait_fired(&ctx, FIRE_TIMEOUT_MS)); /* long before the first 60 s */
    CHECK(atomic_load(&ctx.first_us) >= restarted + 100 * MS);
    CHECK(esp_timer_restart(timer, 10 * MS) == ESP_ERR_INVALID_STATE); /* expired */

    /* A periodic timer restarts with the new period: 5 calls in 2 s only at the new 30 ms, not at 10 s. */
    CHECK(esp_timer_start_periodic(timer, 10000 * MS) == ESP_OK);
    CHECK(esp_timer_restart(timer, 30 * MS) == ESP_OK);
    uint64_t period = 0;
    CHECK(esp_timer_get_period(timer, &period) == ESP_OK && period == 30 * MS);
    CHECK(wait_count(&ctx, 1 + 5, 2000));
    CHECK(esp_timer_stop(timer) == ESP_OK);
    CHECK(esp_timer_delete(timer) == ESP_OK);
    ctx_free(&ctx);
    return true;
}

static bool check_delete(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t timer;
    CHECK(make_timer(&ctx, "delete", false, &timer) == ESP_OK);
    CHECK(esp_timer_start_periodic(timer, 10 * MS) == ESP_OK);
    CHECK(esp_timer_delete(timer) == ESP_ERR_INVALID_STATE); /* running */
    CHECK(wait_count(&ctx, 2, FIRE_TIMEOUT_MS));              /* still there, still firing */
    CHECK(esp_timer_stop(timer) == ESP_OK);
    CHECK(esp_timer_delete(timer) == ESP_OK);
    CHECK(esp_timer_start_once(timer, 10 * MS) == ESP_ERR_INVALID_ARG); /* a deleted handle is refused */

    /* A one-shot callback may delete its own timer. */
    cb_ctx_t self;
    ctx_init(&self);
    CHECK(make_timer(&self, "self_delete", false, &self.delete_me) == ESP_OK);
    CHECK(esp_timer_start_once(self.delete_me, 20 * MS) == ESP_OK);
    CHECK(wait_fired(&self, FIRE_TIMEOUT_MS));
    CHECK(atomic_load(&self.delete_result) == ESP_OK);
    sleep_ms(50);
    ctx_free(&self);
    ctx_free(&ctx);
    return true;
}

static bool check_error_codes(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_create_args_t args = {.callback = on_timer, .arg = &ctx, .name = "errors"};
    esp_timer_handle_t timer = NULL;
    CHECK(esp_timer_create(NULL, &timer) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_create(&args, NULL) == ESP_ERR_INVALID_ARG);
    args.callback = NULL;
    CHECK(esp_timer_create(&args, &timer) == ESP_ERR_INVALID_ARG);
    args.callback = on_timer;
    args.dispatch_method = ESP_TIMER_MAX;
    CHECK(esp_timer_create(&args, &timer) == ESP_ERR_INVALID_ARG);
    args.dispatch_method = ESP_TIMER_TASK;

    CHECK(esp_timer_start_once(NULL, 10 * MS) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_start_periodic(NULL, 10 * MS) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_restart(NULL, 10 * MS) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_stop(NULL) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_delete(NULL) == ESP_ERR_INVALID_ARG);
    CHECK(!esp_timer_is_active(NULL));

    CHECK(esp_timer_create(&args, &timer) == ESP_OK);
    uint64_t value = 1;
    CHECK(esp_timer_get_period(timer, NULL) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_get_period(NULL, &value) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_get_expiry_time(timer, NULL) == ESP_ERR_INVALID_ARG);
    CHECK(esp_timer_stop(timer) == ESP_ERR_INVALID_STATE); /* never started */
    CHECK(esp_timer_start_once(timer, 60000 * MS) == ESP_OK);
    CHECK(esp_timer_start_once(timer, 60000 * MS) == ESP_ERR_INVALID_STATE);
    CHECK(esp_timer_start_periodic(timer, 60000 * MS) == ESP_ERR_INVALID_STATE);
    CHECK(esp_timer_get_period(timer, &value) == ESP_OK && value == 0); /* one-shot */
    CHECK(esp_timer_stop(timer) == ESP_OK);
    CHECK(esp_timer_start_periodic(timer, 60000 * MS) == ESP_OK);
    CHECK(esp_timer_get_expiry_time(timer, &value) == ESP_ERR_NOT_SUPPORTED);
    CHECK(esp_timer_stop(timer) == ESP_OK);
    CHECK(esp_timer_delete(timer) == ESP_OK);

    CHECK(esp_timer_init() == ESP_ERR_INVALID_STATE); /* already up, by the first create */
    CHECK(esp_timer_early_init() == ESP_OK);
    esp_etm_event_handle_t event = NULL;
    CHECK(esp_timer_new_etm_alarm_event(&event) == ESP_ERR_NOT_SUPPORTED);
    CHECK(esp_timer_new_etm_alarm_event(NULL) == ESP_ERR_INVALID_ARG);
    CHECK(atomic_load(&ctx.count) == 0);
    ctx_free(&ctx);
    return true;
}

static bool check_callback_task(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t timer;
    CHECK(make_timer(&ctx, "task_name", false, &timer) == ESP_OK);
    CHECK(esp_timer_start_once(timer, 10 * MS) == ESP_OK);
    CHECK(wait_fired(&ctx, FIRE_TIMEOUT_MS));
    CHECK(strcmp(ctx.task_name, "esp_timer") == 0);
    CHECK(esp_timer_delete(timer) == ESP_OK);
    ctx_free(&ctx);
    return true;
}

#if CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
static bool check_isr_dispatch(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    const esp_timer_create_args_t args = {
        .callback = on_timer_isr, .arg = &ctx, .dispatch_method = ESP_TIMER_ISR, .name = "isr"};
    esp_timer_handle_t timer;
    CHECK(esp_timer_create(&args, &timer) == ESP_OK);
    CHECK(esp_timer_start_periodic(timer, 20 * MS) == ESP_OK);
    CHECK(wait_fired(&ctx, FIRE_TIMEOUT_MS) && wait_fired(&ctx, FIRE_TIMEOUT_MS));
    CHECK(esp_timer_stop(timer) == ESP_OK);
    CHECK(strcmp(ctx.task_name, "esp_timer") == 0); /* no interrupts on linux: the same task runs them */
    CHECK(esp_timer_delete(timer) == ESP_OK);
    ctx_free(&ctx);
    return true;
}
#endif

static bool check_order(void)
{
    cb_ctx_t late, early, middle;
    esp_timer_handle_t t_late, t_early, t_middle;
    ctx_init(&late);
    ctx_init(&early);
    ctx_init(&middle);
    CHECK(make_timer(&late, "late", false, &t_late) == ESP_OK);
    CHECK(make_timer(&early, "early", false, &t_early) == ESP_OK);
    CHECK(make_timer(&middle, "middle", false, &t_middle) == ESP_OK);
    atomic_store(&s_sequence, 0);
    CHECK(esp_timer_start_once(t_late, 300 * MS) == ESP_OK);
    CHECK(esp_timer_start_once(t_early, 50 * MS) == ESP_OK);
    CHECK(esp_timer_start_once(t_middle, 150 * MS) == ESP_OK);
    CHECK(wait_fired(&late, FIRE_TIMEOUT_MS) && wait_fired(&early, 1) && wait_fired(&middle, 1));
    CHECK(atomic_load(&early.order) == 0 && atomic_load(&middle.order) == 1 && atomic_load(&late.order) == 2);
    CHECK(esp_timer_delete(t_late) == ESP_OK && esp_timer_delete(t_early) == ESP_OK &&
          esp_timer_delete(t_middle) == ESP_OK);
    ctx_free(&late);
    ctx_free(&early);
    ctx_free(&middle);
    return true;
}

static bool check_next_alarm_and_dump(void)
{
    CHECK(esp_timer_get_next_alarm() == INT64_MAX); /* nothing armed */
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t wakes, skips;
    CHECK(make_timer(&ctx, "wakes", false, &wakes) == ESP_OK);
    CHECK(make_timer(&ctx, "skips", true, &skips) == ESP_OK);
    CHECK(esp_timer_start_once(wakes, 20000 * MS) == ESP_OK);
    CHECK(esp_timer_start_once(skips, 10000 * MS) == ESP_OK);
    uint64_t wakes_at = 0, skips_at = 0;
    CHECK(esp_timer_get_expiry_time(wakes, &wakes_at) == ESP_OK);
    CHECK(esp_timer_get_expiry_time(skips, &skips_at) == ESP_OK);
    CHECK(esp_timer_get_next_alarm() == (int64_t)skips_at);
    CHECK(esp_timer_get_next_alarm_for_wake_up() == (int64_t)wakes_at); /* skip timers don't wake */
    CHECK(esp_timer_dump(stdout) == ESP_OK);
    CHECK(esp_timer_stop(wakes) == ESP_OK && esp_timer_stop(skips) == ESP_OK);
    CHECK(esp_timer_delete(wakes) == ESP_OK && esp_timer_delete(skips) == ESP_OK);
    CHECK(esp_timer_get_next_alarm() == INT64_MAX);
    ctx_free(&ctx);
    return true;
}

/* A callback holds the esp_timer task for 300 ms: a 20 ms timer with skip_unhandled_events drops the
 * periods it missed, one without catches up on all of them. */
static bool check_skip_unhandled_events(void)
{
    cb_ctx_t skip, all, blocker;
    esp_timer_handle_t t_skip, t_all, t_blocker;
    ctx_init(&skip);
    ctx_init(&all);
    ctx_init(&blocker);
    blocker.block_ms = 300;
    CHECK(make_timer(&skip, "skip", true, &t_skip) == ESP_OK);
    CHECK(make_timer(&all, "all", false, &t_all) == ESP_OK);
    CHECK(make_timer(&blocker, "blocker", false, &t_blocker) == ESP_OK);
    CHECK(esp_timer_start_periodic(t_skip, 20 * MS) == ESP_OK);
    CHECK(esp_timer_start_periodic(t_all, 20 * MS) == ESP_OK);
    CHECK(esp_timer_start_once(t_blocker, 30 * MS) == ESP_OK);
    CHECK(wait_fired(&blocker, FIRE_TIMEOUT_MS));
    sleep_ms(100);
    CHECK(esp_timer_stop(t_skip) == ESP_OK && esp_timer_stop(t_all) == ESP_OK);
    int n_skip = atomic_load(&skip.count);
    int n_all = atomic_load(&all.count);
    printf("  skip_unhandled_events: %d calls with, %d without\n", n_skip, n_all);
    CHECK(n_skip >= 2);
    CHECK(n_all >= n_skip + 5); /* about 14 periods were missed */
    CHECK(esp_timer_delete(t_skip) == ESP_OK && esp_timer_delete(t_all) == ESP_OK &&
          esp_timer_delete(t_blocker) == ESP_OK);
    ctx_free(&skip);
    ctx_free(&all);
    ctx_free(&blocker);
    return true;
}

static bool check_init_deinit(void)
{
    cb_ctx_t ctx;
    ctx_init(&ctx);
    esp_timer_handle_t timer;
    CHECK(make_timer(&ctx, "deinit", false, &timer) == ESP_OK);
    CHECK(esp_timer_start_once(timer, 60000 * MS) == ESP_OK);
    CHECK(esp_timer_deinit() == ESP_ERR_INVALID_STATE); /* a timer is armed */
    CHECK(esp_timer_stop(timer) == ESP_OK);
    CHECK(esp_timer_deinit() == ESP_OK);
    CHECK(esp_timer_deinit() == ESP_ERR_INVALID_STATE); /* not initialized */
    CHECK(esp_timer_get_next_alarm() == INT64_MAX);
    CHECK(esp_timer_init() == ESP_OK);
    CHECK(esp_timer_deinit() == ESP_OK);
    /* The timer outlives a deinit; the next call starts the library again, lazily. */
    CHECK(esp_timer_start_once(timer, 20 * MS) == ESP_OK);
    CHECK(wait_fired(&ctx, FIRE_TIMEOUT_MS));
    CHECK(strcmp(ctx.task_name, "esp_timer") == 0);
    CHECK(esp_timer_delete(timer) == ESP_OK);
    ctx_free(&ctx);
    return true;
}

/* ---------------------------------------------------------------- main */

static void run(const char *name, bool (*check)(void))
{
    s_why[0] = '\0';
    if (check()) {
        s_passed++;
        printf("PASS %s\n", name);
    } else {
        s_failed++;
        printf("FAIL %s: %s\n", name, s_why);
    }
}

void app_main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    run("get_time", check_get_time);
    run("one_shot", check_one_shot);
    run("periodic", check_periodic);
    run("restart", check_restart);
    run("delete", check_delete);
    run("error_codes", check_error_codes);
    run("callback_task", check_callback_task);
#if CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
    run("isr_dispatch", check_isr_dispatch);
#endif
    run("order", check_order);
    run("next_alarm_and_dump", check_next_alarm_and_dump);
    run("skip_unhandled_events", check_skip_unhandled_events);
    run("init_deinit", check_init_deinit);
    printf("%d passed, %d failed\n", s_passed, s_failed);
    /* On linux, returning from app_main ends only the main task; the process would run on. */
    exit(s_failed == 0 ? 0 : 1);
}
