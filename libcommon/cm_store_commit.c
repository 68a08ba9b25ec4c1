// cm_store_commit — running prepared commits (cm_commit.c builds them) as
// FCALL sm_commit, one or a pipelined batch, and reading their outcomes.
#include "cm_store_impl.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cm_redis.h"
#include "cm_status.h"

// ---- commit execution
// -------------------------------------------------------------

static int
s_result_ok(const redisReply *reply, cm_commit_result_t *result)
{
    if (reply->elements != 4 || reply->element[1]->type != REDIS_REPLY_ARRAY
        || reply->element[2]->type != REDIS_REPLY_ARRAY
        || reply->element[1]->elements > CM_COMMIT_DOCS_MAX
        || reply->element[2]->elements > (size_t)2 * CM_COMMIT_EVENTS_MAX
        || reply->element[3]->type != REDIS_REPLY_STRING) {
        return cm_store_bad_reply("FCALL sm_commit", reply);
    }
    const redisReply *versions = reply->element[1];
    for (size_t i = 0; i < versions->elements; i++) {
        if (cm_redis_reply_int(versions->element[i], &result->versions[i])) {
            return cm_store_bad_reply("FCALL sm_commit", reply);
        }
    }
    result->version_count = versions->elements;
    const redisReply *events = reply->element[2];
    for (size_t i = 0; i + 1 < events->elements; i += 2) {
        size_t e = i / 2;
        const redisReply *id = events->element[i + 1];
        if (cm_redis_reply_int(events->element[i], &result->seqs[e])
            || id->type != REDIS_REPLY_STRING || id->len >= CM_STREAM_ID_MAX) {
            return cm_store_bad_reply("FCALL sm_commit", reply);
        }
        memcpy(result->stream_ids[e], id->str, id->len + 1);
        result->event_count = e + 1;
    }
    snprintf(result->epoch, sizeof result->epoch, "%s", reply->element[3]->str);
    result->outcome = CM_COMMIT_OK;
    return 0;
}

static int
s_result_parse(const redisReply *reply, cm_commit_result_t *result)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
        || reply->element[0]->type != REDIS_REPLY_STRING) {
        return cm_store_bad_reply("FCALL sm_commit", reply);
    }
    const char *word = reply->element[0]->str;
    if (strcmp(word, "ok") == 0) {
        return s_result_ok(reply, result);
    }
    if (strcmp(word, "conflict") == 0 && reply->elements == 3
        && reply->element[1]->type == REDIS_REPLY_STRING) {
        result->outcome = CM_COMMIT_CONFLICT;
        snprintf(result->conflict_key, sizeof result->conflict_key, "%s",
                 reply->element[1]->str);
        result->conflict_version = reply->element[2]->integer;
        return 0;
    }
    if (strcmp(word, "limit") == 0 && reply->elements == 4
        && reply->element[1]->type == REDIS_REPLY_STRING
        && reply->element[2]->type == REDIS_REPLY_STRING) {
        result->outcome = CM_COMMIT_LIMIT;
        snprintf(result->conflict_key, sizeof result->conflict_key, "%s",
                 reply->element[1]->str);
        snprintf(result->limit_field, sizeof result->limit_field, "%s",
                 reply->element[2]->str);
        result->limit_value = reply->element[3]->integer;
        return 0;
    }
    if (strcmp(word, "done") == 0 && reply->elements == 2) {
        result->outcome = CM_COMMIT_DONE;
        result->response = cm_store_dup_reply_string(reply->element[1]);
        return result->response ? 0
                                : cm_store_bad_reply("FCALL sm_commit", reply);
    }
    if (strcmp(word, "mismatch") == 0) {
        result->outcome = CM_COMMIT_MISMATCH;
        return 0;
    }
    if (strcmp(word, "duplicate") == 0) {
        result->outcome = CM_COMMIT_DUPLICATE;
        return 0;
    }
    return cm_store_bad_reply("FCALL sm_commit", reply);
}

static int
s_commit_append(cm_store_t *self, const cm_commit_t *commit)
{
    assert(!cm_commit_is_empty(commit));
    char numkeys[CM_STORE_NUM_MAX];
    int argc = 0;
    const char **argv = cm_commit_argv(commit, numkeys, sizeof numkeys, &argc);
    int rc = cm_redis_append(self->redis, argc, argv, NULL);
    free(argv);
    return rc;
}

int
cm_store_commit(cm_store_t *self, const cm_commit_t *commit,
                cm_commit_result_t *result)
{
    assert(self && commit && result);
    int rc = 0;
    int batch = cm_store_commit_batch(self, &commit, 1, result, &rc);
    return batch ? batch : rc;
}

int
cm_store_commit_batch(cm_store_t *self, const cm_commit_t *const *commits,
                      size_t n, cm_commit_result_t *results, int *rcs)
{
    assert(self && commits && results && rcs);
    cm_store_prefetch_drop(self); // what it read ahead may change now
    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        rcs[i] = CM_EUNAVAILABLE;
    }
    int rc = cm_store_ensure_library(self);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = s_commit_append(self, commits[i]);
    }
    if (rc) {
        return rc == CM_EINTERNAL ? CM_EINTERNAL : CM_EUNAVAILABLE;
    }
    for (size_t i = 0; i < n; i++) {
        redisReply *reply = cm_redis_read(self->redis);
        if (!reply) {
            return CM_EUNAVAILABLE; // this and later outcomes are unknown
        }
        rcs[i] = s_result_parse(reply, &results[i]);
        freeReplyObject(reply);
    }
    return 0;
}

void
cm_commit_result_clear(cm_commit_result_t *result)
{
    if (result) {
        free(result->response);
        memset(result, 0, sizeof *result);
    }
}
