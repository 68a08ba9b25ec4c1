// cm_consumer — cm_consumer_t, the reacting service of cm_events.h.
#include "cm_consumer_impl.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_acks.h"
#include "cm_log.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"

#define CM_EVENTS_CLAIM_ROUNDS 16 // XAUTOCLAIM pages per process call
#define CM_EVENTS_READ_ROUNDS  64 // XREADGROUP batches per process call
#define CM_EVENTS_NUM_MAX      24

void
cm_consumer_options_default(cm_consumer_options_t *options)
{
    assert(options);
    options->poll_ms = CM_EVENTS_POLL_MS;
    options->claim_idle_ms = CM_EVENTS_CLAIM_IDLE_MS;
    options->max_deliveries = CM_EVENTS_MAX_DELIVERIES;
    options->attempts = CM_EVENTS_ATTEMPTS;
    options->retry_ms = CM_EVENTS_RETRY_MS;
    options->batch = CM_EVENTS_BATCH;
    options->seen_ttl_ms = CM_EVENTS_SEEN_TTL_MS;
    options->start_from = "0";
    options->lanes = CM_EVENTS_LANES;
    options->hold_acks = false;
}

cm_consumer_t *
cm_consumer_new(cm_store_t *store, const char *consumer, const char *replica,
                const char *hub_endpoint, const cm_consumer_options_t *options)
{
    assert(store && consumer && replica);
    assert(strlen(consumer) < CM_EVENTS_NAME_MAX);
    assert(strlen(replica) < CM_EVENTS_NAME_MAX);
    cm_consumer_t *self = calloc(1, sizeof *self);
    assert(self);
    self->store = store;
    pthread_mutex_init(&self->lane_lock, NULL);
    pthread_cond_init(&self->lane_wake, NULL);
    pthread_cond_init(&self->lane_done, NULL);
    snprintf(self->group, sizeof self->group, "%s", consumer);
    snprintf(self->name, sizeof self->name, "%s-%s", consumer, replica);
    if (options) {
        self->options = *options;
    } else {
        cm_consumer_options_default(&self->options);
    }
    if (hub_endpoint) {
        self->sub = cm_events_sub_new(hub_endpoint);
        if (!self->sub) {
            free(self);
            return NULL;
        }
        // A receive takes what waits (s_drain); the poller only waits.
        zsock_set_rcvtimeo(self->sub, 0);
        self->poller = zpoller_new(self->sub, NULL);
        assert(self->poller);
    }
    return self;
}

void
cm_consumer_destroy(cm_consumer_t **self_p)
{
    assert(self_p);
    cm_consumer_t *self = *self_p;
    if (self) {
        cm_consumer_lanes_stop(self);
        (void)cm_consumer_flush_acks(self); // best effort: else claimed later
        for (size_t i = 0; i < self->sub_count; i++) {
            cm_acks_clear(&self->subs[i].held);
        }
        pthread_cond_destroy(&self->lane_done);
        pthread_cond_destroy(&self->lane_wake);
        pthread_mutex_destroy(&self->lane_lock);
        zpoller_destroy(&self->poller);
        zsock_destroy(&self->sub);
        free(self);
        *self_p = NULL;
    }
}

static int
s_ensure_group(cm_consumer_t *self, cm_consumer_sub_t *sub)
{
    if (sub->group_ready) {
        return 0;
    }
    redisReply *reply = cm_redis_cmd(cm_store_redis(self->store), "XGROUP",
                                     "CREATE", sub->stream, self->group,
                                     self->options.start_from, "MKSTREAM");
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    bool ok = reply->type == REDIS_REPLY_STATUS
              || (reply->type == REDIS_REPLY_ERROR
                  && strncmp(reply->str, "BUSYGROUP", 9) == 0);
    if (!ok) {
        cm_log_warn("events.group.failed", "stream", sub->stream, "error",
                    reply->type == REDIS_REPLY_ERROR ? reply->str : "type");
    }
    freeReplyObject(reply);
    sub->group_ready = ok;
    return ok ? 0 : CM_EINTERNAL;
}

static int
s_subscribe(cm_consumer_t *self, const char *producer, const char *topic,
            cm_consumer_fn *fn, void *arg, bool pipelined, bool by_subject)
{
    assert(self && producer && fn);
    assert(strlen(producer) < CM_EVENTS_NAME_MAX);
    if (self->sub_count == CM_EVENTS_SUBSCRIPTIONS_MAX) {
        return -1;
    }
    cm_consumer_sub_t *sub = &self->subs[self->sub_count++];
    memset(sub, 0, sizeof *sub);
    snprintf(sub->producer, sizeof sub->producer, "%s", producer);
    const char *key =
        cm_store_key(sub->stream, sizeof sub->stream, producer, "outbox", NULL);
    assert(key);
    if (topic) {
        snprintf(sub->topic, sizeof sub->topic, "%s", topic);
    } else {
        snprintf(sub->topic, sizeof sub->topic, "evt.%s.", producer);
    }
    sub->fn = fn;
    sub->arg = arg;
    sub->pipelined = pipelined;
    sub->by_subject = by_subject;
    if (self->sub) {
        zsock_set_subscribe(self->sub, sub->topic);
    }
    // Redis may be down: cm_consumer_process creates the group later.
    (void)s_ensure_group(self, sub);
    return 0;
}

int
cm_consumer_subscribe(cm_consumer_t *self, const char *producer,
                      const char *topic, cm_consumer_fn *fn, void *arg)
{
    return s_subscribe(self, producer, topic, fn, arg, false, false);
}

int
cm_consumer_subscribe_pipelined(cm_consumer_t *self, const char *producer,
                                const char *topic, cm_consumer_fn *fn,
                                void *arg)
{
    return s_subscribe(self, producer, topic, fn, arg, true, false);
}

int
cm_consumer_subscribe_by_subject(cm_consumer_t *self, const char *producer,
                                 const char *topic, cm_consumer_fn *fn,
                                 void *arg)
{
    return s_subscribe(self, producer, topic, fn, arg, false, true);
}

zsock_t *
cm_consumer_socket(cm_consumer_t *self)
{
    assert(self);
    return self->sub;
}

static int
s_ack(cm_consumer_t *self, const cm_consumer_sub_t *sub, const char *id)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(self->store), "XACK",
                                     sub->stream, self->group, id);
    int rc = reply ? 0 : CM_EUNAVAILABLE;
    freeReplyObject(reply);
    return rc;
}

// Handle the entries of one stream ([[id, fields], ...]); deliveries[i]
// from XPENDING when known; then one XACK for all that are done with, even
// when Redis went away on the way (what was committed is acked if it can
// be). With hold_acks the ids wait in sub->held instead, for the stream's
// next read or cm_consumer_flush_acks (at most CM_EVENTS_HELD_MAX of them).
// Returns handled count or CM_EUNAVAILABLE.
static int
s_handle_entries(cm_consumer_t *self, cm_consumer_sub_t *sub,
                 const redisReply *entries, const int64_t *deliveries)
{
    cm_acks_t acks;
    cm_acks_init(&acks, entries->elements);
    sub->read = ++self->reads;
    cm_log_hold(); // the read's lines in as few writes as they fit
    int rc =
        sub->pipelined ? cm_consumer_handle_pipelined(self, sub, entries,
                                                      deliveries, &acks)
        : sub->by_subject
            ? cm_consumer_handle_by_subject(self, sub, entries, deliveries,
                                            &acks)
            : cm_consumer_handle_each(self, sub, entries, deliveries, &acks);
    cm_log_release();
    cm_acks_t *done = &acks;
    if (self->options.hold_acks) {
        cm_acks_take(&sub->held, &acks);
        done = sub->held.count >= CM_EVENTS_HELD_MAX ? &sub->held : &acks;
    }
    int acked = cm_acks_flush(done, cm_store_redis(self->store), sub->stream,
                              self->group);
    cm_acks_clear(&acks);
    return rc < 0 ? rc : acked < 0 ? acked : rc;
}

// Delivery counts of entries first..last pending for us, in entry order.
static int64_t *
s_deliveries(cm_consumer_t *self, const cm_consumer_sub_t *sub,
             const redisReply *entries)
{
    int64_t *counts = calloc(entries->elements + 1, sizeof(int64_t));
    assert(counts);
    if (entries->elements == 0) {
        return counts;
    }
    const char *first = entries->element[0]->element[0]->str;
    const char *last = entries->element[entries->elements - 1]->element[0]->str;
    char count[CM_EVENTS_NUM_MAX];
    snprintf(count, sizeof count, "%zu", entries->elements * 4);
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(self->store), "XPENDING", sub->stream,
                     self->group, first, last, count, self->name);
    for (size_t i = 0;
         reply && reply->type == REDIS_REPLY_ARRAY && i < entries->elements;
         i++) {
        const char *id = entries->element[i]->element[0]->str;
        for (size_t p = 0; p < reply->elements; p++) {
            const redisReply *row = reply->element[p];
            if (row->type == REDIS_REPLY_ARRAY && row->elements == 4
                && strcmp(row->element[0]->str, id) == 0) {
                counts[i] = row->element[3]->integer;
            }
        }
    }
    freeReplyObject(reply);
    return counts;
}

static bool
s_entries_well_formed(const redisReply *entries)
{
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
            || e->element[0]->type != REDIS_REPLY_STRING) {
            return false;
        }
    }
    return true;
}

// One XAUTOCLAIM page from start; writes the next start. Returns handled
// count or CM_EUNAVAILABLE / CM_EINTERNAL.
static int
s_claim_page(cm_consumer_t *self, cm_consumer_sub_t *sub, char *start)
{
    char idle[CM_EVENTS_NUM_MAX];
    char count[CM_EVENTS_NUM_MAX];
    snprintf(idle, sizeof idle, "%d", self->options.claim_idle_ms);
    snprintf(count, sizeof count, "%d", self->options.batch);
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(self->store), "XAUTOCLAIM", sub->stream,
                     self->group, self->name, idle, start, "COUNT", count);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int rc = CM_EINTERNAL;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2
        && reply->element[0]->type == REDIS_REPLY_STRING
        && reply->element[1]->type == REDIS_REPLY_ARRAY
        && s_entries_well_formed(reply->element[1])) {
        snprintf(start, CM_STREAM_ID_MAX, "%s", reply->element[0]->str);
        for (size_t i = 0;
             reply->elements == 3 && i < reply->element[2]->elements; i++) {
            (void)s_ack(self, sub, reply->element[2]->element[i]->str); // gone
        }
        int64_t *deliveries = s_deliveries(self, sub, reply->element[1]);
        rc = s_handle_entries(self, sub, reply->element[1], deliveries);
        free(deliveries);
    }
    freeReplyObject(reply);
    return rc;
}

static int
s_claim(cm_consumer_t *self, cm_consumer_sub_t *sub)
{
    char start[CM_STREAM_ID_MAX] = "0-0";
    int handled = 0;
    for (int round = 0; round < CM_EVENTS_CLAIM_ROUNDS; round++) {
        int rc = s_claim_page(self, sub, start);
        if (rc < 0) {
            return rc == CM_EUNAVAILABLE ? rc : handled;
        }
        handled += rc;
        if (strcmp(start, "0-0") == 0) {
            break;
        }
    }
    return handled;
}

// The reply of one XREADGROUP of new entries; the acks held for the stream
// go first in the same round trip. NULL when Redis went away.
static redisReply *
s_read_reply(cm_consumer_t *self, cm_consumer_sub_t *sub)
{
    char count[CM_EVENTS_NUM_MAX];
    snprintf(count, sizeof count, "%d", self->options.batch);
    const char *argv[] = {"XREADGROUP", "GROUP",     self->group,
                          self->name,   "COUNT",     count,
                          "STREAMS",    sub->stream, ">"};
    int argc = (int)(sizeof argv / sizeof argv[0]);
    cm_redis_t *redis = cm_store_redis(self->store);
    if (sub->held.count == 0) {
        return cm_redis_command(redis, argc, argv, NULL);
    }
    if (cm_acks_append(&sub->held, redis, sub->stream, self->group) != 0
        || cm_redis_append(redis, argc, argv, NULL) != 0) {
        return NULL; // the connection is gone: the acks wait for the next
    }
    if (cm_acks_settle(&sub->held, cm_redis_read(redis), sub->stream) != 0) {
        return NULL;
    }
    return cm_redis_read(redis);
}

// One XREADGROUP of new entries. Returns entries seen (handled or not),
// or CM_EUNAVAILABLE.
static int
s_read_new(cm_consumer_t *self, cm_consumer_sub_t *sub, int *handled)
{
    redisReply *reply = s_read_reply(self, sub);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    int seen = 0;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1
        && reply->element[0]->type == REDIS_REPLY_ARRAY
        && reply->element[0]->elements == 2
        && reply->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *entries = reply->element[0]->element[1];
        seen = (int)entries->elements;
        int rc = s_handle_entries(self, sub, entries, NULL);
        if (rc < 0) {
            seen = rc;
        } else {
            *handled += rc;
        }
    } else if (reply->type == REDIS_REPLY_ERROR
               && strstr(reply->str, "NOGROUP")) {
        sub->group_ready = false; // the stream was deleted: create again
    }
    freeReplyObject(reply);
    return seen;
}

static int
s_process_one(cm_consumer_t *self, cm_consumer_sub_t *sub, bool claim)
{
    int rc = s_ensure_group(self, sub);
    if (rc) {
        return rc == CM_EUNAVAILABLE ? rc : 0;
    }
    int handled = 0;
    if (claim) {
        rc = s_claim(self, sub);
        if (rc < 0) {
            return rc;
        }
        handled += rc;
    }
    int round = 0;
    for (; round < CM_EVENTS_READ_ROUNDS; round++) {
        int seen = s_read_new(self, sub, &handled);
        if (seen < 0) {
            return seen;
        }
        if (seen < self->options.batch) {
            break;
        }
    }
    // Stopped with entries left (to let the caller's loop run): the hub has
    // rung for them already, so the next poll must not wait for a doorbell.
    self->backlog = self->backlog || round == CM_EVENTS_READ_ROUNDS;
    return handled;
}

// Read the subscriptions (only those whose doorbell rang, unless a claim
// pass is due, which reads them all). Returns handled count or
// CM_EUNAVAILABLE.
static int
s_process(cm_consumer_t *self, bool only_rang)
{
    int handled = 0;
    bool claim = cm_time_mono_ms() >= self->next_claim_ms;
    only_rang = only_rang && !claim;
    self->backlog = false;
    for (size_t i = 0; i < self->sub_count; i++) {
        cm_consumer_sub_t *sub = &self->subs[i];
        if (only_rang && !sub->rang) {
            continue;
        }
        sub->rang = false;
        int rc = s_process_one(self, sub, claim);
        if (rc < 0) {
            return rc;
        }
        handled += rc;
    }
    if (claim) {
        self->next_claim_ms =
            cm_time_mono_ms() + self->options.claim_idle_ms / 2;
    }
    if (self->backlog) {
        self->next_poll_ms = cm_time_mono_ms(); // due at once
    }
    return handled;
}

bool
cm_consumer_holds_acks(const cm_consumer_t *self)
{
    assert(self);
    for (size_t i = 0; i < self->sub_count; i++) {
        if (self->subs[i].held.count > 0) {
            return true;
        }
    }
    return false;
}

int
cm_consumer_flush_acks(cm_consumer_t *self)
{
    assert(self);
    cm_redis_t *redis = cm_store_redis(self->store);
    size_t appended = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->sub_count; i++) {
        cm_consumer_sub_t *sub = &self->subs[i];
        if (sub->held.count > 0) {
            rc = cm_acks_append(&sub->held, redis, sub->stream, self->group);
            appended += rc == 0;
        }
    }
    // Every appended XACK's reply, in order (NULL ones after a failure).
    for (size_t i = 0; appended > 0 && i < self->sub_count; i++) {
        cm_consumer_sub_t *sub = &self->subs[i];
        if (sub->held.count > 0) {
            int settled =
                cm_acks_settle(&sub->held, cm_redis_read(redis), sub->stream);
            rc = rc ? rc : settled;
            appended--;
        }
    }
    return rc;
}

int
cm_consumer_process(cm_consumer_t *self)
{
    assert(self);
    return s_process(self, false);
}

// Mark the subscriptions a doorbell topic belongs to (every one for the
// hub's hello: it restarted, and what it missed is in the streams).
static void
s_ring(cm_consumer_t *self, const char *topic)
{
    bool hello = strcmp(topic, CM_EVENTS_HELLO) == 0;
    for (size_t i = 0; i < self->sub_count; i++) {
        cm_consumer_sub_t *sub = &self->subs[i];
        if (hello || strncmp(topic, sub->topic, strlen(sub->topic)) == 0) {
            sub->rang = true;
        }
    }
}

// Receive every waiting doorbell message (after waiting up to timeout_ms
// for the first) and mark the subscriptions it rings for; true when there
// was one. The receives do not wait: the last one, finding nothing, is
// the only one that costs a system call, where a zpoller_wait before each
// message cost one or more (cm_wait.h).
static bool
s_drain(cm_consumer_t *self, int timeout_ms)
{
    if (timeout_ms > 0 && zpoller_wait(self->poller, timeout_ms) != self->sub) {
        return false;
    }
    bool rang = false;
    zmsg_t *msg;
    while ((msg = zmsg_recv(self->sub))) {
        char *topic = zmsg_popstr(msg);
        if (topic) {
            s_ring(self, topic);
        }
        zstr_free(&topic);
        zmsg_destroy(&msg);
        rang = true;
    }
    return rang;
}

int
cm_consumer_poll(cm_consumer_t *self, int timeout_ms)
{
    assert(self);
    int64_t now = cm_time_mono_ms();
    int64_t until_poll = self->next_poll_ms - now;
    int wait = (int)(until_poll < 0            ? 0
                     : until_poll < timeout_ms ? until_poll
                                               : timeout_ms);
    bool rang = false;
    if (self->sub) {
        rang = s_drain(self, wait);
    } else if (wait > 0) {
        zclock_sleep(wait); // no doorbell: waiting is the poll fallback
    }
    if (cm_time_mono_ms() >= self->next_poll_ms) {
        // Every poll_ms every stream is read, doorbell or not: one lost
        // (the hub down, a full queue) costs at most that long.
        self->next_poll_ms = cm_time_mono_ms() + self->options.poll_ms;
        return s_process(self, false);
    }
    // A doorbell reads only the streams it rang for: a service reading
    // seven producers makes one XREADGROUP for a new case, not seven.
    return rang ? s_process(self, true) : 0;
}
