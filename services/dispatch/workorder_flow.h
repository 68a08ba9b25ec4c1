// workorder_flow — the rules of dispatch as cm_workflow tables: the work
// order process (who may assign, accept, start, complete, verify, reassign,
// escalate, close), and the small tables for creating work orders and
// editing rosters, SLA policies and calendars.
#ifndef DISPATCH_WORKORDER_FLOW_H
#define DISPATCH_WORKORDER_FLOW_H

#include <stdbool.h>

#include "cm_workflow.h"

// States a work order is unfinished in (counted as load, shown in queues).
#define WORKORDER_UNFINISHED "open assigned accepted in_progress"

// The work order process. Borrowed: static.
const cm_workflow_t *workorder_flow(void);

// Who may create a work order (state "new", action "create"). Static.
const cm_workflow_t *workorder_create_rules(void);

// Who may replace a department's roster (state "current", action
// "update"; the document's department field is the roster's). Static.
const cm_workflow_t *roster_rules(void);

// Who may edit SLA policies and calendars (state "current", action
// "update"). Static.
const cm_workflow_t *settings_rules(void);

// Check every table (start hook). 0 or -1 after logging.
int workorder_flow_check_all(void);

// True when a work order in `state` still needs work.
bool workorder_state_is_unfinished(const char *state);

#endif
