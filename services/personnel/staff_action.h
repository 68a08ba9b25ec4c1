// staff_action — the process of a staff record: PATCH (update) and the
// status and role actions POST /v1/staff/{id}/suspend | reinstate | leave
// | change-role, as rows of staff_workflow with their bodies and effects
// (cm_action runs them). Managers act only on people of the departments
// they oversee (the station head everywhere), never on themselves (the
// requester field is the record's own id), and only the station head acts
// on a station head. `leave` is for leaving that is not a punishment
// (kind resignation, contract_end, retirement, with a reason);
// `change-role` only moves between roles of the same rank: a promotion,
// a demotion or a dismissal goes through a sanction (sanction.h).
#ifndef PERSONNEL_STAFF_ACTION_H
#define PERSONNEL_STAFF_ACTION_H

#include <jansson.h>

#include "cm_workflow.h"

// The rows (staff.h's type names it as its process).
extern const cm_workflow_t staff_workflow;

// Check an action body's members (NULL body: none) against the action's
// body table. Unknown actions pass (the workflow answers them). NULL or a
// 400 problem; caller owns it.
json_t *staff_action_validate(const char *action, const json_t *body);

#endif
