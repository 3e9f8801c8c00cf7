/*
 * ESP-IDF's event loop library on the host.
 *
 * Semantics (as ESP-IDF documents them, and as tests/host/test_event.py checks):
 * - Handlers run in registration order: the first registered among those matching an event runs first.
 * - A loop holds its lock while it dispatches one event. Registering or unregistering from another task
 *   therefore waits until the event being dispatched is done: once esp_event_handler_unregister_with()
 *   returns, the handler is not running and will not be called again, so its argument may be freed.
 *   From inside a handler (the dispatching task) both take effect at once: a handler unregistered there is
 *   not called for the rest of the current event; a handler registered there is first called for the next.
 * - esp_event_post_to() copies event_data (event_data_size bytes); handlers get the copy, freed after
 *   dispatch. A full queue makes it wait up to ticks_to_wait, then fail with ESP_ERR_TIMEOUT.
 * - esp_event_loop_run() dispatches until ticks_to_run have passed (portMAX_DELAY: forever); with 0 it
 *   dispatches what is already queued and returns.
 * - Registering the same handler function (non-instance API) for the same base and id again replaces its
 *   argument; unregistering one that is not registered is not an error.
 */
#pragma once

#include "esp_err.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "esp_event_base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t queue_size;         /* events the loop's queue holds */
    const char *task_name;      /* the loop's own task; NULL: the application calls esp_event_loop_run */
    UBaseType_t task_priority;  /* ignored without task_name */
    uint32_t task_stack_size;   /* ignored without task_name */
    BaseType_t task_core_id;    /* ignored without task_name */
} esp_event_loop_args_t;

esp_err_t esp_event_loop_create(const esp_event_loop_args_t *event_loop_args, esp_event_loop_handle_t *event_loop);
esp_err_t esp_event_loop_delete(esp_event_loop_handle_t event_loop);
esp_err_t esp_event_loop_create_default(void);
esp_err_t esp_event_loop_delete_default(void);
esp_err_t esp_event_loop_run(esp_event_loop_handle_t event_loop, TickType_t ticks_to_run);

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg);
esp_err_t esp_event_handler_register_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                          int32_t event_id, esp_event_handler_t event_handler,
                                          void *event_handler_arg);
esp_err_t esp_event_handler_instance_register_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                                   int32_t event_id, esp_event_handler_t event_handler,
                                                   void *event_handler_arg,
                                                   esp_event_handler_instance_t *instance);
esp_err_t esp_event_handler_instance_register(esp_event_base_t event_base, int32_t event_id,
                                              esp_event_handler_t event_handler, void *event_handler_arg,
                                              esp_event_handler_instance_t *instance);

esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler);
esp_err_t esp_event_handler_unregister_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                            int32_t event_id, esp_event_handler_t event_handler);
esp_err_t esp_event_handler_instance_unregister_with(esp_event_loop_handle_t event_loop,
                                                     esp_event_base_t event_base, int32_t event_id,
                                                     esp_event_handler_instance_t instance);
esp_err_t esp_event_handler_instance_unregister(esp_event_base_t event_base, int32_t event_id,
                                                esp_event_handler_instance_t instance);

esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait);
esp_err_t esp_event_post_to(esp_event_loop_handle_t event_loop, esp_event_base_t event_base, int32_t event_id,
                            const void *event_data, size_t event_data_size, TickType_t ticks_to_wait);

#ifdef __cplusplus
}
#endif
