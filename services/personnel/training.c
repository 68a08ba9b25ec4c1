#include "training.h"

#include <string.h>

#include "access.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"

#define S_COURSE_MAX      200
#define S_CERTIFICATE_MAX 200

static bool
s_check_staff(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), STAFF_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a staff id such as ST-7");
}

static const cm_field_t s_create_fields[] = {
    {"staff", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_staff},
    {"course", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = S_COURSE_MAX},
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = TRAINING_KINDS},
    {"delivery", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
     .values = "internal external"},
    {"hours", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
     .max = TRAINING_HOURS_MAX},
    {"result", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = TRAINING_RESULTS},
    {"certificate", CM_FIELD_STRING, 0, .max = S_CERTIFICATE_MAX},
    {"date", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

json_t *
training_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    cm_field_check(s_create_fields, body, &problem);
    return problem;
}

// The person, their managers, auditors.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    return strcmp(cm_doc_text(actor, "role"), "auditor") == 0
           || strcmp(cm_doc_text(actor, "id"), cm_doc_text(doc, "staff")) == 0
           || access_manages(actor, cm_doc_text(doc, "department"));
}

static const cm_filter_t s_filters[] = {
    {"staff"},
    {"kind", NULL, TRAINING_RECORD_KINDS},
    {"department"},
    {NULL},
};

const cm_doc_type_t training_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "training",
    .what = "training record",
    .id_prefix = "TRN",
    .path = "/v1/trainings",
    .filters = s_filters,
    .may_read = s_may_read,
};

void
training_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = training_validate_create(body);
    json_t *staff = NULL;
    int64_t version = 0;
    if (!problem) {
        int rc = cm_doc_read(cm_ctx_store(ctx), &staff_type,
                             cm_doc_text(body, "staff"), &staff, &version);
        if (rc == CM_ENOTFOUND) {
            problem = cm_problem_new(422, "unknown_staff",
                                     "There is no such staff member.");
            cm_problem_add_error(problem, "staff", "names no staff member");
        } else if (rc != 0) {
            problem = cm_problem_from_status(rc, NULL);
        }
    }
    if (!problem
        && !access_manages(cm_ctx_actor(ctx),
                           cm_doc_text(staff, "department"))) {
        problem = access_forbidden("record training for someone outside the "
                                   "departments you head or oversee");
    }
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &training_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = cm_doc_new(id, "recorded", cm_ctx_actor(ctx), now);
        json_object_update(doc, (json_t *)body);
        if (!json_object_get(doc, "certificate")) {
            json_object_set_new(doc, "certificate", json_null());
        }
        json_object_set(doc, "staff_name", json_object_get(staff, "name"));
        json_object_set(doc, "department",
                        json_object_get(staff, "department"));
        cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
        if (cm_doc_commit(commit, &training_type, NULL, doc, CM_VERSION_NEW,
                          now)
                != 0
            || cm_doc_event(ctx, commit, &training_type,
                            PERSONNEL_EVENT_TRAINING_RECORDED, doc, 1, NULL)
                   != 0) {
            cm_ctx_fail(ctx, cm_problem_new(422, "document_too_large",
                                            "the training record is too "
                                            "large"));
        } else {
            cm_doc_reply_commit(ctx, commit, &training_type, 201, doc, 1);
        }
        cm_commit_destroy(&commit);
        json_decref(doc);
    }
    json_decref(staff);
}

void
training_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &training_type, NULL);
    }
}

void
training_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &training_type);
    }
}

// The path's person: `staff` is the first filter.
static json_t *
s_scope(cm_ctx_t *ctx, const cm_doc_type_t *type, cm_list_query_t *query)
{
    (void)type; // `staff` is the first filter
    if (query->values[0]) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "staff", "is not a parameter of this list");
        return problem;
    }
    query->values[0] = cm_ctx_param(ctx, "id");
    return NULL;
}

void
training_list_of_staff(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &training_type, s_scope);
    }
}
