// cm_outbox_groups — the consumer groups of outbox streams, declared in
// cm_outbox.h: what they still need (safe trim), how far behind they are
// (lag), and which of their consumers are gone (reap).
#include "cm_outbox.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_status.h"

#define CM_OUTBOX_NUM_MAX 24

// ---- safe trim
// ------------------------------------------------------------------

static int
s_id_parse(const char *id, uint64_t *ms, uint64_t *n)
{
    return sscanf(id, "%" SCNu64 "-%" SCNu64, ms, n) == 2 ? 0 : -1;
}

int
cm_outbox_id_compare(const char *a, const char *b)
{
    uint64_t am = 0, an = 0, bm = 0, bn = 0;
    if (s_id_parse(a, &am, &an) || s_id_parse(b, &bm, &bn)) {
        return strcmp(a, b);
    }
    if (am != bm) {
        return am < bm ? -1 : 1;
    }
    return an == bn ? 0 : (an < bn ? -1 : 1);
}

// The smallest id greater than id, into next (CM_STREAM_ID_MAX).
static void
s_id_next(const char *id, char *next)
{
    uint64_t ms = 0, n = 0;
    if (s_id_parse(id, &ms, &n) != 0) {
        snprintf(next, CM_STREAM_ID_MAX, "0-1");
        return;
    }
    snprintf(next, CM_STREAM_ID_MAX, "%" PRIu64 "-%" PRIu64, ms, n + 1);
}

static const redisReply *
s_map_get(const redisReply *map, const char *name)
{
    for (size_t i = 0; i + 1 < map->elements; i += 2) {
        const redisReply *key = map->element[i];
        if (key->type == REDIS_REPLY_STRING && strcmp(key->str, name) == 0) {
            return map->element[i + 1];
        }
    }
    return NULL;
}

// First pending id of a group (XPENDING summary), into id.
static int
s_group_first_pending(cm_redis_t *redis, const char *stream, const char *group,
                      char *id)
{
    redisReply *reply = cm_redis_cmd(redis, "XPENDING", stream, group);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = CM_EINTERNAL;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4
        && reply->element[1]->type == REDIS_REPLY_STRING
        && reply->element[1]->len < CM_STREAM_ID_MAX) {
        snprintf(id, CM_STREAM_ID_MAX, "%s", reply->element[1]->str);
        rc = 0;
    }
    freeReplyObject(reply);
    return rc;
}

// What one group (an XINFO GROUPS map) still needs, into needed.
static int
s_group_needed(cm_redis_t *redis, const char *stream, const redisReply *map,
               char *needed)
{
    const redisReply *name = s_map_get(map, "name");
    const redisReply *pending = s_map_get(map, "pending");
    const redisReply *last = s_map_get(map, "last-delivered-id");
    if (!name || name->type != REDIS_REPLY_STRING || !pending
        || pending->type != REDIS_REPLY_INTEGER || !last
        || last->type != REDIS_REPLY_STRING) {
        return CM_EINTERNAL;
    }
    if (pending->integer > 0) {
        return s_group_first_pending(redis, stream, name->str, needed);
    }
    s_id_next(last->str, needed);
    return 0;
}

int
cm_outbox_oldest_needed(cm_redis_t *redis, const char *stream, char *id)
{
    assert(redis && stream && id);
    redisReply *reply = cm_redis_cmd(redis, "XINFO", "GROUPS", stream);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    if (reply->type != REDIS_REPLY_ARRAY) {
        bool missing = reply->type == REDIS_REPLY_ERROR
                       && strstr(reply->str, "no such key");
        freeReplyObject(reply);
        return missing ? CM_ENOTFOUND : CM_EINTERNAL;
    }
    int rc = CM_ENOTFOUND;
    for (size_t i = 0; i < reply->elements; i++) {
        char needed[CM_STREAM_ID_MAX];
        const redisReply *map = reply->element[i];
        int one = map->type == REDIS_REPLY_ARRAY
                      ? s_group_needed(redis, stream, map, needed)
                      : CM_EINTERNAL;
        if (one) {
            rc = one;
            break;
        }
        if (rc == CM_ENOTFOUND || cm_outbox_id_compare(needed, id) < 0) {
            snprintf(id, CM_STREAM_ID_MAX, "%s", needed);
            rc = 0;
        }
    }
    freeReplyObject(reply);
    return rc;
}

// The id `retention` entries below bound (exclusive): the new MINID, or ""
// when fewer entries lie below.
static int
s_minid_with_retention(cm_redis_t *redis, const char *stream, const char *bound,
                       size_t retention, char *minid)
{
    minid[0] = '\0';
    if (retention == 0) {
        snprintf(minid, CM_STREAM_ID_MAX, "%s", bound);
        return 0;
    }
    char end[CM_STREAM_ID_MAX + 1];
    char count[CM_OUTBOX_NUM_MAX];
    snprintf(end, sizeof end, "(%s", bound);
    snprintf(count, sizeof count, "%zu", retention);
    redisReply *reply =
        cm_redis_cmd(redis, "XREVRANGE", stream, end, "-", "COUNT", count);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_ARRAY ? 0 : CM_EINTERNAL;
    if (rc == 0 && reply->elements == retention) {
        const redisReply *oldest = reply->element[retention - 1];
        if (oldest->type == REDIS_REPLY_ARRAY && oldest->elements == 2
            && oldest->element[0]->type == REDIS_REPLY_STRING) {
            snprintf(minid, CM_STREAM_ID_MAX, "%s", oldest->element[0]->str);
        }
    }
    freeReplyObject(reply);
    return rc;
}

int
cm_outbox_trim(cm_redis_t *redis, const char *stream, const char *keep_after_id,
               size_t retention, int64_t *trimmed)
{
    assert(redis && stream && trimmed);
    *trimmed = 0;
    char bound[CM_STREAM_ID_MAX] = "";
    int rc = cm_outbox_oldest_needed(redis, stream, bound);
    if (rc && rc != CM_ENOTFOUND) {
        return rc;
    }
    if (keep_after_id) {
        char next[CM_STREAM_ID_MAX];
        s_id_next(keep_after_id, next);
        if (!*bound || cm_outbox_id_compare(next, bound) < 0) {
            snprintf(bound, sizeof bound, "%s", next);
        }
    }
    char minid[CM_STREAM_ID_MAX];
    if (!*bound
        || (rc = s_minid_with_retention(redis, stream, bound, retention, minid))
        || !*minid) {
        return rc;
    }
    redisReply *reply = cm_redis_cmd(redis, "XTRIM", stream, "MINID", minid);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    rc = reply->type == REDIS_REPLY_INTEGER ? 0 : CM_EINTERNAL;
    if (rc == 0) {
        *trimmed = reply->integer;
    }
    freeReplyObject(reply);
    return rc;
}

// ---- consumer-group lag
// --------------------------------------------------------

// The "seq" field of the first entry of an XRANGE / XREVRANGE reply into
// *id and *seq. 1 found, 0 the reply is empty, -1 malformed or no seq.
static int
s_first_entry_seq(const redisReply *reply, char *id, int64_t *seq)
{
    if (reply->type != REDIS_REPLY_ARRAY) {
        return -1;
    }
    if (reply->elements == 0) {
        return 0;
    }
    const redisReply *entry = reply->element[0];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || entry->element[0]->type != REDIS_REPLY_STRING
        || entry->element[0]->len >= CM_STREAM_ID_MAX
        || entry->element[1]->type != REDIS_REPLY_ARRAY) {
        return -1;
    }
    snprintf(id, CM_STREAM_ID_MAX, "%s", entry->element[0]->str);
    const redisReply *fields = entry->element[1];
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply *name = fields->element[i];
        if (name->type == REDIS_REPLY_STRING && strcmp(name->str, "seq") == 0) {
            return cm_redis_reply_int(fields->element[i + 1], seq) == 0 ? 1
                                                                        : -1;
        }
    }
    return -1;
}

// The last entry of a stream: 1 (id, seq set), 0 empty, -1 unknown (no
// seq), or CM_EUNAVAILABLE.
static int
s_stream_last(cm_redis_t *redis, const char *stream, char *id, int64_t *seq)
{
    redisReply *reply =
        cm_redis_cmd(redis, "XREVRANGE", stream, "+", "-", "COUNT", "1");
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = s_first_entry_seq(reply, id, seq);
    freeReplyObject(reply);
    return rc;
}

// Entries of the stream after `delivered` (a group's last-delivered id):
// the seq of the last entry less that of the first one after delivered,
// plus one. Every outbox entry carries a contiguous seq, so this holds
// whatever Redis remembers of the group's read counter, which a reload of
// a rewritten AOF leaves behind (XINFO GROUPS "lag" then stays off by the
// entries read since the rewrite). -1 when it cannot be told.
static int64_t
s_undelivered(cm_redis_t *redis, const char *stream, const char *delivered,
              int last_rc, const char *last_id, int64_t last_seq)
{
    if (last_rc == 0
        || (last_rc == 1 && cm_outbox_id_compare(delivered, last_id) >= 0)) {
        return 0; // empty, or everything delivered
    }
    if (last_rc != 1) {
        return -1;
    }
    char start[CM_STREAM_ID_MAX + 1];
    snprintf(start, sizeof start, "(%s", delivered);
    redisReply *reply =
        cm_redis_cmd(redis, "XRANGE", stream, start, "+", "COUNT", "1");
    char first_id[CM_STREAM_ID_MAX];
    int64_t first_seq = 0;
    int rc = reply ? s_first_entry_seq(reply, first_id, &first_seq) : -1;
    freeReplyObject(reply);
    if (rc == 0) {
        return 0;
    }
    return rc == 1 && first_seq <= last_seq ? last_seq - first_seq + 1 : -1;
}

// One XINFO GROUPS map into lag; false when malformed. last_*: the
// stream's last entry (s_stream_last).
static bool
s_group_lag(cm_redis_t *redis, const char *stream, const redisReply *map,
            int last_rc, const char *last_id, int64_t last_seq,
            cm_outbox_lag_t *lag)
{
    bool is_map = map->type == REDIS_REPLY_ARRAY;
    const redisReply *name = is_map ? s_map_get(map, "name") : NULL;
    const redisReply *pending = is_map ? s_map_get(map, "pending") : NULL;
    const redisReply *delivered =
        is_map ? s_map_get(map, "last-delivered-id") : NULL;
    if (!name || name->type != REDIS_REPLY_STRING
        || name->len >= CM_OUTBOX_GROUP_MAX || !pending
        || pending->type != REDIS_REPLY_INTEGER || !delivered
        || delivered->type != REDIS_REPLY_STRING) {
        return false;
    }
    snprintf(lag->stream, sizeof lag->stream, "%s", stream);
    snprintf(lag->group, sizeof lag->group, "%s", name->str);
    lag->pending = pending->integer;
    lag->lag = s_undelivered(redis, stream, delivered->str, last_rc, last_id,
                             last_seq);
    if (lag->lag < 0) {
        // Entries without seq (not an outbox): Redis's own count, else the
        // pending count ("lag" is nil when Redis cannot compute it).
        const redisReply *behind = s_map_get(map, "lag");
        lag->lag = behind && behind->type == REDIS_REPLY_INTEGER
                       ? behind->integer
                       : pending->integer;
    }
    return true;
}

// Append the groups of one stream to *lags (capacity *capacity).
static int
s_stream_lags(cm_redis_t *redis, const char *stream, cm_outbox_lag_t **lags,
              size_t *count, size_t *capacity)
{
    redisReply *reply = cm_redis_cmd(redis, "XINFO", "GROUPS", stream);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    char last_id[CM_STREAM_ID_MAX] = "";
    int64_t last_seq = 0;
    int last_rc = 0;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0) {
        last_rc = s_stream_last(redis, stream, last_id, &last_seq);
    }
    // The stream may have gone since SCAN saw it: no groups, no error.
    for (size_t i = 0;
         last_rc != CM_EUNAVAILABLE && reply->type == REDIS_REPLY_ARRAY
         && i < reply->elements;
         i++) {
        if (*count == *capacity) {
            *capacity = *capacity ? *capacity * 2 : 16;
            *lags = realloc(*lags, *capacity * sizeof **lags);
            assert(*lags);
        }
        if (s_group_lag(redis, stream, reply->element[i], last_rc, last_id,
                        last_seq, &(*lags)[*count])) {
            (*count)++;
        }
    }
    freeReplyObject(reply);
    return last_rc == CM_EUNAVAILABLE ? CM_EUNAVAILABLE : 0;
}

int
cm_outbox_lags(cm_redis_t *redis, cm_outbox_lag_t **lags, size_t *count)
{
    assert(redis && lags && count);
    *lags = NULL;
    *count = 0;
    char **streams = NULL;
    size_t streams_count = 0;
    int rc = cm_outbox_discover(redis, &streams, &streams_count);
    size_t capacity = 0;
    for (size_t i = 0; rc == 0 && i < streams_count; i++) {
        rc = s_stream_lags(redis, streams[i], lags, count, &capacity);
    }
    cm_store_strings_free(&streams, streams_count);
    if (rc != 0) {
        free(*lags);
        *lags = NULL;
        *count = 0;
    }
    return rc;
}

// ---- dead consumers
// ------------------------------------------------------------

// One removed (group, consumer) pair of the sm_reap_consumers reply.
static bool
s_reaped_from(const redisReply *group, const redisReply *consumer,
              cm_outbox_reaped_t *reaped)
{
    if (group->type != REDIS_REPLY_STRING
        || consumer->type != REDIS_REPLY_STRING) {
        return false;
    }
    snprintf(reaped->group, sizeof reaped->group, "%s", group->str);
    snprintf(reaped->consumer, sizeof reaped->consumer, "%s", consumer->str);
    return true;
}

int
cm_outbox_reap(cm_redis_t *redis, const char *stream, int64_t idle_ms,
               cm_outbox_reaped_t **reaped, size_t *count)
{
    assert(redis && stream && reaped && count && idle_ms >= 0);
    *reaped = NULL;
    *count = 0;
    char idle[CM_OUTBOX_NUM_MAX];
    snprintf(idle, sizeof idle, "%" PRId64, idle_ms);
    // One FCALL: the pending check and the removal are one atomic step, so
    // a consumer delivered an entry in between keeps it (XGROUP DELCONSUMER
    // would leave that entry owned by nobody).
    redisReply *reply =
        cm_redis_cmd(redis, "FCALL", "sm_reap_consumers", "1", stream, idle);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_ARRAY ? 0 : CM_EINTERNAL;
    size_t pairs = rc == 0 ? reply->elements / 2 : 0;
    if (pairs > 0) {
        *reaped = calloc(pairs, sizeof **reaped);
        assert(*reaped);
    }
    for (size_t i = 0; i < pairs; i++) {
        if (s_reaped_from(reply->element[2 * i], reply->element[2 * i + 1],
                          &(*reaped)[*count])) {
            (*count)++;
        }
    }
    freeReplyObject(reply);
    return rc;
}
