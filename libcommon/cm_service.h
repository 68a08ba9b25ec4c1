// cm_service — the skeleton every domain service runs on (docs/architecture.md
// §2, §5).
//
// A service is a definition: its name (MDP service name, log `svc`, hash tag
// of its keys), a route table, optional config options, optional event
// subscriptions and a periodic tick. cm_service_main does the rest: config,
// logging, N worker threads (each a zactor with its own MDP worker DEALER and
// its own Redis connection, draining up to its credit of waiting requests
// per wake-up), one background thread for subscriptions and the tick, and a
// drain on SIGTERM/SIGINT (DISCONNECT, finish what is held, exit).
//
//   int
//   main(int argc, char **argv)
//   {
//       return cm_service_main(&personnel_service, argc, argv);
//   }
//
// Every request goes through the same pipeline: parse the envelope
// (400 when malformed), drop it when its deadline has passed, match the
// route (404 / 405 with Allow), run the idempotency protocol for requests
// with an Idempotency-Key (stored response / 409 / 422), call the handler,
// log one `request.handled` line with the correlation id, reply.
#ifndef LIBCOMMON_CM_SERVICE_H
#define LIBCOMMON_CM_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "cm_config.h"
#include "cm_ctx.h"
#include "cm_events.h"
#include "cm_route.h"
#include "cm_store.h"

// Bound on the drain after SIGTERM; compose's stop_grace_period is longer.
#define CM_SERVICE_DRAIN_MS_DEFAULT "10000"
// Requests handled per wake-up of a worker thread, at most (the credit,
// capped; service/credit allows up to 256).
#define CM_SERVICE_BATCH_MAX 256

typedef struct cm_service cm_service_t;

// React to a producer's events: fn gets the background thread's store and
// the service state as its arg.
typedef struct {
    const char *producer; // "intake": its outbox sm:{intake}:outbox
    cm_consumer_fn *fn;   // reads through the store, adds the effect
    // The hub topic prefix that rings the doorbell for new entries; NULL:
    // "evt.<producer>.". A producer whose event types do not start with
    // its name (safety-audit publishes safety.*) names its own, else its
    // consumers wait for the poll (2 s) instead.
    const char *topic;
    // Events about different subjects may be handled at once, on
    // service/event_lanes threads (cm_consumer_subscribe_by_subject): fn
    // must be thread-safe, and its effects on different subjects meet only
    // in versioned documents or commutative writes.
    bool by_subject;
} cm_subscription_t;

// A service definition; usually one static const per service.
typedef struct {
    const char *name;                       // "personnel"
    const cm_route_t *routes;               // ends with a NULL method
    const cm_config_option_t *options;      // own options or NULL
    const cm_subscription_t *subscriptions; // ends with NULL producer, or NULL
    // Once before the workers start (bootstrap data, check tables); 0 or -1
    // (the process exits 1). May be NULL.
    int (*start)(cm_service_t *service, cm_store_t *store);
    // Every tick_ms on the background thread (timers, escalations). May be
    // NULL.
    void (*tick)(cm_service_t *service, cm_store_t *store);
    int tick_ms; // period of tick
    void *state; // handed to handlers (borrowed)
    // Refresh every request's actor before its handler (the org view, or
    // the service's own records): an inactive person gets 403, and the
    // actor carries heads/oversees/delegations. NULL with org_view set:
    // cm_org_refresh_actor. Returns 0, or -1 after answering.
    bool org_view;
    int (*refresh_actor)(cm_ctx_t *ctx);
} cm_service_def_t;

// Run the service until SIGTERM/SIGINT; returns the process exit code
// (0 after a clean drain, CM_CONFIG_EXIT for bad config, 1 on failure).
int cm_service_main(const cm_service_def_t *def, int argc, char **argv);

// Create a service from a definition and a loaded config (both borrowed:
// valid until cm_service_destroy). Caller owns the result.
cm_service_t *cm_service_new(const cm_service_def_t *def,
                             const cm_config_t *config);

// Stop (if running) and free; safe when *self_p is NULL.
void cm_service_destroy(cm_service_t **self_p);

// Run def->start, then start the worker and background threads. 0 or -1.
int cm_service_start(cm_service_t *self);

// Drain and stop the threads (bounded by service/drain_ms). Idempotent.
void cm_service_stop(cm_service_t *self);

// The definition, config and name. Borrowed: valid until destroy.
const cm_service_def_t *cm_service_def(const cm_service_t *self);
const cm_config_t *cm_service_config(const cm_service_t *self);
const char *cm_service_name(const cm_service_t *self);

// Handle one request envelope (text of size bytes) with the given store and
// return the reply envelope text, or NULL when there is nothing to answer
// (unparseable without an id, or the deadline has passed). Caller owns the
// result (free). This is the whole pipeline above, without the transport.
char *cm_service_handle(cm_service_t *self, cm_store_t *store, const char *text,
                        size_t size);

#endif
