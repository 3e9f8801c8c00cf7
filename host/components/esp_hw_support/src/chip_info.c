/* esp_chip_info() for the host. Stateless. */
#include <string.h>
#include <unistd.h>
#include "esp_chip_info.h"

void esp_chip_info(esp_chip_info_t *out_info)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(out_info, 0, sizeof(*out_info));
    out_info->model = CHIP_POSIX_LINUX;
    out_info->cores = (uint8_t)(cpus < 1 ? 1 : (cpus > 255 ? 255 : cpus));
}
