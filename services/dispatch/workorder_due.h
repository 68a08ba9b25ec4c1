// workorder_due — a work order's own due date (POST /v1/work-orders
// `due_at`, or a work request's): while the work order is unfinished, one
// durable timer in sm:{dispatch}:timers:workorders_due falls due at
// due_at, and then once per step (the time the work order had between its
// creation and its due date, at least WORKORDER_DUE_STEP_MIN_MS, or
// dispatch/escalation_step_ms when set). Each time it escalates the work
// order one level along the org chart as SLA breaches do (1 the
// department's head, 2 its deputy head, 3 the station head): the action
// "escalate" as dispatch, dispatch.workorder.escalated, one log line.
// Finishing the work order removes the timer in the same commit. Case
// work orders have no due_at: their case's clocks escalate them.
#ifndef DISPATCH_WORKORDER_DUE_H
#define DISPATCH_WORKORDER_DUE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"
#include "dispatch.h"

#define WORKORDER_DUE_TIMERS      "workorders_due"
#define WORKORDER_DUE_STEP_MIN_MS (60LL * 1000)

// When the work order's timer is due next (0: none: no due date, finished
// or fully escalated). step_ms 0: the work order's own step.
int64_t workorder_due_next(const json_t *doc, int64_t step_ms);

// Part of the work order's indexes (cm_doc_type_t.indexes): add, move or
// remove its timer to match doc.
void workorder_due_index(cm_commit_t *commit, const json_t *doc);

// Claim the due timers and escalate each work order one level. Runs on the
// background thread (tick); a replica that dies mid-step leaves the lease
// to fall due again.
void workorder_due_tick(const dispatch_t *state, cm_store_t *store);

#endif
