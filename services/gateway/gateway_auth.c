#include "gateway_auth.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "events/personnel.h"

// One cached resolution.
typedef struct {
    json_t *actor;      // owned copy
    int64_t expires_ms; // first instant it is stale
} s_entry_t;

struct gateway_auth {
    zhashx_t *entries;   // token hash → s_entry_t (owned)
    int64_t ttl_ms;      // how long an entry stays fresh
    uint64_t generation; // bumped by every forget
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

uint64_t
gateway_auth_generation(const gateway_auth_t *self)
{
    return self->generation;
}

// How long the token stays valid from wall_ms on: its expires_at, or
// INT64_MAX when it has none (or one we cannot read: personnel checks it
// on every resolution anyway).
static int64_t
s_token_left_ms(const json_t *actor, int64_t wall_ms)
{
    const char *expires =
        json_string_value(json_object_get(actor, "expires_at"));
    int64_t expires_ms = 0;
    if (!expires || cm_time_parse(expires, &expires_ms) != 0) {
        return INT64_MAX;
    }
    return expires_ms - wall_ms;
}

void
gateway_auth_store(gateway_auth_t *self, const char *token_hash,
                   const json_t *actor, int64_t now_ms, int64_t wall_ms,
                   uint64_t generation)
{
    int64_t left_ms = s_token_left_ms(actor, wall_ms);
    if (self->ttl_ms == 0 || !json_is_object(actor) || left_ms <= 0
        || generation != self->generation) {
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
    entry->expires_ms =
        now_ms + (left_ms < self->ttl_ms ? left_ms : self->ttl_ms);
    if (!entry->actor) {
        free(entry);
        return;
    }
    zhashx_update(self->entries, token_hash, entry);
}

size_t
gateway_auth_forget_staff(gateway_auth_t *self, const char *staff_id)
{
    self->generation++;
    size_t dropped = 0;
    zlistx_t *keys = zhashx_keys(self->entries);
    for (const char *key = keys ? zlistx_first(keys) : NULL; key;
         key = zlistx_next(keys)) {
        s_entry_t *entry = zhashx_lookup(self->entries, key);
        const char *id = json_string_value(json_object_get(entry->actor, "id"));
        if (id && staff_id && strcmp(id, staff_id) == 0) {
            zhashx_delete(self->entries, key);
            dropped++;
        }
    }
    zlistx_destroy(&keys);
    return dropped;
}

void
gateway_auth_forget_all(gateway_auth_t *self)
{
    self->generation++;
    zhashx_purge(self->entries);
}

const char *
gateway_auth_event_staff(const char *type, const json_t *envelope)
{
    static const char *const staff_types[] = {
        PERSONNEL_EVENT_STAFF_SUSPENDED, PERSONNEL_EVENT_STAFF_LEFT,
        PERSONNEL_EVENT_STAFF_ROLE_CHANGED, PERSONNEL_EVENT_STAFF_UPDATED,
        NULL};
    json_t *data = json_object_get(envelope, "data");
    if (!type) {
        return NULL;
    }
    if (strcmp(type, PERSONNEL_EVENT_TOKEN_REVOKED) == 0) {
        return json_string_value(json_object_get(data, "staff"));
    }
    for (size_t i = 0; staff_types[i]; i++) {
        if (strcmp(type, staff_types[i]) == 0) {
            return json_string_value(json_object_get(data, "id"));
        }
    }
    return NULL;
}

const char *
gateway_auth_path_staff(const char *path, char *id, size_t size)
{
    size_t prefix = strlen(GATEWAY_AUTH_STAFF_PATH);
    if (!path || strncmp(path, GATEWAY_AUTH_STAFF_PATH, prefix) != 0) {
        return NULL;
    }
    size_t length = strcspn(path + prefix, "/");
    if (length == 0 || length >= size) {
        return NULL;
    }
    memcpy(id, path + prefix, length);
    id[length] = '\0';
    return id;
}

size_t
gateway_auth_size(const gateway_auth_t *self)
{
    return zhashx_size(self->entries);
}
