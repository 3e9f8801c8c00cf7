/*
 * Sender tasks for the hammer.
 *
 * Locking: the set's configuration is immutable once tasks start; `stop` is an
 * atomic flag; each sender_t is written only by its own task until that task
 * gives `done`, and read by the joiner only after taking `done` for it.
 */
#include "hammer_sender.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "hammer_message.h"
#include "hammer_run.h"
#include "hammer_stats.h"

static const char *TAG = "wsh";

#define SENDER_STACK 4096
#define SENDER_PRIO 4            /* below the client task (5) so echoes keep being read on a busy core */
#define ERROR_BACKOFF_MS 10      /* after a failed send: the client is likely reconnecting */

typedef struct {
    struct hammer_senders *owner;
    uint8_t *buf;
    uint32_t prng;               /* fragment sizes; seeded per task */
    hammer_task_tally_t tally;
} sender_t;

struct hammer_senders {
    hammer_senders_cfg_t cfg;
    SemaphoreHandle_t done;      /* counting: each task gives once when it ends */
    _Atomic bool stop;
    uint32_t started;            /* creator only */
    sender_t task[HAMMER_MAX_TASKS];
};

static bool send_whole(sender_t *t, hammer_shape_t shape, TickType_t timeout)
{
    esp_websocket_client_handle_t h = t->owner->cfg.handle;
    int len = (int)shape.len;
    int sent = shape.text ? esp_websocket_client_send_text(h, (const char *)t->buf, len, timeout)
               : esp_websocket_client_send_bin(h, (const char *)t->buf, len, timeout);
    return sent == len;
}

/* First fragment holds the header (the protocol says so); later ones are 1..len/4 bytes. */
static uint32_t next_fragment(sender_t *t, uint32_t offset, uint32_t len)
{
    uint32_t left = len - offset;
    uint32_t limit = len / 4 > 0 ? len / 4 : 1;
    uint32_t n = 1 + hammer_xorshift32(&t->prng) % limit;
    if (offset == 0) {
        n += HAMMER_HEADER_LEN;
    }
    return n < left ? n : left;
}

/*
 * One logical message as a first frame, continuation frames and a FIN frame,
 * with no lock of the app's own: RFC 6455 forbids another data message inside
 * a fragmented one, and the client keeps the transmit turn from the first call
 * to FIN (a client that gives it up between calls interleaves the tasks'
 * fragments, which the server reports: F15). If a fragment fails after the
 * first, FIN is still sent so a surviving connection is not left mid-message;
 * the server then sees a short message, which its CRC check reports.
 */
#if WSH_CLIENT_HAS_PARTIAL_API
static bool send_partial(sender_t *t, hammer_shape_t shape, TickType_t timeout)
{
    esp_websocket_client_handle_t h = t->owner->cfg.handle;
    uint32_t n = next_fragment(t, 0, shape.len);
    int r = shape.text ? esp_websocket_client_send_text_partial(h, (const char *)t->buf, (int)n, timeout)
            : esp_websocket_client_send_bin_partial(h, (const char *)t->buf, (int)n, timeout);
    bool ok = r == (int)n;
    if (ok) {
        for (uint32_t off = n; ok && off < shape.len; off += n) {
            n = next_fragment(t, off, shape.len);
            ok = esp_websocket_client_send_cont_msg(h, (const char *)t->buf + off, (int)n, timeout) == (int)n;
        }
        ok = esp_websocket_client_send_fin(h, timeout) >= 0 && ok;
    }
    return ok;
}
#else
/* A tree before 1.2 has no partial API: the partial scenario is skipped before a sender starts. */
static bool send_partial(sender_t *t, hammer_shape_t shape, TickType_t timeout)
{
    (void)t;
    (void)shape;
    (void)timeout;
    return false;
}
#endif

static void sender_task(void *arg)
{
    sender_t *t = arg;
    hammer_senders_t *s = t->owner;
    const hammer_cmd_t *cmd = s->cfg.cmd;
    TickType_t timeout = pdMS_TO_TICKS(cmd->timeout_ms);
    for (uint32_t seq = 0; s->cfg.msgs == 0 || seq < s->cfg.msgs; seq++) {
        if (atomic_load(&s->stop)) {
            break;
        }
        hammer_shape_t shape = hammer_message_build(t->buf, cmd->seed, t->tally.id, seq, cmd->min, cmd->max);
        int64_t started = esp_timer_get_time();
        bool ok = s->cfg.partial ? send_partial(t, shape, timeout) : send_whole(t, shape, timeout);
        hammer_stats_count_send(&t->tally, seq, ok, started);
        if (!ok) {
            vTaskDelay(pdMS_TO_TICKS(ERROR_BACKOFF_MS));
        }
    }
    xSemaphoreGive(s->done);
    vTaskDelete(NULL);
}

static void senders_free(hammer_senders_t *s)
{
    for (uint32_t i = 0; i < HAMMER_MAX_TASKS; i++) {
        free(s->task[i].buf);
    }
    if (s->done) {
        vSemaphoreDelete(s->done);
    }
    free(s);
}

static hammer_senders_t *senders_new(const hammer_senders_cfg_t *cfg)
{
    hammer_senders_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->cfg = *cfg;
    s->done = xSemaphoreCreateCounting(HAMMER_MAX_TASKS, 0);
    bool ok = s->done != NULL;
    for (uint32_t i = 0; ok && i < cfg->cmd->tasks; i++) {
        sender_t *t = &s->task[i];
        t->owner = s;
        t->tally = (hammer_task_tally_t) {.id = i, .first_seq = -1, .last_seq = -1};
        t->prng = (cfg->cmd->seed * 2654435761u) ^ (i + 1) ^ 0xA5A5A5A5u;
        t->prng = t->prng ? t->prng : 1;
        t->buf = malloc(cfg->cmd->max);
        ok = t->buf != NULL;
    }
    if (!ok) {
        senders_free(s);
        return NULL;
    }
    return s;
}

hammer_senders_t *hammer_senders_start(const hammer_senders_cfg_t *cfg)
{
    hammer_senders_t *s = senders_new(cfg);
    if (s == NULL) {
        ESP_LOGE(TAG, "senders: out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < cfg->cmd->tasks; i++) {
        if (xTaskCreate(sender_task, "wsh_sender", SENDER_STACK, &s->task[i], SENDER_PRIO, NULL) != pdPASS) {
            ESP_LOGE(TAG, "senders: could not create task %" PRIu32, i);
            hammer_senders_stop(s);
            hammer_senders_join(s, cfg->cmd->timeout_ms * 4 + 1000);
            return NULL;
        }
        s->started++;
    }
    return s;
}

void hammer_senders_stop(hammer_senders_t *senders)
{
    atomic_store(&senders->stop, true);
}

bool hammer_senders_join(hammer_senders_t *senders, uint32_t timeout_ms)
{
    hammer_run_note_op("joining senders");
    int64_t deadline = hammer_now_ms() + timeout_ms;
    for (uint32_t joined = 0; joined < senders->started; joined++) {
        int64_t left = deadline - hammer_now_ms();
        if (left < 0 || xSemaphoreTake(senders->done, pdMS_TO_TICKS(left)) != pdTRUE) {
            ESP_LOGE(TAG, "senders: %" PRIu32 " of %" PRIu32 " still inside a send after %" PRIu32 " ms",
                     senders->started - joined, senders->started, timeout_ms);
            return false;
        }
    }
    for (uint32_t i = 0; i < senders->started; i++) {
        hammer_stats_log_task(senders->cfg.cmd->scenario, &senders->task[i].tally);
    }
    senders_free(senders);
    return true;
}
