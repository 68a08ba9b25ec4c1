// dispatch_events — reactions to intake's events (cm_consumer_fn); the org
// view (personnel, safety-audit) is cm_org's (CM_ORG_SUBSCRIPTIONS).
//
// Each intake.case.* event carries the case summary (id, kind, state,
// severity, department, assignee, promised_reply_at, awaiting_customer;
// created_at when intake sends it), the case's version and the time it
// happened. The case record (case_record.h) says whether the event was
// applied already — a redelivery is acknowledged and changes nothing,
// whatever its dedupe marker says — and is written in the same commit.
//
// created → first_response and resolution clocks, started at the case's
// created_at (else the event's time); triaged → clocks still at level 0
// re-targeted to the severity row; forwarded → the case's own work order
// (origin "event") opened, or requeued to the new department, and
// auto-assigned; the department_reply clock (re)started at the forward's
// time; a promised_reply_at overriding the first_response deadline;
// assigned → the case's work order assigned to that technician (who must
// be active staff of its department, as for a manual assignment);
// answered/replied/proposed/diagnosed → first_response and
// department_reply stopped; closed → work order completed, clocks stopped;
// cancelled → work order closed, clocks cancelled; reopened → resolution
// restarted at the reopen's time. Every event: the clocks follow the
// case's department, and awaiting_customer pauses / resumes resolution.
#ifndef DISPATCH_DISPATCH_EVENTS_H
#define DISPATCH_DISPATCH_EVENTS_H

#include <jansson.h>
#include <stdint.h>

#include "clock.h"
#include "cm_events.h"
#include "dispatch.h"

// One intake event being turned into one commit.
typedef struct {
    const dispatch_t *state;    // borrowed
    cm_store_t *store;          // borrowed: the background thread's
    cm_commit_t *commit;        // borrowed: holds the dedupe marker
    const char *type;           // borrowed: the event type
    const json_t *data;         // borrowed: the case summary
    const char *case_id;        // borrowed from data
    const char *correlation_id; // borrowed from the envelope, may be NULL
    int64_t version;            // the case version the event carries
    int64_t event_ms;           // the envelope's time: when it happened
    int64_t now;                // when we react
    json_t *record;             // the case record after the event (owned)
    clock_set_t clocks;         // the case's clocks (owned)
    bool terms_read;            // terms and calendar below are read
    int terms_rc;               // what reading them returned
    sla_terms_t terms;          // the SLA terms of the case's kind
    calendar_t calendar;        // and the calendar they count in
    json_t *policy;             // the kind's policy, read with the record
                                // (owned; NULL: not stored or no such kind)
    json_t *default_calendar;   // the "default" calendar, read with the
                                // record (owned; NULL: not stored)
} dispatch_reaction_t;

// cm_consumer_fn for producer "intake": reads through store (the
// consumer's), adds the effect to commit; arg is the dispatch_t.
int dispatch_events_on_intake(cm_store_t *store, const cm_event_t *event,
                              cm_commit_t *commit, void *arg);

// cm_consumer_fn for sm:{safety-audit}:outbox: the training records of the
// org view (cm_org: safety.onboarding.*) and work requests
// (work_request.h). One subscription per stream: two on one stream would
// share the consumer group and split its entries between them.
int dispatch_events_on_safety(cm_store_t *store, const cm_event_t *event,
                              cm_commit_t *commit, void *arg);

#endif
