#include "department.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "listing.h"
#include "personnel.h"
#include "record.h"
#include "staff.h"

#define S_CREATE_KEYS  "code name head deputy parent"
#define S_PATCH_KEYS   "name head deputy parent"
#define S_DEPTH_MAX    32 // longest parent chain walked for a cycle
#define S_LOCATION_MAX 160
#define S_INDEX_ALL    "department:all"

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event
    {"active", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY,
     "personnel.department.updated"},
};

const cm_workflow_t department_workflow = {
    .name = "department",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "dissolved",
    .superuser_role = PERSONNEL_TOP_ROLE,
};

bool
department_code_is_valid(const char *text)
{
    size_t n = text ? strlen(text) : 0;
    if (n < 2 || n > DEPARTMENT_CODE_MAX || text[0] < 'a' || text[0] > 'z') {
        return false;
    }
    return strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

// Checks shared by create and patch: lengths and reference formats.
static void
s_validate_fields(const json_t *body, json_t **problem)
{
    const char *name = record_string(body, "name");
    if (name && strlen(name) > DEPARTMENT_NAME_MAX) {
        cm_validate_fail(problem, "name", "must be at most 200 characters");
    }
    const char *staff_fields[] = {"head", "deputy"};
    for (size_t i = 0; i < 2; i++) {
        if (cm_validate_string(body, staff_fields[i], CM_VALIDATE_OPTIONAL,
                               problem)
            && record_string(body, staff_fields[i])
            && !cm_id_parse(record_string(body, staff_fields[i]),
                            STAFF_ID_PREFIX, NULL)) {
            cm_validate_fail(problem, staff_fields[i],
                             "must be a staff id such as ST-7");
        }
    }
    if (cm_validate_string(body, "parent", CM_VALIDATE_OPTIONAL, problem)
        && record_string(body, "parent")
        && !department_code_is_valid(record_string(body, "parent"))) {
        cm_validate_fail(problem, "parent", "must be a department id");
    }
}

json_t *
department_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, S_CREATE_KEYS, &problem);
    cm_validate_string(body, "name", CM_VALIDATE_REQUIRED, &problem);
    if (cm_validate_string(body, "code", CM_VALIDATE_REQUIRED, &problem)
        && !department_code_is_valid(record_string(body, "code"))) {
        cm_validate_fail(&problem, "code",
                         "must be 2-32 characters: a-z, 0-9 and _, "
                         "starting with a letter");
    }
    s_validate_fields(body, &problem);
    return problem;
}

json_t *
department_validate_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    if (json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body", "names no field to change");
    }
    cm_validate_keys(body, S_PATCH_KEYS, &problem);
    json_t *name = json_object_get(body, "name");
    if (json_is_null(name)) {
        cm_validate_fail(&problem, "name", "cannot be removed");
    } else if (name) {
        cm_validate_string(body, "name", CM_VALIDATE_REQUIRED, &problem);
    }
    s_validate_fields(body, &problem);
    return problem;
}

// body[field] as a new reference: its string, or null.
static json_t *
s_optional(const json_t *body, const char *field)
{
    const char *text = record_string(body, field);
    return text ? json_string(text) : json_null();
}

json_t *
department_new_doc(const json_t *body, const char *actor_id, const char *now)
{
    const char *code = record_string(body, "code");
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:[]}", "id", code,
        "code", code, "name", record_string(body, "name"), "head",
        s_optional(body, "head"), "deputy", s_optional(body, "deputy"),
        "parent", s_optional(body, "parent"), "state", "active", "created_at",
        now, "updated_at", now, "created_by", actor_id, "history");
    assert(doc);
    record_history_add(doc, actor_id, "create", NULL, now);
    return doc;
}

void
department_apply_patch(json_t *doc, const json_t *body)
{
    assert(doc && body);
    const char *fields[] = {"name", "head", "deputy", "parent"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (json_object_get(body, fields[i])) {
            json_object_set_new(doc, fields[i], s_optional(body, fields[i]));
        }
    }
}

json_t *
department_present(cm_ctx_t *ctx, const json_t *doc, int64_t version)
{
    json_t *actions = cm_workflow_actions(
        &department_workflow, record_state(doc), cm_ctx_actor(ctx), doc);
    return record_present(doc, version, actions);
}

static void
s_index_key(char *buf, size_t size)
{
    const char *built = record_key(buf, size, "idx", S_INDEX_ALL);
    assert(built);
}

void
department_commit_create(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *doc)
{
    const char *id = record_string(doc, "id");
    record_commit_doc(commit, DEPARTMENT_KIND, id, CM_VERSION_NEW, doc);
    char key[CM_STORE_KEY_MAX];
    s_index_key(key, sizeof key);
    cm_commit_index_add(commit, key, id, record_created_ms(doc));
    char subject[S_LOCATION_MAX];
    snprintf(subject, sizeof subject, "department/%s", id);
    cm_ctx_event(ctx, commit, "personnel.department.created", subject, 1,
                 record_event_data(doc, 1));
}

// A staff reference in body[field]: it must exist, not have left, and hold
// one of `roles` (NULL: any). Adds to *problem; -1 after answering 503.
static int
s_check_staff(cm_ctx_t *ctx, const json_t *body, const char *field,
              const char *roles, json_t **problem)
{
    const char *id = record_string(body, field);
    if (!id) {
        return 0;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = record_read(cm_ctx_store(ctx), STAFF_KIND, id, &doc, &version);
    if (rc == CM_ENOTFOUND) {
        cm_validate_fail(problem, field, "no such staff member");
        return 0;
    }
    if (rc != 0) {
        record_fail(ctx, rc, "staff", id);
        return -1;
    }
    const char *state = record_string(doc, "state");
    if (state && strcmp(state, "left") == 0) {
        cm_validate_fail(problem, field, "has left the station");
    } else if (roles
               && !cm_validate_name_in(roles, record_string(doc, "role"))) {
        cm_validate_fail(problem, field, "must be a deputy head");
    }
    json_decref(doc);
    return 0;
}

// body.parent must exist and, walking up, never reach self_id (NULL for a
// new department). Adds to *problem; -1 after answering 503.
static int
s_check_parent(cm_ctx_t *ctx, const json_t *body, const char *self_id,
               json_t **problem)
{
    const char *parent = record_string(body, "parent");
    char current[DEPARTMENT_CODE_MAX + 1];
    snprintf(current, sizeof current, "%s", parent ? parent : "");
    for (int depth = 0; current[0] && depth < S_DEPTH_MAX; depth++) {
        if (self_id && strcmp(current, self_id) == 0) {
            cm_validate_fail(problem, "parent", "would make a cycle");
            return 0;
        }
        json_t *doc = NULL;
        int64_t version = 0;
        int rc = record_read(cm_ctx_store(ctx), DEPARTMENT_KIND, current, &doc,
                             &version);
        if (rc == CM_ENOTFOUND && depth == 0) {
            cm_validate_fail(problem, "parent", "no such department");
        }
        if (rc != 0 && rc != CM_ENOTFOUND) {
            record_fail(ctx, rc, "department", current);
            return -1;
        }
        const char *next = record_string(doc, "parent");
        snprintf(current, sizeof current, "%s", next ? next : "");
        json_decref(doc);
    }
    return 0;
}

// Every reference of body; 0 when fine, else -1 after answering.
static int
s_check_references(cm_ctx_t *ctx, const json_t *body, const char *self_id)
{
    json_t *problem = NULL;
    if (s_check_staff(ctx, body, "head", NULL, &problem) != 0
        || s_check_staff(ctx, body, "deputy", PERSONNEL_MANAGERS, &problem) != 0
        || s_check_parent(ctx, body, self_id, &problem) != 0) {
        json_decref(problem);
        return -1;
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return 0;
}

void
department_create(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage departments")) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = department_validate_create(body);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (s_check_references(ctx, body, NULL) != 0) {
        return;
    }
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms(), now);
    json_t *doc = department_new_doc(body, cm_ctx_actor_id(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    department_commit_create(ctx, commit, doc);
    char location[S_LOCATION_MAX];
    snprintf(location, sizeof location, "/v1/departments/%s",
             record_string(doc, "id"));
    json_t *view = department_present(ctx, doc, 1);
    int outcome = record_commit_reply(ctx, commit, 201, view, 1, location);
    if (outcome == CM_COMMIT_CONFLICT) {
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
    if (!access_authenticated(ctx)) {
        return;
    }
    listing_t listing;
    json_t *problem = listing_parse(cm_ctx_query_object(ctx), NULL, &listing);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char key[CM_STORE_KEY_MAX];
    s_index_key(key, sizeof key);
    listing_reply(ctx, key, &listing, DEPARTMENT_KIND, department_present);
}

// The department named by the path, or NULL after answering 404/503.
static json_t *
s_load(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "id");
    if (!department_code_is_valid(id)) {
        record_fail(ctx, CM_ENOTFOUND, "department", id);
        return NULL;
    }
    return record_load(ctx, DEPARTMENT_KIND, "department", id, version);
}

void
department_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        record_get(ctx, s_load, department_present);
    }
}

// Write a patched department: its document, event and reply.
static void
s_commit_patch(cm_ctx_t *ctx, json_t *doc, int64_t version,
               const char *event_type)
{
    const char *id = record_string(doc, "id");
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    record_commit_doc(commit, DEPARTMENT_KIND, id, version, doc);
    char subject[S_LOCATION_MAX];
    snprintf(subject, sizeof subject, "department/%s", id);
    cm_ctx_event(ctx, commit, event_type, subject, version + 1,
                 record_event_data(doc, version + 1));
    json_t *view = department_present(ctx, doc, version + 1);
    record_commit_reply(ctx, commit, 200, view, version + 1, NULL);
    cm_commit_destroy(&commit);
}

void
department_patch(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage departments")) {
        return;
    }
    int64_t version = 0;
    cm_workflow_step_t step;
    json_t *doc =
        record_patch_begin(ctx, s_load, &department_workflow,
                           department_validate_patch, &version, &step);
    const json_t *body = cm_ctx_body(ctx);
    if (doc && s_check_references(ctx, body, record_string(doc, "id")) == 0) {
        char now[CM_TIME_TEXT_MAX];
        cm_time_format(cm_time_now_ms(), now);
        department_apply_patch(doc, body);
        record_history_add(doc, cm_ctx_actor_id(ctx), "update", NULL, now);
        s_commit_patch(ctx, doc, version, step.event_type);
    }
    json_decref(doc);
}
