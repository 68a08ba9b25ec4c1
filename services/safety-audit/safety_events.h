// safety_events — what safety-audit does with other services' events:
// personnel's keep its org view and open each new person's onboarding.
#ifndef SAFETY_SAFETY_EVENTS_H
#define SAFETY_SAFETY_EVENTS_H

#include "cm_events.h"
#include "cm_store.h"

// cm_consumer_fn for sm:{personnel}:outbox: the org view (cm_org), then a
// new staff member's onboarding document (onboarding.h).
int safety_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                               cm_commit_t *commit, void *arg);

#endif
