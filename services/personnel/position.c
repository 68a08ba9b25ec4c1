#include "position.h"

#include <assert.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "department.h"
#include "events/personnel.h"
#include "personnel.h"

static bool
s_check_department(const json_t *value, const char *field, json_t **problem)
{
    return department_code_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field, "must be a department id");
}

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = POSITION_TITLE_MAX},
    {"department", CM_FIELD_ANY, CM_FIELD_REQUIRED,
     .check = s_check_department},
    {"grade", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = POSITION_GRADE_MIN,
     .max = POSITION_GRADE_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_patch_fields[] = {
    {"title", CM_FIELD_STRING, 0, .max = POSITION_TITLE_MAX, .to = "title"},
    {"department", CM_FIELD_ANY, 0, .to = "department",
     .check = s_check_department},
    {"grade", CM_FIELD_INTEGER, 0, .min = POSITION_GRADE_MIN,
     .max = POSITION_GRADE_MAX, .to = "grade"},
    CM_FIELD_END,
};

static json_t *s_update(cm_action_t *action);

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields, effect
    {"active", "update", "deputy_head", CM_WORKFLOW_OVERSEES, NULL,
     CM_WORKFLOW_STAY, PERSONNEL_EVENT_POSITION_UPDATED, s_patch_fields,
     s_update},
    {"active", "update", "dept_head", CM_WORKFLOW_HEAD, NULL, CM_WORKFLOW_STAY,
     PERSONNEL_EVENT_POSITION_UPDATED, s_patch_fields, s_update},
};

const cm_workflow_t position_workflow = {
    .name = "position",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
    .superuser_role = PERSONNEL_TOP_ROLE,
};

static const cm_filter_t s_filters[] = {{"department"}, {NULL}};

const cm_doc_type_t position_type = {
    .owner = PERSONNEL_OWNER,
    .kind = POSITION_KIND,
    .what = "position",
    .id_prefix = POSITION_ID_PREFIX,
    .path = "/v1/positions",
    .filters = s_filters,
    .workflow = &position_workflow,
};

json_t *
position_validate_create(const json_t *body)
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
position_validate_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    if (json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body", "names no field to change");
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        if (json_is_null(value) && cm_field_find(s_patch_fields, key)) {
            cm_validate_fail(&problem, key, "cannot be removed");
        }
    }
    cm_field_check(s_patch_fields, body, &problem);
    return problem;
}

json_t *
position_new_doc(const json_t *body, const char *id, const json_t *actor,
                 int64_t now_ms)
{
    json_t *doc = cm_doc_new(id, "active", actor, now_ms);
    json_object_set(doc, "title", json_object_get(body, "title"));
    json_object_set(doc, "department", json_object_get(body, "department"));
    json_object_set(doc, "grade", json_object_get(body, "grade"));
    return doc;
}

// body.department, when present, must exist and be the caller's to manage
// (the station head; the deputy overseeing it; for an edit, its head).
// NULL or a problem.
static json_t *
s_check_department_ref(cm_store_t *store, const json_t *actor,
                       const json_t *body)
{
    const char *department = cm_doc_string(body, "department");
    if (!department) {
        return NULL;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &department_type, department, &doc, &version);
    json_decref(doc);
    json_t *problem = NULL;
    if (rc == CM_ENOTFOUND) {
        cm_validate_fail(&problem, "department", "no such department");
    } else if (rc != 0) {
        problem = cm_problem_new(503, "store_unavailable",
                                 "the store is unavailable; retry");
    } else if (!access_oversees(actor, department)) {
        problem = access_forbidden("manage positions of this department");
    }
    return problem;
}

static json_t *
s_update(cm_action_t *a)
{
    json_t *problem = position_validate_patch(a->body);
    const json_t *department = json_object_get(a->body, "department");
    if (!problem && department
        && !json_equal(department, json_object_get(a->old, "department"))) {
        problem = s_check_department_ref(a->store, a->actor, a->body);
    }
    return problem;
}

void
position_create(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage positions")) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = position_validate_create(body);
    if (!problem) {
        problem =
            s_check_department_ref(cm_ctx_store(ctx), cm_ctx_actor(ctx), body);
    }
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &position_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = position_new_doc(body, id, cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    if (cm_doc_commit(commit, &position_type, NULL, doc, CM_VERSION_NEW, now)
            != 0
        || cm_doc_event(ctx, commit, &position_type,
                        PERSONNEL_EVENT_POSITION_CREATED, doc, 1, NULL)
               != 0) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "the position is too large");
    } else {
        cm_doc_reply_commit(ctx, commit, &position_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
position_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &position_type, NULL);
    }
}

void
position_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &position_type);
    }
}

void
position_patch(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_patch(ctx, &position_type);
    }
}

void
position_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &position_type);
    }
}
