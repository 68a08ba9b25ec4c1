// staff_action — the status and role actions on a staff member:
// POST /v1/staff/{id}/suspend | reinstate | leave | change-role. The
// transitions and who may take them are the table staff_workflow.
#ifndef PERSONNEL_STAFF_ACTION_H
#define PERSONNEL_STAFF_ACTION_H

#include <jansson.h>

#include "cm_ctx.h"

// Check an action body's members (NULL body: none). Unknown actions pass
// (the workflow answers them). NULL or a 400 problem; caller owns it.
json_t *staff_action_validate(const char *action, const json_t *body);

// Route handler: POST /v1/staff/{id}/{action}.
void staff_action(cm_ctx_t *ctx);

#endif
