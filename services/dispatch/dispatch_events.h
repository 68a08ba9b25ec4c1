// dispatch_events — reactions to other services' events (cm_consumer_fn).
//
// intake (case summaries): created → first_response and resolution clocks;
// triaged → clocks re-targeted to the severity row; forwarded → the case's
// work order created or moved to the department (auto-assigned), the
// department_reply clock (re)started, a promised_reply_at overriding the
// first_response deadline; assigned → the work order assigned to the
// technician; answered/replied/proposed/diagnosed → first_response and
// department_reply stopped; closed → work order completed, clocks stopped;
// cancelled → work order closed, clocks cancelled; reopened → resolution
// restarted. Every event: awaiting_customer pauses / resumes resolution.
//
// personnel: staff and department documents into the org copy (org.h).
#ifndef DISPATCH_DISPATCH_EVENTS_H
#define DISPATCH_DISPATCH_EVENTS_H

#include "cm_events.h"

// cm_consumer_fn for producer "intake": reads through store (the
// consumer's), adds the effect to commit; arg is the dispatch_t.
int dispatch_events_on_intake(cm_store_t *store, const cm_event_t *event,
                              cm_commit_t *commit, void *arg);

// cm_consumer_fn for producer "personnel"; arg is not used.
int dispatch_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                                 cm_commit_t *commit, void *arg);

#endif
