// gateway_auth — the cache of resolved bearer tokens: token hash → actor
// ({"id","role","department"}), kept at most ttl_ms (never longer than
// GATEWAY_AUTH_TTL_MAX_MS). Keys are SHA-256 hex of the token, so no raw
// token is ever kept. Time is passed in, so tests need no clock.
// Not thread-safe: owned by the gateway's bus thread.
#ifndef GATEWAY_AUTH_H
#define GATEWAY_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define GATEWAY_AUTH_TTL_MAX_MS  30000 // issue 3: cache at most 30 s
#define GATEWAY_AUTH_ENTRIES_MAX 65536 // beyond this, expired entries go

typedef struct gateway_auth gateway_auth_t;

// A new cache; ttl_ms is clamped to 0..GATEWAY_AUTH_TTL_MAX_MS (0: no
// caching). Caller owns the result.
gateway_auth_t *gateway_auth_new(int64_t ttl_ms);

// Free; safe when *self_p is NULL.
void gateway_auth_destroy(gateway_auth_t **self_p);

// The cached actor for token_hash while it is fresh at now_ms, else NULL
// (an expired entry is dropped). Borrowed: valid until the next call.
const json_t *gateway_auth_lookup(gateway_auth_t *self, const char *token_hash,
                                  int64_t now_ms);

// Remember actor (copied) for token_hash from now_ms on.
void gateway_auth_store(gateway_auth_t *self, const char *token_hash,
                        const json_t *actor, int64_t now_ms);

// Entries held (fresh or not yet purged).
size_t gateway_auth_size(const gateway_auth_t *self);

#endif
