/*
 * Chaos mode (see wsh_chaos.h for the contract).
 *
 * Locking: the configuration is written once under pthread_once and read-only afterwards. Each thread's PRNG
 * and digest are thread-local. The per-name ordinal table is guarded by s_names_lock. The statistics are
 * relaxed atomics: they are counts, not synchronisation.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "esp_log.h"
#include "wsh_chaos.h"

static const char *TAG = "wsh_chaos";

#define THREAD_NAME_MAX 16
#define NAME_SLOTS 256

/* Decision thresholds out of 100 draws: nothing, yield, short sleep, long sleep. */
#define PCT_NOTHING     45
#define PCT_YIELD       75
#define PCT_SHORT_SLEEP 97
#define SHORT_SLEEP_MAX_US 200
#define LONG_SLEEP_MAX_US  2000

typedef struct {
    bool seeded;
    uint64_t rng;
    uint32_t digest;
} thread_chaos_t;

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static bool s_enabled;
static uint32_t s_seed;

static pthread_mutex_t s_names_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint32_t hash;   /* guarded by s_names_lock */
    uint32_t seen;   /* guarded by s_names_lock */
} s_names[NAME_SLOTS];

static uint64_t s_points, s_yields, s_sleeps;  /* relaxed atomics */

static __thread thread_chaos_t t_chaos;

/* Strict decimal: the whole string, no sign, fits in 32 bits. */
static bool parse_seed(const char *text, uint32_t *out)
{
    if (!text || !*text || strspn(text, "0123456789") != strlen(text)) {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno != 0 || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static void chaos_init(void)
{
    const char *text = getenv("WSH_CHAOS_SEED");
    if (!text) {
        return;
    }
    if (!parse_seed(text, &s_seed)) {
        ESP_LOGE(TAG, "WSH_CHAOS_SEED=\"%s\" is not a decimal number in 0..4294967295", text);
        abort();
    }
    s_enabled = true;
    ESP_LOGW(TAG, "chaos mode on seed=%" PRIu32, s_seed);
}

bool wsh_chaos_enabled(void)
{
    pthread_once(&s_once, chaos_init);
    return s_enabled;
}

uint32_t wsh_chaos_seed(void)
{
    return wsh_chaos_enabled() ? s_seed : 0;
}

static uint32_t fnv1a(uint32_t hash, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        hash = (hash ^ p[i]) * 16777619u;
    }
    return hash;
}

/* How many threads with this name hash asked before (0 for the first); a full table answers 0. */
static uint32_t name_ordinal(uint32_t hash)
{
    uint32_t ordinal = 0;
    pthread_mutex_lock(&s_names_lock);
    for (unsigned i = 0; i < NAME_SLOTS; i++) {
        unsigned idx = (hash + i) % NAME_SLOTS;
        if (s_names[idx].seen == 0 || s_names[idx].hash == hash) {
            s_names[idx].hash = hash;
            ordinal = s_names[idx].seen++;
            break;
        }
    }
    pthread_mutex_unlock(&s_names_lock);
    return ordinal;
}

/* splitmix64: a small PRNG whose every seed (zero included) gives a good stream. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void seed_thread(thread_chaos_t *tc)
{
    char name[THREAD_NAME_MAX] = "";
    pthread_getname_np(pthread_self(), name, sizeof(name));
    uint32_t hash = fnv1a(2166136261u, name, strlen(name));
    uint32_t ordinal = name_ordinal(hash);
    tc->rng = ((uint64_t)s_seed << 32 | hash) ^ ((uint64_t)ordinal * 0x9e3779b97f4a7c15ULL);
    tc->digest = 2166136261u;
    tc->seeded = true;
}

static void sleep_us(uint32_t us)
{
    struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000L };
    nanosleep(&ts, NULL);
}

void wsh_chaos_point(const char *where)
{
    if (!wsh_chaos_enabled()) {
        return;
    }
    thread_chaos_t *tc = &t_chaos;
    if (!tc->seeded) {
        seed_thread(tc);
    }
    uint64_t r = next_random(&tc->rng);
    uint32_t pct = (uint32_t)(r % 100);
    uint32_t us = 0;
    if (pct >= PCT_SHORT_SLEEP) {
        us = SHORT_SLEEP_MAX_US + (uint32_t)((r >> 16) % (LONG_SLEEP_MAX_US - SHORT_SLEEP_MAX_US + 1));
    } else if (pct >= PCT_YIELD) {
        us = (uint32_t)((r >> 16) % (SHORT_SLEEP_MAX_US + 1));
    }
    tc->digest = fnv1a(tc->digest, where, strlen(where));
    tc->digest = fnv1a(tc->digest, &pct, sizeof(pct));
    tc->digest = fnv1a(tc->digest, &us, sizeof(us));
    __atomic_fetch_add(&s_points, 1, __ATOMIC_RELAXED);
    if (pct < PCT_NOTHING) {
        return;
    }
    if (pct < PCT_YIELD) {
        __atomic_fetch_add(&s_yields, 1, __ATOMIC_RELAXED);
        sched_yield();
        return;
    }
    __atomic_fetch_add(&s_sleeps, 1, __ATOMIC_RELAXED);
    sleep_us(us);
}

uint32_t wsh_chaos_thread_digest(void)
{
    return t_chaos.digest;
}

void wsh_chaos_get_stats(wsh_chaos_stats_t *stats)
{
    stats->points = __atomic_load_n(&s_points, __ATOMIC_RELAXED);
    stats->yields = __atomic_load_n(&s_yields, __ATOMIC_RELAXED);
    stats->sleeps = __atomic_load_n(&s_sleeps, __ATOMIC_RELAXED);
}
