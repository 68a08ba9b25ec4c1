// cm_live — cm_live_t, the live listener of cm_events.h.
#include "cm_events.h"

#include <assert.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_time.h"

typedef struct {
    int64_t seq;               // last delivered seq
    char id[CM_STREAM_ID_MAX]; // its entry id; "" when unknown
    char epoch[CM_EPOCH_MAX];  // epoch of the stream we track
} s_track_t;

struct cm_live {
    cm_store_t *store; // borrowed
    zsock_t *sub;      // SUB on the hub's XPUB
    zpoller_t *poller; // on sub
    zhashx_t *tracks;  // stream -> s_track_t (owned)
    zlistx_t *ready;   // cm_event_t, in delivery order (owned)
};

static void
s_track_free(void **item)
{
    free(*item);
    *item = NULL;
}

static void
s_event_free(void **item)
{
    cm_event_destroy((cm_event_t **)item);
}

cm_live_t *
cm_live_new(cm_store_t *store, const char *hub_endpoint)
{
    assert(store && hub_endpoint);
    zsock_t *sub = cm_events_sub_new(hub_endpoint);
    if (!sub) {
        return NULL;
    }
    cm_live_t *self = calloc(1, sizeof *self);
    assert(self);
    self->store = store;
    self->sub = sub;
    self->poller = zpoller_new(sub, NULL);
    self->tracks = zhashx_new();
    self->ready = zlistx_new();
    assert(self->poller && self->tracks && self->ready);
    zhashx_set_destructor(self->tracks, s_track_free);
    zlistx_set_destructor(self->ready, s_event_free);
    return self;
}

void
cm_live_destroy(cm_live_t **self_p)
{
    assert(self_p);
    cm_live_t *self = *self_p;
    if (self) {
        zlistx_destroy(&self->ready);
        zhashx_destroy(&self->tracks);
        zpoller_destroy(&self->poller);
        zsock_destroy(&self->sub);
        free(self);
        *self_p = NULL;
    }
}

void
cm_live_subscribe(cm_live_t *self, const char *prefix)
{
    assert(self && prefix);
    zsock_set_subscribe(self->sub, prefix);
}

static s_track_t *
s_track(cm_live_t *self, const char *stream)
{
    s_track_t *track = zhashx_lookup(self->tracks, stream);
    if (!track) {
        track = calloc(1, sizeof *track);
        assert(track);
        zhashx_insert(self->tracks, stream, track);
    }
    return track;
}

void
cm_live_track(cm_live_t *self, const char *stream, int64_t last_seq,
              const char *last_id)
{
    assert(self && stream && last_id && last_seq >= 0);
    s_track_t *track = s_track(self, stream);
    track->seq = last_seq;
    snprintf(track->id, sizeof track->id, "%s", last_id);
}

zsock_t *
cm_live_socket(cm_live_t *self)
{
    assert(self);
    return self->sub;
}

// Queue an event (takes ownership) and advance its stream's track.
static void
s_deliver(cm_live_t *self, s_track_t *track, cm_event_t **event_p)
{
    cm_event_t *event = *event_p;
    track->seq = event->seq;
    snprintf(track->id, sizeof track->id, "%s", event->id);
    if (!*track->epoch) {
        snprintf(track->epoch, sizeof track->epoch, "%s", event->epoch);
    }
    zlistx_add_end(self->ready, event);
    *event_p = NULL;
}

typedef struct {
    cm_live_t *live;  // borrowed
    s_track_t *track; // borrowed
    int64_t upto_seq; // stop after this seq
} s_fill_t;

static int
s_fill_one(const cm_event_t *event, void *arg)
{
    s_fill_t *fill = arg;
    if (event->seq <= fill->track->seq) {
        return 0;
    }
    cm_event_t *copy = cm_event_dup(event);
    char *relayed = cm_event_relay_envelope(event);
    if (relayed) {
        free(copy->envelope);
        copy->envelope = relayed;
    }
    s_deliver(fill->live, fill->track, &copy);
    return fill->track->seq >= fill->upto_seq;
}

// Deliver from the stream what follows the track, up to upto_seq.
static void
s_fill(cm_live_t *self, const char *stream, s_track_t *track, int64_t upto_seq)
{
    s_fill_t fill = {.live = self, .track = track, .upto_seq = upto_seq};
    while (*track->id && track->seq < upto_seq) {
        int rc = cm_outbox_range(cm_store_redis(self->store), stream, track->id,
                                 CM_EVENTS_BATCH, s_fill_one, &fill);
        if (rc < CM_EVENTS_BATCH) {
            break;
        }
    }
}

static void
s_on_hello(cm_live_t *self)
{
    for (s_track_t *track = zhashx_first(self->tracks); track;
         track = zhashx_next(self->tracks)) {
        const char *stream = zhashx_cursor(self->tracks);
        s_fill(self, stream, track, INT64_MAX);
    }
}

// The "epoch" of a relayed envelope, as text ("" when absent).
static void
s_envelope_epoch(const char *envelope, char *epoch)
{
    json_t *root = json_loads(envelope, 0, NULL);
    json_t *value = json_object_get(root, "epoch");
    epoch[0] = '\0';
    if (json_is_integer(value)) {
        snprintf(epoch, CM_EPOCH_MAX, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(value));
    } else if (json_is_string(value)) {
        snprintf(epoch, CM_EPOCH_MAX, "%s", json_string_value(value));
    }
    json_decref(root);
}

static void
s_on_event(cm_live_t *self, cm_event_t **event_p)
{
    cm_event_t *event = *event_p;
    s_track_t *track = zhashx_lookup(self->tracks, event->stream);
    if (!track) {
        track = s_track(self, event->stream);
        track->seq = event->seq - 1; // start at the first event heard
    }
    if (*track->epoch && *event->epoch
        && strcmp(track->epoch, event->epoch) != 0) {
        cm_log_warn("events.live.epoch_changed", "stream", event->stream,
                    "from", track->epoch, "to", event->epoch);
        snprintf(track->epoch, sizeof track->epoch, "%s", event->epoch);
        track->seq = 0;
        snprintf(track->id, sizeof track->id, "0-0");
    }
    if (event->seq > track->seq + 1) {
        s_fill(self, event->stream, track, event->seq - 1);
    }
    if (event->seq <= track->seq) {
        cm_event_destroy(event_p); // heard before, or filled from the stream
        return;
    }
    if (event->seq > track->seq + 1) {
        cm_log_warn("events.live.gap", "stream", event->stream, "#after",
                    CM_LOG_INT(track->seq), "#seq", CM_LOG_INT(event->seq));
    }
    s_deliver(self, track, event_p);
}

// Decode [topic][stream/id][seq][envelope]; NULL when malformed.
static cm_event_t *
s_event_from_msg(zmsg_t *msg)
{
    if (zmsg_size(msg) != 4) {
        return NULL;
    }
    char *topic = zmsg_popstr(msg);
    char *address = zmsg_popstr(msg);
    char *seq = zmsg_popstr(msg);
    char *envelope = zmsg_popstr(msg);
    cm_event_t *event = calloc(1, sizeof *event);
    assert(event);
    char *end = NULL;
    event->seq = seq ? strtoll(seq, &end, 10) : 0;
    bool ok = topic && strncmp(topic, "evt.", 4) == 0 && envelope && end
              && !*end && event->seq > 0
              && cm_event_address_parse(address ? address : "", event->stream,
                                        sizeof event->stream, event->id,
                                        sizeof event->id)
                     == 0;
    if (ok) {
        event->type = strdup(topic + 4);
        assert(event->type);
        event->envelope = envelope;
        envelope = NULL;
        s_envelope_epoch(event->envelope, event->epoch);
    } else {
        cm_event_destroy(&event);
    }
    free(topic);
    free(address);
    free(seq);
    free(envelope);
    return event;
}

static void
s_on_message(cm_live_t *self, zmsg_t *msg)
{
    if (zmsg_size(msg) == 1) {
        char *word = zmsg_popstr(msg);
        if (word && strcmp(word, CM_EVENTS_HELLO) == 0) {
            s_on_hello(self);
        }
        free(word);
        return;
    }
    cm_event_t *event = s_event_from_msg(msg);
    if (!event) {
        cm_log_warn("events.live.malformed", "#frames",
                    CM_LOG_INT(zmsg_size(msg)));
        return;
    }
    s_on_event(self, &event);
}

int
cm_live_next(cm_live_t *self, int timeout_ms, cm_event_t **event)
{
    assert(self && event);
    *event = NULL;
    int64_t deadline = cm_time_mono_ms() + timeout_ms;
    while (zlistx_size(self->ready) == 0) {
        int64_t left = deadline - cm_time_mono_ms();
        void *which = zpoller_wait(self->poller, left > 0 ? (int)left : 0);
        if (!which) {
            if (zpoller_terminated(self->poller)) {
                return -1;
            }
            if (left <= 0) {
                return 0;
            }
            continue;
        }
        zmsg_t *msg = zmsg_recv(self->sub);
        if (!msg) {
            return -1;
        }
        s_on_message(self, msg);
        zmsg_destroy(&msg);
    }
    *event = zlistx_detach(self->ready, NULL);
    return 1;
}
