// events/intake.h — the event types intake publishes on sm:{intake}:outbox
// (relayed as evt.<type>). The intake service and every consumer name them
// here only; docs/asyncapi.yaml describes each one's data, and `make
// lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_INTAKE_H
#define LIBCOMMON_EVENTS_INTAKE_H

// A case: the case summary (case_summary) with `version`, the action's body
// and what its effect adds.
#define INTAKE_EVENT_CASE_CREATED   "intake.case.created"
#define INTAKE_EVENT_CASE_ANSWERED  "intake.case.answered"
#define INTAKE_EVENT_CASE_FORWARDED "intake.case.forwarded"
#define INTAKE_EVENT_CASE_REPLIED   "intake.case.replied"
#define INTAKE_EVENT_CASE_RELAYED   "intake.case.relayed"
#define INTAKE_EVENT_CASE_CONFIRMED "intake.case.confirmed"
#define INTAKE_EVENT_CASE_TRIAGED   "intake.case.triaged"
#define INTAKE_EVENT_CASE_PROPOSED  "intake.case.proposed"
#define INTAKE_EVENT_CASE_PRESENTED "intake.case.presented"
#define INTAKE_EVENT_CASE_ASSIGNED  "intake.case.assigned"
#define INTAKE_EVENT_CASE_DIAGNOSED "intake.case.diagnosed"
#define INTAKE_EVENT_CASE_FIXED     "intake.case.fixed"
#define INTAKE_EVENT_CASE_VERIFIED  "intake.case.verified"
#define INTAKE_EVENT_CASE_REPORTED  "intake.case.reported"
#define INTAKE_EVENT_CASE_NOTED     "intake.case.noted"
#define INTAKE_EVENT_CASE_CANCELLED "intake.case.cancelled"
#define INTAKE_EVENT_CASE_REOPENED  "intake.case.reopened"
#define INTAKE_EVENT_CASE_CLOSED    "intake.case.closed"
// A suggestion's own steps (acknowledge, adopt, decline, inform).
#define INTAKE_EVENT_CASE_ACKNOWLEDGED "intake.case.acknowledged"
#define INTAKE_EVENT_CASE_ADOPTED      "intake.case.adopted"
#define INTAKE_EVENT_CASE_DECLINED     "intake.case.declined"
#define INTAKE_EVENT_CASE_INFORMED     "intake.case.informed"
// An email answering one of the case's messages, added to it (reopening
// a case closed within the reopen window): the case summary with text,
// message_id, from, subject.
#define INTAKE_EVENT_CASE_CUSTOMER_REPLIED "intake.case.customer_replied"
// A resolved complaint's return visit, asked of dispatch as a work order
// for the desk (data {"request": {...}}: services/dispatch/work_request.h),
// and withdrawn once the visit is recorded or the case leaves `resolved`.
#define INTAKE_EVENT_CASE_WORK_REQUESTED "intake.case.work_requested"
#define INTAKE_EVENT_CASE_WORK_CANCELLED "intake.case.work_cancelled"
// PATCH /v1/cases/{id} (the changed members) and a change of kind.
#define INTAKE_EVENT_CASE_UPDATED      "intake.case.updated"
#define INTAKE_EVENT_CASE_RECLASSIFIED "intake.case.reclassified"

#define INTAKE_EVENT_CASE_RETURN_VISITED "intake.case.return_visited"
#define INTAKE_EVENT_CASE_RETURN_VISIT_SCHEDULED                               \
    "intake.case.return_visit_scheduled"
#define INTAKE_EVENT_CASE_SUMMARIZED "intake.case.summarized"

// A regular return visit to a customer (POST /v1/return-visits), asked of
// dispatch as a work order of the desk: data {"request": {...}}.
#define INTAKE_EVENT_CUSTOMER_WORK_REQUESTED "intake.customer.work_requested"

// A customer: the document without its history, with `version`.
#define INTAKE_EVENT_CUSTOMER_CREATED "intake.customer.created"
#define INTAKE_EVENT_CUSTOMER_UPDATED "intake.customer.updated"

// Every case event starts so (dispatch reacts to these only).
#define INTAKE_EVENT_CASE_PREFIX "intake.case."

#endif
