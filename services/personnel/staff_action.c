#include "staff_action.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_problem.h"
#include "cm_store.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "personnel.h"
#include "record.h"
#include "staff.h"

#define S_REASON_MAX 500
#define S_NOTE_MAX   640

// Managers act on others; nobody suspends, dismisses or re-roles themself
// (requester_field "id": the document's own id), which also keeps the last
// station head from locking everyone out.
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event
    {"active suspended", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY,
     "personnel.staff.updated"},
    {"active", "suspend", "deputy_head", CM_WORKFLOW_NOT_REQUESTER, "reason",
     "suspended", "personnel.staff.suspended"},
    {"suspended", "reinstate", "deputy_head", CM_WORKFLOW_NOT_REQUESTER, NULL,
     "active", "personnel.staff.reinstated"},
    {"active suspended", "leave", "deputy_head", CM_WORKFLOW_NOT_REQUESTER,
     NULL, "left", "personnel.staff.left"},
    {"active suspended", "change-role", "deputy_head",
     CM_WORKFLOW_NOT_REQUESTER, "role reason", CM_WORKFLOW_STAY,
     "personnel.staff.role_changed"},
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
    if (!action || (body && !cm_validate_object(body, &problem))) {
        return problem;
    }
    bool change_role = strcmp(action, "change-role") == 0;
    if (!change_role
        && !cm_validate_name_in("suspend reinstate leave", action)) {
        return NULL;
    }
    if (!body) {
        return NULL;
    }
    cm_validate_keys(body, change_role ? "role reason" : "reason", &problem);
    const char *reason = record_string(body, "reason");
    if (cm_validate_string(body, "reason", CM_VALIDATE_OPTIONAL, &problem)
        && reason && strlen(reason) > S_REASON_MAX) {
        cm_validate_fail(&problem, "reason", "must be at most 500 characters");
    }
    if (change_role) {
        cm_validate_enum(body, "role", PERSONNEL_ROLES, CM_VALIDATE_REQUIRED,
                         &problem);
    }
    return problem;
}

// For change-role: the new role must differ and the actor may grant it.
// True to go on; else answered.
static bool
s_role_change_allowed(cm_ctx_t *ctx, const json_t *doc, const json_t *body)
{
    const char *role = record_string(body, "role");
    if (!access_may_touch_role(ctx, role)) {
        return false;
    }
    if (strcmp(role, record_string(doc, "role")) == 0) {
        cm_ctx_fail(ctx, cm_problem_new(422, "no_change",
                                        "the staff member already has this "
                                        "role"));
        return false;
    }
    return true;
}

// Change doc as the step says; *note gets the history note.
static void
s_apply(json_t *doc, const cm_workflow_step_t *step, const char *action,
        const json_t *body, char *note, size_t size)
{
    const char *reason = record_string(body, "reason");
    if (step->next_state) {
        json_object_set_new(doc, "status", json_string(step->next_state));
        json_object_set_new(doc, "state", json_string(step->next_state));
    }
    if (strcmp(action, "change-role") == 0) {
        snprintf(note, size, "%s -> %s: %s", record_string(doc, "role"),
                 record_string(body, "role"), reason ? reason : "");
        json_object_set(doc, "role", json_object_get(body, "role"));
    } else {
        snprintf(note, size, "%s", reason ? reason : "");
    }
}

// Apply the allowed step to doc and write it with its event.
static void
s_commit_action(cm_ctx_t *ctx, json_t *doc, int64_t version,
                const cm_workflow_step_t *step, const char *action,
                const json_t *body)
{
    json_t *old_doc = json_deep_copy(doc);
    assert(old_doc);
    char note[S_NOTE_MAX];
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms(), now);
    s_apply(doc, step, action, body, note, sizeof note);
    record_history_add(doc, cm_ctx_actor_id(ctx), action, note[0] ? note : NULL,
                       now);
    json_t *data = staff_event_data(doc, version + 1);
    json_object_set(data, "reason", json_object_get(body, "reason"));
    if (strcmp(action, "change-role") == 0) {
        json_object_set(data, "previous_role",
                        json_object_get(old_doc, "role"));
    }
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    staff_commit_add(ctx, commit, doc, old_doc, version, step->event_type,
                     data);
    record_commit_reply(ctx, commit, 200, staff_present(ctx, doc, version + 1),
                        version + 1, NULL);
    cm_commit_destroy(&commit);
    json_decref(old_doc);
}

void
staff_action(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const char *action = cm_ctx_param(ctx, "action");
    int64_t version = 0;
    json_t *doc = staff_load(ctx, &version);
    if (!doc || !access_may_touch_role(ctx, record_string(doc, "role"))
        || !record_if_match(ctx, version)) {
        json_decref(doc);
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(&staff_workflow, record_state(doc), action,
                          cm_ctx_actor(ctx), doc, body, &step);
    if (!problem) {
        problem = staff_action_validate(action, body);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (strcmp(action, "update") == 0) {
        cm_ctx_fail(ctx, cm_problem_new(404, "unknown_action",
                                        "edit a staff member with PATCH"));
    } else if (strcmp(action, "change-role") != 0
               || s_role_change_allowed(ctx, doc, body)) {
        s_commit_action(ctx, doc, version, &step, action, body);
    }
    json_decref(doc);
}
