/* esp_get_idf_version(): the IDF_VER string the build system defines. No state, no locking. */
#include "esp_idf_version.h"

const char *esp_get_idf_version(void)
{
    return IDF_VER;
}
