// cm_consumer_impl — the insides of cm_consumer_t shared by its files
// (not for use outside libcommon/cm_consumer*.c): the consumer and its
// subscriptions (cm_consumer.c: subscribing, reading, claiming, polling),
// the handling of one read's entries (cm_consumer_deliver.c) and the lanes
// of by-subject subscriptions (cm_consumer_lanes.c).
#ifndef LIBCOMMON_CM_CONSUMER_IMPL_H
#define LIBCOMMON_CM_CONSUMER_IMPL_H

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_acks.h"
#include "cm_events.h"

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
    cm_acks_t held;                    // done with, not acked yet (hold_acks)
    uint64_t read;                     // the read being handled (cm_event_t)
} cm_consumer_sub_t;

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
} cm_consumer_lane_t;

struct cm_consumer {
    cm_store_t *store;                 // borrowed
    char group[CM_EVENTS_NAME_MAX];    // consuming service
    char name[2 * CM_EVENTS_NAME_MAX]; // "<service>-<replica>"
    cm_consumer_options_t options;     // copied tuning
    zsock_t *sub;                      // doorbell, NULL without hub
    zpoller_t *poller;                 // on sub
    cm_consumer_sub_t subs[CM_EVENTS_SUBSCRIPTIONS_MAX]; // producers
    size_t sub_count;                                    // used entries of subs
    int64_t next_poll_ms;  // monotonic: read of every subscription due
    int64_t next_claim_ms; // monotonic: XAUTOCLAIM due
    bool backlog;          // the last process call left entries unread
    uint64_t reads;        // reads handled so far (cm_event_t.read)
    // Lanes, started at the first read of a by-subject subscription.
    cm_consumer_lane_t *lanes;         // owned; lane_count of them
    size_t lane_count;                 // 0: not started
    pthread_mutex_t lane_lock;         // guards the round fields below
    pthread_cond_t lane_wake;          // a round began, or quit
    pthread_cond_t lane_done;          // lanes_busy reached 0
    const cm_consumer_sub_t *lane_sub; // the round's subscription
    uint64_t lane_round;               // rounds begun
    size_t lanes_busy;                 // lanes still in the round
    bool lanes_quit;                   // stop the threads
};

// ---- the entries of one read (cm_consumer_deliver.c)

// The event of an entry, with its delivery count; NULL when malformed (then
// its id, if it has one, joins acks: it can never be handled).
cm_event_t *cm_consumer_entry_event(const cm_consumer_sub_t *sub,
                                    const redisReply *entry, int64_t deliveries,
                                    cm_acks_t *acks);

// Handle one delivery through `store` (the consumer's or a lane's) under
// the event's correlation id: dead-letter it, or try it; its id joins acks
// when done with. 1 handled (committed or seen before), 0 not (left
// pending, or dead-lettered), CM_EUNAVAILABLE.
int cm_consumer_handle_one(cm_consumer_t *self, cm_store_t *store,
                           const cm_consumer_sub_t *sub,
                           const cm_event_t *event, cm_acks_t *acks);

// One entry after another: handler, commit (one round trip each); the acks
// are gathered. Returns handled count or CM_EUNAVAILABLE.
int cm_consumer_handle_each(cm_consumer_t *self, const cm_consumer_sub_t *sub,
                            const redisReply *entries,
                            const int64_t *deliveries, cm_acks_t *acks);

// Every handler of the read first, then their commits in one pipelined
// round trip (cm_consumer_subscribe_pipelined). Returns handled count or
// CM_EUNAVAILABLE.
int cm_consumer_handle_pipelined(cm_consumer_t *self,
                                 const cm_consumer_sub_t *sub,
                                 const redisReply *entries,
                                 const int64_t *deliveries, cm_acks_t *acks);

// ---- lanes (cm_consumer_lanes.c)

// Entries with different subjects at once, one lane each; entries of one
// subject in entry order on one lane (cm_consumer_subscribe_by_subject).
// Returns handled count or CM_EUNAVAILABLE.
int cm_consumer_handle_by_subject(cm_consumer_t *self,
                                  const cm_consumer_sub_t *sub,
                                  const redisReply *entries,
                                  const int64_t *deliveries, cm_acks_t *acks);

// Stop and join the lane threads, if started.
void cm_consumer_lanes_stop(cm_consumer_t *self);

#endif
