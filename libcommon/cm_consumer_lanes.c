// cm_consumer_lanes — the handler threads of by-subject subscriptions
// (cm_consumer_subscribe_by_subject): a read's entries spread by subject,
// one subject's entries in order on one lane.
#include "cm_consumer_impl.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope_scan.h"
#include "cm_log.h"
#include "cm_status.h"

void
cm_consumer_lanes_stop(cm_consumer_t *self)
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

// ---- lanes: by-subject subscriptions

// The entries of the round for this lane, one after another (as
// s_handle_each), through the lane's connection.
static int
s_lane_run(cm_consumer_t *self, cm_consumer_lane_t *lane,
           const cm_consumer_sub_t *sub)
{
    int handled = 0;
    cm_log_hold(); // the round's lines in as few writes as they fit
    for (size_t i = 0; i < lane->count; i++) {
        int rc = cm_consumer_handle_one(self, lane->store, sub, lane->events[i],
                                        &lane->acks);
        if (rc < 0) {
            handled = rc;
            break;
        }
        handled += rc;
    }
    cm_log_release();
    return handled;
}

static void *
s_lane_main(void *arg)
{
    cm_consumer_lane_t *lane = arg;
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
        const cm_consumer_sub_t *sub = self->lane_sub;
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
        cm_consumer_lane_t *lane = &self->lanes[i];
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
    static const char *const names[] = {"subject"};
    char found[CM_STORE_KEY_MAX];
    const char *subject = NULL;
    json_t *envelope = NULL;
    if (!event->envelope
        || cm_envelope_scan_strings(event->envelope, names, 1, found,
                                    sizeof found, &subject)
               != 0) {
        envelope = json_loads(event->envelope ? event->envelope : "", 0, NULL);
        subject = json_string_value(json_object_get(envelope, "subject"));
    }
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
int
cm_consumer_handle_by_subject(cm_consumer_t *self, const cm_consumer_sub_t *sub,
                              const redisReply *entries,
                              const int64_t *deliveries, cm_acks_t *acks)
{
    if (!s_lanes_ready(self)) {
        return cm_consumer_handle_each(self, sub, entries, deliveries, acks);
    }
    size_t n = entries->elements;
    cm_event_t **events = calloc(n + 1, sizeof *events);
    assert(events);
    for (size_t l = 0; l < self->lane_count; l++) {
        cm_consumer_lane_t *lane = &self->lanes[l];
        lane->events = calloc(n + 1, sizeof *lane->events);
        assert(lane->events);
        lane->count = 0;
        lane->rc = 0;
        cm_acks_init(&lane->acks, n);
    }
    cm_consumer_lane_t *only = NULL; // the one lane with entries, if one
    size_t busy = 0;
    for (size_t i = 0; i < n; i++) {
        events[i] = cm_consumer_entry_event(
            sub, entries->element[i], deliveries ? deliveries[i] : 1, acks);
        if (events[i]) {
            cm_consumer_lane_t *lane =
                &self->lanes[s_lane_of(events[i], self->lane_count)];
            busy += lane->count == 0;
            only = lane;
            lane->events[lane->count++] = events[i];
        }
    }
    if (busy == 1) {
        // Nothing runs at once with it: its entries go on this thread,
        // through the lane's connection (idle between rounds), without
        // waking a thread per lane and waiting for them.
        only->rc = s_lane_run(self, only, sub);
    } else if (busy > 1) {
        pthread_mutex_lock(&self->lane_lock);
        self->lane_sub = sub;
        self->lanes_busy = self->lane_count;
        self->lane_round++;
        pthread_cond_broadcast(&self->lane_wake);
        while (self->lanes_busy > 0) {
            pthread_cond_wait(&self->lane_done, &self->lane_lock);
        }
        pthread_mutex_unlock(&self->lane_lock);
    }
    int handled = 0;
    bool unavailable = false;
    for (size_t l = 0; l < self->lane_count; l++) {
        cm_consumer_lane_t *lane = &self->lanes[l];
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
