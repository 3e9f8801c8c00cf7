/*
 * The default event loop: esp_event_* calls without "_with"/"_to" forward to it.
 *
 * Locking: s_default_loop is read and written with atomic acquire/release; creating and deleting it are
 * serialised by s_default_lock so two creators cannot both succeed.
 */
#include <pthread.h>
#include "esp_event.h"
#include "sdkconfig.h"

/* As in ESP-IDF: task "sys_evt" at priority 20 on core 0; queue and stack sizes from esp_system's Kconfig. */
#define DEFAULT_TASK_PRIO 20

static esp_event_loop_handle_t s_default_loop;
static pthread_mutex_t s_default_lock = PTHREAD_MUTEX_INITIALIZER;

static esp_event_loop_handle_t default_loop(void)
{
    return __atomic_load_n(&s_default_loop, __ATOMIC_ACQUIRE);
}

esp_err_t esp_event_loop_create_default(void)
{
    esp_event_loop_args_t args = {
        .queue_size = CONFIG_ESP_SYSTEM_EVENT_QUEUE_SIZE,
        .task_name = "sys_evt",
        .task_priority = DEFAULT_TASK_PRIO,
        .task_stack_size = CONFIG_ESP_SYSTEM_EVENT_TASK_STACK_SIZE,
        .task_core_id = 0,
    };
    esp_err_t err = ESP_ERR_INVALID_STATE;
    pthread_mutex_lock(&s_default_lock);
    if (!default_loop()) {
        esp_event_loop_handle_t loop = NULL;
        err = esp_event_loop_create(&args, &loop);
        if (err == ESP_OK) {
            __atomic_store_n(&s_default_loop, loop, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&s_default_lock);
    return err;
}

esp_err_t esp_event_loop_delete_default(void)
{
    esp_err_t err = ESP_ERR_INVALID_STATE;
    pthread_mutex_lock(&s_default_lock);
    esp_event_loop_handle_t loop = default_loop();
    if (loop) {
        __atomic_store_n(&s_default_loop, NULL, __ATOMIC_RELEASE);
        err = esp_event_loop_delete(loop);
    }
    pthread_mutex_unlock(&s_default_lock);
    return err;
}

/* Each call below answers ESP_ERR_INVALID_STATE when the default loop does not exist, as in ESP-IDF. */

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg)
{
    esp_event_loop_handle_t loop = default_loop();
    return loop ? esp_event_handler_register_with(loop, event_base, event_id, event_handler, event_handler_arg)
                : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_event_handler_instance_register(esp_event_base_t event_base, int32_t event_id,
                                              esp_event_handler_t event_handler, void *event_handler_arg,
                                              esp_event_handler_instance_t *instance)
{
    esp_event_loop_handle_t loop = default_loop();
    return loop ? esp_event_handler_instance_register_with(loop, event_base, event_id, event_handler,
                                                           event_handler_arg, instance)
                : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler)
{
    esp_event_loop_handle_t loop = default_loop();
    return loop ? esp_event_handler_unregister_with(loop, event_base, event_id, event_handler)
                : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_event_handler_instance_unregister(esp_event_base_t event_base, int32_t event_id,
                                                esp_event_handler_instance_t instance)
{
    esp_event_loop_handle_t loop = default_loop();
    return loop ? esp_event_handler_instance_unregister_with(loop, event_base, event_id, instance)
                : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait)
{
    esp_event_loop_handle_t loop = default_loop();
    return loop ? esp_event_post_to(loop, event_base, event_id, event_data, event_data_size, ticks_to_wait)
                : ESP_ERR_INVALID_STATE;
}
