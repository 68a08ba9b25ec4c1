#include "claim.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "budget.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "control.h"
#include "events/finance.h"
#include "expenditure.h"
#include "finance.h"
#include "invoice.h"
#include "journal.h"
#include "period.h"

#define S_DETAIL_MAX 256

static const cm_field_t s_create_fields[] = {
    {"date", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"place", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"purpose", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 2000},
    {"category", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"invoices", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = INVOICES_MAX, .check = invoice_check_item},
    {"expenditure_request", CM_FIELD_CODE, 0},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"date", CM_FIELD_DATE, 0, .to = "date"},
    {"place", CM_FIELD_STRING, 0, .to = "place"},
    {"purpose", CM_FIELD_TEXT, 0, .max = 2000, .to = "purpose"},
    {"category", CM_FIELD_CODE, 0, .to = "category"},
    {"amount", CM_FIELD_MONEY, 0, .to = "amount"},
    {"invoices", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = INVOICES_MAX,
     .to = "invoices", .check = invoice_check_item},
    {"expenditure_request", CM_FIELD_CODE, 0, .to = "expenditure_request"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

static const cm_field_t s_pay_fields[] = {
    {"method", CM_FIELD_ENUM, 0, "bank cash"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// ---- the claim's rules, shared by create, update, submit and the steps

// The date: a real day, not in the future. NULL or a 400.
static json_t *
s_check_date(const json_t *doc, int64_t now_ms)
{
    int64_t day = 0;
    json_t *problem = NULL;
    if (period_parse_day(cm_doc_text(doc, "date"), &day)
        && day > period_day(now_ms)) {
        cm_validate_fail(&problem, "date", "must not be in the future");
    }
    return problem;
}

static json_t *
s_no_line(const json_t *doc, int year)
{
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "no approved budget line for category %s of department %s in "
             "%d",
             cm_doc_text(doc, "category"), cm_doc_text(doc, "department"),
             year);
    json_t *problem = cm_problem_new(422, "no_budget_line", detail);
    cm_problem_set(problem, "category",
                   json_string(cm_doc_text(doc, "category")));
    return problem;
}

// Everything a claim must satisfy before it moves: its dates and invoices,
// its budget line (resolved into budget_line, figures into budget_check),
// budget control and the major-expenditure gate. NULL or a problem.
static json_t *
s_check_claim(cm_store_t *store, const finance_t *config, json_t *doc,
              int64_t now_ms, int64_t *bound)
{
    json_t *problem = s_check_date(doc, now_ms);
    if (!problem) {
        problem = invoice_check(doc, config->invoice_max_age_days);
    }
    if (problem) {
        return problem;
    }
    int64_t day = 0;
    period_parse_day(cm_doc_text(doc, "date"), &day);
    int year = period_day_year(day);
    char ref[LINE_REF_MAX];
    int rc = budget_find_line(store, year, cm_doc_text(doc, "category"),
                              cm_doc_text(doc, "department"), ref);
    if (rc != 0) {
        return rc == CM_ENOTFOUND ? s_no_line(doc, year)
                                  : cm_problem_from_status(rc, NULL);
    }
    cm_doc_set_string(doc, "budget_line", ref);
    int64_t amount = cm_doc_integer(doc, "amount");
    json_t *figures = NULL;
    problem = control_check(store, ref, amount, &figures);
    if (!problem) {
        json_object_set_new(doc, "budget_check", figures);
        figures = NULL;
        problem = expenditure_gate(store, config,
                                   cm_doc_string(doc, "expenditure_request"),
                                   amount, bound);
    }
    json_decref(figures);
    return problem;
}

static json_t *
s_check_action(cm_action_t *a, int64_t *bound)
{
    return s_check_claim(a->store, finance_of(a->ctx), a->doc, a->now_ms,
                         bound);
}

// ---- effects

static void
s_after_update(cm_action_t *a, int outcome)
{
    json_t *problem = outcome == CM_COMMIT_CONFLICT
                          ? invoice_conflict(a->store, a->doc)
                          : NULL;
    if (problem) {
        cm_ctx_fail(a->ctx, problem);
    }
}

static json_t *
s_update(cm_action_t *a)
{
    int64_t bound = 0;
    json_t *problem = s_check_action(a, &bound);
    if (!problem) {
        problem = invoice_commit(a->store, a->commit, a->old, a->doc);
    }
    a->after_commit = s_after_update;
    return problem;
}

// The matrix's class of a claim: "own_head" when the claimant heads the
// claim's department (the check then goes to the deputy head over it).
static const char *
s_class(const cm_action_t *a)
{
    const char *department = cm_doc_text(a->doc, "department");
    return cm_org_heads(a->actor, department) ? "own_head" : NULL;
}

static json_t *
s_submit(cm_action_t *a)
{
    int64_t bound = 0;
    json_t *problem = s_check_action(a, &bound);
    if (!problem) {
        problem = cm_approval_submit(a, "expense_claim",
                                     cm_doc_text(a->doc, "department"),
                                     cm_doc_integer(a->doc, "amount"),
                                     s_class(a), "pending", "approved");
    }
    return problem;
}

static json_t *
s_resubmit(cm_action_t *a)
{
    int64_t bound = 0;
    json_t *problem = s_check_action(a, &bound);
    if (!problem) {
        problem = cm_approval_resubmit(a, cm_doc_integer(a->doc, "amount"),
                                       "pending", "approved");
    }
    return problem;
}

static void
s_after_commit_budget(cm_action_t *a, int outcome)
{
    const char *ref = cm_doc_text(a->doc, "budget_line");
    control_answer_limit(a->ctx, outcome, ref,
                         cm_doc_integer(a->doc, "amount"));
    expenditure_answer_limit(a->ctx, outcome,
                             cm_doc_string(a->doc, "expenditure_request"));
    if (outcome == CM_COMMIT_OK) {
        control_threshold(a->ctx, ref, a->now_ms);
    }
}

// The final approval commits the budget: a movement `commit` bounded by
// the line's available amount in stop mode.
static json_t *
s_commit_budget(cm_action_t *a, int64_t bound)
{
    line_t line;
    const char *ref = cm_doc_text(a->doc, "budget_line");
    int rc = line_read(a->store, ref, &line);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    int64_t amount = cm_doc_integer(a->doc, "amount");
    char step[32];
    snprintf(step, sizeof step, "approve:r%lld",
             (long long)cm_doc_integer(json_object_get(a->doc, "approval"),
                                       "round"));
    line_movement_t m = {.kind = "commit",
                         .committed = amount,
                         .doc_type = "expense_claim",
                         .doc_id = cm_doc_text(a->doc, "id"),
                         .step = step,
                         .actor = cm_doc_text(a->actor, "id")};
    line_commit_movement(a->commit, &line, &m, a->now_ms);
    line_clear(&line);
    expenditure_commit_use(a->commit, finance_of(a->ctx),
                           cm_doc_string(a->doc, "expenditure_request"), amount,
                           bound);
    json_object_set_new(a->doc, "budget",
                        json_pack("{s:s, s:I, s:I}", "line", ref, "committed",
                                  (json_int_t)amount, "actual", 0));
    control_warn_event(a->ctx, a->commit,
                       json_object_get(a->doc, "budget_check"));
    a->after_commit = s_after_commit_budget;
    cm_action_event(a, FINANCE_EVENT_CLAIM_APPROVED, NULL);
    return NULL;
}

// Every step checks the budget again; the last one commits it.
static json_t *
s_approve(cm_action_t *a)
{
    int64_t bound = 0;
    json_t *problem = s_check_action(a, &bound);
    if (problem) {
        json_t *refusal = cm_action_refuse(
            a, cm_problem_status(problem),
            json_string_value(json_object_get(problem, "code")),
            json_string_value(json_object_get(problem, "detail")));
        json_object_update_missing(refusal, problem);
        json_decref(problem);
        return refusal;
    }
    problem = cm_approval_approve(a, "pending", "approved");
    if (problem || !cm_approval_is_complete(a->doc)) {
        return problem;
    }
    return s_commit_budget(a, bound);
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static void
s_after_pay(cm_action_t *a, int outcome)
{
    control_answer_limit(a->ctx, outcome, cm_doc_text(a->doc, "budget_line"),
                         cm_doc_integer(a->doc, "amount"));
}

// The journal entry of the payment: the line's expense account against
// cash or bank.
static json_t *
s_post_payment(cm_action_t *a, const line_t *line, const char *method,
               char *entry_id)
{
    int64_t amount = cm_doc_integer(a->doc, "amount");
    const char *expense = line_text(line, "account");
    json_t *lines = json_pack(
        "[{s:s, s:I}, {s:s, s:I}]", "account",
        expense ? expense : ACCOUNT_EXPENSE, "debit", (json_int_t)amount,
        "account", strcmp(method, "cash") == 0 ? ACCOUNT_CASH : ACCOUNT_BANK,
        "credit", (json_int_t)amount);
    json_t *source = json_pack("{s:s, s:s}", "type", "expense_claim", "id",
                               cm_doc_text(a->doc, "id"));
    char memo[CM_FIELD_STRING_MAX];
    snprintf(memo, sizeof memo, "expense claim %s: %.120s",
             cm_doc_text(a->doc, "id"), cm_doc_text(a->doc, "place"));
    journal_post_t post = {.lines = lines,
                           .memo = memo,
                           .reference = cm_doc_text(a->doc, "id"),
                           .source = source,
                           .actor = a->actor};
    json_t *entry = NULL;
    int rc = journal_next_id(a->store, entry_id);
    json_t *problem = rc ? cm_problem_from_status(rc, NULL)
                         : journal_prepare(a->store, a->commit, &post, entry_id,
                                           a->now_ms, &entry);
    json_decref(entry);
    json_decref(source);
    json_decref(lines);
    return problem;
}

static json_t *
s_pay(cm_action_t *a)
{
    line_t line;
    const char *ref = cm_doc_text(a->doc, "budget_line");
    int rc = line_read(a->store, ref, &line);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    const char *method = cm_doc_string(a->body, "method");
    method = method ? method : "bank";
    char entry_id[CM_ID_MAX];
    json_t *problem = s_post_payment(a, &line, method, entry_id);
    if (!problem) {
        int64_t amount = cm_doc_integer(a->doc, "amount");
        line_movement_t m = {.kind = "pay",
                             .committed = -amount,
                             .actual = amount,
                             .doc_type = "expense_claim",
                             .doc_id = cm_doc_text(a->doc, "id"),
                             .step = "pay",
                             .actor = cm_doc_text(a->actor, "id")};
        line_commit_movement(a->commit, &line, &m, a->now_ms);
        json_object_set_new(a->doc, "budget",
                            json_pack("{s:s, s:I, s:I}", "line", ref,
                                      "committed", 0, "actual",
                                      (json_int_t)amount));
        char at[40];
        json_object_set_new(a->doc, "payment",
                            json_pack("{s:s, s:s, s:s, s:O}", "method", method,
                                      "journal_entry", entry_id, "paid_at",
                                      cm_time_format(a->now_ms, at), "by",
                                      json_object_get(a->actor, "id")));
        json_object_set_new(a->event_data, "journal_entry",
                            json_string(entry_id));
        a->after_commit = s_after_pay;
    }
    line_clear(&line);
    return problem;
}

static json_t *
s_cancel(cm_action_t *a)
{
    return invoice_commit(a->store, a->commit, a->old, NULL);
}

#define S_STAFF FINANCE_STAFF_ROLES
#define S_OWN   (CM_WORKFLOW_ASSIGNEE | CM_WORKFLOW_STRICT)

static const cm_workflow_row_t s_rows[] = {
    {"draft returned", "update", S_STAFF, S_OWN, NULL, CM_WORKFLOW_STAY,
     FINANCE_EVENT_CLAIM_UPDATED, s_update_fields, s_update},
    {"draft", "submit", S_STAFF, S_OWN, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_CLAIM_SUBMITTED, s_note_only, s_submit},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_CLAIM_STEP_APPROVED, cm_approval_approve_fields, s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_CLAIM_REJECTED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_STAFF, S_OWN, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_CLAIM_RESUBMITTED, s_note_only, s_resubmit},
    {"approved", "pay", "finance",
     CM_WORKFLOW_NOT_REQUESTER | CM_WORKFLOW_STRICT, NULL, "paid",
     FINANCE_EVENT_CLAIM_PAID, s_pay_fields, s_pay},
    {"draft returned", "cancel", S_STAFF, S_OWN, NULL, "cancelled",
     FINANCE_EVENT_CLAIM_CANCELLED, s_note_only, s_cancel},
};

const cm_workflow_t claim_workflow = {
    .name = "expense_claim",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "paid cancelled",
    .superuser_role = "station_head",
    .assignee_field = "claimant",
};

static const cm_filter_t s_filters[] = {
    {"claimant"},
    {"department"},
    {"state", NULL, "draft pending returned approved paid cancelled"},
    {NULL},
};

// Need-to-know: the claimant, finance, the station's management, auditors,
// and the head or deputy over the claim's department.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *department = cm_doc_text(doc, "department");
    return cm_validate_name_in(FINANCE_READERS, cm_ctx_actor_role(ctx))
           || finance_is_system(ctx)
           || strcmp(cm_doc_text(doc, "claimant"), cm_ctx_actor_id(ctx)) == 0
           || cm_org_heads(actor, department)
           || cm_org_oversees(actor, department);
}

const cm_doc_type_t claim_type = {
    .owner = FINANCE_OWNER,
    .kind = "claim",
    .what = "expense claim",
    .id_prefix = "EC",
    .path = "/v1/expense-claims",
    .filters = s_filters,
    .workflow = &claim_workflow,
    .list_omits = "approval invoices budget_check",
    .may_read = s_may_read,
};

// ---- handlers

static json_t *
s_new_claim(cm_ctx_t *ctx, const json_t *body, int64_t now)
{
    json_t *doc = cm_doc_new("EC-0", "draft", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_set_new(doc, "claimant", json_string(cm_ctx_actor_id(ctx)));
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    json_object_set_new(doc, "department",
                        json_string(cm_ctx_actor_department(ctx)));
    return doc;
}

static void
s_commit_new(cm_ctx_t *ctx, json_t *doc, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    json_t *problem = invoice_commit(cm_ctx_store(ctx), commit, NULL, doc);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        cm_commit_destroy(&commit);
        return;
    }
    cm_doc_commit(commit, &claim_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &claim_type, FINANCE_EVENT_CLAIM_CREATED, doc, 1,
                 NULL);
    int outcome = cm_doc_reply_commit(ctx, commit, &claim_type, 201, doc, 1);
    problem = outcome == CM_COMMIT_CONFLICT
                  ? invoice_conflict(cm_ctx_store(ctx), doc)
                  : NULL;
    if (problem) {
        cm_ctx_fail(ctx, problem);
    }
    cm_commit_destroy(&commit);
}

void
claim_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_validate_name_in(FINANCE_STAFF_ROLES, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "staff file expense claims");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms(), bound = 0;
    json_t *doc = s_new_claim(ctx, body, now);
    problem =
        s_check_claim(cm_ctx_store(ctx), finance_of(ctx), doc, now, &bound);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &claim_type, id) == 0) {
        json_object_set_new(doc, "id", json_string(id));
        s_commit_new(ctx, doc, now);
    }
    json_decref(doc);
}

static json_t *
s_scope(cm_ctx_t *ctx, const cm_doc_type_t *type, cm_list_query_t *query)
{
    (void)type; // one type
    const json_t *heads = json_object_get(cm_ctx_actor(ctx), "heads");
    if (cm_validate_name_in(FINANCE_READERS, cm_ctx_actor_role(ctx))) {
        return NULL;
    }
    if (json_array_size(heads) > 0 && !query->values[0]) {
        // A department head sees the claims of the department they head.
        query->values[1] = json_string_value(json_array_get(heads, 0));
        return NULL;
    }
    query->values[0] = cm_ctx_actor_id(ctx); // everyone else: their own
    return NULL;
}

void
claim_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &claim_type, s_scope);
}

void
claim_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &claim_type);
}

void
claim_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &claim_type);
}

void
claim_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &claim_type);
}

void
claim_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &claim_type);
}
