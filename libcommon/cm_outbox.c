#include "cm_outbox.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_cloudevent.h"
#include "cm_envelope_scan.h"
#include "cm_log.h"
#include "cm_status.h"

#define CM_OUTBOX_SCAN_COUNT "100"
#define CM_OUTBOX_NUM_MAX    24

static char *
s_strndup(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    assert(copy);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

static void
s_event_field(cm_event_t *self, const redisReply *name, const redisReply *value)
{
    if (name->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING) {
        return;
    }
    if (strcmp(name->str, "seq") == 0) {
        // A bad seq stays 0 and the entry is rejected by the caller.
        (void)cm_redis_reply_int(value, &self->seq);
    } else if (strcmp(name->str, "epoch") == 0) {
        snprintf(self->epoch, sizeof self->epoch, "%s", value->str);
    } else if (strcmp(name->str, "type") == 0 && !self->type) {
        self->type = s_strndup(value->str, value->len);
    } else if (strcmp(name->str, "envelope") == 0 && !self->envelope) {
        self->envelope = s_strndup(value->str, value->len);
    }
}

cm_event_t *
cm_event_from_reply(const char *stream, const redisReply *entry)
{
    assert(stream);
    if (!entry || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
        || entry->element[0]->type != REDIS_REPLY_STRING
        || entry->element[0]->len >= CM_STREAM_ID_MAX
        || entry->element[1]->type != REDIS_REPLY_ARRAY
        || strlen(stream) >= CM_STORE_KEY_MAX) {
        return NULL;
    }
    cm_event_t *self = calloc(1, sizeof *self);
    assert(self);
    snprintf(self->stream, sizeof self->stream, "%s", stream);
    memcpy(self->id, entry->element[0]->str, entry->element[0]->len + 1);
    const redisReply *fields = entry->element[1];
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        s_event_field(self, fields->element[i], fields->element[i + 1]);
    }
    if (self->seq <= 0 || !self->type || !self->envelope) {
        cm_event_destroy(&self);
    }
    return self;
}

cm_event_t *
cm_event_dup(const cm_event_t *event)
{
    assert(event);
    cm_event_t *self = malloc(sizeof *self);
    assert(self);
    *self = *event;
    self->type = strdup(event->type);
    self->envelope = strdup(event->envelope);
    assert(self->type && self->envelope);
    return self;
}

void
cm_event_destroy(cm_event_t **self_p)
{
    assert(self_p);
    cm_event_t *self = *self_p;
    if (self) {
        free(self->type);
        free(self->envelope);
        free(self);
        *self_p = NULL;
    }
}

// The relayed text spliced together: the stored envelope with seq and
// epoch added before its closing brace, when the scan finds an object
// without them and the epoch is a number (as cm_outbox stamps it). NULL:
// left to jansson.
static char *
s_relay_spliced(const cm_event_t *event)
{
    static const char *const names[] = {"seq", "epoch"};
    cm_envelope_span_t spans[2];
    size_t size = strlen(event->envelope);
    size_t digits = strspn(event->epoch, "0123456789");
    if (digits == 0 || digits > CM_ENVELOPE_SCAN_DIGITS_MAX
        || event->epoch[digits] != '\0'
        || cm_envelope_scan(event->envelope, size, names, spans, 2) != 0
        || cm_envelope_span_is_set(&spans[0])
        || cm_envelope_span_is_set(&spans[1])) {
        return NULL;
    }
    const char *text = event->envelope;
    size_t end = size;
    while (end > 0 && text[end - 1] != '}') {
        end--; // trailing whitespace
    }
    size_t last = end - 1; // the closing brace; is anything before it?
    while (last > 0 && strchr(" \t\r\n", text[last - 1])) {
        last--;
    }
    bool empty = last > 0 && text[last - 1] == '{';
    size_t room = end + digits + 64; // the members added, a 20-digit seq
    char *out = malloc(room);
    assert(out);
    snprintf(out, room, "%.*s%s\"seq\":%" PRId64 ",\"epoch\":%s}",
             (int)(end - 1), text, empty ? "" : ",", event->seq, event->epoch);
    return out;
}

char *
cm_event_relay_envelope(const cm_event_t *event)
{
    assert(event);
    if (!event->envelope) {
        return NULL;
    }
    char *spliced = s_relay_spliced(event);
    if (spliced) {
        return spliced;
    }
    json_t *root = json_loads(event->envelope, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    char *end = NULL;
    long long epoch = strtoll(event->epoch, &end, 10);
    json_t *epoch_json = *event->epoch && !*end ? json_integer(epoch)
                                                : json_string(event->epoch);
    int rc = json_object_set_new(root, "seq", json_integer(event->seq));
    rc |= json_object_set_new(root, "epoch", epoch_json);
    char *text = rc ? NULL : json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}

const char *
cm_event_topic(const cm_event_t *event, char *buf, size_t size)
{
    assert(event && buf);
    int n = snprintf(buf, size, "evt.%s", event->type);
    return n < 0 || (size_t)n >= size ? NULL : buf;
}

const char *
cm_event_address(const cm_event_t *event, char *buf, size_t size)
{
    assert(event && buf && size >= CM_OUTBOX_ADDRESS_MAX);
    snprintf(buf, size, "%s/%s", event->stream, event->id);
    return buf;
}

int
cm_event_address_parse(const char *address, char *stream, size_t stream_size,
                       char *id, size_t id_size)
{
    assert(address && stream && id);
    const char *slash = strrchr(address, '/');
    if (!slash || slash == address || !slash[1]) {
        return -1;
    }
    size_t stream_len = (size_t)(slash - address);
    if (stream_len >= stream_size || strlen(slash + 1) >= id_size) {
        return -1;
    }
    memcpy(stream, address, stream_len);
    stream[stream_len] = '\0';
    snprintf(id, id_size, "%s", slash + 1);
    return 0;
}

// ---- discovery and reading
// ------------------------------------------------------

static void
s_collect_keys(const redisReply *keys, char ***streams, size_t *count,
               size_t *capacity)
{
    for (size_t i = 0; i < keys->elements; i++) {
        if (keys->element[i]->type != REDIS_REPLY_STRING) {
            continue;
        }
        if (*count + 1 >= *capacity) {
            *capacity = *capacity ? *capacity * 2 : 16;
            *streams = realloc(*streams, *capacity * sizeof(char *));
            assert(*streams);
        }
        (*streams)[(*count)++] =
            s_strndup(keys->element[i]->str, keys->element[i]->len);
    }
}

// A member of root that is a non-empty string, else NULL. Borrowed.
static const char *
s_member(const json_t *root, const char *name)
{
    const char *value = json_string_value(json_object_get(root, name));
    return value && *value ? value : NULL;
}

void
cm_event_identity(const cm_event_t *event, const char *consumer, bool by_source,
                  cm_event_identity_t *identity)
{
    assert(event && consumer && identity);
    // Read by the scan (every consumer does this for every entry); jansson
    // only for what the scan leaves to it.
    static const char *const names[] = {"id", "source", "correlation_id"};
    char found[3][CM_STORE_KEY_MAX];
    const char *values[3] = {NULL, NULL, NULL};
    json_t *root = NULL;
    if (!event->envelope
        || cm_envelope_scan_strings(event->envelope, names, 3, found[0],
                                    sizeof found[0], values)
               != 0) {
        root = json_loads(event->envelope ? event->envelope : "", 0, NULL);
        for (size_t i = 0; i < 3; i++) {
            values[i] = s_member(root, names[i]);
        }
    }
    const char *id = values[0];
    const char *source = values[1];
    const char *correlation = values[2];
    const char *key = NULL;
    if (by_source && id && source) {
        // Unique per source only, and either may hold any separator: the
        // identity encodes both unambiguously (cm_cloudevent).
        key = cm_cloudevent_marker(identity->marker, sizeof identity->marker,
                                   consumer, source, id);
    } else {
        // A longer id is cut: still unique enough for a dedupe marker, and
        // the marker key stays below CM_STORE_KEY_MAX.
        char dedupe[CM_STORE_KEY_MAX / 2];
        int n = id ? snprintf(dedupe, sizeof dedupe, "%s", id)
                   : snprintf(dedupe, sizeof dedupe, "%s/%s", event->stream,
                              event->id);
        if (n < 0) {
            dedupe[0] = '\0';
        }
        key = cm_store_key(identity->marker, sizeof identity->marker, consumer,
                           "seen", dedupe);
    }
    assert(key);
    if (!correlation) {
        correlation = id ? id : "";
    }
    snprintf(identity->correlation, sizeof identity->correlation, "%s",
             correlation);
    json_decref(root);
}

int
cm_outbox_append(cm_commit_t *commit, const cm_envelope_event_t *fields)
{
    assert(commit && fields && fields->type);
    json_t *event = fields->data ? cm_envelope_event_new(fields) : NULL;
    char *text = event ? cm_envelope_encode(event) : NULL;
    json_decref(event);
    if (!text) {
        cm_log_error("event.unbuildable", "type", fields->type, "subject",
                     fields->subject ? fields->subject : "");
        return -1;
    }
    cm_commit_event(commit, fields->type, text);
    free(text);
    return 0;
}

int
cm_outbox_register(cm_redis_t *redis, const char *owner)
{
    assert(redis && owner);
    char stream[CM_STORE_KEY_MAX];
    if (!cm_store_key(stream, sizeof stream, owner, "outbox", NULL)) {
        return CM_EINTERNAL;
    }
    redisReply *reply = cm_redis_cmd(redis, "SADD", CM_OUTBOX_REGISTRY, stream);
    int rc = !reply                               ? CM_EUNAVAILABLE
             : reply->type == REDIS_REPLY_INTEGER ? 0
                                                  : CM_EINTERNAL;
    freeReplyObject(reply);
    return rc;
}

int
cm_outbox_discover(cm_redis_t *redis, char ***streams, size_t *count)
{
    assert(redis && streams && count);
    *streams = NULL;
    *count = 0;
    redisReply *reply = cm_redis_cmd(redis, "SMEMBERS", CM_OUTBOX_REGISTRY);
    if (!reply || reply->type != REDIS_REPLY_ARRAY) {
        int rc = reply ? CM_EINTERNAL : CM_EUNAVAILABLE;
        freeReplyObject(reply);
        return rc;
    }
    size_t capacity = 0;
    s_collect_keys(reply, streams, count, &capacity);
    freeReplyObject(reply);
    return 0;
}

int
cm_outbox_scan_step(cm_redis_t *redis, char *cursor, char ***streams,
                    size_t *count)
{
    assert(redis && cursor && streams && count);
    *streams = NULL;
    *count = 0;
    redisReply *reply =
        cm_redis_cmd(redis, "SCAN", cursor, "MATCH", CM_OUTBOX_PATTERN, "COUNT",
                     CM_OUTBOX_SCAN_COUNT, "TYPE", "stream");
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[0]->len >= CM_OUTBOX_CURSOR_MAX
        || reply->element[1]->type != REDIS_REPLY_ARRAY) {
        int rc = reply ? CM_EINTERNAL : CM_EUNAVAILABLE;
        freeReplyObject(reply);
        return rc;
    }
    snprintf(cursor, CM_OUTBOX_CURSOR_MAX, "%s", reply->element[0]->str);
    size_t capacity = 0;
    s_collect_keys(reply->element[1], streams, count, &capacity);
    freeReplyObject(reply);
    return 0;
}

int
cm_outbox_scan(cm_redis_t *redis, char ***streams, size_t *count)
{
    assert(redis && streams && count);
    *streams = NULL;
    *count = 0;
    size_t capacity = 0;
    char cursor[CM_OUTBOX_CURSOR_MAX] = "0";
    do {
        char **step = NULL;
        size_t found = 0;
        int rc = cm_outbox_scan_step(redis, cursor, &step, &found);
        if (rc) {
            cm_store_strings_free(streams, *count);
            *count = 0;
            return rc;
        }
        for (size_t i = 0; i < found; i++) {
            if (*count + 1 >= capacity) {
                capacity = capacity ? capacity * 2 : 16;
                *streams = realloc(*streams, capacity * sizeof(char *));
                assert(*streams);
            }
            (*streams)[(*count)++] = step[i];
        }
        free(step);
    } while (strcmp(cursor, "0") != 0);
    return 0;
}

// Feed each entry of one stream's reply ([[id, fields], ...]) to fn.
static int
s_feed_entries(const char *stream, const redisReply *entries, cm_outbox_fn *fn,
               void *arg, int *stopped)
{
    int read = 0;
    for (size_t i = 0; i < entries->elements && !*stopped; i++) {
        cm_event_t *event = cm_event_from_reply(stream, entries->element[i]);
        if (!event) {
            cm_log_warn("outbox.entry.malformed", "stream", stream);
            continue;
        }
        read++;
        *stopped = fn(event, arg);
        cm_event_destroy(&event);
    }
    return read;
}

static int
s_feed_xread(const redisReply *reply, cm_outbox_fn *fn, void *arg)
{
    if (reply->type == REDIS_REPLY_NIL) {
        return 0; // BLOCK timed out
    }
    if (reply->type != REDIS_REPLY_ARRAY) {
        return CM_EINTERNAL;
    }
    int read = 0;
    int stopped = 0;
    for (size_t s = 0; s < reply->elements && !stopped; s++) {
        const redisReply *one = reply->element[s];
        if (one->type != REDIS_REPLY_ARRAY || one->elements != 2
            || one->element[0]->type != REDIS_REPLY_STRING
            || one->element[1]->type != REDIS_REPLY_ARRAY) {
            return CM_EINTERNAL;
        }
        read += s_feed_entries(one->element[0]->str, one->element[1], fn, arg,
                               &stopped);
    }
    return read;
}

int
cm_outbox_read(cm_redis_t *redis, size_t n, const char *const *streams,
               const char *const *after_ids, size_t count, int block_ms,
               cm_outbox_fn *fn, void *arg)
{
    assert(redis && streams && after_ids && fn && n > 0);
    assert(n <= CM_OUTBOX_STREAMS_MAX);
    const char **argv = calloc(6 + 2 * n, sizeof(char *));
    assert(argv);
    char count_text[CM_OUTBOX_NUM_MAX];
    char block_text[CM_OUTBOX_NUM_MAX];
    snprintf(count_text, sizeof count_text, "%zu", count);
    snprintf(block_text, sizeof block_text, "%d", block_ms);
    int argc = 0;
    argv[argc++] = "XREAD";
    argv[argc++] = "COUNT";
    argv[argc++] = count_text;
    if (block_ms >= 0) {
        argv[argc++] = "BLOCK";
        argv[argc++] = block_text;
    }
    argv[argc++] = "STREAMS";
    for (size_t i = 0; i < n; i++) {
        argv[argc++] = streams[i];
    }
    for (size_t i = 0; i < n; i++) {
        argv[argc++] = after_ids[i];
    }
    redisReply *reply = cm_redis_command(redis, argc, argv, NULL);
    free(argv);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = s_feed_xread(reply, fn, arg);
    freeReplyObject(reply);
    return rc;
}

int
cm_outbox_range(cm_redis_t *redis, const char *stream, const char *after_id,
                size_t count, cm_outbox_fn *fn, void *arg)
{
    assert(redis && stream && after_id && fn);
    char start[CM_STREAM_ID_MAX + 1];
    char count_text[CM_OUTBOX_NUM_MAX];
    snprintf(start, sizeof start, "(%s", after_id);
    snprintf(count_text, sizeof count_text, "%zu", count);
    redisReply *reply =
        cm_redis_cmd(redis, "XRANGE", stream, start, "+", "COUNT", count_text);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int stopped = 0;
    int rc = reply->type == REDIS_REPLY_ARRAY
                 ? s_feed_entries(stream, reply, fn, arg, &stopped)
                 : CM_EINTERNAL;
    freeReplyObject(reply);
    return rc;
}
