// cm_consumer — cm_consumer_t, the reacting service of cm_events.h.
#include "cm_events.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
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

typedef struct {
    char producer[CM_EVENTS_NAME_MAX]; // producing service
    char stream[CM_STORE_KEY_MAX];     // its outbox
    char topic[CM_OUTBOX_TOPIC_MAX];   // doorbell prefix
    cm_consumer_fn *fn;                // the handler
    void *arg;                         // borrowed handler argument
    bool group_ready;                  // XGROUP CREATE done
    bool pipelined;                    // commits of a read in one pipeline
    bool by_subject;                   // subjects handled on the lanes
    bool rang;                         // its doorbell rang since its last read
} s_subscription_t;

// A handler thread for by-subject subscriptions: in one round it handles
// the entries of a read whose subject hashes to it, in entry order, through
// its own connection.
typedef struct {
    cm_consumer_t *owner; // borrowed
    cm_store_t *store;    // owned: the lane's connection
    pthread_t thread;     // runs s_lane_main
    cm_event_t **events;  // this round's entries (borrowed), in entry order
    size_t count;         // used entries of events
    cm_acks_t acks;       // this round's ids done with
    int rc;               // this round's handled count, or CM_EUNAVAILABLE
} s_lane_t;

struct cm_consumer {
    cm_store_t *store;                 // borrowed
    char group[CM_EVENTS_NAME_MAX];    // consuming service
    char name[2 * CM_EVENTS_NAME_MAX]; // "<service>-<replica>"
    cm_consumer_options_t options;     // copied tuning
    zsock_t *sub;                      // doorbell, NULL without hub
    zpoller_t *poller;                 // on sub
    s_subscription_t subs[CM_EVENTS_SUBSCRIPTIONS_MAX]; // producers
    size_t sub_count;                                   // used entries of subs
    int64_t next_poll_ms;  // monotonic: read of every subscription due
    int64_t next_claim_ms; // monotonic: XAUTOCLAIM due
    bool backlog;          // the last process call left entries unread
    // Lanes, started at the first read of a by-subject subscription.
    s_lane_t *lanes;                  // owned; lane_count of them
    size_t lane_count;                // 0: not started
    pthread_mutex_t lane_lock;        // guards the round fields below
    pthread_cond_t lane_wake;         // a round began, or quit
    pthread_cond_t lane_done;         // lanes_busy reached 0
    const s_subscription_t *lane_sub; // the round's subscription
    uint64_t lane_round;              // rounds begun
    size_t lanes_busy;                // lanes still in the round
    bool lanes_quit;                  // stop the threads
};

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
        self->poller = zpoller_new(self->sub, NULL);
        assert(self->poller);
    }
    return self;
}

static void
s_lanes_stop(cm_consumer_t *self)
{
    if (self->lane_count == 0) {
        return;
    }
    pthread_mutex_lock(&self->lane_lock);
    self->lanes_quit = true;
    pthread_cond_broadcast(&self->lane_wake);
    pthread_mutex_unlock(&self->lane_lock);
    for (size_t i = 0; i < self->lane_count; i++) {
        pthread_join(self->lanes[i].thread, NULL);
        cm_store_destroy(&self->lanes[i].store);
    }
    free(self->lanes);
    self->lanes = NULL;
    self->lane_count = 0;
}

void
cm_consumer_destroy(cm_consumer_t **self_p)
{
    assert(self_p);
    cm_consumer_t *self = *self_p;
    if (self) {
        s_lanes_stop(self);
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
s_ensure_group(cm_consumer_t *self, s_subscription_t *sub)
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
    s_subscription_t *sub = &self->subs[self->sub_count++];
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
s_ack(cm_consumer_t *self, const s_subscription_t *sub, const char *id)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(self->store), "XACK",
                                     sub->stream, self->group, id);
    int rc = reply ? 0 : CM_EUNAVAILABLE;
    freeReplyObject(reply);
    return rc;
}

// Copy the event to sm:{<consumer>}:dead; its id joins acks. 0 or
// CM_EUNAVAILABLE.
static int
s_dead_letter(cm_consumer_t *self, cm_store_t *store,
              const s_subscription_t *sub, const cm_event_t *event,
              cm_acks_t *acks)
{
    char dead[CM_STORE_KEY_MAX];
    char deliveries[CM_EVENTS_NUM_MAX];
    const char *key =
        cm_store_key(dead, sizeof dead, self->group, "dead", NULL);
    assert(key);
    snprintf(deliveries, sizeof deliveries, "%" PRId64, event->deliveries);
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "XADD", dead, "*", "stream",
                     sub->stream, "id", event->id, "type", event->type,
                     "envelope", event->envelope, "deliveries", deliveries);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    freeReplyObject(reply);
    cm_log_warn("events.dead_lettered", "stream", sub->stream, "id", event->id,
                "type", event->type, "#deliveries",
                CM_LOG_INT(event->deliveries));
    cm_acks_add(acks, event->id);
    return 0;
}

// Why a try failed, for the log: the handler, the store, or the outcome.
static const char *
s_failure_name(int handler_rc, int rc, const cm_commit_result_t *result)
{
    if (handler_rc != 0) {
        return "handler";
    }
    if (rc != 0) {
        return "store";
    }
    switch (result->outcome) {
    case CM_COMMIT_CONFLICT:
        return "conflict";
    case CM_COMMIT_DONE:
        return "done";
    case CM_COMMIT_MISMATCH:
        return "mismatch";
    default:
        return "ok";
    }
}

// True when a try is done: committed, or seen before.
static bool
s_is_done(int handler_rc, int rc, const cm_commit_result_t *result)
{
    return handler_rc == 0 && rc == 0
           && (result->outcome == CM_COMMIT_OK
               || result->outcome == CM_COMMIT_DUPLICATE);
}

// Log a failed try; only the last failure of a delivery is a warning.
static void
s_log_failure(const s_subscription_t *sub, const cm_event_t *event,
              int handler_rc, int rc, const cm_commit_result_t *result,
              bool last)
{
    CM_LOG_AT(last ? CM_LOG_WARN : CM_LOG_DEBUG, "events.try.failed", "stream",
              sub->stream, "id", event->id, "type", event->type, "reason",
              s_failure_name(handler_rc, rc, result), "#rc",
              CM_LOG_INT(handler_rc ? handler_rc : rc), "#deliveries",
              CM_LOG_INT(event->deliveries));
}

// One try: run the handler, then its commit. 1 done (committed, or seen
// before), 0 failed, CM_EUNAVAILABLE.
static int
s_try(cm_consumer_t *self, cm_store_t *store, const s_subscription_t *sub,
      const cm_event_t *event, const char *marker, bool last)
{
    cm_commit_t *commit = cm_commit_new(self->group);
    cm_commit_dedupe(commit, marker, self->options.seen_ttl_ms);
    size_t marker_only = cm_commit_size(commit);
    int handler_rc = sub->fn(store, event, commit, sub->arg);
    int rc = handler_rc;
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    if (rc == 0 && cm_commit_size(commit) == marker_only) {
        result.outcome = CM_COMMIT_OK; // no effect: nothing to mark either
    } else if (rc == 0) {
        rc = cm_store_commit(store, commit, &result);
    }
    bool done = s_is_done(handler_rc, rc, &result);
    if (!done && rc != CM_EUNAVAILABLE) {
        s_log_failure(sub, event, handler_rc, rc, &result, last);
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    return rc == CM_EUNAVAILABLE ? rc : done ? 1 : 0;
}

// The tries of one delivery after the `tried` already made, up to
// `attempts` in all, backing off retry_ms, then doubling, before each try
// but the first (a version conflict with a concurrent request passes in
// milliseconds). 1 done, 0 failed every time (left pending for XAUTOCLAIM),
// CM_EUNAVAILABLE.
static int
s_tries(cm_consumer_t *self, cm_store_t *store, const s_subscription_t *sub,
        const cm_event_t *event, const char *marker, int tried)
{
    int attempts = self->options.attempts > 0 ? self->options.attempts : 1;
    for (int attempt = tried + 1; attempt <= attempts; attempt++) {
        int shift = attempt - 2 < 16 ? attempt - 2 : 16;
        if (attempt > 1 && self->options.retry_ms > 0) {
            zclock_sleep(self->options.retry_ms << shift);
        }
        int rc = s_try(self, store, sub, event, marker, attempt >= attempts);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

// Make the event's correlation id the thread's log correlation id; the one
// before goes to saved (CM_EVENT_CORRELATION_MAX bytes).
static void
s_correlation_enter(const cm_event_identity_t *identity, char *saved)
{
    const char *previous = cm_log_correlation();
    snprintf(saved, CM_EVENT_CORRELATION_MAX, "%s", previous ? previous : "");
    cm_log_set_correlation(identity->correlation);
}

// Handle one delivery under the event's correlation id: dead-letter it, or
// try it; its id joins acks when done with. 1 handled (committed or seen
// before), 0 not (left pending, or dead-lettered), CM_EUNAVAILABLE.
static int
s_handle(cm_consumer_t *self, cm_store_t *store, const s_subscription_t *sub,
         const cm_event_t *event, cm_acks_t *acks)
{
    char saved[CM_EVENT_CORRELATION_MAX];
    cm_event_identity_t identity;
    cm_event_identity(event, self->group,
                      strcmp(sub->producer, CM_EVENTS_INGEST) == 0, &identity);
    s_correlation_enter(&identity, saved);
    int rc = 0;
    if (event->deliveries > self->options.max_deliveries) {
        rc = s_dead_letter(self, store, sub, event, acks);
    } else {
        rc = s_tries(self, store, sub, event, identity.marker, 0);
        if (rc == 1) {
            cm_acks_add(acks, event->id);
        }
    }
    cm_log_set_correlation(saved);
    return rc;
}

// The event of an entry, with its delivery count; NULL when malformed (then
// its id, if it has one, joins acks: it can never be handled).
static cm_event_t *
s_entry_event(const s_subscription_t *sub, const redisReply *entry,
              int64_t deliveries, cm_acks_t *acks)
{
    cm_event_t *event = cm_event_from_reply(sub->stream, entry);
    if (event) {
        event->deliveries = deliveries;
        return event;
    }
    cm_log_warn("events.entry.malformed", "stream", sub->stream);
    if (entry->type == REDIS_REPLY_ARRAY && entry->elements == 2
        && entry->element[0]->type == REDIS_REPLY_STRING) {
        cm_acks_add(acks, entry->element[0]->str);
    }
    return NULL;
}

// One entry after another: handler, commit (one round trip each); the acks
// are gathered. Returns handled count or CM_EUNAVAILABLE.
static int
s_handle_each(cm_consumer_t *self, const s_subscription_t *sub,
              const redisReply *entries, const int64_t *deliveries,
              cm_acks_t *acks)
{
    int handled = 0;
    for (size_t i = 0; i < entries->elements; i++) {
        cm_event_t *event = s_entry_event(sub, entries->element[i],
                                          deliveries ? deliveries[i] : 1, acks);
        if (!event) {
            continue;
        }
        int rc = s_handle(self, self->store, sub, event, acks);
        cm_event_destroy(&event);
        if (rc < 0) {
            return rc;
        }
        handled += rc;
    }
    return handled;
}

// One entry of a pipelined read: its first try's handler has run, its
// commit waits for the read's pipeline.
typedef struct {
    cm_event_t *event;            // owned; NULL: malformed or dead-lettered
    cm_event_identity_t identity; // dedupe marker, correlation id
    cm_commit_t *commit;          // owned; the first try's effect and marker
    bool no_effect;               // the handler added nothing to commit
    int handler_rc;               // the handler's return
    int rc;                       // the commit's return
    cm_commit_result_t result;    // the commit's outcome (owned)
} s_slot_t;

// Dead-letter the entry, or run its handler into slot->commit, under its
// correlation id. 0, or CM_EUNAVAILABLE (nothing kept to commit).
static int
s_slot_prepare(cm_consumer_t *self, const s_subscription_t *sub, s_slot_t *slot,
               cm_acks_t *acks)
{
    char saved[CM_EVENT_CORRELATION_MAX];
    cm_event_t *event = slot->event;
    cm_event_identity(event, self->group,
                      strcmp(sub->producer, CM_EVENTS_INGEST) == 0,
                      &slot->identity);
    s_correlation_enter(&slot->identity, saved);
    int rc = 0;
    if (event->deliveries > self->options.max_deliveries) {
        rc = s_dead_letter(self, self->store, sub, event, acks);
        cm_event_destroy(&slot->event);
    } else {
        slot->commit = cm_commit_new(self->group);
        cm_commit_dedupe(slot->commit, slot->identity.marker,
                         self->options.seen_ttl_ms);
        size_t marker_only = cm_commit_size(slot->commit);
        slot->handler_rc = sub->fn(self->store, event, slot->commit, sub->arg);
        slot->rc = slot->handler_rc;
        // An event the handler had nothing to do for (most services ignore
        // most types they receive) is acked without a commit: no effect
        // needs its marker, and handling it again would add none.
        slot->no_effect = slot->handler_rc == 0
                          && cm_commit_size(slot->commit) == marker_only;
        if (slot->no_effect) {
            slot->result.outcome = CM_COMMIT_OK;
        }
        if (slot->handler_rc == CM_EUNAVAILABLE) {
            rc = CM_EUNAVAILABLE;
            cm_commit_destroy(&slot->commit);
        }
    }
    cm_log_set_correlation(saved);
    return rc;
}

// Run the commits of the slots whose handler succeeded in one pipelined
// round trip: each is still its own FCALL, in entry order.
static void
s_slots_commit(cm_consumer_t *self, s_slot_t *slots, size_t n)
{
    const cm_commit_t **commits = calloc(n + 1, sizeof(cm_commit_t *));
    cm_commit_result_t *results = calloc(n + 1, sizeof *results);
    int *rcs = calloc(n + 1, sizeof *rcs);
    size_t *which = calloc(n + 1, sizeof *which);
    assert(commits && results && rcs && which);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (slots[i].commit && slots[i].handler_rc == 0
            && !slots[i].no_effect) {
            commits[count] = slots[i].commit;
            which[count++] = i;
        }
    }
    int rc = cm_store_commit_batch(self->store, commits, count, results, rcs);
    for (size_t j = 0; j < count; j++) {
        s_slot_t *slot = &slots[which[j]];
        // Not sent at all (CM_EINTERNAL): each is tried again on its own.
        slot->rc = rc == CM_EINTERNAL ? CM_EINTERNAL : rcs[j];
        slot->result = results[j]; // moved: the slot clears it
    }
    free(which);
    free(rcs);
    free(results);
    free(commits);
}

// After the pipeline: ack a done slot, or try it again on its own (the
// prompt retry path of s_tries). 1 handled, 0 not, CM_EUNAVAILABLE (the
// commit's outcome is unknown).
static int
s_slot_settle(cm_consumer_t *self, const s_subscription_t *sub, s_slot_t *slot,
              cm_acks_t *acks)
{
    if (!slot->event) {
        return 0; // malformed or dead-lettered: already in acks
    }
    if (slot->rc == CM_EUNAVAILABLE) {
        return CM_EUNAVAILABLE;
    }
    if (s_is_done(slot->handler_rc, slot->rc, &slot->result)) {
        cm_acks_add(acks, slot->event->id);
        return 1;
    }
    char saved[CM_EVENT_CORRELATION_MAX];
    s_correlation_enter(&slot->identity, saved);
    int attempts = self->options.attempts > 0 ? self->options.attempts : 1;
    s_log_failure(sub, slot->event, slot->handler_rc, slot->rc, &slot->result,
                  attempts <= 1);
    int rc =
        s_tries(self, self->store, sub, slot->event, slot->identity.marker, 1);
    if (rc == 1) {
        cm_acks_add(acks, slot->event->id);
    }
    cm_log_set_correlation(saved);
    return rc;
}

static void
s_slot_clear(s_slot_t *slot)
{
    cm_event_destroy(&slot->event);
    cm_commit_destroy(&slot->commit);
    cm_commit_result_clear(&slot->result);
}

// Every handler of the read first, then their commits in one pipelined
// round trip, then retries of the failed ones, one by one. Only for
// handlers that read nothing an earlier commit of the read may change
// (cm_consumer_subscribe_pipelined). Returns handled count or
// CM_EUNAVAILABLE.
static int
s_handle_pipelined(cm_consumer_t *self, const s_subscription_t *sub,
                   const redisReply *entries, const int64_t *deliveries,
                   cm_acks_t *acks)
{
    size_t n = entries->elements;
    s_slot_t *slots = calloc(n + 1, sizeof *slots);
    assert(slots);
    int rc = 0;
    size_t ran = 0;
    while (ran < n && rc == 0) {
        s_slot_t *slot = &slots[ran];
        slot->event = s_entry_event(sub, entries->element[ran],
                                    deliveries ? deliveries[ran] : 1, acks);
        rc = slot->event ? s_slot_prepare(self, sub, slot, acks) : 0;
        ran++;
    }
    s_slots_commit(self, slots, ran);
    int handled = 0;
    for (size_t i = 0; i < ran && handled >= 0; i++) {
        int done = s_slot_settle(self, sub, &slots[i], acks);
        handled = done < 0 ? done : handled + done;
    }
    for (size_t i = 0; i < ran; i++) {
        s_slot_clear(&slots[i]);
    }
    free(slots);
    return rc < 0 ? rc : handled;
}

// ---- lanes: by-subject subscriptions

// The entries of the round for this lane, one after another (as
// s_handle_each), through the lane's connection.
static int
s_lane_run(cm_consumer_t *self, s_lane_t *lane, const s_subscription_t *sub)
{
    int handled = 0;
    for (size_t i = 0; i < lane->count; i++) {
        int rc = s_handle(self, lane->store, sub, lane->events[i], &lane->acks);
        if (rc < 0) {
            return rc;
        }
        handled += rc;
    }
    return handled;
}

static void *
s_lane_main(void *arg)
{
    s_lane_t *lane = arg;
    cm_consumer_t *self = lane->owner;
    uint64_t done_round = 0;
    pthread_mutex_lock(&self->lane_lock);
    for (;;) {
        while (!self->lanes_quit && self->lane_round == done_round) {
            pthread_cond_wait(&self->lane_wake, &self->lane_lock);
        }
        if (self->lanes_quit) {
            break;
        }
        done_round = self->lane_round;
        const s_subscription_t *sub = self->lane_sub;
        pthread_mutex_unlock(&self->lane_lock);
        lane->rc = s_lane_run(self, lane, sub);
        pthread_mutex_lock(&self->lane_lock);
        if (--self->lanes_busy == 0) {
            pthread_cond_signal(&self->lane_done);
        }
    }
    pthread_mutex_unlock(&self->lane_lock);
    return NULL;
}

// Start options.lanes threads, each with its own connection; false when
// fewer than two are asked for (the consumer's thread does it all then).
static bool
s_lanes_ready(cm_consumer_t *self)
{
    if (self->lane_count > 0) {
        return true;
    }
    int asked = self->options.lanes;
    if (asked < 2) {
        return false;
    }
    size_t count =
        asked > CM_EVENTS_LANES_MAX ? CM_EVENTS_LANES_MAX : (size_t)asked;
    self->lanes = calloc(count, sizeof *self->lanes);
    assert(self->lanes);
    for (size_t i = 0; i < count; i++) {
        s_lane_t *lane = &self->lanes[i];
        lane->owner = self;
        lane->store = cm_store_new_like(self->store);
        int rc = pthread_create(&lane->thread, NULL, s_lane_main, lane);
        assert(rc == 0);
        (void)rc;
    }
    self->lane_count = count;
    return true;
}

// The lane of an event: FNV-1a of its envelope's subject (one lane for
// every event without one, so those keep their order too).
static size_t
s_lane_of(const cm_event_t *event, size_t lanes)
{
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const char *subject =
        json_string_value(json_object_get(envelope, "subject"));
    uint32_t hash = 2166136261u;
    for (const char *p = subject ? subject : ""; *p; p++) {
        hash = (hash ^ (uint8_t)*p) * 16777619u;
    }
    json_decref(envelope);
    return subject ? hash % lanes : 0;
}

// Entries with different subjects at once, one lane each; entries of one
// subject in entry order on one lane. The ids done with join acks. Returns
// handled count or CM_EUNAVAILABLE (after every lane stopped).
static int
s_handle_by_subject(cm_consumer_t *self, const s_subscription_t *sub,
                    const redisReply *entries, const int64_t *deliveries,
                    cm_acks_t *acks)
{
    if (!s_lanes_ready(self)) {
        return s_handle_each(self, sub, entries, deliveries, acks);
    }
    size_t n = entries->elements;
    cm_event_t **events = calloc(n + 1, sizeof *events);
    assert(events);
    for (size_t l = 0; l < self->lane_count; l++) {
        s_lane_t *lane = &self->lanes[l];
        lane->events = calloc(n + 1, sizeof *lane->events);
        assert(lane->events);
        lane->count = 0;
        lane->rc = 0;
        cm_acks_init(&lane->acks, n);
    }
    for (size_t i = 0; i < n; i++) {
        events[i] = s_entry_event(sub, entries->element[i],
                                  deliveries ? deliveries[i] : 1, acks);
        if (events[i]) {
            s_lane_t *lane =
                &self->lanes[s_lane_of(events[i], self->lane_count)];
            lane->events[lane->count++] = events[i];
        }
    }
    pthread_mutex_lock(&self->lane_lock);
    self->lane_sub = sub;
    self->lanes_busy = self->lane_count;
    self->lane_round++;
    pthread_cond_broadcast(&self->lane_wake);
    while (self->lanes_busy > 0) {
        pthread_cond_wait(&self->lane_done, &self->lane_lock);
    }
    pthread_mutex_unlock(&self->lane_lock);
    int handled = 0;
    bool unavailable = false;
    for (size_t l = 0; l < self->lane_count; l++) {
        s_lane_t *lane = &self->lanes[l];
        for (size_t i = 0; i < lane->acks.count; i++) {
            cm_acks_add(acks, lane->acks.ids[i]);
        }
        unavailable = unavailable || lane->rc == CM_EUNAVAILABLE;
        handled += lane->rc > 0 ? lane->rc : 0;
        cm_acks_clear(&lane->acks);
        free(lane->events);
        lane->events = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        cm_event_destroy(&events[i]);
    }
    free(events);
    return unavailable ? CM_EUNAVAILABLE : handled;
}

// Handle the entries of one stream ([[id, fields], ...]); deliveries[i]
// from XPENDING when known; then one XACK for all that are done with, even
// when Redis went away on the way (what was committed is acked if it can
// be). Returns handled count or CM_EUNAVAILABLE.
static int
s_handle_entries(cm_consumer_t *self, const s_subscription_t *sub,
                 const redisReply *entries, const int64_t *deliveries)
{
    cm_acks_t acks;
    cm_acks_init(&acks, entries->elements);
    int rc = sub->pipelined
                 ? s_handle_pipelined(self, sub, entries, deliveries, &acks)
             : sub->by_subject
                 ? s_handle_by_subject(self, sub, entries, deliveries, &acks)
                 : s_handle_each(self, sub, entries, deliveries, &acks);
    int acked = cm_acks_flush(&acks, cm_store_redis(self->store), sub->stream,
                              self->group);
    cm_acks_clear(&acks);
    return rc < 0 ? rc : acked < 0 ? acked : rc;
}

// Delivery counts of entries first..last pending for us, in entry order.
static int64_t *
s_deliveries(cm_consumer_t *self, const s_subscription_t *sub,
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
s_claim_page(cm_consumer_t *self, const s_subscription_t *sub, char *start)
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
s_claim(cm_consumer_t *self, const s_subscription_t *sub)
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

// One XREADGROUP of new entries. Returns entries seen (handled or not),
// or CM_EUNAVAILABLE.
static int
s_read_new(cm_consumer_t *self, s_subscription_t *sub, int *handled)
{
    char count[CM_EVENTS_NUM_MAX];
    snprintf(count, sizeof count, "%d", self->options.batch);
    redisReply *reply = cm_redis_cmd(cm_store_redis(self->store), "XREADGROUP",
                                     "GROUP", self->group, self->name, "COUNT",
                                     count, "STREAMS", sub->stream, ">");
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
s_process_one(cm_consumer_t *self, s_subscription_t *sub, bool claim)
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
        s_subscription_t *sub = &self->subs[i];
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
        s_subscription_t *sub = &self->subs[i];
        if (hello || strncmp(topic, sub->topic, strlen(sub->topic)) == 0) {
            sub->rang = true;
        }
    }
}

// Receive every waiting doorbell message and mark the subscriptions it
// rings for; true when there was one.
static bool
s_drain(cm_consumer_t *self, int timeout_ms)
{
    bool rang = false;
    while (zpoller_wait(self->poller, rang ? 0 : timeout_ms) == self->sub) {
        zmsg_t *msg = zmsg_recv(self->sub);
        char *topic = msg ? zmsg_popstr(msg) : NULL;
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
