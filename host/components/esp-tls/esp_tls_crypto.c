/*
 * esp_tls_crypto.h over mbedTLS: SHA-1 and base64 for the WebSocket handshake and HTTP basic auth.
 *
 * Locking: stateless.
 */
#include "esp_tls_crypto.h"

#include "mbedtls/base64.h"
#include "mbedtls/sha1.h"

int esp_crypto_sha1(const unsigned char *input, size_t ilen, unsigned char output[20])
{
    return mbedtls_sha1_ret(input, ilen, output);
}

int esp_crypto_base64_encode(unsigned char *dst, size_t dlen, size_t *olen, const unsigned char *src, size_t slen)
{
    return mbedtls_base64_encode(dst, dlen, olen, src, slen);
}
