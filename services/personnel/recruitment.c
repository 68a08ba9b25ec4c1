#include "recruitment.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_call.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "personnel.h"
#include "position.h"

// ---- the body (pure)

static bool
s_check_position(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), POSITION_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a position id such as POS-3");
}

static bool
s_check_period(const json_t *value, const char *field, json_t **problem)
{
    static const cm_field_t parts[] = {
        {"start", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        {"end", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        CM_FIELD_END,
    };
    if (!cm_field_check_object(parts, value, field, problem)) {
        return false;
    }
    if (strcmp(cm_doc_text(value, "end"), cm_doc_text(value, "start")) < 0) {
        char name[96];
        snprintf(name, sizeof name, "%s.end", field);
        return cm_validate_fail(problem, name, "must not be before start");
    }
    return true;
}

// finance's line reference: "BU-<n>/L<n>".
static bool
s_check_budget_line(const json_t *value, const char *field, json_t **problem)
{
    const char *text = json_string_value(value);
    const char *slash = text ? strchr(text, '/') : NULL;
    char budget[CM_ID_MAX];
    bool fine = slash && (size_t)(slash - text) < sizeof budget;
    if (fine) {
        snprintf(budget, sizeof budget, "%.*s", (int)(slash - text), text);
        const char *line = slash + 1;
        size_t digits = strspn(line + (line[0] == 'L'), "0123456789");
        fine = cm_id_parse(budget, "BU", NULL) && line[0] == 'L'
               && line[1] >= '1' && line[1] <= '9' && digits > 0
               && line[1 + digits] == '\0';
    }
    return fine
           || cm_validate_fail(problem, field,
                               "must be a budget line such as BU-1/L2");
}

static const cm_field_t s_create_fields[] = {
    {"position", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_position},
    {"headcount", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
     .max = RECRUITMENT_HEADCOUNT_MAX},
    {"conditions", CM_FIELD_TEXT, CM_FIELD_REQUIRED,
     .max = RECRUITMENT_CONDITIONS_MAX},
    {"period", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .check = s_check_period},
    {"budget_line", CM_FIELD_ANY, CM_FIELD_REQUIRED,
     .check = s_check_budget_line},
    {"budget_amount", CM_FIELD_MONEY, 0},
    CM_FIELD_END,
};

json_t *
recruitment_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    cm_field_check(s_create_fields, body, &problem);
    return problem;
}

// ---- who

static bool
s_is_proposer(const json_t *actor, const json_t *doc)
{
    const char *id = cm_doc_text(actor, "id");
    return *id && strcmp(id, cm_doc_text(doc, "requested_by")) == 0;
}

// ---- effects

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

static void
s_decided(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    json_object_set(a->doc, "decided_by", json_object_get(a->actor, "id"));
    json_object_set_new(a->doc, "decided_at",
                        json_string(cm_time_format(a->now_ms, at)));
    cm_action_event(a, PERSONNEL_EVENT_RECRUITMENT_APPROVED, NULL);
}

// The plan's cost against finance's budget line (when the plan names
// one): finance's check answers whether it fits; its refusal (unknown
// line, over budget on a stopping line) refuses the submission. NULL or a
// problem.
static json_t *
s_check_budget(cm_action_t *a)
{
    const json_t *amount = json_object_get(a->doc, "budget_amount");
    if (!json_is_integer(amount) || !a->ctx) {
        return NULL;
    }
    json_t *body = json_pack("{s:O, s:O, s:{s:s, s:O}}", "line",
                             json_object_get(a->doc, "budget_line"), "amount",
                             amount, "document", "type", "recruitment_plan",
                             "id", json_object_get(a->doc, "id"));
    cm_call_t call = {.service = "finance",
                      .method = "POST",
                      .path = "/internal/budget/check",
                      .body = body};
    cm_call_result_t result;
    int rc = cm_ctx_call(a->ctx, &call, &result);
    json_decref(body);
    json_t *problem = NULL;
    if (rc != 0 || result.status >= 500) {
        problem = cm_problem_new(503, "finance_unavailable",
                                 "finance could not check the budget line; "
                                 "retry");
    } else if (result.status != 200) {
        const char *code = cm_doc_text(result.error, "code");
        const char *detail = cm_doc_text(result.error, "detail");
        problem = cm_problem_new(422, *code ? code : "budget_refused",
                                 *detail ? detail
                                         : "finance refused the budget line");
        cm_problem_add_error(problem, "budget_line",
                             "does not cover the plan's budget_amount");
    } else {
        char at[CM_TIME_TEXT_MAX];
        json_object_set_new(a->doc, "budget_check",
                            json_pack("{s:O?, s:O?, s:s}", "fits",
                                      json_object_get(result.body, "fits"),
                                      "available",
                                      json_object_get(result.body, "available"),
                                      "at", cm_time_format(a->now_ms, at)));
    }
    cm_call_result_clear(&result);
    return problem;
}

static json_t *
s_submit(cm_action_t *a)
{
    json_t *checked = s_check_budget(a);
    if (checked) {
        return checked;
    }
    if (access_is_top(a->actor) && s_is_proposer(a->actor, a->doc)) {
        a->next_state = "approved"; // the station head's own plan
        s_decided(a);
        return NULL;
    }
    json_t *problem = cm_approval_submit(a, "recruitment_plan",
                                         cm_doc_text(a->doc, "department"), 0,
                                         NULL, "pending", "approved");
    if (!problem && strcmp(a->next_state, "approved") == 0) {
        s_decided(a);
    }
    return problem;
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "approved");
    if (!problem && cm_approval_is_complete(a->doc)) {
        s_decided(a);
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
    json_t *checked = s_check_budget(a);
    if (checked) {
        return checked;
    }
    json_t *problem = cm_approval_resubmit(a, 0, "pending", "approved");
    if (!problem && strcmp(a->next_state, "approved") == 0) {
        s_decided(a);
    }
    return problem;
}

// ---- the process

#define S_PROPOSERS "deputy_head dept_head"

static bool
s_manager(const json_t *actor, const json_t *doc)
{
    return access_manages(actor, cm_doc_text(doc, "department"));
}

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields,
    // effect, guard
    {"draft", "submit", S_PROPOSERS, 0, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_RECRUITMENT_SUBMITTED, s_note_only, s_submit,
     s_is_proposer},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_RECRUITMENT_STEP_APPROVED, cm_approval_approve_fields,
     s_approve, NULL},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_RECRUITMENT_REJECTED, cm_approval_reject_fields, s_reject,
     NULL},
    {"returned", "resubmit", S_PROPOSERS, 0, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_RECRUITMENT_RESUBMITTED, s_note_only, s_resubmit,
     s_is_proposer},
    {"draft returned", "withdraw", S_PROPOSERS, 0, NULL, "withdrawn",
     PERSONNEL_EVENT_RECRUITMENT_WITHDRAWN, s_note_only, NULL, s_is_proposer},
    {"approved", "close", S_PROPOSERS, 0, NULL, "closed",
     PERSONNEL_EVENT_RECRUITMENT_CLOSED, s_note_only, NULL, s_manager},
};

const cm_workflow_t recruitment_workflow = {
    .name = "recruitment_plan",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed withdrawn",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .requester_field = "requested_by",
};

static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_object();
    const char *members[] = {
        "id",    "state",       "position", "department",   "headcount",
        "hired", "budget_line", "period",   "requested_by", "budget_amount"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *value = json_object_get(doc, members[i]);
        json_object_set_new(data, members[i],
                            value ? json_deep_copy(value) : json_null());
    }
    return data;
}

static const cm_filter_t s_filters[] = {
    {"state", NULL, RECRUITMENT_STATES},
    {"department"},
    {"position"},
    {NULL},
};

const cm_doc_type_t recruitment_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "recruitment_plan",
    .what = "recruitment plan",
    .id_prefix = "RP",
    .path = "/v1/recruitment-plans",
    .filters = s_filters,
    .workflow = &recruitment_workflow,
    .event_data = s_event_data,
};

// ---- handlers

void
recruitment_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = recruitment_validate_create(body);
    json_t *position = NULL;
    int64_t version = 0;
    if (!problem) {
        int rc =
            cm_doc_read(cm_ctx_store(ctx), &position_type,
                        cm_doc_text(body, "position"), &position, &version);
        if (rc == CM_ENOTFOUND) {
            problem = cm_problem_new(422, "unknown_position",
                                     "There is no such position.");
            cm_problem_add_error(problem, "position", "names no position");
        } else if (rc != 0) {
            problem = cm_problem_from_status(rc, NULL);
        }
    }
    if (!problem
        && !access_manages(cm_ctx_actor(ctx),
                           cm_doc_text(position, "department"))) {
        problem = access_forbidden("plan recruitment for a department you "
                                   "neither head nor oversee");
    }
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &recruitment_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = cm_doc_new(id, "draft", cm_ctx_actor(ctx), now);
        json_object_update(doc, (json_t *)body);
        json_object_set(doc, "department",
                        json_object_get(position, "department"));
        json_object_set(doc, "title", json_object_get(position, "title"));
        json_object_set_new(doc, "hired", json_integer(0));
        json_object_set_new(doc, "requested_by",
                            json_string(cm_ctx_actor_id(ctx)));
        json_t *nulls = json_pack("{s:n, s:n, s:n}", "approval", "decided_by",
                                  "decided_at");
        json_object_update(doc, nulls);
        json_decref(nulls);
        cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
        if (cm_doc_commit(commit, &recruitment_type, NULL, doc, CM_VERSION_NEW,
                          now)
                != 0
            || cm_doc_event(ctx, commit, &recruitment_type,
                            PERSONNEL_EVENT_RECRUITMENT_CREATED, doc, 1, NULL)
                   != 0) {
            cm_ctx_fail(ctx, cm_problem_new(422, "document_too_large",
                                            "the plan is too large"));
        } else {
            cm_doc_reply_commit(ctx, commit, &recruitment_type, 201, doc, 1);
        }
        cm_commit_destroy(&commit);
        json_decref(doc);
    }
    json_decref(position);
}

void
recruitment_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &recruitment_type, NULL);
    }
}

void
recruitment_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &recruitment_type);
    }
}

void
recruitment_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &recruitment_type);
    }
}

void
recruitment_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &recruitment_type);
    }
}
