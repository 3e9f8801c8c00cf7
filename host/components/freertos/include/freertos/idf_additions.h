/*
 * ESP-IDF's additions to the FreeRTOS API: the *WithCaps variants. Each is declared beside its object type
 * (task.h, queue.h, semphr.h, event_groups.h) so that any include order works; this header gathers them.
 * On the host memory capabilities have no meaning (one heap), so they create and delete as the plain calls do.
 */
#pragma once

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
