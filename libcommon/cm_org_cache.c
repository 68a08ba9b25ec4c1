// cm_org_cache — the actor as the view knows them now, through a per-thread
// cache checked against the view's generation, and the one look at that
// generation the reads of a worker's batch share (cm_org.h).
#include <assert.h>
#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_id.h"
#include "cm_org.h"
#include "cm_org_impl.h"
#include "cm_problem.h"
#include "cm_status.h"

// ---- the actor cache
// Each thread keeps the facts of the people it served, keyed by owner and
// id, with the view's generation they were read at. Every change of the
// view gives sm:{owner}:org:generation a new random value in its commit
// (cm_org_apply), so one HGET tells whether the facts still hold: a request
// reads the view's state at its own moment, with one small round trip instead
// of the staff document and three indexes. People holding delegations are not
// cached (whether a delegation counts depends on the clock, not on the view).

#define S_CACHE_MAX 1024 // entries per thread; then it starts again

typedef struct {
    char generation[CM_UUID_MAX + 2]; // of the view when the facts were read
    json_t *facts;                    // owned: s_facts
} s_cached_t;

static pthread_key_t s_cache_key;
static pthread_once_t s_cache_once = PTHREAD_ONCE_INIT;

static void
s_cached_free(void **item)
{
    s_cached_t *cached = *item;
    if (cached) {
        json_decref(cached->facts);
        free(cached);
        *item = NULL;
    }
}

static void
s_cache_free(void *cache)
{
    zhashx_t *hash = cache;
    zhashx_destroy(&hash);
}

static void
s_cache_key_create(void)
{
    int rc = pthread_key_create(&s_cache_key, s_cache_free);
    assert(rc == 0);
    (void)rc;
}

// This thread's cache (created on first use; freed when the thread ends).
static zhashx_t *
s_cache(void)
{
    pthread_once(&s_cache_once, s_cache_key_create);
    zhashx_t *cache = pthread_getspecific(s_cache_key);
    if (!cache) {
        cache = zhashx_new();
        assert(cache);
        zhashx_set_destructor(cache, s_cached_free);
        pthread_setspecific(s_cache_key, cache);
    }
    return cache;
}

// What this thread's batch of requests has seen of the view's generation
// (cm_org_batch_begin): the reads of one batch, all received before it
// began, share one look at the view instead of one round trip each.
static _Thread_local bool s_batch_open; // a batch is being handled
static _Thread_local bool s_batch_seen; // the generation below is its look
static _Thread_local char s_batch_owner[CM_STORE_KEY_MAX];     // whose view
static _Thread_local char s_batch_generation[CM_UUID_MAX + 2]; // as read

const char *
cm_org_generation_key(const char *owner, char *buf)
{
    const char *built = cm_org_key(buf, owner, "generation", NULL);
    assert(built);
    return built;
}

void
cm_org_batch_begin(void)
{
    s_batch_open = true;
    s_batch_seen = false;
}

void
cm_org_batch_end(void)
{
    s_batch_open = false;
    s_batch_seen = false;
}

// The view's generation into out (CM_UUID_MAX + 2 bytes; "" before its
// first change). A read (shared) takes the batch's look when there is one;
// a write always reads the view at its own moment. 0 or CM_EUNAVAILABLE.
static int
s_generation(cm_store_t *store, const char *owner, bool shared, char *out)
{
    if (shared && s_batch_open && s_batch_seen
        && strcmp(s_batch_owner, owner) == 0) {
        snprintf(out, CM_UUID_MAX + 2, "%s", s_batch_generation);
        return 0;
    }
    char key[CM_STORE_KEY_MAX];
    cm_org_generation_key(owner, key);
    cm_doc_t stored;
    int rc = cm_store_get(store, key, &stored); // a batch may have read it
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return CM_EUNAVAILABLE;
    }
    bool known = rc == 0 && strlen(stored.json) < CM_UUID_MAX + 2;
    snprintf(out, CM_UUID_MAX + 2, "%s", known ? stored.json : "");
    cm_doc_clear(&stored);
    // A write may change what the view says; the reads after it look again.
    s_batch_seen = s_batch_open && shared;
    if (s_batch_seen) {
        snprintf(s_batch_owner, sizeof s_batch_owner, "%s", owner);
        snprintf(s_batch_generation, sizeof s_batch_generation, "%s", out);
    }
    return 0;
}

static json_t *
s_actor_current(cm_store_t *store, const char *owner, const json_t *actor,
                bool shared)
{
    assert(store && owner);
    const char *id = cm_org_text(actor, "id");
    char generation[CM_UUID_MAX + 2];
    if (!cm_org_id_ok(id)
        || s_generation(store, owner, shared, generation) != 0) {
        return cm_org_actor(store, owner, actor);
    }
    char name[CM_STORE_KEY_MAX];
    snprintf(name, sizeof name, "%s\x1f%s", owner, id);
    zhashx_t *cache = s_cache();
    s_cached_t *cached = zhashx_lookup(cache, name);
    if (cached && *generation && strcmp(cached->generation, generation) == 0) {
        json_t *person = cm_org_with_facts(actor, cached->facts);
        json_object_set_new(person, "delegations", json_array());
        return person;
    }
    json_t *ids = NULL;
    json_t *facts = cm_org_facts(store, owner, id, &ids);
    if (!facts) {
        return NULL;
    }
    json_t *person = cm_org_with_facts(actor, facts);
    if (*generation && json_array_size(ids) == 0) {
        if (zhashx_size(cache) >= S_CACHE_MAX) {
            zhashx_purge(cache);
        }
        s_cached_t *entry = malloc(sizeof *entry);
        assert(entry);
        entry->facts = json_incref(facts);
        snprintf(entry->generation, sizeof entry->generation, "%s", generation);
        zhashx_update(cache, name, entry);
    } else {
        zhashx_delete(cache, name);
    }
    json_decref(facts);
    json_object_set_new(person, "delegations",
                        cm_org_delegations(store, owner, ids));
    json_decref(ids);
    return person;
}

json_t *
cm_org_actor_current(cm_store_t *store, const char *owner, const json_t *actor)
{
    return s_actor_current(store, owner, actor, false);
}

int
cm_org_refresh_actor(cm_ctx_t *ctx)
{
    assert(ctx);
    const char *method = cm_ctx_method(ctx);
    bool read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    json_t *actor = s_actor_current(cm_ctx_store(ctx), cm_ctx_owner(ctx),
                                    cm_ctx_actor(ctx), read);
    if (!actor) {
        cm_ctx_fail_status(ctx, CM_EUNAVAILABLE, "the org view is unreadable");
        cm_ctx_header(ctx, "Retry-After", "1");
        return -1;
    }
    bool inactive = strcmp(cm_org_text(actor, "status"), "inactive") == 0;
    cm_ctx_set_actor(ctx, actor);
    if (inactive) {
        cm_ctx_fail(ctx, cm_problem_new(403, "account_inactive",
                                        "your account is suspended or has "
                                        "left; nothing was changed"));
        return -1;
    }
    return 0;
}
