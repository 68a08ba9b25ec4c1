#include "cm_workflow.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_approval.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_validate.h"

#define S_DETAIL_MAX 256

#define S_DEFAULT_ASSIGNEE_FIELD   "assignee"
#define S_DEFAULT_DEPARTMENT_FIELD "department"
#define S_DEFAULT_REQUESTER_FIELD  "requested_by"

static bool
s_row_in_state(const cm_workflow_t *self, const cm_workflow_row_t *row,
               const char *state)
{
    if (strcmp(row->state, CM_WORKFLOW_ANY_STATE) == 0) {
        return !cm_workflow_is_final(self, state);
    }
    return cm_validate_name_in(row->state, state);
}

// True when the actor's `key` equals the document's `field`. A missing or
// null value never matches, so an unassigned case has no assignee.
static bool
s_same(const json_t *actor, const char *key, const json_t *doc,
       const char *field)
{
    const json_t *mine = json_object_get(actor, key);
    const json_t *theirs = json_object_get(doc, field);
    return mine && !json_is_null(mine) && json_equal(mine, theirs);
}

// True when the actor's array `key` holds the document's `field` value.
static bool
s_listed(const json_t *actor, const char *key, const json_t *doc,
         const char *field)
{
    const json_t *list = json_object_get(actor, key);
    const json_t *theirs = json_object_get(doc, field);
    for (size_t i = 0; theirs && i < json_array_size(list); i++) {
        if (json_equal(json_array_get(list, i), theirs)) {
            return true;
        }
    }
    return false;
}

// Separation of duties: the actor must be known and must not be the
// requester. It binds the superuser too.
static bool
s_not_requester(const cm_workflow_t *self, const json_t *actor,
                const json_t *doc)
{
    const json_t *id = json_object_get(actor, "id");
    const char *field = self->requester_field ? self->requester_field
                                              : S_DEFAULT_REQUESTER_FIELD;
    return id && !json_is_null(id)
           && !json_equal(id, json_object_get(doc, field));
}

static bool
s_actor_may(const cm_workflow_t *self, const cm_workflow_row_t *row,
            const json_t *actor, const json_t *doc)
{
    if ((row->guards & CM_WORKFLOW_NOT_REQUESTER)
        && !s_not_requester(self, actor, doc)) {
        return false;
    }
    if (row->guards & CM_WORKFLOW_APPROVER) {
        return cm_approval_may_decide(doc, actor, NULL);
    }
    const char *role = json_string_value(json_object_get(actor, "role"));
    if (!(row->guards & CM_WORKFLOW_STRICT) && role && self->superuser_role
        && strcmp(role, self->superuser_role) == 0) {
        return true;
    }
    if (!cm_validate_name_in(row->roles, role)) {
        return false;
    }
    const char *assignee =
        self->assignee_field ? self->assignee_field : S_DEFAULT_ASSIGNEE_FIELD;
    if ((row->guards & CM_WORKFLOW_ASSIGNEE)
        && !s_same(actor, "id", doc, assignee)) {
        return false;
    }
    const char *department = self->department_field
                                 ? self->department_field
                                 : S_DEFAULT_DEPARTMENT_FIELD;
    if ((row->guards & CM_WORKFLOW_HEAD)
        && !s_listed(actor, "heads", doc, department)) {
        return false;
    }
    if ((row->guards & CM_WORKFLOW_OVERSEES)
        && !s_listed(actor, "oversees", doc, department)) {
        return false;
    }
    if (row->guard && !row->guard(actor, doc)) {
        return false;
    }
    return !(row->guards & CM_WORKFLOW_DEPARTMENT)
           || s_same(actor, "department", doc, department);
}

static bool
s_action_known(const cm_workflow_t *self, const char *action)
{
    for (size_t i = 0; i < self->row_count; i++) {
        if (strcmp(self->rows[i].action, action) == 0) {
            return true;
        }
    }
    return false;
}

// The first row for (state, action) that lets the actor act, or NULL.
// *in_state tells whether any row for (state, action) exists at all.
static const cm_workflow_row_t *
s_find_row(const cm_workflow_t *self, const char *state, const char *action,
           const json_t *actor, const json_t *doc, bool *in_state)
{
    *in_state = false;
    for (size_t i = 0; i < self->row_count; i++) {
        const cm_workflow_row_t *row = &self->rows[i];
        if (strcmp(row->action, action) != 0
            || !s_row_in_state(self, row, state)) {
            continue;
        }
        *in_state = true;
        if (s_actor_may(self, row, actor, doc)) {
            return row;
        }
    }
    return NULL;
}

static bool
s_array_has_string(const json_t *array, const char *text)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        const char *item = json_string_value(json_array_get(array, i));
        if (item && strcmp(item, text) == 0) {
            return true;
        }
    }
    return false;
}

// The 404, 409 or 403 problem for an action that no row allowed.
static json_t *
s_refusal(const cm_workflow_t *self, const char *state, const char *action,
          const json_t *actor, const json_t *doc, bool in_state)
{
    char detail[S_DETAIL_MAX];
    json_t *problem;
    if (!s_action_known(self, action)) {
        snprintf(detail, sizeof detail, "There is no action \"%s\".", action);
        problem = cm_problem_new(404, "unknown_action", detail);
    } else if (!in_state) {
        snprintf(detail, sizeof detail,
                 "\"%s\" is not possible in state \"%s\".", action, state);
        problem = cm_problem_new(409, "invalid_transition", detail);
    } else {
        snprintf(detail, sizeof detail,
                 "Your role or relation to this document does not allow "
                 "\"%s\".",
                 action);
        problem = cm_problem_new(403, "forbidden", detail);
    }
    const char *code = json_string_value(json_object_get(problem, "code"));
    cm_log_debug("workflow.refused", "table",
                 self->name ? self->name : "(unnamed)", "action", action,
                 "state", state, "code", code);
    if (cm_problem_status(problem) != 404) {
        // json_string is NULL for a state that is not UTF-8; cm_problem_set
        // then leaves the member out.
        cm_problem_set(problem, "state", json_string(state));
        cm_problem_set(problem, "allowed_actions",
                       cm_workflow_actions(self, state, actor, doc));
    }
    return problem;
}

// The 400 problem naming every required field the body lacks (every bad
// member, when the row has a fields table), or NULL.
static json_t *
s_missing_fields(const cm_workflow_row_t *row, const json_t *body)
{
    json_t *problem = NULL;
    if (row->fields) {
        cm_field_check(row->fields, body, &problem);
        return problem;
    }
    char field[CM_VALIDATE_NAME_MAX];
    const char *rest =
        cm_validate_next_name(row->required, field, sizeof field);
    while (rest) {
        if (!cm_validate_has_value(body, field)) {
            cm_validate_fail(&problem, field, "is required");
        }
        rest = cm_validate_next_name(rest, field, sizeof field);
    }
    return problem;
}

// True when every name of a (possibly NULL) list fits CM_VALIDATE_NAME_MAX.
static bool
s_names_fit(const char *names)
{
    for (const char *p = names; p && *p; p += strspn(p, " ")) {
        size_t span = strcspn(p, " ");
        if (span >= CM_VALIDATE_NAME_MAX) {
            return false;
        }
        p += span;
    }
    return true;
}

// Why a row is malformed, or NULL when it is fine.
static const char *
s_row_problem(const cm_workflow_row_t *row)
{
    if (!row->state || !row->action || !row->roles || !row->next_state) {
        return "state, action, roles and next_state are required";
    }
    if (strchr(row->action, ' ') || strcmp(row->action, "*") == 0) {
        return "action must be one name";
    }
    if (strchr(row->next_state, ' ')
        || strcmp(row->next_state, CM_WORKFLOW_ANY_STATE) == 0) {
        return "next_state must be one state";
    }
    if (!s_names_fit(row->state) || !s_names_fit(row->action)
        || !s_names_fit(row->roles) || !s_names_fit(row->required)
        || !s_names_fit(row->next_state)) {
        return "a name is too long";
    }
    return NULL;
}

// Why the table is malformed, or NULL; *row is the index of the bad row.
static const char *
s_table_problem(const cm_workflow_t *self, size_t *row)
{
    *row = 0;
    if (self->row_count > 0 && !self->rows) {
        return "rows is NULL";
    }
    for (size_t i = 0; i < self->row_count; i++) {
        const char *reason = s_row_problem(&self->rows[i]);
        if (reason) {
            *row = i;
            return reason;
        }
    }
    if (!s_names_fit(self->final_states)) {
        return "a final state name is too long";
    }
    return NULL;
}

int
cm_workflow_check(const cm_workflow_t *self)
{
    assert(self);
    size_t row = 0;
    const char *reason = s_table_problem(self, &row);
    if (reason) {
        cm_log_error("workflow.table_invalid", "table",
                     self->name ? self->name : "(unnamed)", "#row",
                     CM_LOG_INT(row), "reason", reason);
        return -1;
    }
    return 0;
}

bool
cm_workflow_is_final(const cm_workflow_t *self, const char *state)
{
    assert(self);
    return cm_validate_name_in(self->final_states, state);
}

json_t *
cm_workflow_apply(const cm_workflow_t *self, const char *state,
                  const char *action, const json_t *actor, const json_t *doc,
                  const json_t *body, cm_workflow_step_t *step)
{
    assert(self && state && action && step);
    memset(step, 0, sizeof *step);
    bool in_state = false;
    const cm_workflow_row_t *row =
        s_find_row(self, state, action, actor, doc, &in_state);
    if (!row) {
        return s_refusal(self, state, action, actor, doc, in_state);
    }
    json_t *problem = s_missing_fields(row, body);
    if (problem) {
        return problem;
    }
    step->row = row;
    if (strcmp(row->next_state, CM_WORKFLOW_STAY) == 0) {
        step->next_state = state;
    } else if (strcmp(row->next_state, CM_WORKFLOW_BY_CODE) != 0) {
        step->next_state = row->next_state;
    }
    step->event_type = row->event_type;
    return NULL;
}

json_t *
cm_workflow_actions(const cm_workflow_t *self, const char *state,
                    const json_t *actor, const json_t *doc)
{
    assert(self && state);
    json_t *actions = json_array();
    assert(actions);
    for (size_t i = 0; i < self->row_count; i++) {
        const cm_workflow_row_t *row = &self->rows[i];
        if (s_row_in_state(self, row, state)
            && !s_array_has_string(actions, row->action)
            && s_actor_may(self, row, actor, doc)) {
            json_array_append_new(actions, json_string(row->action));
        }
    }
    return actions;
}
