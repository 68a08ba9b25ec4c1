// gateway_limiter — per-key token buckets (a token hash for the request
// rate, a client address for failed authentications): each key holds up
// to `burst` tokens, refilled at rate_per_s; a request takes one. Time is
// passed in, so tests need no clock. Thread-safe (one mutex): nng handler
// threads call it before a request reaches the bus thread.
#ifndef GATEWAY_LIMITER_H
#define GATEWAY_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATEWAY_LIMITER_KEYS_MAX 65536 // beyond this, full buckets are dropped

typedef struct gateway_limiter gateway_limiter_t;

// A limiter; rate_per_s > 0 and burst >= 1, or NULL. Caller owns the result.
gateway_limiter_t *gateway_limiter_new(double rate_per_s, double burst);

// Free; safe when *self_p is NULL.
void gateway_limiter_destroy(gateway_limiter_t **self_p);

// Take one token for key at now_ms. True when allowed; otherwise false and
// *retry_after_ms (may be NULL) is how long until a token is back (>= 1).
bool gateway_limiter_take(gateway_limiter_t *self, const char *key,
                          int64_t now_ms, int64_t *retry_after_ms);

// Whether key has a token at now_ms, without taking it. True when it has;
// otherwise false and *retry_after_ms (may be NULL) as for take.
bool gateway_limiter_check(gateway_limiter_t *self, const char *key,
                           int64_t now_ms, int64_t *retry_after_ms);

// Keys currently tracked.
size_t gateway_limiter_size(gateway_limiter_t *self);

#endif
