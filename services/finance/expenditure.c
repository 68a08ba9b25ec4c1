#include "expenditure.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/finance.h"
#include "nested.h"

#define S_DETAIL_MAX 256

static bool
s_check_alternative(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t one[] = {
        {"text", CM_FIELD_STRING, CM_FIELD_REQUIRED}, CM_FIELD_END};
    if (!json_is_string(value)) {
        return cm_validate_fail(problem_p, field, "must be a string");
    }
    return cm_field_check_value(&one[0], value, field, problem_p);
}

static const cm_field_t s_feasibility_fields[] = {
    {"document", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"summary", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"alternatives", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = 20, .check = s_check_alternative},
    CM_FIELD_END,
};

static bool
s_check_feasibility(const json_t *value, const char *field, json_t **problem_p)
{
    return nested_check(s_feasibility_fields, value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, 0},
    {"purpose", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"feasibility", CM_FIELD_OBJECT, CM_FIELD_REQUIRED,
     .check = s_check_feasibility},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"title", CM_FIELD_STRING, 0, .to = "title"},
    {"amount", CM_FIELD_MONEY, 0, .to = "amount"},
    {"purpose", CM_FIELD_TEXT, 0, .to = "purpose"},
    {"feasibility", CM_FIELD_OBJECT, 0, .to = "feasibility",
     .check = s_check_feasibility},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

static json_t *
s_submit(cm_action_t *a)
{
    return cm_approval_submit(
        a, "expenditure_request", cm_doc_text(a->doc, "department"),
        cm_doc_integer(a->doc, "amount"), NULL, "pending", "approved");
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "approved");
    if (!problem && cm_approval_is_complete(a->doc)) {
        cm_action_event(a, FINANCE_EVENT_EXPENDITURE_APPROVED, NULL);
    }
    return problem;
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    return cm_approval_resubmit(a, cm_doc_integer(a->doc, "amount"), "pending",
                                "approved");
}

#define S_STAFF FINANCE_STAFF_ROLES
#define S_OWN   (CM_WORKFLOW_ASSIGNEE | CM_WORKFLOW_STRICT)

static const cm_workflow_row_t s_rows[] = {
    {"draft returned", "update", S_STAFF, S_OWN, NULL, CM_WORKFLOW_STAY,
     FINANCE_EVENT_EXPENDITURE_UPDATED, s_update_fields, NULL},
    {"draft", "submit", S_STAFF, S_OWN, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_EXPENDITURE_SUBMITTED, s_note_only, s_submit},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_EXPENDITURE_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_EXPENDITURE_REJECTED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_STAFF, S_OWN, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_EXPENDITURE_RESUBMITTED, s_note_only, s_resubmit},
    {"draft returned", "withdraw", S_STAFF, S_OWN, NULL, "withdrawn",
     FINANCE_EVENT_EXPENDITURE_WITHDRAWN, s_note_only, NULL},
};

const cm_workflow_t expenditure_workflow = {
    .name = "expenditure_request",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "withdrawn",
    .superuser_role = "station_head",
    .assignee_field = "requested_by",
};

static const cm_filter_t s_filters[] = {
    {"state", NULL, "draft pending returned approved withdrawn"},
    {"department"},
    {NULL},
};

const cm_doc_type_t expenditure_type = {
    .owner = FINANCE_OWNER,
    .kind = "expenditure",
    .what = "expenditure request",
    .id_prefix = "ER",
    .path = "/v1/expenditure-requests",
    .filters = s_filters,
    .workflow = &expenditure_workflow,
};

// ---- the gate

static json_t *
s_required(const char *request_id, int64_t amount, int64_t threshold,
           const char *why)
{
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "spending %lld fen reaches the major-expenditure threshold "
             "(%lld fen): %s",
             (long long)amount, (long long)threshold, why);
    json_t *problem =
        cm_problem_new(422, "expenditure_request_required", detail);
    cm_problem_set(problem, "missing", json_string("expenditure_request"));
    if (request_id) {
        cm_problem_set(problem, "expenditure_request", json_string(request_id));
    }
    cm_problem_set(problem, "threshold", json_integer(threshold));
    return problem;
}

json_t *
expenditure_gate(cm_store_t *store, const finance_t *config,
                 const char *request_id, int64_t amount, int64_t *bound)
{
    *bound = 0;
    int64_t threshold = config->major_expenditure_fen;
    if (amount < threshold) {
        return NULL;
    }
    if (!request_id || !*request_id) {
        return s_required(NULL, amount, threshold,
                          "name an approved expenditure request");
    }
    json_t *doc = NULL;
    int64_t version = 0, used = 0;
    int rc = cm_doc_read(store, &expenditure_type, request_id, &doc, &version);
    if (rc == 0) {
        char key[CM_STORE_KEY_MAX];
        const char *fields[] = {EXPENDITURE_FIELD_USED};
        const char *keys[] = {
            cm_doc_key(&expenditure_type, request_id, key, sizeof key)};
        rc = cm_store_counters(store, keys, 1, fields, 1, &used);
    }
    json_t *problem = NULL;
    *bound = rc == 0 ? cm_doc_integer(doc, "amount") : 0;
    if (rc == CM_ENOTFOUND) {
        problem = s_required(request_id, amount, threshold,
                             "the expenditure request does not exist");
    } else if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    } else if (strcmp(cm_doc_state(doc), "approved") != 0) {
        problem = s_required(request_id, amount, threshold,
                             "the expenditure request is not approved");
    } else if (used + amount > cm_doc_integer(doc, "amount")) {
        problem = cm_problem_new(422, "expenditure_request_exhausted",
                                 "the expenditure request has not that much "
                                 "left");
        cm_problem_set(problem, "expenditure_request", json_string(request_id));
        cm_problem_set(problem, "available",
                       json_integer(cm_doc_integer(doc, "amount") - used));
    }
    json_decref(doc);
    return problem;
}

void
expenditure_commit_use(cm_commit_t *commit, const finance_t *config,
                       const char *request_id, int64_t amount, int64_t bound)
{
    if (amount < config->major_expenditure_fen || !request_id) {
        return;
    }
    // The request's amount never changes once approved: the counter's
    // upper bound makes concurrent uses of one request atomic.
    char key[CM_STORE_KEY_MAX];
    cm_doc_key(&expenditure_type, request_id, key, sizeof key);
    cm_commit_counter(commit, key, EXPENDITURE_FIELD_USED, amount, 0, bound);
}

void
expenditure_answer_limit(cm_ctx_t *ctx, int outcome, const char *request_id)
{
    int64_t value = 0;
    const char *field =
        outcome == CM_COMMIT_LIMIT ? cm_ctx_limit(ctx, &value) : NULL;
    if (field && strcmp(field, EXPENDITURE_FIELD_USED) == 0) {
        json_t *problem = cm_problem_new(422, "expenditure_request_exhausted",
                                         "the expenditure request has not "
                                         "that much left");
        cm_problem_set(problem, "expenditure_request",
                       json_string(request_id ? request_id : ""));
        cm_ctx_fail(ctx, problem);
    }
}

// ---- handlers

void
expenditure_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_validate_name_in(FINANCE_STAFF_ROLES, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "staff request expenditure");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &expenditure_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "draft", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    if (!json_object_get(body, "department")) {
        json_object_set_new(doc, "department",
                            json_string(cm_ctx_actor_department(ctx)));
    }
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    cm_doc_commit(commit, &expenditure_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &expenditure_type,
                 FINANCE_EVENT_EXPENDITURE_CREATED, doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, &expenditure_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
expenditure_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &expenditure_type, NULL);
}

void
expenditure_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &expenditure_type);
}

void
expenditure_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &expenditure_type);
}

void
expenditure_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &expenditure_type);
}

void
expenditure_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &expenditure_type);
}
