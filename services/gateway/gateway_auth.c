#include "gateway_auth.h"

#include <czmq.h>
#include <stdlib.h>

// One cached resolution.
typedef struct {
    json_t *actor;      // owned copy
    int64_t expires_ms; // first instant it is stale
} s_entry_t;

struct gateway_auth {
    zhashx_t *entries; // token hash → s_entry_t (owned)
    int64_t ttl_ms;    // how long an entry stays fresh
};

static void
s_entry_destroy(void **item)
{
    s_entry_t *entry = *item;
    if (entry) {
        json_decref(entry->actor);
        free(entry);
        *item = NULL;
    }
}

// Drop every expired entry; when still full, drop everything (a flood of
// distinct valid tokens is not a case worth an LRU).
static void
s_purge(gateway_auth_t *self, int64_t now_ms)
{
    zlistx_t *keys = zhashx_keys(self->entries);
    for (const char *key = keys ? zlistx_first(keys) : NULL; key;
         key = zlistx_next(keys)) {
        s_entry_t *entry = zhashx_lookup(self->entries, key);
        if (entry && entry->expires_ms <= now_ms) {
            zhashx_delete(self->entries, key);
        }
    }
    zlistx_destroy(&keys);
    if (zhashx_size(self->entries) >= GATEWAY_AUTH_ENTRIES_MAX) {
        zhashx_purge(self->entries);
    }
}

gateway_auth_t *
gateway_auth_new(int64_t ttl_ms)
{
    gateway_auth_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->entries = zhashx_new();
    if (!self->entries) {
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->entries, s_entry_destroy);
    if (ttl_ms < 0) {
        ttl_ms = 0;
    }
    self->ttl_ms =
        ttl_ms > GATEWAY_AUTH_TTL_MAX_MS ? GATEWAY_AUTH_TTL_MAX_MS : ttl_ms;
    return self;
}

void
gateway_auth_destroy(gateway_auth_t **self_p)
{
    if (self_p && *self_p) {
        gateway_auth_t *self = *self_p;
        zhashx_destroy(&self->entries);
        free(self);
        *self_p = NULL;
    }
}

const json_t *
gateway_auth_lookup(gateway_auth_t *self, const char *token_hash,
                    int64_t now_ms)
{
    s_entry_t *entry = zhashx_lookup(self->entries, token_hash);
    if (!entry) {
        return NULL;
    }
    if (entry->expires_ms <= now_ms) {
        zhashx_delete(self->entries, token_hash);
        return NULL;
    }
    return entry->actor;
}

void
gateway_auth_store(gateway_auth_t *self, const char *token_hash,
                   const json_t *actor, int64_t now_ms)
{
    if (self->ttl_ms == 0 || !json_is_object(actor)) {
        return;
    }
    if (zhashx_size(self->entries) >= GATEWAY_AUTH_ENTRIES_MAX) {
        s_purge(self, now_ms);
    }
    s_entry_t *entry = calloc(1, sizeof *entry);
    if (!entry) {
        return;
    }
    entry->actor = json_deep_copy(actor);
    entry->expires_ms = now_ms + self->ttl_ms;
    if (!entry->actor) {
        free(entry);
        return;
    }
    zhashx_update(self->entries, token_hash, entry);
}

size_t
gateway_auth_size(const gateway_auth_t *self)
{
    return zhashx_size(self->entries);
}
