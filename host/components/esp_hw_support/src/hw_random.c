/* esp_random()/esp_fill_random() over getrandom(2). Stateless; the kernel serialises. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include "esp_random.h"

void esp_fill_random(void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            /* Handing out predictable bytes would be worse than stopping. */
            perror("esp_fill_random: getrandom");
            abort();
        }
        out += n;
        len -= (size_t)n;
    }
}

uint32_t esp_random(void)
{
    uint32_t value;
    esp_fill_random(&value, sizeof(value));
    return value;
}
