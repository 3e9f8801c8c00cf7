/* Per-tag log levels. Locking: s_lock (a rwlock) guards s_default_level and the s_tags table; lookups
 * take it shared, changes exclusive. Tags are copied, so callers may pass temporary strings. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "esp_log.h"

typedef struct {
    char *tag;
    esp_log_level_t level;
} tag_level_t;

static pthread_rwlock_t s_lock = PTHREAD_RWLOCK_INITIALIZER;
static esp_log_level_t s_default_level = (esp_log_level_t)CONFIG_LOG_DEFAULT_LEVEL; /* guarded by s_lock */
static tag_level_t *s_tags;   /* guarded by s_lock */
static size_t s_tag_count;    /* guarded by s_lock */
static size_t s_tag_capacity; /* guarded by s_lock */

/* Caller holds s_lock (either mode). */
static tag_level_t *find_tag(const char *tag)
{
    for (size_t i = 0; i < s_tag_count; i++) {
        if (strcmp(s_tags[i].tag, tag) == 0) {
            return &s_tags[i];
        }
    }
    return NULL;
}

/* Caller holds s_lock exclusively. */
static void forget_all_tags(void)
{
    for (size_t i = 0; i < s_tag_count; i++) {
        free(s_tags[i].tag);
    }
    s_tag_count = 0;
}

/* Caller holds s_lock exclusively. Out of memory leaves the tag at the default level. */
static void add_tag(const char *tag, esp_log_level_t level)
{
    if (s_tag_count == s_tag_capacity) {
        size_t capacity = s_tag_capacity ? s_tag_capacity * 2 : 16;
        tag_level_t *grown = realloc(s_tags, capacity * sizeof(*grown));
        if (grown == NULL) {
            return;
        }
        s_tags = grown;
        s_tag_capacity = capacity;
    }
    char *copy = strdup(tag);
    if (copy == NULL) {
        return;
    }
    s_tags[s_tag_count++] = (tag_level_t){ .tag = copy, .level = level };
}

void esp_log_level_set(const char *tag, esp_log_level_t level)
{
    if (tag == NULL || level < ESP_LOG_NONE || level >= ESP_LOG_MAX) {
        return;
    }
    pthread_rwlock_wrlock(&s_lock);
    if (strcmp(tag, "*") == 0) {
        s_default_level = level;
        forget_all_tags();
    } else {
        tag_level_t *entry = find_tag(tag);
        if (entry) {
            entry->level = level;
        } else {
            add_tag(tag, level);
        }
    }
    pthread_rwlock_unlock(&s_lock);
}

esp_log_level_t esp_log_level_get(const char *tag)
{
    pthread_rwlock_rdlock(&s_lock);
    esp_log_level_t level = s_default_level;
    if (tag != NULL) {
        const tag_level_t *entry = find_tag(tag);
        if (entry) {
            level = entry->level;
        }
    }
    pthread_rwlock_unlock(&s_lock);
    return level;
}
