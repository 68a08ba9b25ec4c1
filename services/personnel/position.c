#include "position.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_store.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "department.h"
#include "listing.h"
#include "personnel.h"
#include "record.h"

#define S_CREATE_KEYS  "title department grade"
#define S_LOCATION_MAX 128

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event
    {"active", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY,
     "personnel.position.updated"},
};

const cm_workflow_t position_workflow = {
    .name = "position",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
    .superuser_role = PERSONNEL_TOP_ROLE,
};

static void
s_validate_fields(const json_t *body, cm_validate_presence_t presence,
                  json_t **problem)
{
    const char *title = record_string(body, "title");
    if (cm_validate_string(body, "title", presence, problem) && title
        && strlen(title) > POSITION_TITLE_MAX) {
        cm_validate_fail(problem, "title", "must be at most 200 characters");
    }
    const char *department = record_string(body, "department");
    if (cm_validate_string(body, "department", presence, problem) && department
        && !department_code_is_valid(department)) {
        cm_validate_fail(problem, "department", "must be a department id");
    }
    cm_validate_integer(body, "grade", POSITION_GRADE_MIN, POSITION_GRADE_MAX,
                        presence, problem);
}

json_t *
position_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, S_CREATE_KEYS, &problem);
    s_validate_fields(body, CM_VALIDATE_REQUIRED, &problem);
    return problem;
}

json_t *
position_validate_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    if (json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body", "names no field to change");
    }
    cm_validate_keys(body, S_CREATE_KEYS, &problem);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        if (json_is_null(value) && cm_validate_name_in(S_CREATE_KEYS, key)) {
            cm_validate_fail(&problem, key, "cannot be removed");
        }
    }
    s_validate_fields(body, CM_VALIDATE_OPTIONAL, &problem);
    return problem;
}

json_t *
position_new_doc(const json_t *body, const char *id, const char *actor_id,
                 const char *now)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:[]}",
                            "id", id, "title", record_string(body, "title"),
                            "department", record_string(body, "department"),
                            "grade", json_object_get(body, "grade"), "state",
                            "active", "created_at", now, "updated_at", now,
                            "created_by", actor_id, "history");
    assert(doc);
    record_history_add(doc, actor_id, "create", NULL, now);
    return doc;
}

json_t *
position_present(cm_ctx_t *ctx, const json_t *doc, int64_t version)
{
    json_t *actions = cm_workflow_actions(&position_workflow, record_state(doc),
                                          cm_ctx_actor(ctx), doc);
    return record_present(doc, version, actions);
}

static void
s_index_key(char *buf, size_t size, const char *department)
{
    char id[CM_STORE_KEY_MAX];
    snprintf(id, sizeof id, "position:%s", department ? department : "*");
    const char *built = record_key(buf, size, "idx", id);
    assert(built); // department codes are short
}

// Write doc (expected version; NEW to create) with its index entries and
// event, and answer status.
static void
s_commit(cm_ctx_t *ctx, const json_t *doc, const json_t *old_doc,
         int64_t expected, int status)
{
    const char *id = record_string(doc, "id");
    int64_t version = expected == CM_VERSION_NEW ? 1 : expected + 1;
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    record_commit_doc(commit, POSITION_KIND, id, expected, doc);
    char key[CM_STORE_KEY_MAX];
    int64_t score = record_created_ms(doc);
    if (old_doc) {
        s_index_key(key, sizeof key, record_string(old_doc, "department"));
        cm_commit_index_remove(commit, key, id);
    }
    s_index_key(key, sizeof key, record_string(doc, "department"));
    cm_commit_index_add(commit, key, id, score);
    s_index_key(key, sizeof key, NULL);
    cm_commit_index_add(commit, key, id, score);
    char subject[S_LOCATION_MAX];
    snprintf(subject, sizeof subject, "position/%s", id);
    cm_ctx_event(ctx, commit,
                 old_doc ? "personnel.position.updated"
                         : "personnel.position.created",
                 subject, version, record_event_data(doc, version));
    char location[S_LOCATION_MAX];
    snprintf(location, sizeof location, "/v1/positions/%s", id);
    record_commit_reply(ctx, commit, status,
                        position_present(ctx, doc, version), version,
                        old_doc ? NULL : location);
    cm_commit_destroy(&commit);
}

// body.department, when present, must exist. 0, or -1 after answering.
static int
s_check_department(cm_ctx_t *ctx, const json_t *body)
{
    const char *department = record_string(body, "department");
    bool exists = true;
    if (department
        && record_exists(ctx, DEPARTMENT_KIND, department, &exists) != 0) {
        return -1;
    }
    if (!exists) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "department", "no such department");
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return 0;
}

void
position_create(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage positions")) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = position_validate_create(body);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (s_check_department(ctx, body) != 0
        || record_next_id(ctx, POSITION_KIND, POSITION_ID_PREFIX, id) != 0) {
        return;
    }
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms(), now);
    json_t *doc = position_new_doc(body, id, cm_ctx_actor_id(ctx), now);
    s_commit(ctx, doc, NULL, CM_VERSION_NEW, 201);
    json_decref(doc);
}

void
position_list(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    listing_t listing;
    json_t *problem =
        listing_parse(cm_ctx_query_object(ctx), "department", &listing);
    const char *department = cm_ctx_query(ctx, "department");
    if (department && !department_code_is_valid(department)) {
        cm_validate_fail(&problem, "department", "must be a department id");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char key[CM_STORE_KEY_MAX];
    s_index_key(key, sizeof key, department);
    listing_reply(ctx, key, &listing, POSITION_KIND, position_present);
}

static json_t *
s_load(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "id");
    if (!cm_id_parse(id, POSITION_ID_PREFIX, NULL)) {
        record_fail(ctx, CM_ENOTFOUND, "position", id);
        return NULL;
    }
    return record_load(ctx, POSITION_KIND, "position", id, version);
}

void
position_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        record_get(ctx, s_load, position_present);
    }
}

void
position_patch(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage positions")) {
        return;
    }
    int64_t version = 0;
    cm_workflow_step_t step;
    json_t *doc = record_patch_begin(ctx, s_load, &position_workflow,
                                     position_validate_patch, &version, &step);
    const json_t *body = cm_ctx_body(ctx);
    if (doc && s_check_department(ctx, body) == 0) {
        json_t *old_doc = json_deep_copy(doc);
        assert(old_doc);
        json_object_update_existing(doc, (json_t *)body);
        char now[CM_TIME_TEXT_MAX];
        cm_time_format(cm_time_now_ms(), now);
        record_history_add(doc, cm_ctx_actor_id(ctx), "update", NULL, now);
        s_commit(ctx, doc, old_doc, version, 200);
        json_decref(old_doc);
    }
    json_decref(doc);
}
