#include "learning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_store.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "department.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"
#include "training.h"

#define S_STATES      "active retired"
#define S_STUDIED     "learning_studied"
#define S_DATE_MAX    16
#define S_STUDIED_KEY (CM_ID_MAX * 2 + 2)

// ---- body checks

bool
learning_link_is_valid(const char *url)
{
    if (!url || strlen(url) > LEARNING_LINK_MAX) {
        return false;
    }
    const char *host = NULL;
    if (strncmp(url, "https://", 8) == 0) {
        host = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        host = url + 7;
    } else {
        return false;
    }
    if (!*host || *host == '/' || *host == ':' || *host == '?'
        || *host == '#') {
        return false;
    }
    for (const unsigned char *c = (const unsigned char *)url; *c; c++) {
        if (*c <= ' ' || *c == 0x7f) {
            return false;
        }
    }
    return true;
}

static bool
s_check_link(const json_t *value, const char *field, json_t **problem)
{
    return json_is_null(value)
           || learning_link_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field,
                               "must be an http:// or https:// URL");
}

static bool
s_check_department(const json_t *value, const char *field, json_t **problem)
{
    return department_code_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field, "must be a department id");
}

static bool
s_check_tag(const json_t *value, const char *field, json_t **problem)
{
    const char *text = json_string_value(value);
    bool fine = text && *text && strlen(text) <= LEARNING_TAG_MAX;
    for (const char *c = text; fine && *c; c++) {
        fine = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'
               || *c == '-';
    }
    return fine
           || cm_validate_fail(problem, field,
                               "must be 1-40 characters of a-z 0-9 _ -");
}

static bool
s_check_role(const json_t *value, const char *field, json_t **problem)
{
    const char *text = json_string_value(value);
    return (text && cm_validate_name_in(PERSONNEL_ROLES, text))
           || cm_validate_fail(problem, field, "must be a role");
}

#define S_TITLE                                                                \
    "title", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = LEARNING_TITLE_MAX,    \
                                                 .to = "title"
#define S_KIND                                                                 \
    "kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = LEARNING_KINDS,        \
                                              .to = "kind"
#define S_LINK        "link", CM_FIELD_ANY, 0, .to = "link", .check = s_check_link
#define S_DESCRIPTION "description", CM_FIELD_TEXT, 0, .to = "description"
#define S_TAGS                                                                 \
    "tags", CM_FIELD_ARRAY, 0, .max = LEARNING_TAGS_MAX, .to = "tags",         \
                               .check = s_check_tag
#define S_ROLES                                                                \
    "roles", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,            \
        .max = 16, .to = "roles", .check = s_check_role
#define S_HOURS                                                                \
    "hours", CM_FIELD_INTEGER, 0, .min = 1, .max = TRAINING_HOURS_MAX,         \
                                  .to = "hours"
#define S_DEPARTMENT                                                           \
    "department", CM_FIELD_ANY, CM_FIELD_REQUIRED, .to = "department",         \
                                                   .check = s_check_department

static const cm_field_t s_create_fields[] = {
    {S_TITLE}, {S_KIND},  {S_LINK},       {S_DESCRIPTION}, {S_TAGS},
    {S_ROLES}, {S_HOURS}, {S_DEPARTMENT}, CM_FIELD_END,
};

// The same members, each optional (`required` only matters when present:
// a null is refused below for the members that cannot be removed).
static const cm_field_t s_patch_fields[] = {
    {"title", CM_FIELD_STRING, 0, .max = LEARNING_TITLE_MAX, .to = "title"},
    {"kind", CM_FIELD_ENUM, 0, .values = LEARNING_KINDS, .to = "kind"},
    {S_LINK},
    {S_DESCRIPTION},
    {S_TAGS},
    {"roles", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = 16, .to = "roles",
     .check = s_check_role},
    {S_HOURS},
    {"department", CM_FIELD_ANY, 0, .to = "department",
     .check = s_check_department},
    CM_FIELD_END,
};

// Members a PATCH may clear with null.
#define S_CLEARABLE "link description hours"

static const cm_field_t s_retire_fields[] = {
    {"reason", CM_FIELD_TEXT, 0},
    CM_FIELD_END,
};

static const cm_field_t s_studied_fields[] = {
    {"date", CM_FIELD_DATE, 0},
    {"hours", CM_FIELD_INTEGER, 0, .min = 1, .max = TRAINING_HOURS_MAX},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// Each value of an array member once.
static void
s_check_unique(const json_t *body, const char *member, json_t **problem)
{
    const json_t *array = json_object_get(body, member);
    for (size_t i = 0; i < json_array_size(array); i++) {
        for (size_t k = 0; k < i; k++) {
            if (json_equal(json_array_get(array, i),
                           json_array_get(array, k))) {
                cm_validate_fail(problem, member, "lists a value twice");
                return;
            }
        }
    }
}

json_t *
learning_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    cm_field_check(s_create_fields, body, &problem);
    s_check_unique(body, "tags", &problem);
    s_check_unique(body, "roles", &problem);
    return problem;
}

static json_t *
s_validate_patch(const json_t *body)
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
        if (json_is_null(value) && cm_field_find(s_patch_fields, key)
            && !cm_validate_name_in(S_CLEARABLE, key)) {
            cm_validate_fail(&problem, key, "cannot be removed");
        }
    }
    cm_field_check(s_patch_fields, body, &problem);
    s_check_unique(body, "tags", &problem);
    s_check_unique(body, "roles", &problem);
    return problem;
}

// body.department, when present, must exist and be the caller's to manage
// (the station head, the deputy overseeing it, its head). NULL or a
// problem.
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
        problem = cm_problem_new(422, "unknown_department",
                                 "There is no such department.");
        cm_problem_add_error(problem, "department", "names no department");
    } else if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    } else if (!access_manages(actor, department)) {
        problem = access_forbidden("manage learning resources of a "
                                   "department you do not head or oversee");
    }
    return problem;
}

// ---- the type

static json_t *s_update(cm_action_t *action);

#define S_WRITERS_HEAD     "dept_head"
#define S_WRITERS_OVERSEES "deputy_head"
// Who may add resources at all (then only for departments they manage).
#define S_WRITERS "station_head deputy_head dept_head"

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields, effect
    {"active", "update", S_WRITERS_OVERSEES, CM_WORKFLOW_OVERSEES, NULL,
     CM_WORKFLOW_STAY, PERSONNEL_EVENT_LEARNING_RESOURCE_UPDATED,
     s_patch_fields, s_update},
    {"active", "update", S_WRITERS_HEAD, CM_WORKFLOW_HEAD, NULL,
     CM_WORKFLOW_STAY, PERSONNEL_EVENT_LEARNING_RESOURCE_UPDATED,
     s_patch_fields, s_update},
    {"active", "retire", S_WRITERS_OVERSEES, CM_WORKFLOW_OVERSEES, NULL,
     "retired", PERSONNEL_EVENT_LEARNING_RESOURCE_RETIRED, s_retire_fields,
     NULL},
    {"active", "retire", S_WRITERS_HEAD, CM_WORKFLOW_HEAD, NULL, "retired",
     PERSONNEL_EVENT_LEARNING_RESOURCE_RETIRED, s_retire_fields, NULL},
};

const cm_workflow_t learning_workflow = {
    .name = "learning_resource",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "retired",
    .superuser_role = PERSONNEL_TOP_ROLE,
};

// Most selective first: the first one a query names picks the index.
static const cm_filter_t s_filters[] = {
    {"tag", "tags", NULL, CM_FILTER_ARRAY},
    {"role", "roles", PERSONNEL_ROLES, CM_FILTER_ARRAY},
    {"department"},
    {"kind", NULL, LEARNING_KINDS},
    {"state", NULL, S_STATES},
    {NULL},
};

// Positions in s_filters that for_me sets.
#define S_FILTER_ROLE  1
#define S_FILTER_STATE 4

const cm_doc_type_t learning_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "learning_resource",
    .what = "learning resource",
    .id_prefix = LEARNING_ID_PREFIX,
    .path = "/v1/learning-resources",
    .filters = s_filters,
    .workflow = &learning_workflow,
    .patch_if_match_required = true,
};

// The key naming the training record of staff's study of resource.
static const char *
s_studied_key(char *key, size_t size, const char *resource, const char *staff)
{
    char pair[S_STUDIED_KEY];
    int n = snprintf(pair, sizeof pair, "%s:%s", resource, staff);
    if (n < 0 || (size_t)n >= sizeof pair) {
        return NULL;
    }
    return cm_store_key(key, size, PERSONNEL_OWNER, S_STUDIED, pair);
}

// The training record id of staff's study of resource into id (CM_ID_MAX).
// 0 when studied, CM_ENOTFOUND when not, or a status.
static int
s_studied_record(cm_store_t *store, const char *resource, const char *staff,
                 char *id)
{
    char key[CM_STORE_KEY_MAX];
    if (!s_studied_key(key, sizeof key, resource, staff)) {
        return CM_EINVAL;
    }
    cm_doc_t found = {0};
    int rc = cm_store_get(store, key, &found);
    if (rc == 0) {
        json_t *record = json_loads(found.json ? found.json : "", 0, NULL);
        snprintf(id, CM_ID_MAX, "%s", cm_doc_text(record, "training"));
        json_decref(record);
    }
    cm_doc_clear(&found);
    return rc;
}

// for_me: the resources the caller has not marked studied. A store
// failure shows the resource (the list is a suggestion, not a record).
static bool
s_not_studied(cm_ctx_t *ctx, const json_t *doc)
{
    char id[CM_ID_MAX];
    return s_studied_record(cm_ctx_store(ctx), cm_doc_text(doc, "id"),
                            cm_ctx_actor_id(ctx), id)
           != 0;
}

// The same documents, seen by one person: what they have not studied.
static const cm_doc_type_t s_for_me_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "learning_resource",
    .what = "learning resource",
    .id_prefix = LEARNING_ID_PREFIX,
    .path = "/v1/learning-resources",
    .filters = s_filters,
    .workflow = &learning_workflow,
    .may_read = s_not_studied,
};

// ---- handlers

static json_t *
s_update(cm_action_t *a)
{
    json_t *problem = s_validate_patch(a->body);
    const json_t *department = json_object_get(a->body, "department");
    if (!problem && department
        && !json_equal(department, json_object_get(a->old, "department"))) {
        problem = s_check_department_ref(a->store, a->actor, a->body);
    }
    return problem;
}

void
learning_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    const json_t *actor = cm_ctx_actor(ctx);
    if (!cm_validate_name_in(S_WRITERS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail(ctx, access_forbidden("add learning resources (the "
                                          "station head, deputy heads and "
                                          "department heads do)"));
        return;
    }
    json_t *problem = learning_validate_create(body);
    if (!problem) {
        problem = s_check_department_ref(cm_ctx_store(ctx), actor, body);
    }
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &learning_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "active", actor, now);
    json_object_set_new(doc, "link", json_null());
    json_object_set_new(doc, "description", json_null());
    json_object_set_new(doc, "tags", json_array());
    json_object_set_new(doc, "hours", json_null());
    cm_field_copy(s_create_fields, body, doc);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    if (cm_doc_commit(commit, &learning_type, NULL, doc, CM_VERSION_NEW, now)
            != 0
        || cm_doc_event(ctx, commit, &learning_type,
                        PERSONNEL_EVENT_LEARNING_RESOURCE_CREATED, doc, 1, NULL)
               != 0) {
        cm_ctx_fail_status(ctx, CM_EINVAL,
                           "the learning resource is too "
                           "large");
    } else {
        cm_doc_reply_commit(ctx, commit, &learning_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// ?for_me=true: active resources meant for the caller's role, without
// those they studied. It names the role itself: `role` and `state` beside
// it are refused.
void
learning_list(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *params = cm_ctx_query_object(ctx);
    cm_list_query_t query;
    json_t *problem = cm_list_parse(&learning_type, params, "for_me", &query);
    cm_validate_enum(params, "for_me", "true false", CM_VALIDATE_OPTIONAL,
                     &problem);
    const char *for_me = cm_ctx_query(ctx, "for_me");
    bool mine = for_me && strcmp(for_me, "true") == 0;
    if (mine && query.values[S_FILTER_ROLE]) {
        cm_validate_fail(&problem, "role", "cannot be combined with for_me");
    }
    if (mine && query.values[S_FILTER_STATE]) {
        cm_validate_fail(&problem, "state", "cannot be combined with for_me");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (mine) {
        query.values[S_FILTER_ROLE] = cm_ctx_actor_role(ctx);
        query.values[S_FILTER_STATE] = "active";
    }
    cm_list_reply(ctx, mine ? &s_for_me_type : &learning_type, &query);
}

void
learning_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &learning_type);
    }
}

void
learning_patch(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_patch(ctx, &learning_type);
    }
}

void
learning_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &learning_type);
    }
}

void
learning_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &learning_type);
    }
}

// ---- studied

// Answer the record of an earlier study (200), or its read failure.
static void
s_reply_existing(cm_ctx_t *ctx, const char *training_id)
{
    int64_t version = 0;
    json_t *record = cm_doc_load(ctx, &training_type, training_id, &version);
    if (record) {
        cm_doc_etag(ctx, version);
        cm_ctx_reply(ctx, 200,
                     cm_doc_view(ctx, &training_type, record, version));
        json_decref(record);
    }
}

// The training record of a study: the person's, of kind self_study.
static json_t *
s_study_record(const char *id, const json_t *actor, const json_t *staff,
               const json_t *resource, const json_t *body, int64_t now)
{
    json_t *doc = cm_doc_new(id, "recorded", actor, now);
    char at[CM_TIME_TEXT_MAX], today[S_DATE_MAX];
    cm_time_format(now, at);
    snprintf(today, sizeof today, "%.10s", at);
    const json_t *hours = json_object_get(body, "hours");
    hours = hours ? hours : json_object_get(resource, "hours");
    const char *date = cm_doc_string(body, "date");
    json_object_set(doc, "staff", json_object_get(staff, "id"));
    json_object_set(doc, "staff_name", json_object_get(staff, "name"));
    json_object_set(doc, "department", json_object_get(staff, "department"));
    json_object_set(doc, "course", json_object_get(resource, "title"));
    json_object_set_new(doc, "kind", json_string(TRAINING_KIND_SELF_STUDY));
    json_object_set_new(doc, "delivery", json_string("self"));
    json_object_set_new(doc, "hours",
                        json_is_integer(hours) ? json_copy((json_t *)hours)
                                               : json_null());
    json_object_set_new(doc, "result", json_string("studied"));
    json_object_set_new(doc, "certificate", json_null());
    json_object_set_new(doc, "date", json_string(date ? date : today));
    json_object_set(doc, "resource", json_object_get(resource, "id"));
    json_object_set(doc, "resource_kind", json_object_get(resource, "kind"));
    const char *note = cm_doc_string(body, "note");
    json_object_set_new(doc, "note", note ? json_string(note) : json_null());
    return doc;
}

// What a studied mark is refused for before anything is written: NULL, or
// a problem. *staff gets the caller's staff record.
static json_t *
s_check_studied(cm_ctx_t *ctx, const json_t *body, const json_t *resource,
                json_t **staff)
{
    json_t *problem = NULL;
    if (body && !json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    if (!cm_field_check(s_studied_fields, body, &problem)) {
        return problem;
    }
    char at[CM_TIME_TEXT_MAX];
    const char *date = cm_doc_string(body, "date");
    if (date && strncmp(date, cm_time_format(cm_time_now_ms(), at), 10) > 0) {
        cm_validate_fail(&problem, "date", "must not be in the future");
        return problem;
    }
    if (strcmp(cm_doc_state(resource), "active") != 0) {
        problem = cm_problem_new(409, "resource_retired",
                                 "The learning resource is retired.");
        cm_problem_add_error(problem, "id", "names a retired resource");
        return problem;
    }
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &staff_type, cm_ctx_actor_id(ctx),
                         staff, &version);
    if (rc == CM_ENOTFOUND) {
        problem = access_forbidden("mark resources studied without a staff "
                                   "record");
    } else if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    }
    return problem;
}

void
learning_studied(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const char *id = cm_ctx_param(ctx, "id");
    int64_t version = 0;
    json_t *resource = cm_doc_load(ctx, &learning_type, id, &version);
    if (!resource) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    const char *actor_id = cm_ctx_actor_id(ctx);
    char existing[CM_ID_MAX];
    int rc = s_studied_record(cm_ctx_store(ctx), id, actor_id, existing);
    if (rc == 0) {
        // Marked before: the record as it stands (once per person).
        s_reply_existing(ctx, existing);
        json_decref(resource);
        return;
    }
    json_t *staff = NULL;
    json_t *problem = rc == CM_ENOTFOUND
                          ? s_check_studied(ctx, body, resource, &staff)
                          : cm_problem_from_status(rc, NULL);
    char record_id[CM_ID_MAX];
    char key[CM_STORE_KEY_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (!s_studied_key(key, sizeof key, id, actor_id)) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "the id is too long");
    } else if (cm_doc_next_id(ctx, &training_type, record_id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = s_study_record(record_id, cm_ctx_actor(ctx), staff,
                                     resource, body, now);
        json_t *marker = json_pack("{s:s}", "training", record_id);
        char *marker_text = json_dumps(marker, JSON_COMPACT);
        cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
        cm_commit_doc(commit, key, CM_VERSION_NEW, marker_text);
        if (cm_doc_commit(commit, &training_type, NULL, doc, CM_VERSION_NEW,
                          now)
                != 0
            || cm_doc_event(ctx, commit, &training_type,
                            PERSONNEL_EVENT_TRAINING_RECORDED, doc, 1, NULL)
                   != 0) {
            cm_ctx_fail_status(ctx, CM_EINVAL, "the record is too large");
        } else if (cm_doc_reply_commit(ctx, commit, &training_type, 201, doc, 1)
                   == CM_COMMIT_OK) {
            cm_log_info("learning.studied", "resource", id, "staff", actor_id,
                        "training", record_id);
        }
        cm_commit_destroy(&commit);
        free(marker_text);
        json_decref(marker);
        json_decref(doc);
    }
    json_decref(staff);
    json_decref(resource);
}
