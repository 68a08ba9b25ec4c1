#include "cm_store_impl.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store_lua.h"

void
cm_store_strings_free(char ***strings_p, size_t count)
{
    assert(strings_p);
    if (*strings_p) {
        for (size_t i = 0; i < count; i++) {
            free((*strings_p)[i]);
        }
        free(*strings_p);
        *strings_p = NULL;
    }
}

// ---- connection and library -------------------------------------------------

// Load the library once per connection (Functions survive restarts with the
// data set, but not a lost data set).
int
cm_store_ensure_library(cm_store_t *self)
{
    if (cm_redis_connect(self->redis) != 0) {
        return CM_EUNAVAILABLE;
    }
    uint64_t generation = cm_redis_generation(self->redis);
    if (self->library_loaded == generation) {
        return 0;
    }
    char *library = cm_store_lua_library();
    redisReply *reply =
        cm_redis_cmd(self->redis, "FUNCTION", "LOAD", "REPLACE", library);
    free(library);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = 0;
    if (reply->type == REDIS_REPLY_ERROR) {
        // Logged when it starts failing, again after every recovery.
        if (!self->library_failed_once) {
            cm_log_error("store.library.failed", "error", reply->str);
            self->library_failed_once = true;
        }
        rc = strncmp(reply->str, "LOADING", 7) == 0 ? CM_EUNAVAILABLE
                                                    : CM_EINTERNAL;
    } else {
        if (self->library_failed_once) {
            cm_log_notice("store.library.loaded");
        }
        self->library_failed_once = false;
        self->library_loaded = cm_redis_generation(self->redis);
    }
    freeReplyObject(reply);
    return rc;
}

// A store owning `redis` (NULL: NULL).
static cm_store_t *
s_store_of(cm_redis_t *redis)
{
    if (!redis) {
        return NULL;
    }
    cm_store_t *self = calloc(1, sizeof *self);
    assert(self);
    self->redis = redis;
    // Redis may be down now; every FCALL retries the load first.
    cm_store_ensure_library(self);
    return self;
}

cm_store_t *
cm_store_new(const char *host, int port, const char *password, int timeout_ms)
{
    return s_store_of(cm_redis_new(host, port, password, timeout_ms));
}

cm_store_t *
cm_store_new_from_config(const cm_config_t *config)
{
    assert(config);
    return cm_store_new(cm_config_str(config, "redis/host"),
                        (int)cm_config_int(config, "redis/port"),
                        cm_config_str(config, "redis/password"),
                        (int)cm_config_int(config, "redis/timeout_ms"));
}

cm_store_t *
cm_store_new_like(const cm_store_t *other)
{
    assert(other);
    cm_store_t *self = s_store_of(cm_redis_new_like(other->redis));
    assert(self); // the arguments were valid for other
    return self;
}

void
cm_store_destroy(cm_store_t **self_p)
{
    assert(self_p);
    cm_store_t *self = *self_p;
    if (self) {
        cm_store_prefetch_drop(self);
        cm_redis_destroy(&self->redis);
        free(self);
        *self_p = NULL;
    }
}

cm_redis_t *
cm_store_redis(cm_store_t *self)
{
    assert(self);
    return self->redis;
}

int
cm_store_ping(cm_store_t *self)
{
    assert(self);
    redisReply *reply = cm_redis_cmd(self->redis, "PING");
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_STATUS ? 0 : CM_EUNAVAILABLE;
    freeReplyObject(reply);
    return rc;
}

const char *
cm_store_key(char *buf, size_t size, const char *owner, const char *kind,
             const char *id)
{
    assert(buf && owner && kind);
    int n = id ? snprintf(buf, size, "sm:{%s}:%s:%s", owner, kind, id)
               : snprintf(buf, size, "sm:{%s}:%s", owner, kind);
    return n < 0 || (size_t)n >= size ? NULL : buf;
}

const char *
cm_store_key_fit(char *buf, const char *owner, const char *kind, const char *id)
{
    const char *key = cm_store_key(buf, CM_STORE_KEY_MAX, owner, kind, id);
    if (!key) {
        abort(); // a caller's part was not validated shorter than a key
    }
    return key;
}

// ---- reads
// --------------------------------------------------------------------

char *
cm_store_dup_reply_string(const redisReply *reply)
{
    if (!reply || reply->type != REDIS_REPLY_STRING) {
        return NULL;
    }
    char *text = malloc(reply->len + 1);
    assert(text);
    memcpy(text, reply->str, reply->len);
    text[reply->len] = '\0';
    return text;
}

// Log a reply of an unexpected shape once per call site and map it.
int
cm_store_bad_reply(const char *what, const redisReply *reply)
{
    cm_log_warn("store.reply.unexpected", "command", what, "error",
                reply && reply->type == REDIS_REPLY_ERROR ? reply->str
                                                          : "wrong type");
    return CM_EINTERNAL;
}

int
cm_store_get(cm_store_t *self, const char *key, cm_doc_t *doc)
{
    assert(self && key && doc);
    memset(doc, 0, sizeof *doc);
    int kept = cm_store_prefetched(self, key, doc);
    if (kept != 1) {
        return kept;
    }
    redisReply *reply =
        cm_redis_cmd(self->redis, "HMGET", key, "doc", "version", "state");
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = 0;
    bool shaped = reply->type == REDIS_REPLY_ARRAY && reply->elements == 3;
    if (shaped && reply->element[0]->type != REDIS_REPLY_STRING) {
        rc = CM_ENOTFOUND;
    } else if (!shaped
               || cm_redis_reply_int(reply->element[1], &doc->version) != 0) {
        rc = cm_store_bad_reply("HMGET", reply);
    } else {
        doc->json = cm_store_dup_reply_string(reply->element[0]);
        doc->state = cm_store_dup_reply_string(reply->element[2]);
    }
    freeReplyObject(reply);
    return rc;
}

void
cm_doc_clear(cm_doc_t *doc)
{
    if (doc) {
        free(doc->json);
        free(doc->state);
        memset(doc, 0, sizeof *doc);
    }
}

// One HMGET reply of cm_store_get_many: field, version, state.
static int
s_doc_from_reply(const redisReply *reply, cm_doc_t *doc)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
        return cm_store_bad_reply("HMGET", reply);
    }
    const redisReply *version = reply->element[1];
    if (version->type != REDIS_REPLY_NIL
        && cm_redis_reply_int(version, &doc->version) != 0) {
        return cm_store_bad_reply("HMGET", reply);
    }
    doc->json = cm_store_dup_reply_string(reply->element[0]);
    doc->state = cm_store_dup_reply_string(reply->element[2]);
    return 0;
}

int
cm_store_append_gets(cm_store_t *self, const char *const *keys, size_t n,
                     const char *field)
{
    for (size_t i = 0; i < n; i++) {
        assert(keys[i]);
        const char *argv[] = {"HMGET", keys[i], field ? field : "doc",
                              "version", "state"};
        if (cm_redis_append(self->redis, 5, argv, NULL) != 0) {
            // Appending only buffers; a failure dropped the connection and
            // the commands buffered so far with it, so nothing was sent.
            return CM_EUNAVAILABLE;
        }
    }
    return 0;
}

int
cm_store_read_gets(cm_store_t *self, size_t n, cm_doc_t *docs)
{
    memset(docs, 0, n * sizeof *docs);
    int rc = 0;
    // Read every reply, even after a bad one, to keep the pipeline in step.
    for (size_t i = 0; i < n; i++) {
        redisReply *reply = cm_redis_read(self->redis);
        if (!reply) {
            rc = CM_EUNAVAILABLE; // the connection is gone with the rest
            break;
        }
        int one = s_doc_from_reply(reply, &docs[i]);
        rc = rc ? rc : one;
        freeReplyObject(reply);
    }
    if (rc) {
        cm_docs_clear(docs, n);
    }
    return rc;
}

int
cm_store_get_many(cm_store_t *self, const char *const *keys, size_t n,
                  const char *field, cm_doc_t *docs)
{
    assert(self && (keys || n == 0) && (docs || n == 0));
    if (n == 0) {
        return 0;
    }
    memset(docs, 0, n * sizeof *docs);
    int rc = cm_store_append_gets(self, keys, n, field);
    return rc ? rc : cm_store_read_gets(self, n, docs);
}

// One HMGET reply of cm_store_counters into values (nfields of them).
static int
s_counters_from_reply(const redisReply *reply, size_t nfields, int64_t *values)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != nfields) {
        return cm_store_bad_reply("HMGET", reply);
    }
    for (size_t j = 0; j < nfields; j++) {
        const redisReply *value = reply->element[j];
        values[j] = 0;
        if (value->type != REDIS_REPLY_NIL
            && cm_redis_reply_int(value, &values[j]) != 0) {
            return cm_store_bad_reply("HMGET", reply);
        }
    }
    return 0;
}

int
cm_store_counters(cm_store_t *self, const char *const *keys, size_t n,
                  const char *const *fields, size_t nfields, int64_t *values)
{
    assert(self && (keys || n == 0) && fields && nfields > 0);
    assert(nfields <= CM_STORE_COUNTER_FIELDS_MAX && (values || n == 0));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *argv[CM_STORE_COUNTER_FIELDS_MAX + 2] = {"HMGET", keys[i]};
        memcpy(argv + 2, fields, nfields * sizeof *fields);
        rc = cm_redis_append(self->redis, (int)nfields + 2, argv, NULL);
    }
    if (rc) {
        return CM_EUNAVAILABLE; // nothing was sent (see cm_store_get_many)
    }
    for (size_t i = 0; i < n; i++) {
        redisReply *reply = cm_redis_read(self->redis);
        if (!reply) {
            return CM_EUNAVAILABLE;
        }
        int one = s_counters_from_reply(reply, nfields, values + i * nfields);
        rc = rc ? rc : one;
        freeReplyObject(reply);
    }
    return rc;
}

void
cm_docs_clear(cm_doc_t *docs, size_t n)
{
    for (size_t i = 0; docs && i < n; i++) {
        cm_doc_clear(&docs[i]);
    }
}

// A cursor is "<score>:<member>": the last item of the previous page.
static int
s_parse_cursor(const char *cursor, char *score, size_t size,
               const char **member)
{
    const char *colon = cursor ? strchr(cursor, ':') : NULL;
    if (!colon || colon == cursor || (size_t)(colon - cursor) >= size) {
        return CM_EINVAL;
    }
    memcpy(score, cursor, (size_t)(colon - cursor));
    score[colon - cursor] = '\0';
    // Scores are epoch ms: an optional minus and 1-19 digits. "nan", "inf"
    // or "1e3" would reach Redis as a score it refuses (a 500, not a 400).
    const char *digits = score[0] == '-' ? score + 1 : score;
    size_t count = strspn(digits, "0123456789");
    if (count == 0 || count > 19 || digits[count] != '\0') {
        return CM_EINVAL;
    }
    *member = colon + 1;
    return 0;
}

static int
s_fill_page(const redisReply *reply, size_t limit, cm_page_t *page)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || reply->element[0]->type != REDIS_REPLY_ARRAY
        || reply->element[0]->elements % 2
        || reply->element[0]->elements / 2 > limit) {
        return cm_store_bad_reply("FCALL sm_list", reply);
    }
    const redisReply *items = reply->element[0];
    page->count = items->elements / 2;
    page->members = calloc(page->count + 1, sizeof(char *));
    page->scores = calloc(page->count + 1, sizeof(int64_t));
    assert(page->members && page->scores);
    for (size_t i = 0; i < page->count; i++) {
        page->members[i] = cm_store_dup_reply_string(items->element[2 * i]);
        if (!page->members[i]
            || cm_redis_reply_int(items->element[2 * i + 1], &page->scores[i])
                   != 0) {
            return cm_store_bad_reply("FCALL sm_list", reply);
        }
    }
    page->total = reply->element[2]->integer;
    if (reply->element[1]->integer == 1 && page->count > 0) {
        size_t last = page->count - 1;
        size_t size = strlen(page->members[last]) + CM_CURSOR_EXTRA;
        page->next_cursor = malloc(size);
        assert(page->next_cursor);
        const char *written =
            cm_page_cursor(page->next_cursor, size, page, last);
        assert(written);
    }
    return 0;
}

int
cm_store_list(cm_store_t *self, const char *index_key, const char *cursor,
              size_t limit, bool with_total, cm_page_t *page)
{
    assert(self && index_key && page);
    memset(page, 0, sizeof *page);
    page->total = -1;
    char score[CM_STORE_NUM_MAX * 2] = "";
    const char *member = "";
    if (limit == 0 || limit > CM_STORE_PAGE_MAX
        || (cursor && s_parse_cursor(cursor, score, sizeof score, &member))) {
        return CM_EINVAL;
    }
    int rc = cm_store_ensure_library(self);
    if (rc) {
        return rc;
    }
    char limit_text[CM_STORE_NUM_MAX];
    snprintf(limit_text, sizeof limit_text, "%zu", limit);
    redisReply *reply =
        cm_redis_cmd(self->redis, "FCALL", "sm_list", "1", index_key, score,
                     member, limit_text, with_total ? "1" : "0");
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    rc = s_fill_page(reply, limit, page);
    freeReplyObject(reply);
    if (rc) {
        cm_page_clear(page);
    }
    return rc;
}

int
cm_store_list_many(cm_store_t *self, const char *const *index_keys, size_t n,
                   size_t limit, cm_page_t *pages)
{
    assert(self && (index_keys || n == 0) && (pages || n == 0));
    for (size_t i = 0; i < n; i++) {
        memset(&pages[i], 0, sizeof pages[i]);
        pages[i].total = -1;
    }
    if (limit == 0 || limit > CM_STORE_PAGE_MAX) {
        return CM_EINVAL;
    }
    int rc = n ? cm_store_ensure_library(self) : 0;
    char limit_text[CM_STORE_NUM_MAX];
    snprintf(limit_text, sizeof limit_text, "%zu", limit);
    size_t sent = 0;
    while (rc == 0 && sent < n) {
        const char *argv[] = {"FCALL", "sm_list", "1",        index_keys[sent],
                              "",      "",        limit_text, "0"};
        if (cm_redis_append(self->redis, 8, argv, NULL) != 0) {
            // Appending only buffers; a failure dropped the connection and
            // the commands buffered so far with it, so nothing was sent.
            rc = CM_EUNAVAILABLE;
            sent = 0;
        } else {
            sent++;
        }
    }
    // Read every reply, even after a bad one, to keep the pipeline in step.
    for (size_t i = 0; i < sent; i++) {
        redisReply *reply = cm_redis_read(self->redis);
        if (!reply) {
            rc = CM_EUNAVAILABLE; // the connection is gone with the rest
            break;
        }
        int one = s_fill_page(reply, limit, &pages[i]);
        rc = rc ? rc : one;
        freeReplyObject(reply);
    }
    for (size_t i = 0; rc && i < n; i++) {
        cm_page_clear(&pages[i]);
    }
    return rc;
}

void
cm_page_clear(cm_page_t *page)
{
    if (page) {
        cm_store_strings_free(&page->members, page->count);
        free(page->scores);
        free(page->next_cursor);
        memset(page, 0, sizeof *page);
        page->total = -1;
    }
}

const char *
cm_page_cursor(char *buf, size_t size, const cm_page_t *page, size_t i)
{
    assert(buf && page && i < page->count);
    int n = snprintf(buf, size, "%" PRId64 ":%s", page->scores[i],
                     page->members[i]);
    return n < 0 || (size_t)n >= size ? NULL : buf;
}

// The key of counter kind of owner into key (CM_STORE_KEY_MAX bytes).
const char *
cm_store_counter_key(char *key, const char *owner, const char *kind)
{
    char suffix[CM_STORE_KEY_MAX];
    snprintf(suffix, sizeof suffix, "counter:%s", kind);
    return cm_store_key(key, CM_STORE_KEY_MAX, owner, suffix, NULL);
}

// The INCR reply into *number: 0, CM_EUNAVAILABLE (NULL) or CM_EINTERNAL.
int
cm_store_next_id_reply(redisReply *reply, int64_t *number)
{
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_INTEGER
                 ? 0
                 : cm_store_bad_reply("INCR", reply);
    if (!rc) {
        *number = reply->integer;
    }
    freeReplyObject(reply);
    return rc;
}

int
cm_store_next_id(cm_store_t *self, const char *owner, const char *kind,
                 int64_t *number)
{
    assert(self && owner && kind && number);
    char key[CM_STORE_KEY_MAX];
    if (!cm_store_counter_key(key, owner, kind)) {
        return CM_EINVAL;
    }
    return cm_store_next_id_reply(cm_redis_cmd(self->redis, "INCR", key),
                                  number);
}

// ---- idempotency and timers
// ---------------------------------------------------

static int
s_idem_state(const redisReply *reply, cm_idem_state_t *state, char **response)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
        || reply->element[0]->type != REDIS_REPLY_STRING) {
        return cm_store_bad_reply("FCALL sm_idem_begin", reply);
    }
    const char *word = reply->element[0]->str;
    if (strcmp(word, "new") == 0) {
        *state = CM_IDEM_NEW;
    } else if (strcmp(word, "running") == 0) {
        *state = CM_IDEM_RUNNING;
    } else if (strcmp(word, "mismatch") == 0) {
        *state = CM_IDEM_MISMATCH;
    } else if (strcmp(word, "done") == 0 && reply->elements == 2) {
        *state = CM_IDEM_DONE;
        *response = cm_store_dup_reply_string(reply->element[1]);
        if (!*response) {
            return cm_store_bad_reply("FCALL sm_idem_begin", reply);
        }
    } else {
        return cm_store_bad_reply("FCALL sm_idem_begin", reply);
    }
    return 0;
}

int
cm_store_idem_begin(cm_store_t *self, const char *key, const char *fingerprint,
                    int64_t ttl_ms, cm_idem_state_t *state, char **response)
{
    assert(self && key && fingerprint && state && response && ttl_ms > 0);
    *response = NULL;
    int rc = cm_store_ensure_library(self);
    if (rc) {
        return rc;
    }
    char ttl[CM_STORE_NUM_MAX];
    snprintf(ttl, sizeof ttl, "%" PRId64, ttl_ms);
    redisReply *reply = cm_redis_cmd(self->redis, "FCALL", "sm_idem_begin", "1",
                                     key, fingerprint, ttl);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    rc = s_idem_state(reply, state, response);
    freeReplyObject(reply);
    return rc;
}

int
cm_store_idem_release(cm_store_t *self, const char *key,
                      const char *fingerprint)
{
    assert(self && key && fingerprint);
    int rc = cm_store_ensure_library(self);
    if (rc) {
        return rc;
    }
    redisReply *reply = cm_redis_cmd(self->redis, "FCALL", "sm_idem_release",
                                     "1", key, fingerprint);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    rc = reply->type == REDIS_REPLY_INTEGER
             ? 0
             : cm_store_bad_reply("FCALL sm_idem_release", reply);
    freeReplyObject(reply);
    return rc;
}

int
cm_store_timer_add(cm_store_t *self, const char *key, const char *member,
                   int64_t due_ms)
{
    assert(self && key && member);
    char score[CM_STORE_NUM_MAX];
    snprintf(score, sizeof score, "%" PRId64, due_ms);
    redisReply *reply = cm_redis_cmd(self->redis, "ZADD", key, score, member);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_INTEGER
                 ? 0
                 : cm_store_bad_reply("ZADD", reply);
    freeReplyObject(reply);
    return rc;
}

int
cm_store_timer_claim(cm_store_t *self, const char *key, int64_t now_ms,
                     int64_t lease_ms, size_t limit, char ***members,
                     size_t *count)
{
    assert(self && key && members && count && limit > 0 && lease_ms > 0);
    *members = NULL;
    *count = 0;
    int rc = cm_store_ensure_library(self);
    if (rc) {
        return rc;
    }
    char now[CM_STORE_NUM_MAX];
    char lim[CM_STORE_NUM_MAX];
    char until[CM_STORE_NUM_MAX];
    snprintf(now, sizeof now, "%" PRId64, now_ms);
    snprintf(lim, sizeof lim, "%zu", limit);
    snprintf(until, sizeof until, "%" PRId64, now_ms + lease_ms);
    redisReply *reply = cm_redis_cmd(self->redis, "FCALL", "sm_timer_lease",
                                     "1", key, now, lim, until);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    if (reply->type != REDIS_REPLY_ARRAY) {
        rc = cm_store_bad_reply("FCALL sm_timer_lease", reply);
    } else {
        *members = calloc(reply->elements + 1, sizeof(char *));
        assert(*members);
        for (size_t i = 0; i < reply->elements; i++) {
            char *m = cm_store_dup_reply_string(reply->element[i]);
            if (m) {
                (*members)[(*count)++] = m;
            }
        }
    }
    freeReplyObject(reply);
    return rc;
}

int
cm_store_timer_settle(cm_store_t *self, const char *key, const char *member,
                      int64_t lease_until_ms, int64_t next_due_ms)
{
    assert(self && key && member);
    int rc = cm_store_ensure_library(self);
    if (rc) {
        return rc;
    }
    char lease[CM_STORE_NUM_MAX];
    char next[CM_STORE_NUM_MAX] = "";
    snprintf(lease, sizeof lease, "%" PRId64, lease_until_ms);
    if (next_due_ms > 0) {
        snprintf(next, sizeof next, "%" PRId64, next_due_ms);
    }
    redisReply *reply = cm_redis_cmd(self->redis, "FCALL", "sm_timer_settle",
                                     "1", key, member, lease, next);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    rc = reply->type == REDIS_REPLY_INTEGER
             ? 0
             : cm_store_bad_reply("FCALL sm_timer_settle", reply);
    freeReplyObject(reply);
    return rc;
}
