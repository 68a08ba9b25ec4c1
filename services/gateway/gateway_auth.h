// gateway_auth — the cache of resolved bearer tokens: token hash → actor
// ({"id","role","department","expires_at",…}), kept at most ttl_ms (never
// longer than GATEWAY_AUTH_TTL_MAX_MS) and never past the token's own
// expires_at. Entries of a staff member are dropped at once when personnel
// says their authorisation changed (gateway_auth_forget_staff). Keys are
// SHA-256 hex of the token, so no raw token is ever kept. Time is passed
// in, so tests need no clock. Not thread-safe: owned by the bus thread.
#ifndef GATEWAY_AUTH_H
#define GATEWAY_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define GATEWAY_AUTH_TTL_MAX_MS  30000        // never cache a token longer
#define GATEWAY_AUTH_ENTRIES_MAX 65536        // beyond this, expired entries go
#define GATEWAY_AUTH_STAFF_PATH  "/v1/staff/" // personnel's staff routes

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

// The forget generation: gateway_auth_forget_* bump it. Read it when a
// resolution is sent and pass it to gateway_auth_store with the answer.
uint64_t gateway_auth_generation(const gateway_auth_t *self);

// Remember actor (copied) for token_hash from now_ms (monotonic) on, until
// the TTL passes or the actor's "expires_at" (RFC 3339; wall_ms is the wall
// clock now) is reached, whichever is first. Nothing is kept when the
// token already expired or when a forget happened since `generation` (the
// answer may predate it).
void gateway_auth_store(gateway_auth_t *self, const char *token_hash,
                        const json_t *actor, int64_t now_ms, int64_t wall_ms,
                        uint64_t generation);

// Drop every entry whose actor "id" is staff_id and bump the generation.
// Returns how many were dropped.
size_t gateway_auth_forget_staff(gateway_auth_t *self, const char *staff_id);

// Drop everything and bump the generation.
void gateway_auth_forget_all(gateway_auth_t *self);

// The staff member whose cached authorisations the personnel event `type`
// (with its envelope) ends: suspended, left, role_changed, updated (a
// department change among others) and token.revoked name one. NULL for any
// other event. Borrowed from envelope.
const char *gateway_auth_event_staff(const char *type, const json_t *envelope);

// The staff id of a successful non-GET request to personnel on path
// "/v1/staff/<id>[/…]" (an edit, suspension, revocation… made through this
// gateway), copied into id (size bytes). Returns id, or NULL when the path
// names no staff member.
const char *gateway_auth_path_staff(const char *path, char *id, size_t size);

// Entries held (fresh or not yet purged).
size_t gateway_auth_size(const gateway_auth_t *self);

#endif
