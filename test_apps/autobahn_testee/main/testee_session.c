/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * testee_session.c: one client connection of the testee. A data message is gathered whole, then echoed with one
 * send (the client frames it). Echoing each piece as it arrives would need no buffer, but deadlocks against a
 * fuzzing server that writes a large message without reading meanwhile: both sides block in write. A message the
 * heap cannot hold is not echoed and the case fails for that reason (logged); on linux section 9's 16 MB fit.
 *
 * Locking: the session lives on the console task's stack for the connection's life. The client task writes its
 * echo state and outcome from the event handler; the console task reads the outcome only after the
 * SESSION_DONE bit (set by the FINISH event, the handler's last touch) or after stop() has ended the task.
 */
#include "testee_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_bit_defs.h"
#include "esp_log.h"
#include "esp_websocket_client.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"

static const char *TAG = "testee";

#define SESSION_DONE BIT0
#define SEND_TIMEOUT_MS 10000
#define URI_LEN (TESTEE_BASE_LEN + 120)
#define OPCODE_TEXT 0x01
#define OPCODE_CONTROL 0x08

typedef struct {
    testee_mode_t mode;
    EventGroupHandle_t bits;
    int opcode;        /* TEXT or BINARY: the message being gathered */
    char *message;     /* its bytes so far (heap), NULL between messages */
    size_t length;
    size_t capacity;
    bool overflow;     /* the heap could not hold it: dropped, not echoed */
    testee_outcome_t *out;
} session_t;

static void message_reset(session_t *s)
{
    free(s->message);
    s->message = NULL;
    s->length = s->capacity = 0;
    s->overflow = false;
}

static bool message_append(session_t *s, const char *data, size_t len, size_t hint)
{
    if (len == 0) {
        return true;
    }
    if (s->length + len > s->capacity) {
        size_t want = s->length + len > hint ? s->length + len : hint;
        want = want > 2 * s->capacity ? want : 2 * s->capacity;
        char *grown = realloc(s->message, want ? want : 1);
        if (!grown) {
            return false;
        }
        s->message = grown;
        s->capacity = want;
    }
    memcpy(s->message + s->length, data, len);
    s->length += len;
    return true;
}

static void echo_message(session_t *s, esp_websocket_client_handle_t client)
{
    TickType_t timeout = pdMS_TO_TICKS(SEND_TIMEOUT_MS);
    const char *bytes = s->message ? s->message : ""; /* an empty message has no buffer */
    int sent = s->opcode == OPCODE_TEXT ? esp_websocket_client_send_text(client, bytes, s->length, timeout)
                                        : esp_websocket_client_send_bin(client, bytes, s->length, timeout);
    if (sent < 0) {
        ESP_LOGW(TAG, "echo of a %u-byte message failed", (unsigned)s->length);
    } else {
        s->out->echoed++;
    }
}

static void echo_piece(session_t *s, const esp_websocket_event_data_t *d)
{
    if (d->op_code != 0 && d->payload_offset == 0) {
        message_reset(s); /* a new message (the client has checked that none was open) */
        s->opcode = d->op_code;
    }
    if (!s->overflow && !message_append(s, d->data_ptr, d->data_len, d->payload_len)) {
        ESP_LOGE(TAG, "a message over %u bytes does not fit in the heap: not echoed", (unsigned)s->length);
        s->overflow = true;
    }
    if (d->fin && d->payload_offset + d->data_len >= d->payload_len) {
        if (!s->overflow) {
            echo_message(s, d->client);
        }
        message_reset(s);
    }
}

static void collect_piece(session_t *s, const esp_websocket_event_data_t *d)
{
    size_t have = strlen(s->out->collected);
    size_t room = sizeof(s->out->collected) - 1 - have;
    size_t take = (size_t)d->data_len < room ? (size_t)d->data_len : room;
    memcpy(s->out->collected + have, d->data_ptr, take);
    s->out->collected[have + take] = '\0';
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *event_data)
{
    session_t *s = arg;
    const esp_websocket_event_data_t *d = event_data;
    switch (id) {
    case WEBSOCKET_EVENT_DATA:
        if (d->op_code == 0x08) {
            s->out->close_code = d->close_status_code;
        } else if (!(d->op_code & OPCODE_CONTROL)) {
            (s->mode == TESTEE_ECHO ? echo_piece : collect_piece)(s, d);
        }
        break;
    case WEBSOCKET_EVENT_ERROR:
        s->out->errored = true;
        break;
    case WEBSOCKET_EVENT_FINISH:
        xEventGroupSetBits(s->bits, SESSION_DONE);
        break;
    default:
        break;
    }
}

bool testee_session_run(const testee_command_t *cmd, const char *path, testee_mode_t mode, testee_outcome_t *out)
{
    char uri[URI_LEN];
    snprintf(uri, sizeof(uri), "%s%s", cmd->base, path);
    memset(out, 0, sizeof(*out));
    session_t s = {.mode = mode, .out = out, .bits = xEventGroupCreate()};
    esp_websocket_client_config_t config = {
        .uri = uri,
        .disable_auto_reconnect = true,
        .buffer_size = cmd->buffer_size,
        .cert_pem = (const char *)cmd->ca_der,
        .cert_len = cmd->ca_der_len,
        .cert_common_name = cmd->ca_der ? cmd->cn : NULL,
    };
    esp_websocket_client_handle_t client = s.bits ? esp_websocket_client_init(&config) : NULL;
    bool started = client &&
                   esp_websocket_register_events(client, WEBSOCKET_EVENT_ANY, on_event, &s) == ESP_OK &&
                   esp_websocket_client_start(client) == ESP_OK;
    if (started) {
        EventBits_t bits = xEventGroupWaitBits(s.bits, SESSION_DONE, pdFALSE, pdFALSE,
                                               pdMS_TO_TICKS(cmd->case_timeout_ms));
        out->timed_out = !(bits & SESSION_DONE);
        if (out->timed_out) {
            esp_websocket_client_stop(client);
        }
    } else {
        ESP_LOGE(TAG, "cannot start a client for %s", uri);
    }
    if (client) {
        esp_websocket_client_destroy(client);
    }
    if (s.bits) {
        vEventGroupDelete(s.bits);
    }
    message_reset(&s);
    return started;
}
