// delivery — one event for one webhook: queued when a producer's event
// matches an active webhook, sent by the delivery worker (the service's
// tick, never a request), retried on the configured schedule, dead-lettered
// after the last retry, redelivered on request.
//
//   pending ── 2xx ──▶ delivered
//   pending ── last retry failed / webhook gone ──▶ dead ── redeliver ──▶
//   pending
//
// The delivery's id (WD-n) is the webhook-id header of every attempt and
// of a redelivery: receivers deduplicate on it.
#ifndef WEBHOOKS_DELIVERY_H
#define WEBHOOKS_DELIVERY_H

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_events.h"
#include "cm_store.h"
#include "webhooks.h"

extern const cm_doc_type_t delivery_type;

// cm_consumer_fn of every producer's outbox: a delivery per active webhook
// whose patterns match the event, in the consumer's commit.
int delivery_on_event(cm_store_t *store, const cm_event_t *event,
                      cm_commit_t *commit, void *arg);

// The same, after the org view took personnel's / safety-audit's events.
int delivery_on_org_event(cm_store_t *store, const cm_event_t *event,
                          cm_commit_t *commit, void *arg);

// The worker: attempt up to self->batch due deliveries. Blocking (HTTP).
void delivery_tick(const webhooks_t *self, cm_store_t *store);

// Handlers: GET /v1/webhooks/{id}/deliveries, GET …/dead-letters, GET
// …/dead-letters/{did} (one delivery of the webhook with its payload,
// whatever its state), POST …/dead-letters/{did}/redeliver.
void delivery_list(cm_ctx_t *ctx);
void delivery_dead_list(cm_ctx_t *ctx);
void delivery_get(cm_ctx_t *ctx);
void delivery_redeliver(cm_ctx_t *ctx);

#endif
