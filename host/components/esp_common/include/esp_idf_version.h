/* The ESP-IDF version the host platform presents. The build system passes it in (WSH_IDF_VERSION_*,
 * chosen with -DWSH_IDF_VERSION, default in tools/cmake/version.cmake). No state, no locking. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(WSH_IDF_VERSION_MAJOR) || !defined(WSH_IDF_VERSION_MINOR) || !defined(WSH_IDF_VERSION_PATCH)
#error "esp_idf_version.h: build through host/tools/cmake/project.cmake, which defines WSH_IDF_VERSION_*"
#endif

#define ESP_IDF_VERSION_MAJOR WSH_IDF_VERSION_MAJOR
#define ESP_IDF_VERSION_MINOR WSH_IDF_VERSION_MINOR
#define ESP_IDF_VERSION_PATCH WSH_IDF_VERSION_PATCH

#define ESP_IDF_VERSION_VAL(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define ESP_IDF_VERSION \
    ESP_IDF_VERSION_VAL(ESP_IDF_VERSION_MAJOR, ESP_IDF_VERSION_MINOR, ESP_IDF_VERSION_PATCH)

/* The version string, e.g. "v5.5.0" (IDF_VER). */
const char *esp_get_idf_version(void);

#ifdef __cplusplus
}
#endif
