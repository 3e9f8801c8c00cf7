/*
 * esp-tls crypto helpers (ESP-IDF's esp_tls_crypto.h): SHA-1 and base64 over mbedTLS.
 *
 * Locking: pure functions over caller buffers; safe from any thread.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SHA-1 of input into output. Returns 0 on success. */
int esp_crypto_sha1(const unsigned char *input, size_t ilen, unsigned char output[20]);

/* Base64 of src into dst (NUL terminated). *olen receives the length written, or the size needed
 * (including the NUL) when dst is NULL or too small. Returns 0, or
 * MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL. */
int esp_crypto_base64_encode(unsigned char *dst, size_t dlen, size_t *olen, const unsigned char *src, size_t slen);

#ifdef __cplusplus
}
#endif
