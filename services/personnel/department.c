#include "department.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "org.h"
#include "personnel.h"
#include "staff.h"

#define S_DEPTH_MAX 32 // longest parent chain walked for a cycle

// ---- body tables

static bool
s_check_code(const json_t *value, const char *field, json_t **problem)
{
    if (department_code_is_valid(json_string_value(value))) {
        return true;
    }
    return cm_validate_fail(problem, field,
                            "must be 2-32 characters: a-z, 0-9 and _, "
                            "starting with a letter");
}

static bool
s_check_parent(const json_t *value, const char *field, json_t **problem)
{
    return department_code_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field, "must be a department id");
}

static bool
s_check_staff_id(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), STAFF_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a staff id such as ST-7");
}

static const cm_field_t s_create_fields[] = {
    {"code", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_code},
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = DEPARTMENT_NAME_MAX},
    {"head", CM_FIELD_ANY, 0, .check = s_check_staff_id},
    {"deputy", CM_FIELD_ANY, 0, .check = s_check_staff_id},
    {"parent", CM_FIELD_ANY, 0, .check = s_check_parent},
    CM_FIELD_END,
};

static const cm_field_t s_patch_fields[] = {
    {"name", CM_FIELD_STRING, 0, .max = DEPARTMENT_NAME_MAX, .to = "name"},
    {"head", CM_FIELD_ANY, 0, .to = "head", .check = s_check_staff_id},
    {"deputy", CM_FIELD_ANY, 0, .to = "deputy", .check = s_check_staff_id},
    {"parent", CM_FIELD_ANY, 0, .to = "parent", .check = s_check_parent},
    CM_FIELD_END,
};

// ---- the process

static json_t *s_update(cm_action_t *action);

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields, effect
    {"active", "update", "deputy_head", CM_WORKFLOW_OVERSEES, NULL,
     CM_WORKFLOW_STAY, PERSONNEL_EVENT_DEPARTMENT_UPDATED, s_patch_fields,
     s_update},
};

const cm_workflow_t department_workflow = {
    .name = "department",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "dissolved",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .department_field = "code",
};

static const cm_filter_t s_filters[] = {
    {"head"},
    {"deputy"},
    {"parent"},
    {NULL},
};

const cm_doc_type_t department_type = {
    .owner = PERSONNEL_OWNER,
    .kind = DEPARTMENT_KIND,
    .what = "department",
    .path = "/v1/departments",
    .filters = s_filters,
    .workflow = &department_workflow,
};

// ---- pure parts

bool
department_code_is_valid(const char *text)
{
    size_t n = text ? strlen(text) : 0;
    if (n < 2 || n > DEPARTMENT_CODE_MAX || text[0] < 'a' || text[0] > 'z') {
        return false;
    }
    return strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

json_t *
department_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    cm_field_check(s_create_fields, body, &problem);
    return problem;
}

json_t *
department_validate_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    if (json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body", "names no field to change");
    }
    if (json_is_null(json_object_get(body, "name"))) {
        cm_validate_fail(&problem, "name", "cannot be removed");
    }
    cm_field_check(s_patch_fields, body, &problem);
    return problem;
}

// body[field] as a new reference: its string, or null.
static json_t *
s_optional(const json_t *body, const char *field)
{
    const char *text = cm_doc_string(body, field);
    return text ? json_string(text) : json_null();
}

json_t *
department_new_doc(const json_t *body, const json_t *actor, int64_t now_ms)
{
    const char *code = cm_doc_string(body, "code");
    assert(code);
    json_t *doc = cm_doc_new(code, "active", actor, now_ms);
    json_object_set_new(doc, "code", json_string(code));
    json_object_set_new(doc, "name", s_optional(body, "name"));
    const char *fields[] = {"head", "deputy", "parent"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_object_set_new(doc, fields[i], s_optional(body, fields[i]));
    }
    return doc;
}

void
department_apply_patch(json_t *doc, const json_t *body)
{
    assert(doc && body);
    cm_field_copy(s_patch_fields, body, doc);
}

// ---- references

// body.parent must exist and, walking up, never reach self_id (NULL for a
// new department). NULL or a problem (400, 503).
static json_t *
s_check_parent_chain(cm_store_t *store, const json_t *body, const char *self_id)
{
    const char *parent = cm_doc_string(body, "parent");
    char current[DEPARTMENT_CODE_MAX + 1];
    snprintf(current, sizeof current, "%s", parent ? parent : "");
    json_t *problem = NULL;
    for (int depth = 0; current[0] && !problem && depth < S_DEPTH_MAX;
         depth++) {
        if (self_id && strcmp(current, self_id) == 0) {
            cm_validate_fail(&problem, "parent", "would make a cycle");
            break;
        }
        json_t *doc = NULL;
        int64_t version = 0;
        int rc = cm_doc_read(store, &department_type, current, &doc, &version);
        if (rc == CM_ENOTFOUND && depth == 0) {
            cm_validate_fail(&problem, "parent", "no such department");
        } else if (rc != 0 && rc != CM_ENOTFOUND) {
            problem = cm_problem_new(503, "store_unavailable",
                                     "the store is unavailable; retry");
        }
        snprintf(current, sizeof current, "%s", cm_doc_text(doc, "parent"));
        json_decref(doc);
    }
    return problem;
}

// The posts and parent body names for department code. NULL or a problem.
static json_t *
s_check_references(cm_store_t *store, const json_t *body, const char *code,
                   const char *self_id)
{
    json_t *problem = org_check_posts(store, body, code);
    return problem ? problem : s_check_parent_chain(store, body, self_id);
}

// ---- handlers

static json_t *
s_update(cm_action_t *a)
{
    const json_t *deputy = json_object_get(a->body, "deputy");
    if (deputy && !json_equal(deputy, json_object_get(a->old, "deputy"))
        && !access_is_top(a->actor)) {
        return access_forbidden("assign a department's deputy head (the "
                                "station head does)");
    }
    json_t *problem = department_validate_patch(a->body);
    if (!problem) {
        problem =
            s_check_references(a->store, a->body, cm_doc_text(a->old, "code"),
                               cm_doc_text(a->old, "id"));
    }
    return problem;
}

void
department_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    if (!access_is_top(cm_ctx_actor(ctx))) {
        cm_ctx_fail(ctx, access_forbidden("create a department (the station "
                                          "head does)"));
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = department_validate_create(body);
    if (!problem) {
        problem = s_check_references(cm_ctx_store(ctx), body,
                                     cm_doc_string(body, "code"), NULL);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = department_new_doc(body, cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    int rc =
        cm_doc_commit(commit, &department_type, NULL, doc, CM_VERSION_NEW, now);
    rc = rc ? rc
            : cm_doc_event(ctx, commit, &department_type,
                           PERSONNEL_EVENT_DEPARTMENT_CREATED, doc, 1, NULL);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "the department is too large");
    } else if (cm_doc_reply_commit(ctx, commit, &department_type, 201, doc, 1)
               == CM_COMMIT_CONFLICT) {
        cm_ctx_fail(ctx, cm_problem_new(409, "department_exists",
                                        "a department with this code "
                                        "exists"));
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
department_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &department_type, NULL);
    }
}

void
department_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &department_type);
    }
}

void
department_patch(cm_ctx_t *ctx)
{
    if (access_manager(ctx, "manage departments")) {
        cm_action_patch(ctx, &department_type);
    }
}

void
department_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &department_type);
    }
}
