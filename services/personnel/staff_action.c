#include "staff_action.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_problem.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "org.h"
#include "personnel.h"
#include "sanction.h"
#include "staff.h"

#define S_REASON_MAX  500
#define S_CHANGED_MAX 256

static const cm_field_t s_reason_required[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = S_REASON_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_reason_optional[] = {
    {"reason", CM_FIELD_TEXT, 0, .max = S_REASON_MAX},
    CM_FIELD_END,
};

// Leaving that is not a punishment; dismissal is a sanction (sanction.h).
#define S_LEAVE_KINDS "resignation contract_end retirement"

static const cm_field_t s_leave_fields[] = {
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = S_LEAVE_KINDS},
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = S_REASON_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_role_fields[] = {
    {"role", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = PERSONNEL_ROLES},
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = S_REASON_MAX},
    CM_FIELD_END,
};

// ---- effects

// "name, contact": the members a patch changes, for the event.
static void
s_changed_fields(const json_t *body, char *text, size_t size)
{
    text[0] = '\0';
    const char *key;
    json_t *value;
    size_t used = 0;
    json_object_foreach((json_t *)body, key, value)
    {
        int n =
            snprintf(text + used, size - used, "%s%s", used ? ", " : "", key);
        if (n < 0 || (size_t)n >= size - used) {
            break;
        }
        used += (size_t)n;
    }
}

// A deputy moves people only between departments it oversees.
static json_t *
s_check_move(const cm_action_t *a)
{
    const char *department = cm_doc_string(a->body, "department");
    if (!department
        || strcmp(department, cm_doc_text(a->old, "department")) == 0
        || access_oversees(a->actor, department)) {
        return NULL;
    }
    return access_forbidden("move staff to a department you do not oversee");
}

static json_t *
s_update(cm_action_t *a)
{
    json_t *problem = staff_refuse_top(a->actor, a->old);
    problem = problem ? problem : staff_validate_patch(a->body);
    problem = problem ? problem : s_check_move(a);
    problem = problem ? problem : staff_check_references(a->store, a->body);
    if (problem) {
        return problem;
    }
    staff_apply_patch(a->doc, a->body);
    problem = org_release_posts(a->ctx, a->commit, a->doc, a->now_ms);
    if (!problem) {
        char changed[S_CHANGED_MAX];
        s_changed_fields(a->body, changed, sizeof changed);
        cm_action_event(a, PERSONNEL_EVENT_STAFF_UPDATED,
                        json_pack("{s:s}", "changed", changed));
    }
    return problem;
}

// Suspend, reinstate, leave: the status follows the state.
static json_t *
s_set_status(cm_action_t *a)
{
    json_t *problem = staff_refuse_top(a->actor, a->old);
    if (problem) {
        return problem;
    }
    json_object_set_new(a->doc, "status", json_string(a->next_state));
    if (strcmp(a->next_state, "active") == 0 && access_is_top(a->doc)) {
        return org_claim_station_head(a->store, cm_doc_text(a->doc, "id"),
                                      a->commit);
    }
    if (strcmp(a->next_state, "left") == 0) {
        return org_release_posts(a->ctx, a->commit, a->doc, a->now_ms);
    }
    return NULL;
}

static json_t *
s_change_role(cm_action_t *a)
{
    const char *role = cm_doc_string(a->body, "role");
    json_t *problem = staff_refuse_top(a->actor, a->old);
    if (!problem && !access_may_grant(a->actor, role)) {
        problem = access_forbidden("grant this role (only the station head "
                                   "grants station_head and deputy_head)");
    }
    if (!problem && strcmp(role, cm_doc_text(a->old, "role")) == 0) {
        problem = cm_action_refuse(a, 422, "no_change",
                                   "the staff member already has this role");
    }
    if (problem) {
        return problem;
    }
    json_object_set_new(a->doc, "role", json_string(role));
    json_object_set(a->event_data, "previous_role",
                    json_object_get(a->old, "role"));
    if (access_is_top(a->doc)
        && strcmp(cm_doc_text(a->doc, "status"), "active") == 0) {
        problem = org_claim_station_head(a->store, cm_doc_text(a->doc, "id"),
                                         a->commit);
    }
    // A change of rank is a promotion or a demotion: a sanction, with its
    // reason, the station head's approval and a public notice.
    if (!problem
        && sanction_role_rank(role)
               != sanction_role_rank(cm_doc_text(a->old, "role"))) {
        problem = cm_action_refuse(a, 409, "sanction_required",
                                   "a promotion or demotion is a sanction: "
                                   "POST /v1/sanctions");
    }
    return problem ? problem
                   : org_release_posts(a->ctx, a->commit, a->doc, a->now_ms);
}

// ---- the process

#define S_MANAGER  "deputy_head"
#define S_OVER     CM_WORKFLOW_OVERSEES
#define S_NOT_SELF (CM_WORKFLOW_OVERSEES | CM_WORKFLOW_NOT_REQUESTER)

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields, effect
    // update: the body is checked by the effect (role and status point at
    // their actions); its event names the changed fields.
    {"active suspended", "update", S_MANAGER, S_OVER, NULL, CM_WORKFLOW_STAY,
     NULL, NULL, s_update},
    {"active", "suspend", S_MANAGER, S_NOT_SELF, NULL, "suspended",
     PERSONNEL_EVENT_STAFF_SUSPENDED, s_reason_required, s_set_status},
    {"suspended", "reinstate", S_MANAGER, S_NOT_SELF, NULL, "active",
     PERSONNEL_EVENT_STAFF_REINSTATED, s_reason_optional, s_set_status},
    {"active suspended", "leave", S_MANAGER, S_NOT_SELF, NULL, "left",
     PERSONNEL_EVENT_STAFF_LEFT, s_leave_fields, s_set_status},
    {"active suspended", "change-role", S_MANAGER, S_NOT_SELF, NULL,
     CM_WORKFLOW_STAY, PERSONNEL_EVENT_STAFF_ROLE_CHANGED, s_role_fields,
     s_change_role},
};

const cm_workflow_t staff_workflow = {
    .name = "staff",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "left",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .requester_field = "id",
};

json_t *
staff_action_validate(const char *action, const json_t *body)
{
    json_t *problem = NULL;
    for (size_t i = 0; action && i < staff_workflow.row_count; i++) {
        const cm_workflow_row_t *row = &staff_workflow.rows[i];
        if (strcmp(row->action, action) == 0 && row->fields) {
            cm_field_check(row->fields, body, &problem);
            break;
        }
    }
    return problem;
}
