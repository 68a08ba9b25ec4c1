#include "workorder_flow.h"

#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "cm_action.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "dispatch.h"
#include "events/dispatch.h"
#include "workorder.h"

#define S_DETAIL_MAX 256

// Any staff role an assignee may have; the ASSIGNEE guard narrows it to the
// one person.
#define S_STAFF_ROLES                                                          \
    "dept_head deputy_head technician cs_agent logistics finance "             \
    "safety_officer"

#define S_SELF     DISPATCH_SELF_ROLE
#define S_STRICT   CM_WORKFLOW_STRICT
#define S_HEAD     CM_WORKFLOW_HEAD
#define S_OVERSEES CM_WORKFLOW_OVERSEES
#define S_WORKING  "open assigned accepted in_progress"
#define S_ASSIGNED "assigned accepted in_progress"

// Field work goes only to people whose three-level safety training is
// complete: 409 training_incomplete naming the missing levels otherwise.
static json_t *
s_training_gate(cm_action_t *a, const char *assignee)
{
    if (!workorder_is_field_work(a->doc)) {
        return NULL;
    }
    json_t *missing = NULL;
    if (assign_training_missing(a->store, assignee, &missing) != 0) {
        return cm_problem_new(503, "store_unavailable",
                              "the org view is unreadable; retry");
    }
    if (json_array_size(missing) == 0) {
        json_decref(missing);
        return NULL;
    }
    char levels[S_DETAIL_MAX] = "";
    for (size_t i = 0; i < json_array_size(missing); i++) {
        const char *level = json_string_value(json_array_get(missing, i));
        size_t used = strlen(levels);
        snprintf(levels + used, sizeof levels - used, "%s%.32s", i ? ", " : "",
                 level ? level : "?");
    }
    char detail[S_DETAIL_MAX * 2];
    snprintf(detail, sizeof detail,
             "%.64s has not completed the three-level safety training "
             "required for field work; missing: %s.",
             assignee, levels);
    json_t *problem = cm_action_refuse(a, 409, "training_incomplete", detail);
    cm_problem_set(problem, "missing_levels", missing);
    cm_problem_set(problem, "assignee", json_string(assignee));
    return problem;
}

// assign / reassign: the assignee must be active staff of the work order's
// department (the org view), whoever assigns.
static json_t *
s_assign(cm_action_t *a)
{
    const char *assignee = cm_doc_text(a->body, "assignee");
    const char *dept = cm_doc_text(a->doc, "department");
    json_t *staff = cm_org_staff(a->store, DISPATCH_OWNER, assignee);
    bool fits = staff && cm_org_is_active(staff)
                && strcmp(cm_doc_text(staff, "department"), dept) == 0;
    json_decref(staff);
    if (!fits) {
        if (!staff && cm_store_ping(a->store) != 0) {
            return cm_problem_new(503, "store_unavailable",
                                  "the org view is unreadable; retry");
        }
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail,
                 "%.64s is not active staff of department %.64s.", assignee,
                 dept);
        return cm_action_refuse(a, 422, "assignee_unavailable", detail);
    }
    json_t *problem = s_training_gate(a, assignee);
    if (problem) {
        return problem;
    }
    json_t *previous = json_object_get(a->doc, "assignee");
    json_object_set(a->doc, "previous_assignee",
                    previous ? previous : json_null());
    cm_doc_set_string(a->doc, "assignee", assignee);
    return NULL;
}

// requeue: the case went to another department; whoever had the work
// order there is not its assignee any more.
static json_t *
s_requeue(cm_action_t *a)
{
    json_t *previous = json_object_get(a->doc, "assignee");
    json_object_set(a->doc, "previous_assignee",
                    previous ? previous : json_null());
    json_object_set_new(a->doc, "assignee", json_null());
    return NULL;
}

static json_t *
s_escalate(cm_action_t *a)
{
    json_object_set(a->doc, "escalation_level",
                    json_object_get(a->body, "level"));
    return NULL;
}

static const cm_field_t s_assign_fields[] = {
    {"assignee", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_escalate_fields[] = {
    {"level", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 3},
    {"escalated_to", CM_FIELD_CODE},
    {"target", CM_FIELD_ENUM, 0,
     .values = "first_response department_reply resolution"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_requeue_fields[] = {
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "department"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note[] = {CM_FIELD_NOTE, CM_FIELD_END};

#define S_ASSIGN(roles, guards)                                                \
    {                                                                          \
        "open", "assign", roles, guards, NULL, "assigned",                     \
            DISPATCH_EVENT_WORKORDER_ASSIGNED, s_assign_fields, s_assign       \
    }
#define S_REASSIGN(roles, guards)                                              \
    {                                                                          \
        S_ASSIGNED, "reassign", roles, guards, NULL, "assigned",               \
            DISPATCH_EVENT_WORKORDER_REASSIGNED, s_assign_fields, s_assign     \
    }
#define S_VERIFY(roles, guards)                                                \
    {                                                                          \
        "done", "verify", roles, guards, NULL, "verified",                     \
            DISPATCH_EVENT_WORKORDER_VERIFIED, s_note                          \
    }

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    S_ASSIGN("dept_head", S_HEAD),
    S_ASSIGN("deputy_head", S_OVERSEES),
    S_ASSIGN(S_SELF, S_STRICT), // a roster's pick, the case's technician
    S_REASSIGN("dept_head", S_HEAD),
    S_REASSIGN("deputy_head", S_OVERSEES),
    S_REASSIGN(S_SELF, S_STRICT),
    {"assigned", "accept", S_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "accepted", DISPATCH_EVENT_WORKORDER_ACCEPTED, s_note},
    {"accepted", "start", S_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "in_progress", DISPATCH_EVENT_WORKORDER_STARTED, s_note},
    {"in_progress", "complete", S_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "done", DISPATCH_EVENT_WORKORDER_COMPLETED, s_note},
    // The case behind it was closed: the work is done whatever its state.
    {S_WORKING, "complete", S_SELF, S_STRICT, NULL, "done",
     DISPATCH_EVENT_WORKORDER_COMPLETED, s_note},
    S_VERIFY("dept_head", S_HEAD),
    S_VERIFY("deputy_head", S_OVERSEES),
    // A clock behind it breached (escalation.c).
    {"*", "escalate", S_SELF, S_STRICT, NULL, CM_WORKFLOW_STAY,
     DISPATCH_EVENT_WORKORDER_ESCALATED, s_escalate_fields, s_escalate},
    // The case behind it was forwarded to another department.
    {S_WORKING, "requeue", S_SELF, S_STRICT, NULL, "open",
     DISPATCH_EVENT_WORKORDER_REQUEUED, s_requeue_fields, s_requeue},
    // The case behind it was cancelled.
    {S_WORKING, "close", S_SELF, S_STRICT, NULL, "closed",
     DISPATCH_EVENT_WORKORDER_CLOSED, s_note},
};

static const cm_workflow_row_t s_create_rows[] = {
    {"new", "create", "dept_head", S_HEAD, NULL, "open", NULL},
    {"new", "create", "deputy_head", S_OVERSEES, NULL, "open", NULL},
    {"new", "create", "dept_head technician cs_agent logistics finance "
     "safety_officer", CM_WORKFLOW_DEPARTMENT, NULL, "open", NULL},
};
// clang-format on

const cm_workflow_t workorder_flow = {
    .name = "dispatch.workorder",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "verified closed",
    .superuser_role = "station_head",
};

const cm_workflow_t workorder_create_rules = {
    .name = "dispatch.workorder.create",
    .rows = s_create_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_create_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

int
workorder_flow_check(void)
{
    return cm_workflow_check(&workorder_flow) == 0
                   && cm_workflow_check(&workorder_create_rules) == 0
               ? 0
               : -1;
}
