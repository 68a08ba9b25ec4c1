// workorder_flow — the work order rules as cm_workflow tables: the process
// (who may assign, accept, start, complete, verify, reassign; what dispatch
// alone does: assign from a case or a roster, complete and close when the
// case does, escalate) with each action's body and effect, and who may
// create a work order for a department.
//
// Authority follows the org view (cm_org): a department's head
// (CM_WORKFLOW_HEAD) and the deputy head overseeing it
// (CM_WORKFLOW_OVERSEES) assign, reassign and verify its work orders; the
// station head may take every row but dispatch's own (role
// DISPATCH_SELF_ROLE, strict). A work order is created by the department's
// head or deputy, the station head, or the department's own staff for
// their department; a system account opens work orders only through the
// events of the services it feeds. The assignee of assign and reassign
// must be active staff of the work order's department (422
// assignee_unavailable), on every path.
#ifndef DISPATCH_WORKORDER_FLOW_H
#define DISPATCH_WORKORDER_FLOW_H

#include "cm_workflow.h"

// The work order process. Static.
extern const cm_workflow_t workorder_flow;

// Who may create a work order: state "new", action "create", on the
// document {"department"} the work order would be for. Static.
extern const cm_workflow_t workorder_create_rules;

// Check both tables (start hook). 0 or -1 after logging.
int workorder_flow_check(void);

#endif
