// cm_store_prefetch — the documents a worker's batch of reads will ask for,
// read in one round trip before the batch is handled (docs/architecture.md
// §5). cm_store_get answers from them until they are dropped: at the end of
// the batch, before a write is handled, and at any commit on this store.
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cm_status.h"
#include "cm_store_impl.h"

// Keep docs (n, read at keys) as what cm_store_get answers from; takes
// docs.
static void
s_keep(cm_store_t *self, const char *const *keys, size_t n, cm_doc_t *docs)
{
    char **copies = calloc(n, sizeof *copies);
    assert(copies);
    for (size_t i = 0; i < n; i++) {
        copies[i] = strdup(keys[i]);
        assert(copies[i]);
    }
    self->prefetched_keys = copies;
    self->prefetched = docs;
    self->prefetched_count = n;
}

void
cm_store_prefetch(cm_store_t *self, const char *const *keys, size_t n)
{
    assert(self && (keys || n == 0));
    cm_store_prefetch_drop(self);
    if (n == 0) {
        return;
    }
    cm_doc_t *docs = calloc(n, sizeof *docs);
    assert(docs);
    if (cm_store_get_many(self, keys, n, NULL, docs) != 0) {
        free(docs); // cleared by cm_store_get_many: each read goes to Redis
        return;
    }
    s_keep(self, keys, n, docs);
}

int
cm_store_next_id_prefetch(cm_store_t *self, const char *owner, const char *kind,
                          int64_t *number, const char *const *keys, size_t n)
{
    assert(self && owner && kind && number && (keys || n == 0));
    cm_store_prefetch_drop(self);
    char key[CM_STORE_KEY_MAX];
    if (!cm_store_counter_key(key, owner, kind)) {
        return CM_EINVAL;
    }
    const char *argv[] = {"INCR", key};
    if (cm_redis_append(self->redis, 2, argv, NULL) != 0
        || cm_store_append_gets(self, keys, n, NULL) != 0) {
        return CM_EUNAVAILABLE;
    }
    redisReply *reply = cm_redis_read(self->redis);
    bool gone = reply == NULL; // then the documents' replies are gone too
    int rc = cm_store_next_id_reply(reply, number);
    cm_doc_t *docs = calloc(n + 1, sizeof *docs);
    assert(docs);
    if (!gone && n > 0 && cm_store_read_gets(self, n, docs) == 0) {
        s_keep(self, keys, n, docs); // else each read goes to Redis
    } else {
        free(docs);
    }
    return rc;
}

void
cm_store_prefetch_drop(cm_store_t *self)
{
    assert(self);
    for (size_t i = 0; i < self->prefetched_count; i++) {
        free(self->prefetched_keys[i]);
    }
    cm_docs_clear(self->prefetched, self->prefetched_count);
    free(self->prefetched_keys);
    free(self->prefetched);
    self->prefetched_keys = NULL;
    self->prefetched = NULL;
    self->prefetched_count = 0;
}

int
cm_store_prefetched(const cm_store_t *self, const char *key, cm_doc_t *doc)
{
    for (size_t i = 0; i < self->prefetched_count; i++) {
        if (strcmp(self->prefetched_keys[i], key) != 0) {
            continue;
        }
        const cm_doc_t *kept = &self->prefetched[i];
        if (!kept->json) {
            return CM_ENOTFOUND;
        }
        doc->json = strdup(kept->json);
        doc->state = kept->state ? strdup(kept->state) : NULL;
        assert(doc->json && (doc->state || !kept->state));
        doc->version = kept->version;
        return 0;
    }
    return 1; // not among them
}
