#include "workorder_flow.h"

#include "cm_validate.h"

// Any staff role an assignee may have; the ASSIGNEE guard narrows it to the
// one person.
#define S_STAFF_ROLES                                                          \
    "dept_head deputy_head technician cs_agent logistics finance "             \
    "safety_officer"

// clang-format off
static const cm_workflow_row_t s_workorder_rows[] = {
    // state(s), action, roles, guards, required, next, event
    {"open", "assign", "dept_head", CM_WORKFLOW_DEPARTMENT, "assignee",
     "assigned", "dispatch.workorder.assigned"},
    {"open", "assign", "system", CM_WORKFLOW_STRICT, "assignee",
     "assigned", "dispatch.workorder.assigned"},
    {"assigned accepted in_progress", "reassign", "dept_head",
     CM_WORKFLOW_DEPARTMENT, "assignee", "assigned",
     "dispatch.workorder.reassigned"},
    {"assigned accepted in_progress", "reassign", "system",
     CM_WORKFLOW_STRICT, "assignee", "assigned",
     "dispatch.workorder.reassigned"},
    {"assigned", "accept", S_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "accepted", "dispatch.workorder.accepted"},
    {"accepted", "start", S_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "in_progress", "dispatch.workorder.started"},
    {"in_progress", "complete", S_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "done", "dispatch.workorder.completed"},
    // The case behind it was closed: the work is done whatever its state.
    {"open assigned accepted in_progress", "complete", "system",
     CM_WORKFLOW_STRICT, NULL, "done", "dispatch.workorder.completed"},
    {"done", "verify", "dept_head", CM_WORKFLOW_DEPARTMENT, NULL, "verified",
     "dispatch.workorder.verified"},
    {"*", "escalate", "system", CM_WORKFLOW_STRICT, NULL, CM_WORKFLOW_STAY,
     "dispatch.workorder.escalated"},
    // The case behind it was cancelled.
    {"open assigned accepted in_progress", "close", "system",
     CM_WORKFLOW_STRICT, NULL, "closed", "dispatch.workorder.closed"},
};

static const cm_workflow_row_t s_create_rows[] = {
    {"new", "create", "dept_head deputy_head cs_agent safety_officer "
     "logistics technician system", 0, "title department", "open",
     "dispatch.workorder.created"},
};

static const cm_workflow_row_t s_roster_rows[] = {
    {"current", "update", "dept_head", CM_WORKFLOW_DEPARTMENT, NULL,
     CM_WORKFLOW_STAY, NULL},
    {"current", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY, NULL},
};

static const cm_workflow_row_t s_settings_rows[] = {
    {"current", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY, NULL},
};
// clang-format on

static const cm_workflow_t s_workorder = {
    .name = "dispatch.workorder",
    .rows = s_workorder_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_workorder_rows),
    .final_states = "verified closed",
    .superuser_role = "station_head",
};

static const cm_workflow_t s_create = {
    .name = "dispatch.workorder.create",
    .rows = s_create_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_create_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

static const cm_workflow_t s_roster = {
    .name = "dispatch.roster",
    .rows = s_roster_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_roster_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

static const cm_workflow_t s_settings = {
    .name = "dispatch.settings",
    .rows = s_settings_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_settings_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

const cm_workflow_t *
workorder_flow(void)
{
    return &s_workorder;
}

const cm_workflow_t *
workorder_create_rules(void)
{
    return &s_create;
}

const cm_workflow_t *
roster_rules(void)
{
    return &s_roster;
}

const cm_workflow_t *
settings_rules(void)
{
    return &s_settings;
}

int
workorder_flow_check_all(void)
{
    const cm_workflow_t *tables[] = {&s_workorder, &s_create, &s_roster,
                                     &s_settings};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

bool
workorder_state_is_unfinished(const char *state)
{
    return cm_validate_name_in(WORKORDER_UNFINISHED, state);
}
