/* Random numbers (ESP-IDF's esp_random.h) from the kernel's CSPRNG. Thread-safe, no state. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);

#ifdef __cplusplus
}
#endif
