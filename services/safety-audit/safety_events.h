// safety_events — what safety-audit does with the events of every outbox
// it reads: each goes into the audit chain (audit.h); personnel's also keep
// the org view and open each new person's onboarding; safety-audit's own
// keep the org view's training records; logistics' failed security round
// items open hazards.
#ifndef SAFETY_SAFETY_EVENTS_H
#define SAFETY_SAFETY_EVENTS_H

#include "cm_events.h"
#include "cm_store.h"

// cm_consumer_fn for sm:{personnel}:outbox: the org view (cm_org), a new
// staff member's onboarding document (onboarding.h), the audit chain.
int safety_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                               cm_commit_t *commit, void *arg);

// cm_consumer_fn for sm:{safety-audit}:outbox: the org view, the chain.
int safety_events_on_own(cm_store_t *store, const cm_event_t *event,
                         cm_commit_t *commit, void *arg);

// cm_consumer_fn for sm:{ingest}:outbox (other systems' events): an
// alarm.raised opens a hazard (hazard.h); the chain.
int safety_events_on_ingest(cm_store_t *store, const cm_event_t *event,
                            cm_commit_t *commit, void *arg);

// cm_consumer_fn for sm:{logistics}:outbox: a security round's failed
// items open hazards (hazard_on_round); the chain.
int safety_events_on_logistics(cm_store_t *store, const cm_event_t *event,
                               cm_commit_t *commit, void *arg);

// cm_consumer_fn for every other producer: the chain.
int safety_events_on_producer(cm_store_t *store, const cm_event_t *event,
                              cm_commit_t *commit, void *arg);

#endif
