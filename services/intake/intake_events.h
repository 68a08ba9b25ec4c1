// intake_events — what intake does with other services' events
// (cm_consumer_fn; the commit already holds the dedupe marker, so each
// event has its effect exactly once):
// - producer "dispatch": dispatch.sla.breached marks the case overdue
//   (index sm:{intake}:idx:case_overdue:true) and records the escalation
//   in `escalations` and the history; dispatch.workorder.assigned of the
//   case's own work order (source {"type":"case","id":…} and origin
//   "event") sets the case's assignee when it differs (history entry
//   "assignee_changed"); work orders people opened with the case as their
//   source (origin "request") never do. No intake event follows,
//   so the two services never ping-pong.
// - producer "ingest" (sm:{ingest}:outbox: the gateway's POST /v1/events
//   and the hub's XSUB): call.received, email.received and chat.started
//   record an inquiry (channel phone, email, chat) for the customer matched
//   by data.phone / data.email / data.from; other types are ignored
//   (debug line event.ignored). An event cannot be refused once persisted,
//   so its texts are cut to the case's maxima and a contact too long to be
//   one is left out.
// Both read through the consumer's store; arg (the service's intake_t) is
// not needed.
#ifndef INTAKE_INTAKE_EVENTS_H
#define INTAKE_INTAKE_EVENTS_H

#include <jansson.h>

#include "cm_outbox.h"
#include "cm_store.h"

// Subscription handler (cm_consumer_fn) for producer "dispatch": reads
// through store, adds the effect to commit. 0 or -1 (retry).
int intake_events_dispatch(cm_store_t *store, const cm_event_t *event,
                           cm_commit_t *commit, void *arg);

// Subscription handler (cm_consumer_fn) for producer "ingest". 0 or -1
// (retry).
int intake_events_ingest(cm_store_t *store, const cm_event_t *event,
                         cm_commit_t *commit, void *arg);

// The channel of an external event type ("call.received" → "phone"), or
// NULL when the type does not create a case. Pure.
const char *intake_events_channel(const char *type);

// The new-case customer {name, phone?, email?} read from an external
// event's data, or NULL when it names no contact. Caller owns it. Pure.
json_t *intake_events_customer(const json_t *data);

#endif
