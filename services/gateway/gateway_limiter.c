#include "gateway_limiter.h"

#include <czmq.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

// One key's bucket.
typedef struct {
    double tokens;      // tokens left at updated_ms
    int64_t updated_ms; // last refill instant
} s_bucket_t;

struct gateway_limiter {
    pthread_mutex_t mutex; // guards buckets
    zhashx_t *buckets;     // key → s_bucket_t (owned)
    double rate_per_ms;    // refill rate
    double burst;          // bucket size
};

static void
s_bucket_destroy(void **item)
{
    free(*item);
    *item = NULL;
}

static void
s_refill(const gateway_limiter_t *self, s_bucket_t *bucket, int64_t now_ms)
{
    if (now_ms > bucket->updated_ms) {
        double tokens =
            bucket->tokens
            + (double)(now_ms - bucket->updated_ms) * self->rate_per_ms;
        bucket->tokens = tokens > self->burst ? self->burst : tokens;
        bucket->updated_ms = now_ms;
    }
}

// Forget buckets that are full again: they hold no information.
static void
s_purge(gateway_limiter_t *self, int64_t now_ms)
{
    zlistx_t *keys = zhashx_keys(self->buckets);
    for (const char *key = keys ? zlistx_first(keys) : NULL; key;
         key = zlistx_next(keys)) {
        s_bucket_t *bucket = zhashx_lookup(self->buckets, key);
        s_refill(self, bucket, now_ms);
        if (bucket->tokens >= self->burst) {
            zhashx_delete(self->buckets, key);
        }
    }
    zlistx_destroy(&keys);
}

gateway_limiter_t *
gateway_limiter_new(double rate_per_s, double burst)
{
    if (!(rate_per_s > 0) || !(burst >= 1)) {
        return NULL;
    }
    gateway_limiter_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->buckets = zhashx_new();
    if (!self->buckets) {
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->buckets, s_bucket_destroy);
    pthread_mutex_init(&self->mutex, NULL);
    self->rate_per_ms = rate_per_s / 1000.0;
    self->burst = burst;
    return self;
}

void
gateway_limiter_destroy(gateway_limiter_t **self_p)
{
    if (self_p && *self_p) {
        gateway_limiter_t *self = *self_p;
        zhashx_destroy(&self->buckets);
        pthread_mutex_destroy(&self->mutex);
        free(self);
        *self_p = NULL;
    }
}

static s_bucket_t *
s_bucket(gateway_limiter_t *self, const char *key, int64_t now_ms)
{
    s_bucket_t *bucket = zhashx_lookup(self->buckets, key);
    if (bucket) {
        return bucket;
    }
    if (zhashx_size(self->buckets) >= GATEWAY_LIMITER_KEYS_MAX) {
        s_purge(self, now_ms);
    }
    bucket = calloc(1, sizeof *bucket);
    if (bucket) {
        bucket->tokens = self->burst;
        bucket->updated_ms = now_ms;
        zhashx_insert(self->buckets, key, bucket);
    }
    return bucket;
}

// How long until bucket has a whole token again (>= 1 ms).
static int64_t
s_wait_ms(const gateway_limiter_t *self, const s_bucket_t *bucket)
{
    // The epsilon keeps float noise from adding a whole millisecond.
    int64_t wait_ms =
        (int64_t)ceil((1.0 - bucket->tokens) / self->rate_per_ms - 1e-9);
    return wait_ms < 1 ? 1 : wait_ms;
}

bool
gateway_limiter_take(gateway_limiter_t *self, const char *key, int64_t now_ms,
                     int64_t *retry_after_ms)
{
    pthread_mutex_lock(&self->mutex);
    s_bucket_t *bucket = s_bucket(self, key, now_ms);
    bool allowed = true;
    int64_t wait_ms = 0;
    if (bucket) {
        s_refill(self, bucket, now_ms);
        if (bucket->tokens >= 1.0) {
            bucket->tokens -= 1.0;
        } else {
            allowed = false;
            wait_ms = s_wait_ms(self, bucket);
        }
    }
    pthread_mutex_unlock(&self->mutex);
    if (!allowed && retry_after_ms) {
        *retry_after_ms = wait_ms;
    }
    return allowed;
}

bool
gateway_limiter_check(gateway_limiter_t *self, const char *key, int64_t now_ms,
                      int64_t *retry_after_ms)
{
    pthread_mutex_lock(&self->mutex);
    s_bucket_t *bucket = zhashx_lookup(self->buckets, key);
    bool allowed = true;
    int64_t wait_ms = 0;
    if (bucket) {
        s_refill(self, bucket, now_ms);
        allowed = bucket->tokens >= 1.0;
        wait_ms = allowed ? 0 : s_wait_ms(self, bucket);
    }
    pthread_mutex_unlock(&self->mutex);
    if (!allowed && retry_after_ms) {
        *retry_after_ms = wait_ms;
    }
    return allowed;
}

size_t
gateway_limiter_size(gateway_limiter_t *self)
{
    pthread_mutex_lock(&self->mutex);
    size_t size = zhashx_size(self->buckets);
    pthread_mutex_unlock(&self->mutex);
    return size;
}
