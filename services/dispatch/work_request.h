// work_request — work other services ask dispatch to do, by event: assets'
// maintenance and repairs, safety-audit's inspections and rectifications,
// inventory's counts, logistics' rounds, oversight's improvement measures.
// A producer publishes, in the same
// commit as its own change,
//
//   <producer>.<entity>.work_requested  data {"request": {
//       "key": "MP-3/2027-03-01",      unique per producer: the same key
//                                      twice makes one work order
//       "department": "technical",     who does it (known to the org view)
//       "title": "…", "kind": "maintenance",   (WORK_REQUEST_KINDS)
//       "source": {"type": "maintenance_plan", "id": "MP-3"},
//       "priority": "normal"?, "due_at": "<RFC 3339>"?,
//       "assignee": "ST-5"?,           active staff of the department; else
//                                      automatic assignment
//       "field_work": true?,           only trained staff may take it
//       "skill": "electrical"?}}       automatic assignment only to staff
//                                      whose record lists the skill
//   <producer>.<entity>.work_cancelled data {"request": {"key": …}}
//
// and dispatch opens the work order once (origin "service", its `request`
// member keeps producer, key, kind and due_at), assigns it, and publishes
// dispatch.workorder.* as for any work order; the producer learns the
// outcome from dispatch.workorder.completed / verified / closed, whose
// data carries `source` and `request`. A malformed request cannot be
// refused (it is already committed by its producer): it is logged
// (work_request.refused, with the reason) and acknowledged.
//
// Keys: sm:{dispatch}:work_request:<producer>:<key> (the work order's id),
// written with CM_VERSION_NEW in the work order's commit: two deliveries,
// two replicas, two publications of one key make one work order.
#ifndef DISPATCH_WORK_REQUEST_H
#define DISPATCH_WORK_REQUEST_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_events.h"

#define WORK_REQUEST_KINDS                                                     \
    "maintenance repair inspection rectification count round "                 \
    "vehicle_service return_visit measure other"
#define WORK_REQUEST_KEY_MAX 120

// True for <producer>.<entity>.work_requested / work_cancelled (intake's
// return visits arrive on the same stream as its case events).
bool work_request_is_type(const char *type);

// cm_consumer_fn for every producer that may ask for work; arg is the
// dispatch_t.
int work_request_on_event(cm_store_t *store, const cm_event_t *event,
                          cm_commit_t *commit, void *arg);

// Check a request (data.request): NULL when it can be acted on, else the
// reason (static text). Pure.
const char *work_request_check(const json_t *request);

#endif
