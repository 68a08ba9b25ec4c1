// events/dispatch.h — the event types dispatch publishes on
// sm:{dispatch}:outbox (relayed as evt.<type>). Dispatch and every consumer
// name them here only; docs/asyncapi.yaml describes each one's data, and
// `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_DISPATCH_H
#define LIBCOMMON_EVENTS_DISPATCH_H

// A work order: the document without its history, with `version` and the
// action's body.
#define DISPATCH_EVENT_WORKORDER_CREATED    "dispatch.workorder.created"
#define DISPATCH_EVENT_WORKORDER_ASSIGNED   "dispatch.workorder.assigned"
#define DISPATCH_EVENT_WORKORDER_REASSIGNED "dispatch.workorder.reassigned"
#define DISPATCH_EVENT_WORKORDER_ACCEPTED   "dispatch.workorder.accepted"
#define DISPATCH_EVENT_WORKORDER_STARTED    "dispatch.workorder.started"
#define DISPATCH_EVENT_WORKORDER_COMPLETED  "dispatch.workorder.completed"
#define DISPATCH_EVENT_WORKORDER_VERIFIED   "dispatch.workorder.verified"
#define DISPATCH_EVENT_WORKORDER_ESCALATED  "dispatch.workorder.escalated"
#define DISPATCH_EVENT_WORKORDER_REQUEUED   "dispatch.workorder.requeued"
#define DISPATCH_EVENT_WORKORDER_CLOSED     "dispatch.workorder.closed"

// A case's clock passed its deadline (escalation.c).
#define DISPATCH_EVENT_SLA_BREACHED "dispatch.sla.breached"

#endif
