/*
 * Handler registration and dispatch order for event loops.
 *
 * Locking: every function here runs with the loop's lock held (taken here, or by the dispatching caller).
 * While a dispatch runs (dispatching > 0), unregistration only marks an entry removed, because the
 * dispatch's iteration may stand on it; the outermost dispatch unlinks and frees marked entries at its end.
 */
#include <stdlib.h>
#include "esp_log.h"
#include "event_loop_private.h"

static const char *TAG = "event";

static bool handler_matches(const event_handler_t *h, esp_event_base_t base, int32_t id)
{
    return !h->removed && (h->base == ESP_EVENT_ANY_BASE || h->base == base)
           && (h->id == ESP_EVENT_ANY_ID || h->id == id);
}

static void sweep_removed(event_loop_t *loop)
{
    event_handler_t **p = &loop->handlers;
    while (*p) {
        event_handler_t *h = *p;
        if (h->removed) {
            *p = h->next;
            free(h);
        } else {
            p = &h->next;
        }
    }
}

void event_handlers_dispatch(event_loop_t *loop, esp_event_base_t base, int32_t id, void *data)
{
    uint32_t horizon = loop->next_seq;
    loop->dispatching++;
    /* h->next is read after the call: a handler may append registrations or mark entries removed. */
    for (event_handler_t *h = loop->handlers; h; h = h->next) {
        if (h->seq < horizon && handler_matches(h, base, id)) {
            h->fn(h->arg, base, id, data);
        }
    }
    if (--loop->dispatching == 0) {
        sweep_removed(loop);
    }
}

void event_handlers_free_all(event_loop_t *loop)
{
    while (loop->handlers) {
        event_handler_t *h = loop->handlers;
        loop->handlers = h->next;
        free(h);
    }
}

static event_handler_t *find_plain(event_loop_t *loop, esp_event_base_t base, int32_t id, esp_event_handler_t fn)
{
    for (event_handler_t *h = loop->handlers; h; h = h->next) {
        if (!h->removed && !h->is_instance && h->base == base && h->id == id && h->fn == fn) {
            return h;
        }
    }
    return NULL;
}

static esp_err_t add_handler(event_loop_t *loop, esp_event_base_t base, int32_t id, esp_event_handler_t fn,
                             void *arg, bool is_instance, event_handler_t **added)
{
    event_handler_t *h = calloc(1, sizeof(*h));
    if (!h) {
        return ESP_ERR_NO_MEM;
    }
    *h = (event_handler_t) { .base = base, .id = id, .fn = fn, .arg = arg, .is_instance = is_instance,
                             .seq = loop->next_seq++ };
    event_handler_t **tail = &loop->handlers;
    while (*tail) {
        tail = &(*tail)->next;
    }
    *tail = h;
    *added = h;
    return ESP_OK;
}

static void remove_handler(event_loop_t *loop, event_handler_t *h)
{
    h->removed = true;
    if (loop->dispatching == 0) {
        sweep_removed(loop);
    }
}

static esp_err_t check_registration(esp_event_loop_handle_t event_loop, esp_event_base_t base, int32_t id,
                                    const void *fn)
{
    if (!event_loop || !fn || !event_key_valid(base, id)) {
        ESP_LOGE(TAG, "invalid handler arguments: loop=%p base=%s id=%d handler=%p", event_loop,
                 base ? base : "ANY", (int)id, fn);
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

esp_err_t esp_event_handler_register_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                          int32_t event_id, esp_event_handler_t event_handler,
                                          void *event_handler_arg)
{
    esp_err_t err = check_registration(event_loop, event_base, event_id, (const void *)event_handler);
    if (err != ESP_OK) {
        return err;
    }
    event_loop_t *loop = event_loop;
    xSemaphoreTakeRecursive(loop->lock, portMAX_DELAY);
    event_handler_t *h = find_plain(loop, event_base, event_id, event_handler);
    if (h) {
        h->arg = event_handler_arg;  /* ESP-IDF: registering again overwrites the earlier registration */
    } else {
        err = add_handler(loop, event_base, event_id, event_handler, event_handler_arg, false, &h);
    }
    xSemaphoreGiveRecursive(loop->lock);
    return err;
}

esp_err_t esp_event_handler_instance_register_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                                   int32_t event_id, esp_event_handler_t event_handler,
                                                   void *event_handler_arg,
                                                   esp_event_handler_instance_t *instance)
{
    esp_err_t err = check_registration(event_loop, event_base, event_id, (const void *)event_handler);
    if (err != ESP_OK) {
        return err;
    }
    event_loop_t *loop = event_loop;
    event_handler_t *h = NULL;
    xSemaphoreTakeRecursive(loop->lock, portMAX_DELAY);
    err = add_handler(loop, event_base, event_id, event_handler, event_handler_arg, true, &h);
    xSemaphoreGiveRecursive(loop->lock);
    if (instance) {
        *instance = err == ESP_OK ? h : NULL;
    }
    return err;
}

esp_err_t esp_event_handler_unregister_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                            int32_t event_id, esp_event_handler_t event_handler)
{
    esp_err_t err = check_registration(event_loop, event_base, event_id, (const void *)event_handler);
    if (err != ESP_OK) {
        return err;
    }
    event_loop_t *loop = event_loop;
    xSemaphoreTakeRecursive(loop->lock, portMAX_DELAY);
    event_handler_t *h = find_plain(loop, event_base, event_id, event_handler);
    if (h) {
        remove_handler(loop, h);
    }
    xSemaphoreGiveRecursive(loop->lock);
    return ESP_OK;
}

esp_err_t esp_event_handler_instance_unregister_with(esp_event_loop_handle_t event_loop,
                                                     esp_event_base_t event_base, int32_t event_id,
                                                     esp_event_handler_instance_t instance)
{
    esp_err_t err = check_registration(event_loop, event_base, event_id, instance);
    if (err != ESP_OK) {
        return err;
    }
    event_loop_t *loop = event_loop;
    err = ESP_ERR_NOT_FOUND;
    xSemaphoreTakeRecursive(loop->lock, portMAX_DELAY);
    for (event_handler_t *h = loop->handlers; h; h = h->next) {
        if (h == instance && !h->removed && h->base == event_base && h->id == event_id) {
            remove_handler(loop, h);
            err = ESP_OK;
            break;
        }
    }
    xSemaphoreGiveRecursive(loop->lock);
    return err;
}
