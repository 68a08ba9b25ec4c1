#include "cm_stream.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_redis.h"
#include "cm_status.h"

#define S_BOUND_MAX (CM_STREAM_ID_MAX + 2)

bool
cm_stream_id_is_valid(const char *text)
{
    if (!text || !*text || strlen(text) >= CM_STREAM_ID_MAX) {
        return false;
    }
    size_t ms = strspn(text, "0123456789");
    if (ms == 0 || ms > 20) {
        return false;
    }
    if (text[ms] == '\0') {
        return true;
    }
    if (text[ms] != '-') {
        return false;
    }
    size_t seq = strspn(text + ms + 1, "0123456789");
    return seq > 0 && seq <= 20 && text[ms + 1 + seq] == '\0';
}

void
cm_stream_page_clear(cm_stream_page_t *page)
{
    assert(page);
    json_decref(page->entries);
    for (size_t i = 0; i < page->count; i++) {
        free(page->ids[i]);
    }
    free(page->ids);
    free(page->next_cursor);
    memset(page, 0, sizeof *page);
}

// The `entry` field of one XRANGE item ([id, [field, value, ...]]), parsed;
// the integer of any other field (a stamp, cm_commit_ledger_stamped) is
// set as a member of an object entry.
static json_t *
s_entry(const redisReply *item)
{
    const redisReply *fields = item->element[1];
    json_t *entry = NULL;
    for (size_t f = 0;
         fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements;
         f += 2) {
        if (strcmp(fields->element[f]->str, "entry") == 0 && !entry) {
            entry =
                json_loads(fields->element[f + 1]->str, JSON_DECODE_ANY, NULL);
        }
    }
    for (size_t f = 0; json_is_object(entry) && f + 1 < fields->elements;
         f += 2) {
        int64_t value = 0;
        if (strcmp(fields->element[f]->str, "entry") != 0
            && cm_redis_reply_int(fields->element[f + 1], &value) == 0) {
            json_object_set_new(entry, fields->element[f]->str,
                                json_integer(value));
        }
    }
    return entry;
}

static int
s_fill(const redisReply *reply, size_t limit, cm_stream_page_t *page)
{
    page->entries = json_array();
    page->ids = calloc(reply->elements + 1, sizeof(char *));
    assert(page->entries && page->ids);
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *item = reply->element[i];
        if (item->type != REDIS_REPLY_ARRAY || item->elements != 2
            || item->element[0]->type != REDIS_REPLY_STRING) {
            return CM_EINTERNAL;
        }
        json_t *entry = s_entry(item);
        if (!entry) {
            cm_log_error("stream.entry_unreadable", "id",
                         item->element[0]->str);
            return CM_EINTERNAL;
        }
        json_array_append_new(page->entries, entry);
        page->ids[page->count] = strdup(item->element[0]->str);
        assert(page->ids[page->count]);
        page->count++;
    }
    if (page->count == limit && limit > 0) {
        page->next_cursor = strdup(page->ids[page->count - 1]);
        assert(page->next_cursor);
    }
    return 0;
}

int
cm_stream_read(cm_store_t *store, const char *key, const char *after,
               const char *min_id, const char *max_id, size_t limit,
               bool reverse, cm_stream_page_t *page)
{
    assert(store && key && page);
    memset(page, 0, sizeof *page);
    if (limit == 0 || limit > CM_STREAM_PAGE_MAX
        || (after && !cm_stream_id_is_valid(after))
        || (min_id && !cm_stream_id_is_valid(min_id))
        || (max_id && !cm_stream_id_is_valid(max_id))) {
        return CM_EINVAL;
    }
    // An exclusive start "(<id>" resumes after the cursor.
    char low[S_BOUND_MAX], high[S_BOUND_MAX], count[24];
    snprintf(low, sizeof low, "%s", min_id ? min_id : "-");
    snprintf(high, sizeof high, "%s", max_id ? max_id : "+");
    if (after) {
        snprintf(reverse ? high : low, S_BOUND_MAX, "(%s", after);
    }
    snprintf(count, sizeof count, "%zu", limit);
    redisReply *reply = reverse
                            ? cm_redis_cmd(cm_store_redis(store), "XREVRANGE",
                                           key, high, low, "COUNT", count)
                            : cm_redis_cmd(cm_store_redis(store), "XRANGE", key,
                                           low, high, "COUNT", count);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = reply->type == REDIS_REPLY_ARRAY ? s_fill(reply, limit, page)
                                              : CM_EINTERNAL;
    if (reply->type == REDIS_REPLY_ERROR) {
        // An exclusive bound below 0-1 or such: a cursor that is not ours.
        rc = CM_EINVAL;
    }
    freeReplyObject(reply);
    if (rc != 0) {
        cm_stream_page_clear(page);
    }
    return rc;
}

int
cm_stream_length(cm_store_t *store, const char *key, int64_t *length)
{
    assert(store && key && length);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "XLEN", key);
    int rc = cm_redis_reply_int(reply, length) == 0 ? 0 : CM_EUNAVAILABLE;
    freeReplyObject(reply);
    return rc;
}
