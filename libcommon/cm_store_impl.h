// cm_store_impl — the insides of cm_store_t shared by its files (not for
// use outside libcommon/cm_store*.c): cm_store.c (connection, library,
// reads, ids, idempotency, timers), cm_store_commit.c (running commits) and
// cm_store_prefetch.c (a batch's reads, ahead of it).
#ifndef LIBCOMMON_CM_STORE_IMPL_H
#define LIBCOMMON_CM_STORE_IMPL_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_redis.h"
#include "cm_store.h"

struct cm_store {
    cm_redis_t *redis;        // owned connection
    uint64_t library_loaded;  // connection generation the library was loaded
    bool library_failed_once; // failing since the last success (logged)
    char **prefetched_keys;   // cm_store_prefetch: the keys read ahead
    cm_doc_t *prefetched;     // and what they held then
    size_t prefetched_count;
};

// The document at key as cm_store_prefetch read it: 0 (a copy into doc),
// CM_ENOTFOUND (it was absent), or 1 when key was not read ahead.
int cm_store_prefetched(const cm_store_t *self, const char *key, cm_doc_t *doc);

// Load the Lua library once per connection (again after a reconnect). 0,
// CM_EUNAVAILABLE or CM_EINTERNAL (logged).
int cm_store_ensure_library(cm_store_t *self);

// A copy of a string reply (caller frees); NULL for any other reply.
char *cm_store_dup_reply_string(const redisReply *reply);

// cm_store_get_many in halves, for a round trip that carries more: append
// the HMGETs of n keys (0 or CM_EUNAVAILABLE), then read their n replies
// into docs (every one, in step; on failure docs are cleared).
int cm_store_append_gets(cm_store_t *self, const char *const *keys, size_t n,
                         const char *field);
int cm_store_read_gets(cm_store_t *self, size_t n, cm_doc_t *docs);

// cm_store_next_id in halves: the counter's key (NULL when it does not
// fit), and its INCR reply (freed) into *number.
const char *cm_store_counter_key(char *key, const char *owner,
                                 const char *kind);
int cm_store_next_id_reply(redisReply *reply, int64_t *number);

// Log a reply of an unexpected shape once per call site; CM_EINTERNAL.
int cm_store_bad_reply(const char *what, const redisReply *reply);

#endif
