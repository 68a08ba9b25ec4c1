// case_workorder — what an intake event does to the case's own work order
// (origin "event", named by the case record's workorder_id): open it when
// the case is forwarded, requeue it when the case moves to another
// department, assign it to the case's technician, complete or close it
// with the case. Every change goes through the work order process as
// dispatch (cm_action_apply: the same rows and checks as over HTTP) and is
// written with its events in the event's commit. Work orders people opened
// for the case (origin "request") are theirs: case events leave them alone.
#ifndef DISPATCH_CASE_WORKORDER_H
#define DISPATCH_CASE_WORKORDER_H

#include <jansson.h>
#include <stdbool.h>

#include "dispatch_events.h"

// The case's unfinished work order, or a new one (opened for the case,
// auto-assigned) when create is true; a work order of another department
// is requeued to the case's; then `action` (may be NULL) with body as
// dispatch. A refused action (an assignee outside the department, a
// finished work order) is logged (workorder.assign_refused for an
// assignment) and changes nothing. The record and the clocks learn the
// work order's id. 0 or a negative cm_status_t.
int case_workorder_touch(dispatch_reaction_t *r, bool create,
                         const char *action, const json_t *body);

#endif
