// cm_consumer_deliver — the entries of one read of a cm_consumer_t: each
// delivery tried (handler, commit, retries, dead letter), one after another
// or with the commits of a read pipelined.
#include "cm_consumer_impl.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_redis.h"
#include "cm_status.h"

#define CM_EVENTS_NUM_MAX 24

// Copy the event to sm:{<consumer>}:dead; its id joins acks. 0 or
// CM_EUNAVAILABLE.
static int
s_dead_letter(cm_consumer_t *self, cm_store_t *store,
              const cm_consumer_sub_t *sub, const cm_event_t *event,
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
s_log_failure(const cm_consumer_sub_t *sub, const cm_event_t *event,
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
s_try(cm_consumer_t *self, cm_store_t *store, const cm_consumer_sub_t *sub,
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
s_tries(cm_consumer_t *self, cm_store_t *store, const cm_consumer_sub_t *sub,
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
int
cm_consumer_handle_one(cm_consumer_t *self, cm_store_t *store,
                       const cm_consumer_sub_t *sub, const cm_event_t *event,
                       cm_acks_t *acks)
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
cm_event_t *
cm_consumer_entry_event(const cm_consumer_sub_t *sub, const redisReply *entry,
                        int64_t deliveries, cm_acks_t *acks)
{
    cm_event_t *event = cm_event_from_reply(sub->stream, entry);
    if (event) {
        event->deliveries = deliveries;
        event->read = sub->read;
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
int
cm_consumer_handle_each(cm_consumer_t *self, const cm_consumer_sub_t *sub,
                        const redisReply *entries, const int64_t *deliveries,
                        cm_acks_t *acks)
{
    int handled = 0;
    for (size_t i = 0; i < entries->elements; i++) {
        cm_event_t *event = cm_consumer_entry_event(
            sub, entries->element[i], deliveries ? deliveries[i] : 1, acks);
        if (!event) {
            continue;
        }
        int rc = cm_consumer_handle_one(self, self->store, sub, event, acks);
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
s_slot_prepare(cm_consumer_t *self, const cm_consumer_sub_t *sub,
               s_slot_t *slot, cm_acks_t *acks)
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
s_slot_settle(cm_consumer_t *self, const cm_consumer_sub_t *sub, s_slot_t *slot,
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
int
cm_consumer_handle_pipelined(cm_consumer_t *self, const cm_consumer_sub_t *sub,
                             const redisReply *entries,
                             const int64_t *deliveries, cm_acks_t *acks)
{
    size_t n = entries->elements;
    s_slot_t *slots = calloc(n + 1, sizeof *slots);
    assert(slots);
    int rc = 0;
    size_t ran = 0;
    while (ran < n && rc == 0) {
        s_slot_t *slot = &slots[ran];
        slot->event = cm_consumer_entry_event(
            sub, entries->element[ran], deliveries ? deliveries[ran] : 1, acks);
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
