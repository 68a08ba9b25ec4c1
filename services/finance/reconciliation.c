#include "reconciliation.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/finance.h"
#include "finance.h"
#include "period.h"
#include "statement.h"

static const cm_field_t s_import_fields[] = {
    {"csv", CM_FIELD_TEXT, 0, .max = RECONCILIATION_CSV_MAX},
    {"lines", CM_FIELD_ANY, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_explain_fields[] = {
    {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"explanation", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

// ---- statement lines

const char *
reconciliation_statement_key(const char *id, char *buf)
{
    char name[CM_ID_MAX + 16];
    snprintf(name, sizeof name, "statement:%s", id);
    return finance_key(buf, "ledger", name);
}

json_t *
reconciliation_body_lines(const json_t *body, bool none_ok, json_t **problem)
{
    const json_t *csv = json_object_get(body, "csv");
    const json_t *lines = json_object_get(body, "lines");
    if ((csv && lines) || (!csv && !lines && !none_ok)) {
        cm_validate_fail(problem, "csv",
                         "give the statement as csv or as lines, not both");
        return NULL;
    }
    if (csv) {
        return statement_parse_csv(json_string_value(csv), problem);
    }
    if (lines) {
        return statement_check_lines(lines, problem)
                   ? json_incref((json_t *)lines)
                   : NULL;
    }
    return json_array();
}

// Append lines to the statement of doc; count them into doc.
static void
s_append_lines(cm_commit_t *commit, json_t *doc, const json_t *lines)
{
    char key[CM_STORE_KEY_MAX];
    reconciliation_statement_key(cm_doc_text(doc, "id"), key);
    int64_t n = cm_doc_integer(doc, "statement_lines");
    int64_t total = cm_doc_integer(doc, "statement_total");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_deep_copy(json_array_get(lines, i));
        json_object_set_new(line, "n", json_integer(++n));
        total += cm_doc_integer(line, "amount");
        char *text = json_dumps(line, JSON_COMPACT);
        cm_commit_ledger(commit, key, text);
        free(text);
        json_decref(line);
    }
    json_object_set_new(doc, "statement_lines", json_integer(n));
    json_object_set_new(doc, "statement_total", json_integer(total));
}

// ---- effects

static json_t *
s_import(cm_action_t *a)
{
    json_t *problem = NULL;
    json_t *lines = reconciliation_body_lines(a->body, false, &problem);
    if (lines) {
        s_append_lines(a->commit, a->doc, lines);
        a->history_data =
            json_pack("{s:I}", "lines", (json_int_t)json_array_size(lines));
        json_decref(lines);
    }
    return problem;
}

static json_t *
s_match(cm_action_t *a)
{
    int rc = reconciliation_run(a->store, a->doc,
                                finance_of(a->ctx)->match_window_days);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_object_set_new(a->doc, "run",
                        json_integer(cm_doc_integer(a->doc, "run") + 1));
    json_object_set_new(a->event_data, "difference",
                        json_integer(cm_doc_integer(a->doc, "difference")));
    a->history_data = json_pack(
        "{s:O, s:O, s:O}", "matched", json_object_get(a->doc, "matched"),
        "unmatched_statement", json_object_get(a->doc, "unmatched_statement"),
        "unmatched_book", json_object_get(a->doc, "unmatched_book"));
    return NULL;
}

static json_t *
s_explain(cm_action_t *a)
{
    const char *item = cm_doc_text(a->body, "item");
    json_t *list = json_object_get(a->doc, "differences");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *d = json_array_get(list, i);
        if (strcmp(cm_doc_text(d, "item"), item) == 0) {
            json_object_set(d, "explanation",
                            json_object_get(a->body, "explanation"));
            json_object_set(d, "explained_by", json_object_get(a->actor, "id"));
            return NULL;
        }
    }
    json_t *problem = NULL;
    cm_validate_fail(&problem, "item",
                     "is not a difference of this "
                     "reconciliation");
    return problem;
}

static json_t *
s_submit(cm_action_t *a)
{
    json_t *open = json_array();
    const json_t *list = json_object_get(a->doc, "differences");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *d = json_array_get(list, i);
        if (!json_object_get(d, "explanation")) {
            json_array_append(open, json_object_get(d, "item"));
        }
    }
    if (json_array_size(open) > 0
        || !json_is_true(json_object_get(a->doc, "differences_complete"))) {
        json_t *problem = cm_action_refuse(
            a, 409, "unexplained_differences",
            "every difference needs an explanation before the close");
        cm_problem_set(problem, "unexplained", open);
        return problem;
    }
    json_decref(open);
    int64_t difference = cm_doc_integer(a->doc, "difference");
    int64_t amount = difference < 0 ? -difference : difference;
    if (json_object_get(a->doc, "approval")) {
        return cm_approval_resubmit(a, amount, "pending", "closed");
    }
    return cm_approval_submit(a, "reconciliation", FINANCE_DEPARTMENT, amount,
                              NULL, "pending", "closed");
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "closed");
    if (!problem && cm_approval_is_complete(a->doc)) {
        cm_doc_set_time(a->doc, "closed_at", a->now_ms);
        cm_action_event(a, FINANCE_EVENT_RECONCILIATION_CLOSED, NULL);
    }
    return problem;
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "matched");
}

#define S_KEEP FINANCE_KEEPERS

static const cm_workflow_row_t s_rows[] = {
    {"importing", "import", S_KEEP, 0, NULL, CM_WORKFLOW_STAY,
     FINANCE_EVENT_RECONCILIATION_IMPORTED, s_import_fields, s_import,
     .guard = finance_keeper_guard},
    {"importing matched", "match", S_KEEP, 0, NULL, "matched",
     FINANCE_EVENT_RECONCILIATION_MATCHED, s_note_only, s_match,
     .guard = finance_keeper_guard},
    {"matched", "explain", S_KEEP, 0, NULL, CM_WORKFLOW_STAY,
     FINANCE_EVENT_RECONCILIATION_EXPLAINED, s_explain_fields, s_explain,
     .guard = finance_keeper_guard},
    {"matched", "submit", S_KEEP, 0, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_RECONCILIATION_SUBMITTED, s_note_only, s_submit,
     .guard = finance_keeper_guard},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_RECONCILIATION_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_RECONCILIATION_REJECTED, cm_approval_reject_fields,
     s_reject},
};

const cm_workflow_t reconciliation_workflow = {
    .name = "reconciliation",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"account"},
    {"state", NULL, "importing matched pending closed"},
    {NULL},
};

static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    (void)doc; // the same rule for every reconciliation
    return cm_validate_name_in(FINANCE_READERS " dept_head",
                               cm_ctx_actor_role(ctx));
}

const cm_doc_type_t reconciliation_type = {
    .owner = FINANCE_OWNER,
    .kind = "reconciliation",
    .what = "reconciliation",
    .id_prefix = "RC",
    .path = "/v1/reconciliations",
    .filters = s_filters,
    .workflow = &reconciliation_workflow,
    .list_omits = "differences approval",
    .may_read = s_may_read,
};
