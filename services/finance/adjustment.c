#include "adjustment.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "budget.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "control.h"
#include "events/finance.h"
#include "finance.h"
#include "line.h"

static const cm_field_t s_create_fields[] = {
    {"budget", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"kind", CM_FIELD_ENUM, 0, "transfer supplement"},
    {"from_line", CM_FIELD_CODE, 0},
    {"to_line", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

static bool
s_is_transfer(const json_t *doc)
{
    return strcmp(cm_doc_text(doc, "kind"), "transfer") == 0;
}

static void
s_ref(const json_t *doc, const char *member, char *ref)
{
    snprintf(ref, LINE_REF_MAX, "%s/%s", cm_doc_text(doc, "budget"),
             cm_doc_text(doc, member));
}

// The lines exist in an approved budget, differ, and a transfer's source
// has the amount available. NULL or a problem.
static json_t *
s_check(cm_store_t *store, const json_t *doc)
{
    char to[LINE_REF_MAX], from[LINE_REF_MAX];
    json_t *problem = NULL;
    s_ref(doc, "to_line", to);
    if (s_is_transfer(doc)) {
        if (!json_object_get(doc, "from_line")) {
            cm_validate_fail(&problem, "from_line", "is required");
            return problem;
        }
        s_ref(doc, "from_line", from);
        if (strcmp(from, to) == 0) {
            cm_validate_fail(&problem, "to_line", "must differ from from_line");
            return problem;
        }
    }
    json_t *figures = NULL;
    problem = control_check(store, to, 1, &figures);
    json_decref(figures);
    if (!problem && s_is_transfer(doc)) {
        line_t line;
        int rc = line_read(store, from, &line);
        if (rc != 0) {
            return control_check(store, from, 1, NULL);
        }
        int64_t amount = cm_doc_integer(doc, "amount");
        if (amount > line.available) {
            problem = control_over_budget(from, line.available, amount);
        }
        line_clear(&line);
    }
    return problem;
}

static json_t *
s_submit(cm_action_t *a)
{
    json_t *problem = s_check(a->store, a->doc);
    if (problem) {
        return problem;
    }
    return cm_approval_submit(
        a, s_is_transfer(a->doc) ? "budget_adjustment" : "budget_supplement",
        FINANCE_DEPARTMENT, cm_doc_integer(a->doc, "amount"), NULL, "pending",
        "approved");
}

static void
s_after_approve(cm_action_t *a, int outcome)
{
    char ref[LINE_REF_MAX];
    s_ref(a->doc, s_is_transfer(a->doc) ? "from_line" : "to_line", ref);
    control_answer_limit(a->ctx, outcome, ref,
                         cm_doc_integer(a->doc, "amount"));
}

// One `adjust` movement of member's line by amount.
static json_t *
s_move(cm_action_t *a, const char *member, int64_t amount)
{
    char ref[LINE_REF_MAX];
    s_ref(a->doc, member, ref);
    line_t line;
    int rc = line_read(a->store, ref, &line);
    if (rc != 0) {
        return control_check(a->store, ref, 1, NULL);
    }
    line_movement_t m = {.kind = "adjust",
                         .amount = amount,
                         .doc_type = s_is_transfer(a->doc)
                                         ? "budget_adjustment"
                                         : "budget_supplement",
                         .doc_id = cm_doc_text(a->doc, "id"),
                         .step = "approve",
                         .actor = cm_doc_text(a->actor, "id"),
                         .note = cm_doc_text(a->doc, "reason")};
    line_commit_movement(a->commit, &line, &m, a->now_ms);
    line_clear(&line);
    return NULL;
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "approved");
    if (problem || !cm_approval_is_complete(a->doc)) {
        return problem;
    }
    int64_t amount = cm_doc_integer(a->doc, "amount");
    problem = s_is_transfer(a->doc) ? s_move(a, "from_line", -amount) : NULL;
    if (!problem) {
        problem = s_move(a, "to_line", amount);
    }
    a->after_commit = s_after_approve;
    cm_action_event(a, FINANCE_EVENT_ADJUSTMENT_APPROVED, NULL);
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
    json_t *problem = s_check(a->store, a->doc);
    return problem ? problem
                   : cm_approval_resubmit(a, cm_doc_integer(a->doc, "amount"),
                                          "pending", "approved");
}

#define S_KEEP FINANCE_KEEPERS

static const cm_workflow_row_t s_rows[] = {
    {"draft", "submit", S_KEEP, 0, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_ADJUSTMENT_SUBMITTED, s_note_only, s_submit,
     .guard = finance_keeper_guard},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_ADJUSTMENT_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_ADJUSTMENT_REJECTED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_KEEP, 0, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_ADJUSTMENT_RESUBMITTED, s_note_only, s_resubmit,
     .guard = finance_keeper_guard},
    {"draft returned", "withdraw", S_KEEP, 0, NULL, "withdrawn",
     FINANCE_EVENT_ADJUSTMENT_WITHDRAWN, s_note_only, NULL,
     .guard = finance_keeper_guard},
};

const cm_workflow_t adjustment_workflow = {
    .name = "budget_adjustment",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "approved withdrawn",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"budget"},
    {"state", NULL, "draft pending returned approved withdrawn"},
    {"kind", NULL, "transfer supplement"},
    {NULL},
};

const cm_doc_type_t adjustment_type = {
    .owner = FINANCE_OWNER,
    .kind = "adjustment",
    .what = "budget adjustment",
    .id_prefix = "BA",
    .path = "/v1/budget-adjustments",
    .filters = s_filters,
    .workflow = &adjustment_workflow,
};

// ---- handlers

static void
s_create(cm_ctx_t *ctx, const char *budget, const char *kind)
{
    json_t *problem = NULL;
    if (!finance_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "finance drafts adjustments");
        return;
    }
    const json_t *given = cm_ctx_body(ctx);
    json_t *body = given ? json_deep_copy(given) : json_object();
    if (json_is_object(body) && budget) {
        json_object_set_new(body, "budget", json_string(budget));
        json_object_set_new(body, "kind", json_string(kind));
    }
    int64_t now = cm_time_now_ms();
    char id[CM_ID_MAX];
    json_t *doc = cm_doc_new("BA-0", "draft", cm_ctx_actor(ctx), now);
    if (cm_field_check(s_create_fields, body, &problem)) {
        json_object_update(doc, body);
        if (!json_object_get(doc, "kind")) {
            json_object_set_new(doc, "kind", json_string("transfer"));
        }
        problem = s_check(cm_ctx_store(ctx), doc);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &adjustment_type, id) == 0) {
        json_object_set_new(doc, "id", json_string(id));
        json_object_set_new(doc, "requested_by",
                            json_string(cm_ctx_actor_id(ctx)));
        cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
        cm_doc_commit(commit, &adjustment_type, NULL, doc, CM_VERSION_NEW, now);
        cm_doc_event(ctx, commit, &adjustment_type,
                     FINANCE_EVENT_ADJUSTMENT_CREATED, doc, 1, NULL);
        cm_doc_reply_commit(ctx, commit, &adjustment_type, 201, doc, 1);
        cm_commit_destroy(&commit);
    }
    json_decref(doc);
    json_decref(body);
}

void
adjustment_create(cm_ctx_t *ctx)
{
    s_create(ctx, NULL, NULL);
}

void
adjustment_create_transfer(cm_ctx_t *ctx)
{
    s_create(ctx, cm_ctx_param(ctx, "id"), "transfer");
}

void
adjustment_create_supplement(cm_ctx_t *ctx)
{
    s_create(ctx, cm_ctx_param(ctx, "id"), "supplement");
}

void
adjustment_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &adjustment_type, NULL);
}

void
adjustment_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &adjustment_type);
}

void
adjustment_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &adjustment_type);
}

void
adjustment_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &adjustment_type);
}
