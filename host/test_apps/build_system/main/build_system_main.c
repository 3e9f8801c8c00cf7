/* Prints one line of facts the build system decided; the pytest side checks each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_idf_version.h"
#include "feature.h"
#include "greeter.h"
#include "sdkconfig.h"

extern const char embedded_start[] asm("_binary_hello_txt_start");
extern const char embedded_end[] asm("_binary_hello_txt_end");

/* Set by the registrar component's constructor; nothing references that component otherwise. */
int build_system_registrar_ran;

void app_main(void)
{
    size_t embedded_len = (size_t)(embedded_end - embedded_start);
    printf("BS greeting=%s number=%d feature=%s greeter=%s embedded=%.*s embedded_nul=%d registrar=%d "
           "target=%s idf=%d.%d.%d version_check=%d compile_opt=%d build_define=%d\n",
           CONFIG_BS_GREETING, CONFIG_BS_NUMBER, feature_name(), greeter_text(),
           (int)strcspn(embedded_start, "\n"), embedded_start, embedded_start[embedded_len - 1] == '\0',
           build_system_registrar_ran, CONFIG_IDF_TARGET, ESP_IDF_VERSION_MAJOR, ESP_IDF_VERSION_MINOR,
           ESP_IDF_VERSION_PATCH, ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 0, 0), greeter_compile_option(),
           BS_BUILD_DEFINE);
    exit(0);
}
