/*
 * esp-tls over mbedTLS 2.28: client sessions on non-blocking sockets, certificate set-up, handshake
 * steps, record I/O, close_notify, and the global CA store.
 *
 * Locking: a session is used by one thread at a time (the transports' sentinel checks it). The global CA
 * store is guarded by s_ca_lock; sessions only reference it, so freeing it under a live session is the
 * caller's error, as in ESP-IDF.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "esp_log.h"
#include "esp_tls_private.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "sdkconfig.h"
#include "wsh_chaos.h"

static const char *TAG = "esp-tls-mbedtls";

struct esp_tls_mbedtls {
    int sockfd;
    int last_errno;               /* errno of the last failed send/recv in the BIO callbacks */
    bool established;             /* handshake finished: close_notify is due on free */
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cacert;
    mbedtls_x509_crt clientcert;
    mbedtls_pk_context clientkey;
};

static pthread_mutex_t s_ca_lock = PTHREAD_MUTEX_INITIALIZER;
static mbedtls_x509_crt *s_global_ca;   /* guarded by s_ca_lock */

static void log_mbedtls_error(const char *what, int ret)
{
    char text[128];
    mbedtls_strerror(ret, text, sizeof(text));
    ESP_LOGE(TAG, "%s returned -0x%04X (%s)", what, (unsigned)-ret, text);
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    esp_tls_mbedtls_t *m = ctx;
    ssize_t n = send(m->sockfd, buf, len, MSG_NOSIGNAL);
    if (n >= 0) {
        return (int)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    m->last_errno = errno;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    esp_tls_mbedtls_t *m = ctx;
    ssize_t n = recv(m->sockfd, buf, len, 0);
    if (n >= 0) {
        return (int)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    m->last_errno = errno;
    return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

static bool fail(esp_tls_last_error_t *err, esp_err_t code, const char *what, int ret)
{
    log_mbedtls_error(what, ret);
    esp_tls_record_error(err, code, ret, 0);
    return false;
}

/* PEM buffers must end with their NUL and DER buffers must not; mbedTLS tells them apart itself. */
static bool load_ca(esp_tls_mbedtls_t *m, const esp_tls_cfg_t *cfg, esp_tls_last_error_t *err)
{
    if (cfg->use_global_ca_store) {
        pthread_mutex_lock(&s_ca_lock);
        mbedtls_x509_crt *global = s_global_ca;
        pthread_mutex_unlock(&s_ca_lock);
        if (global == NULL) {
            ESP_LOGE(TAG, "use_global_ca_store is set but the global CA store is empty");
            esp_tls_record_error(err, ESP_ERR_MBEDTLS_SSL_SETUP_FAILED, 0, 0);
            return false;
        }
        mbedtls_ssl_conf_ca_chain(&m->conf, global, NULL);
    } else if (cfg->crt_bundle_attach) {
        esp_err_t ret = cfg->crt_bundle_attach(&m->conf);
        if (ret != ESP_OK) {
            ESP_LOGE(TAG, "crt_bundle_attach failed: %s", esp_err_to_name(ret));
            esp_tls_record_error(err, ESP_ERR_MBEDTLS_SSL_SETUP_FAILED, 0, 0);
            return false;
        }
    } else if (cfg->cacert_buf) {
        int ret = mbedtls_x509_crt_parse(&m->cacert, cfg->cacert_buf, cfg->cacert_bytes);
        if (ret < 0) {
            return fail(err, ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED, "mbedtls_x509_crt_parse", ret);
        }
        if (ret > 0) {
            ESP_LOGW(TAG, "mbedtls_x509_crt_parse: %d certificate(s) skipped", ret);
        }
        mbedtls_ssl_conf_ca_chain(&m->conf, &m->cacert, NULL);
    } else {
#if CONFIG_ESP_TLS_SKIP_SERVER_CERT_VERIFY
        ESP_LOGW(TAG, "no server verification: the peer's certificate is not checked (insecure)");
        mbedtls_ssl_conf_authmode(&m->conf, MBEDTLS_SSL_VERIFY_NONE);
        return true;
#else
        ESP_LOGE(TAG, "No server verification option set in esp_tls_cfg_t structure: give a CA, the global CA "
                 "store or a certificate bundle");
        esp_tls_record_error(err, ESP_ERR_MBEDTLS_SSL_SETUP_FAILED, 0, 0);
        return false;
#endif
    }
    mbedtls_ssl_conf_authmode(&m->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    return true;
}

static bool load_client_identity(esp_tls_mbedtls_t *m, const esp_tls_cfg_t *cfg, esp_tls_last_error_t *err)
{
    if (cfg->clientcert_buf == NULL && cfg->clientkey_buf == NULL) {
        return true;
    }
    if (cfg->clientcert_buf == NULL || cfg->clientkey_buf == NULL) {
        ESP_LOGE(TAG, "a client certificate needs its key and a key its certificate");
        esp_tls_record_error(err, ESP_ERR_MBEDTLS_SSL_CONF_OWN_CERT_FAILED, 0, 0);
        return false;
    }
    int ret = mbedtls_x509_crt_parse(&m->clientcert, cfg->clientcert_buf, cfg->clientcert_bytes);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED, "mbedtls_x509_crt_parse (client)", ret);
    }
    ret = mbedtls_pk_parse_key(&m->clientkey, cfg->clientkey_buf, cfg->clientkey_bytes, cfg->clientkey_password,
                               cfg->clientkey_password_len);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED, "mbedtls_pk_parse_key", ret);
    }
    ret = mbedtls_ssl_conf_own_cert(&m->conf, &m->clientcert, &m->clientkey);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_SSL_CONF_OWN_CERT_FAILED, "mbedtls_ssl_conf_own_cert", ret);
    }
    return true;
}

static bool set_hostname(esp_tls_mbedtls_t *m, const char *host, int hostlen, const esp_tls_cfg_t *cfg,
                         esp_tls_last_error_t *err)
{
    if (cfg->skip_common_name) {
        return true;
    }
    char *name = cfg->common_name ? strdup(cfg->common_name) : strndup(host, hostlen);
    if (name == NULL) {
        esp_tls_record_error(err, ESP_ERR_NO_MEM, 0, 0);
        return false;
    }
    int ret = mbedtls_ssl_set_hostname(&m->ssl, name);
    free(name);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_SSL_SET_HOSTNAME_FAILED, "mbedtls_ssl_set_hostname", ret);
    }
    return true;
}

static bool configure(esp_tls_mbedtls_t *m, const char *host, int hostlen, const esp_tls_cfg_t *cfg,
                      esp_tls_last_error_t *err)
{
    int ret = mbedtls_ctr_drbg_seed(&m->drbg, mbedtls_entropy_func, &m->entropy, NULL, 0);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_CTR_DRBG_SEED_FAILED, "mbedtls_ctr_drbg_seed", ret);
    }
    ret = mbedtls_ssl_config_defaults(&m->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_SSL_CONFIG_DEFAULTS_FAILED, "mbedtls_ssl_config_defaults", ret);
    }
    mbedtls_ssl_conf_rng(&m->conf, mbedtls_ctr_drbg_random, &m->drbg);
#if CONFIG_ESP_TLS_CLIENT_SESSION_TICKETS
    mbedtls_ssl_conf_session_tickets(&m->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#else
    mbedtls_ssl_conf_session_tickets(&m->conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#endif
    if (cfg->alpn_protos) {
        ret = mbedtls_ssl_conf_alpn_protocols(&m->conf, cfg->alpn_protos);
        if (ret != 0) {
            return fail(err, ESP_ERR_MBEDTLS_SSL_CONF_ALPN_PROTOCOLS_FAILED, "mbedtls_ssl_conf_alpn_protocols", ret);
        }
    }
    if (!load_ca(m, cfg, err) || !load_client_identity(m, cfg, err)) {
        return false;
    }
    ret = mbedtls_ssl_setup(&m->ssl, &m->conf);
    if (ret != 0) {
        return fail(err, ESP_ERR_MBEDTLS_SSL_SETUP_FAILED, "mbedtls_ssl_setup", ret);
    }
    if (!set_hostname(m, host, hostlen, cfg, err)) {
        return false;
    }
    mbedtls_ssl_set_bio(&m->ssl, m, bio_send, bio_recv, NULL);
    return true;
}

esp_tls_mbedtls_t *esp_tls_mbedtls_new(const char *host, int hostlen, const esp_tls_cfg_t *cfg, int sockfd,
                                       esp_tls_last_error_t *err)
{
    esp_tls_mbedtls_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        esp_tls_record_error(err, ESP_ERR_NO_MEM, 0, 0);
        return NULL;
    }
    m->sockfd = sockfd;
    mbedtls_ssl_init(&m->ssl);
    mbedtls_ssl_config_init(&m->conf);
    mbedtls_entropy_init(&m->entropy);
    mbedtls_ctr_drbg_init(&m->drbg);
    mbedtls_x509_crt_init(&m->cacert);
    mbedtls_x509_crt_init(&m->clientcert);
    mbedtls_pk_init(&m->clientkey);
    if (!configure(m, host, hostlen, cfg, err)) {
        esp_tls_mbedtls_free(m);
        return NULL;
    }
    return m;
}

static void log_verify_failure(uint32_t flags)
{
    char info[512];
    int n = mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
    for (int i = 0; i < n; i++) {
        if (info[i] == '\n') {
            info[i] = (i == n - 1) ? '\0' : ';';
        }
    }
    ESP_LOGE(TAG, "Failed to verify peer certificate! flags=0x%x: %s", (unsigned)flags, n > 0 ? info : "?");
}

int esp_tls_mbedtls_handshake(esp_tls_mbedtls_t *m, short *events, esp_tls_last_error_t *err)
{
    wsh_chaos_point("tls_handshake_step");
    int ret = mbedtls_ssl_handshake(&m->ssl);
    if (ret == 0) {
        m->established = true;
        return 1;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        *events = ret == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT;
        return 0;
    }
    log_mbedtls_error("mbedtls_ssl_handshake", ret);
    uint32_t flags = mbedtls_ssl_get_verify_result(&m->ssl);
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != 0 && flags != (uint32_t)-1) {
        log_verify_failure(flags);
    } else {
        flags = 0;
    }
    esp_tls_record_error(err, ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED, ret, (int)flags);
    return -1;
}

static ssize_t io_result(esp_tls_mbedtls_t *m, int ret, esp_err_t code, const char *what, esp_tls_last_error_t *err)
{
    if (ret >= 0 || ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return ret;
    }
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        /* The peer sent its last byte. Shutting our read side makes the socket report end-of-file to the
         * next poll at once, instead of waiting for a FIN that a TLS peer may hold back until our own
         * close_notify. */
        shutdown(m->sockfd, SHUT_RD);
        esp_tls_record_error(err, ESP_ERR_ESP_TLS_TCP_CLOSED_FIN, 0, 0);
        return 0;
    }
    log_mbedtls_error(what, ret);
    esp_tls_record_error(err, code, ret, 0);
    if (m->last_errno != 0) {
        errno = m->last_errno;
    }
    return ret;
}

ssize_t esp_tls_mbedtls_read(esp_tls_mbedtls_t *m, void *data, size_t len, esp_tls_last_error_t *err)
{
    return io_result(m, mbedtls_ssl_read(&m->ssl, data, len), ESP_FAIL, "mbedtls_ssl_read", err);
}

ssize_t esp_tls_mbedtls_write(esp_tls_mbedtls_t *m, const void *data, size_t len, esp_tls_last_error_t *err)
{
    return io_result(m, mbedtls_ssl_write(&m->ssl, data, len), ESP_ERR_MBEDTLS_SSL_WRITE_FAILED,
                     "mbedtls_ssl_write", err);
}

ssize_t esp_tls_mbedtls_bytes_avail(esp_tls_mbedtls_t *m)
{
    return (ssize_t)mbedtls_ssl_get_bytes_avail(&m->ssl);
}

void esp_tls_mbedtls_free(esp_tls_mbedtls_t *m)
{
    if (m == NULL) {
        return;
    }
    if (m->established) {
        /* Best effort on a non-blocking socket: a full send buffer just loses the alert. */
        mbedtls_ssl_close_notify(&m->ssl);
    }
    mbedtls_ssl_free(&m->ssl);
    mbedtls_ssl_config_free(&m->conf);
    mbedtls_ctr_drbg_free(&m->drbg);
    mbedtls_entropy_free(&m->entropy);
    mbedtls_x509_crt_free(&m->cacert);
    mbedtls_x509_crt_free(&m->clientcert);
    mbedtls_pk_free(&m->clientkey);
    free(m);
}

esp_err_t esp_tls_init_global_ca_store(void)
{
    esp_err_t ret = ESP_OK;
    pthread_mutex_lock(&s_ca_lock);
    if (s_global_ca == NULL) {
        s_global_ca = calloc(1, sizeof(*s_global_ca));
        if (s_global_ca == NULL) {
            ret = ESP_ERR_NO_MEM;
        } else {
            mbedtls_x509_crt_init(s_global_ca);
        }
    }
    pthread_mutex_unlock(&s_ca_lock);
    return ret;
}

esp_err_t esp_tls_set_global_ca_store(const unsigned char *cacert_pem_buf, const unsigned int cacert_pem_bytes)
{
    if (cacert_pem_buf == NULL || cacert_pem_bytes == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_tls_free_global_ca_store();
    esp_err_t ret = esp_tls_init_global_ca_store();
    if (ret != ESP_OK) {
        return ret;
    }
    pthread_mutex_lock(&s_ca_lock);
    int parsed = mbedtls_x509_crt_parse(s_global_ca, cacert_pem_buf, cacert_pem_bytes);
    pthread_mutex_unlock(&s_ca_lock);
    if (parsed < 0) {
        log_mbedtls_error("mbedtls_x509_crt_parse (global CA store)", parsed);
        esp_tls_free_global_ca_store();
        return ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED;
    }
    return ESP_OK;
}

void esp_tls_free_global_ca_store(void)
{
    pthread_mutex_lock(&s_ca_lock);
    if (s_global_ca) {
        mbedtls_x509_crt_free(s_global_ca);
        free(s_global_ca);
        s_global_ca = NULL;
    }
    pthread_mutex_unlock(&s_ca_lock);
}
