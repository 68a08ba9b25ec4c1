// cm_events — the consumer side of docs/architecture.md §4.
//
// cm_consumer_t: a reacting service. One consumer group (named after the
// consuming service) per producer outbox; the hub's XPUB is only a doorbell
// for XREADGROUP of the outbox whose topic rang, and every
// CM_EVENTS_POLL_MS every outbox is read (a lost doorbell, a dead hub).
// Entries idle longer than claim_idle_ms (a dead replica's, or our own that
// failed) are taken over with XAUTOCLAIM. For each entry the handler adds its
// effect to a commit that already holds the dedupe marker
// sm:{<consumer>}:seen:<event id> (for the ingest stream, whose events come
// from other systems: sm:{<consumer>}:seen:<identity of (source, id)>, see
// cm_cloudevent.h); the commit runs.
// The entries of one XREADGROUP (or XAUTOCLAIM page) that are done with are
// acked in one XACK after their commits returned: a crash before it only
// redelivers them, and their markers make the commits DUPLICATE. By default
// each entry's handler runs after the previous entry's commit, so it reads
// what that wrote; a subscription made with cm_consumer_subscribe_pipelined
// runs all handlers of a read first and pipelines their commits (each its
// own FCALL with its own marker) in one round trip. A failed try (handler
// error, version conflict) is repeated at once, up to `attempts` times with a
// doubling backoff from retry_ms, before the entry waits for XAUTOCLAIM. After
// max_deliveries deliveries the entry goes to sm:{<consumer>}:dead and is
// acked. While a handler runs, the thread's log correlation id is the
// envelope's correlation_id (else its id).
//
// cm_live_t: a live listener (SSE, dashboards). SUB only; tracks seq per
// stream; fills a gap, or everything after the last event on `sys.hello`
// (the hub restarted or we reconnected), from the stream with XRANGE; hands
// out each event once, in seq order per stream.
//
// Neither is thread-safe; each borrows a cm_store_t of its own thread.
#ifndef LIBCOMMON_CM_EVENTS_H
#define LIBCOMMON_CM_EVENTS_H

#include <czmq.h>
#include <stdint.h>

#include "cm_outbox.h"
#include "cm_store.h"

#define CM_EVENTS_POLL_MS           2000  // poll fallback without doorbell
#define CM_EVENTS_CLAIM_IDLE_MS     30000 // XAUTOCLAIM min idle time
#define CM_EVENTS_MAX_DELIVERIES    5     // deliveries before dead-letter
#define CM_EVENTS_BATCH             100   // XREADGROUP / XRANGE COUNT
#define CM_EVENTS_SEEN_TTL_MS       (7LL * 24 * 3600 * 1000) // dedupe TTL
#define CM_EVENTS_RCVHWM            100000 // SUB receive high-water mark
#define CM_EVENTS_SUBSCRIPTIONS_MAX 32     // producers per consumer
#define CM_EVENTS_HELLO             "sys.hello"
#define CM_EVENTS_NAME_MAX          128

#define CM_EVENTS_ATTEMPTS  3        // tries of one delivery, one after another
#define CM_EVENTS_RETRY_MS  10       // backoff after the first try, doubled
#define CM_EVENTS_INGEST    "ingest" // producer of other systems' events
#define CM_EVENTS_LANES     4 // handler threads of by-subject subscriptions
#define CM_EVENTS_LANES_MAX 32
#define CM_EVENTS_HELD_MAX  1000 // held acks of a stream: flushed at this

typedef struct cm_consumer cm_consumer_t;
typedef struct cm_live cm_live_t;

// A SUB socket connected to the hub's XPUB at endpoint, subscribed to
// CM_EVENTS_HELLO; for cm_consumer (doorbell) and cm_live.
// Caller owns the result; NULL when the endpoint is invalid.
zsock_t *cm_events_sub_new(const char *endpoint);

// Tuning for cm_consumer_new; cm_consumer_options_default fills defaults.
typedef struct {
    int poll_ms;            // poll fallback period
    int claim_idle_ms;      // XAUTOCLAIM entries idle this long
    int max_deliveries;     // deliveries before the dead-letter stream
    int attempts;           // tries of one delivery before waiting a claim
    int retry_ms;           // backoff after the first try, then doubled
    int batch;              // entries per XREADGROUP
    int64_t seen_ttl_ms;    // lifetime of the dedupe marker
    const char *start_from; // new group position: "0" (all kept) or "$"
    int lanes; // threads of by-subject subscriptions (< 2: the caller's)
    // Hold the acks of what was handled for the stream's next read (one
    // round trip with it) or cm_consumer_flush_acks, instead of an XACK
    // round trip after every read. false: acked at once.
    bool hold_acks;
} cm_consumer_options_t;

// Add the effect of `event` to `commit` (owner: the consuming service; the
// dedupe marker is already in it), reading what it needs through `store`
// (the consumer's, on the consumer's thread). All are borrowed for the call.
// Return 0 to commit and ack, non-zero to fail this try: the entry is tried
// again at once (up to `attempts`, re-running fn, which must re-read state),
// then after claim_idle_ms, and dead-lettered after max_deliveries.
// CM_EUNAVAILABLE stops processing until the next poll.
typedef int(cm_consumer_fn)(cm_store_t *store, const cm_event_t *event,
                            cm_commit_t *commit, void *arg);

// Fill the defaults.
void cm_consumer_options_default(cm_consumer_options_t *options);

// A consumer for service `consumer` (group name), replica `replica`
// (consumer name within the group). hub_endpoint ("tcp://host:port" of the
// hub's XPUB) may be NULL: poll only. store is borrowed: valid until
// cm_consumer_destroy. options NULL: defaults (copied). Caller owns result.
cm_consumer_t *cm_consumer_new(cm_store_t *store, const char *consumer,
                               const char *replica, const char *hub_endpoint,
                               const cm_consumer_options_t *options);

// Free; safe when *self_p is NULL.
void cm_consumer_destroy(cm_consumer_t **self_p);

// React to producer's outbox sm:{producer}:outbox; doorbell topic prefix
// `topic` (NULL: "evt.<producer>."). Creates the group (MKSTREAM; an
// existing group is fine) now or, if Redis is down, on the next poll.
// Returns 0, or -1 when too many subscriptions.
int cm_consumer_subscribe(cm_consumer_t *self, const char *producer,
                          const char *topic, cm_consumer_fn *fn, void *arg);

// cm_consumer_subscribe for a handler whose result does not depend on what
// the commits of earlier events of the same stream change (it reads nothing,
// or only state those commits never write): the handlers of one read run
// one after another, then their commits go to Redis pipelined, in entry
// order, in one round trip. An entry whose first try failed (handler error,
// conflict) is then tried again on its own (re-running fn), after later
// entries of the read may have committed. Returns 0, or -1 when too many
// subscriptions.
int cm_consumer_subscribe_pipelined(cm_consumer_t *self, const char *producer,
                                    const char *topic, cm_consumer_fn *fn,
                                    void *arg);

// cm_consumer_subscribe for a handler whose events about different
// subjects (the envelope's `subject`: a case, a work order) may be handled
// at the same time: the entries of one read are spread over `lanes` threads
// by subject, each with its own connection to the store's Redis, and run
// at once; the entries of one subject run in entry order on one lane, each
// after the previous one's commit, as cm_consumer_subscribe runs them.
// For handlers whose effects on different subjects meet only in versioned
// documents (a conflict is tried again) or commutative writes (counters,
// index members). The handler and its arg must be thread-safe. Returns 0,
// or -1 when too many subscriptions.
int cm_consumer_subscribe_by_subject(cm_consumer_t *self, const char *producer,
                                     const char *topic, cm_consumer_fn *fn,
                                     void *arg);

// With hold_acks: true while acks wait (the caller flushes them before a
// long wait); cm_consumer_flush_acks sends them, one XACK per stream in one
// round trip: 0 or CM_EUNAVAILABLE. Acks that went out are forgotten even
// when their reply was lost (their entries stay pending, are claimed later
// and found DUPLICATE); those that could not be sent stay held.
bool cm_consumer_holds_acks(const cm_consumer_t *self);
int cm_consumer_flush_acks(cm_consumer_t *self);

// The doorbell socket, for a wait (cm_wait, zpoller; NULL without a hub).
// Borrowed: valid until cm_consumer_destroy. On readable, call
// cm_consumer_poll(0): it reads the socket until empty, which a wait on its
// descriptor needs before it sleeps (cm_wait.h).
zsock_t *cm_consumer_socket(cm_consumer_t *self);

// Wait up to timeout_ms for the doorbell or the poll period, then handle
// what is waiting (cm_consumer_process). Returns events handled, or
// CM_EUNAVAILABLE.
int cm_consumer_poll(cm_consumer_t *self, int timeout_ms);

// Handle everything waiting now: claims of idle entries, then new entries.
// Returns events handled (committed or already seen), or CM_EUNAVAILABLE.
int cm_consumer_process(cm_consumer_t *self);

// A live listener on the hub's XPUB at hub_endpoint. store is borrowed:
// valid until cm_live_destroy. Caller owns the result; NULL when the
// endpoint is invalid.
cm_live_t *cm_live_new(cm_store_t *store, const char *hub_endpoint);

// Free; safe when *self_p is NULL.
void cm_live_destroy(cm_live_t **self_p);

// Listen to events whose topic starts with prefix ("evt.intake.").
void cm_live_subscribe(cm_live_t *self, const char *prefix);

// Resume `stream` after (last_seq, last_id); (0, "0-0") replays all that is
// kept. Streams not tracked start at the first event heard.
void cm_live_track(cm_live_t *self, const char *stream, int64_t last_seq,
                   const char *last_id);

// The SUB socket for a zloop/zpoller. Borrowed: valid until destroy.
zsock_t *cm_live_socket(cm_live_t *self);

// The next event, waiting up to timeout_ms. Returns 1 and sets *event
// (caller owns it; envelope carries seq and epoch), 0 on timeout, or -1 when
// interrupted.
int cm_live_next(cm_live_t *self, int timeout_ms, cm_event_t **event);

#endif
