#include "delegation.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"

#define S_PATH_MAX    192
#define S_MESSAGE_MAX 128
#define S_REASON_MAX  500

// ---- the type

static bool
s_check_staff_id(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), STAFF_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a staff id such as ST-7");
}

static bool
s_check_type_name(const json_t *value, const char *field, json_t **problem)
{
    const char *text = json_string_value(value);
    return (text && *text && strlen(text) <= CM_FIELD_CODE_MAX)
           || cm_validate_fail(problem, field,
                               "must be an approval document type or \"*\"");
}

static const cm_field_t s_create_fields[] = {
    {"to", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_staff_id},
    {"starts_at", CM_FIELD_TIME, CM_FIELD_REQUIRED},
    {"ends_at", CM_FIELD_TIME, CM_FIELD_REQUIRED},
    {"document_types", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = DELEGATION_TYPES_MAX, .check = s_check_type_name},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_revoke_fields[] = {
    {"reason", CM_FIELD_TEXT, 0, .max = S_REASON_MAX},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields, effect
    {"active", "revoke", PERSONNEL_ROLES, CM_WORKFLOW_ASSIGNEE, NULL, "revoked",
     PERSONNEL_EVENT_DELEGATION_REVOKED, s_revoke_fields, NULL},
};

const cm_workflow_t delegation_workflow = {
    .name = "delegation",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "revoked",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .assignee_field = "from",
};

// What the org view of every service reads.
static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_pack(
        "{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id",
        json_object_get(doc, "id"), "from", json_object_get(doc, "from"), "to",
        json_object_get(doc, "to"), "state", json_object_get(doc, "state"),
        "starts_at", json_object_get(doc, "starts_at"), "ends_at",
        json_object_get(doc, "ends_at"), "document_types",
        json_object_get(doc, "document_types"));
    assert(data);
    return data;
}

static const cm_filter_t s_filters[] = {
    {"from"},
    {"to"},
    {"state", NULL, "active revoked"},
    {NULL},
};

const cm_doc_type_t delegation_type = {
    .owner = PERSONNEL_OWNER,
    .kind = DELEGATION_KIND,
    .what = "delegation",
    .id_prefix = DELEGATION_ID_PREFIX,
    .filters = s_filters,
    .workflow = &delegation_workflow,
    .event_data = s_event_data,
};

// ---- rules of a new delegation

static void
s_rule(json_t **problem, const char *field, const char *message)
{
    if (!*problem) {
        *problem = cm_problem_new(422, "delegation_invalid",
                                  "the delegation breaks a rule; see errors");
    }
    cm_problem_add_error(*problem, field, message);
}

// True when the approval matrix names document type `name`.
static bool
s_in_matrix(const json_t *rules, const char *name)
{
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *document =
            cm_doc_string(json_array_get(rules, i), "document");
        if (document && strcmp(document, name) == 0) {
            return true;
        }
    }
    return false;
}

static void
s_check_types(cm_ctx_t *ctx, const json_t *types, json_t **problem)
{
    const cm_approvals_t *matrix = cm_ctx_approvals(ctx);
    json_t *json = matrix ? cm_approvals_to_json(matrix) : json_object();
    const json_t *rules = json_object_get(json, "rules");
    for (size_t i = 0; i < json_array_size(types); i++) {
        const char *name = json_string_value(json_array_get(types, i));
        char field[S_MESSAGE_MAX];
        snprintf(field, sizeof field, "document_types[%zu]", i);
        if (strcmp(name, "*") == 0 && json_array_size(types) > 1) {
            s_rule(problem, field, "\"*\" stands alone: it means every type");
        } else if (strcmp(name, "*") != 0 && !s_in_matrix(rules, name)) {
            s_rule(problem, field,
                   "is not a document type of the approval matrix "
                   "(GET /v1/approval-rules)");
        }
    }
    json_decref(json);
}

static void
s_check_times(cm_ctx_t *ctx, const json_t *body, json_t **problem)
{
    const personnel_t *self = cm_ctx_state(ctx);
    int64_t starts = cm_doc_time(body, "starts_at", 0);
    int64_t ends = cm_doc_time(body, "ends_at", 0);
    char message[S_MESSAGE_MAX];
    if (ends <= starts) {
        s_rule(problem, "ends_at", "must be after starts_at");
    } else if (ends <= cm_time_now_ms()) {
        s_rule(problem, "ends_at", "must be in the future");
    } else if (self && ends - starts > self->delegation_max_ms) {
        snprintf(message, sizeof message,
                 "must be at most %" PRId64 " days after starts_at",
                 (int64_t)(self->delegation_max_ms / PERSONNEL_DAY_MS));
        s_rule(problem, "ends_at", message);
    }
}

// The delegate: known, active, not the delegator. NULL, or 503.
static json_t *
s_check_delegate(cm_ctx_t *ctx, const json_t *body, const char *from,
                 json_t **problem)
{
    const char *to = cm_doc_text(body, "to");
    if (strcmp(to, from) == 0) {
        s_rule(problem, "to", "must not be the delegator");
        return NULL;
    }
    json_t *staff = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &staff_type, to, &staff, &version);
    if (rc == CM_ENOTFOUND) {
        s_rule(problem, "to", "no such staff member");
    } else if (rc == 0 && strcmp(cm_doc_text(staff, "status"), "active") != 0) {
        s_rule(problem, "to", "must be an active staff member");
    }
    json_decref(staff);
    return rc == 0 || rc == CM_ENOTFOUND
               ? NULL
               : cm_problem_new(503, "store_unavailable",
                                "the store is unavailable; retry");
}

// Shape, then the rules. NULL or a problem (400, 422, 503).
static json_t *
s_validate(cm_ctx_t *ctx, const json_t *body, const char *from)
{
    json_t *problem = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)) {
        return problem;
    }
    json_t *failure = s_check_delegate(ctx, body, from, &problem);
    if (failure) {
        json_decref(problem);
        return failure;
    }
    s_check_times(ctx, body, &problem);
    s_check_types(ctx, json_object_get(body, "document_types"), &problem);
    return problem;
}

// ---- handlers

// The delegator of the path: the caller themself or the station head
// acting for them; an active staff member. NULL after answering.
static json_t *
s_load_delegator(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return NULL;
    }
    const char *id = cm_ctx_param(ctx, "id");
    if (strcmp(cm_ctx_actor_id(ctx), id) != 0
        && !access_is_top(cm_ctx_actor(ctx))) {
        cm_ctx_fail(ctx, access_forbidden("delegate someone else's "
                                          "approvals (the person or the "
                                          "station head does)"));
        return NULL;
    }
    int64_t version = 0;
    json_t *staff = cm_doc_load(ctx, &staff_type, id, &version);
    if (staff && strcmp(cm_doc_text(staff, "status"), "active") != 0) {
        cm_ctx_fail(ctx, cm_problem_new(409, "staff_not_active",
                                        "only an active staff member "
                                        "delegates"));
        json_decref(staff);
        return NULL;
    }
    return staff;
}

static json_t *
s_new_doc(cm_ctx_t *ctx, const json_t *body, const char *id, const char *from,
          int64_t now)
{
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_set_new(doc, "from", json_string(from));
    json_object_set(doc, "to", json_object_get(body, "to"));
    cm_doc_set_time(doc, "starts_at", cm_doc_time(body, "starts_at", now));
    cm_doc_set_time(doc, "ends_at", cm_doc_time(body, "ends_at", now));
    json_object_set(doc, "document_types",
                    json_object_get(body, "document_types"));
    json_t *note = json_object_get(body, "note");
    json_object_set(doc, "note", note ? note : json_null());
    return doc;
}

static void
s_commit_new(cm_ctx_t *ctx, json_t *doc, int64_t now)
{
    char location[S_PATH_MAX];
    snprintf(location, sizeof location, "/v1/staff/%s/delegations/%s",
             cm_doc_text(doc, "from"), cm_doc_text(doc, "id"));
    cm_ctx_header(ctx, "Location", location);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    if (cm_doc_commit(commit, &delegation_type, NULL, doc, CM_VERSION_NEW, now)
            != 0
        || cm_doc_event(ctx, commit, &delegation_type,
                        PERSONNEL_EVENT_DELEGATION_CREATED, doc, 1, NULL)
               != 0) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "the delegation is too large");
    } else {
        cm_doc_reply_commit(ctx, commit, &delegation_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
}

void
delegation_create(cm_ctx_t *ctx)
{
    json_t *delegator = s_load_delegator(ctx);
    if (!delegator) {
        return;
    }
    const char *from = cm_doc_text(delegator, "id");
    json_t *problem = s_validate(ctx, cm_ctx_body(ctx), from);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &delegation_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = s_new_doc(ctx, cm_ctx_body(ctx), id, from, now);
        s_commit_new(ctx, doc, now);
        json_decref(doc);
    }
    json_decref(delegator);
}

// The path's delegator owns the list: `from` is the path.
static json_t *
s_scope(cm_ctx_t *ctx, const cm_doc_type_t *type, cm_list_query_t *query)
{
    (void)type; // `from` is the first filter
    if (query->values[0]) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "from", "is not a parameter of this list");
        return problem;
    }
    query->values[0] = cm_ctx_param(ctx, "id");
    return NULL;
}

void
delegation_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &delegation_type, s_scope);
    }
}

// The delegation of the path, given by the path's staff member; NULL after
// answering 404/503. Caller owns the result.
static json_t *
s_load(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "delegation");
    json_t *doc = cm_doc_load(ctx, &delegation_type, id, version);
    if (doc && strcmp(cm_doc_text(doc, "from"), cm_ctx_param(ctx, "id")) != 0) {
        cm_doc_fail(ctx, CM_ENOTFOUND, &delegation_type, id);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

void
delegation_get(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *doc = access_authenticated(ctx) ? s_load(ctx, &version) : NULL;
    if (doc) {
        cm_doc_etag(ctx, version);
        cm_ctx_reply(ctx, 200,
                     cm_doc_view(ctx, &delegation_type, doc, version));
    }
    json_decref(doc);
}

void
delegation_revoke(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *doc = access_authenticated(ctx) ? s_load(ctx, &version) : NULL;
    if (doc) {
        cm_action_run_named(ctx, &delegation_type,
                            cm_ctx_param(ctx, "delegation"), "revoke");
    }
    json_decref(doc);
}
