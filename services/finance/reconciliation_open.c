// Opening a reconciliation (reconciliation.h): from a request or from a
// bank.statement event; and the read routes.
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cm_action.h"
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
#include "reconciliation.h"
#include "statement.h"

static const cm_field_t s_open_fields[] = {
    {"account", CM_FIELD_CODE, CM_FIELD_REQUIRED, .max = ACCOUNT_CODE_MAX},
    {"period_start", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"period_end", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"statement_balance", CM_FIELD_MONEY, CM_FIELD_NEGATIVE},
    {"csv", CM_FIELD_TEXT, 0, .max = RECONCILIATION_CSV_MAX},
    {"lines", CM_FIELD_ANY, 0},
    {"note", CM_FIELD_TEXT, 0},
    CM_FIELD_END,
};

// Check an opening body against the book: the dates in order and the
// account an asset of the chart. NULL or a 400.
static json_t *
s_check_open(cm_store_t *store, const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_field_check(s_open_fields, body, &problem)) {
        return problem;
    }
    int64_t start = 0, end = 0;
    period_parse_day(cm_doc_text(body, "period_start"), &start);
    period_parse_day(cm_doc_text(body, "period_end"), &end);
    if (end < start) {
        cm_validate_fail(&problem, "period_end",
                         "must not be before period_start");
    }
    json_t *account = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &account_type, cm_doc_text(body, "account"),
                         &account, &version);
    if (rc == CM_ENOTFOUND) {
        cm_validate_fail(&problem, "account", "is not an account");
    } else if (rc != 0) {
        json_decref(problem);
        return cm_problem_from_status(rc, NULL);
    } else if (strcmp(cm_doc_text(account, "type"), "asset") != 0) {
        cm_validate_fail(&problem, "account",
                         "must be an asset account (cash or bank)");
    }
    json_decref(account);
    return problem;
}

// The new document and its statement lines into commit. NULL or a problem.
static json_t *
s_open(cm_store_t *store, const json_t *body, const json_t *actor,
       const char *id, int64_t now, cm_commit_t *commit, json_t **doc_out)
{
    json_t *problem = s_check_open(store, body);
    json_t *lines =
        problem ? NULL : reconciliation_body_lines(body, true, &problem);
    if (!lines) {
        return problem;
    }
    json_t *doc = cm_doc_new(id, "importing", actor, now);
    const char *copy[] = {"account", "period_start", "period_end",
                          "statement_balance"};
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
        if (json_object_get(body, copy[i])) {
            json_object_set(doc, copy[i], json_object_get(body, copy[i]));
        }
    }
    json_object_set_new(doc, "statement_lines", json_integer(0));
    json_object_set_new(doc, "statement_total", json_integer(0));
    json_object_set_new(doc, "department", json_string(FINANCE_DEPARTMENT));
    json_object_set_new(doc, "requested_by",
                        json_string(cm_doc_text(actor, "id")));
    char key[CM_STORE_KEY_MAX];
    reconciliation_statement_key(id, key);
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_deep_copy(json_array_get(lines, i));
        json_object_set_new(line, "n", json_integer((json_int_t)i + 1));
        char *text = json_dumps(line, JSON_COMPACT);
        cm_commit_ledger(commit, key, text);
        free(text);
        json_object_set_new(doc, "statement_total",
                            json_integer(cm_doc_integer(doc, "statement_total")
                                         + cm_doc_integer(line, "amount")));
        json_decref(line);
    }
    json_object_set_new(doc, "statement_lines",
                        json_integer((json_int_t)json_array_size(lines)));
    json_decref(lines);
    cm_doc_commit(commit, &reconciliation_type, NULL, doc, CM_VERSION_NEW, now);
    *doc_out = doc;
    return NULL;
}

void
reconciliation_create(cm_ctx_t *ctx)
{
    if (!finance_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "finance reconciles");
        return;
    }
    char id[CM_ID_MAX];
    json_t *problem = s_check_open(cm_ctx_store(ctx), cm_ctx_body(ctx));
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &reconciliation_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    json_t *doc = NULL;
    problem = s_open(cm_ctx_store(ctx), cm_ctx_body(ctx), cm_ctx_actor(ctx), id,
                     now, commit, &doc);
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        cm_doc_event(ctx, commit, &reconciliation_type,
                     FINANCE_EVENT_RECONCILIATION_CREATED, doc, 1, NULL);
        cm_doc_reply_commit(ctx, commit, &reconciliation_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

int
reconciliation_from_event(cm_store_t *store, const json_t *envelope,
                          cm_commit_t *commit)
{
    int64_t number = 0, now = cm_time_now_ms();
    int rc = cm_store_next_id(store, FINANCE_OWNER, reconciliation_type.kind,
                              &number);
    if (rc != 0) {
        return rc;
    }
    char id[CM_ID_MAX];
    cm_id_format(reconciliation_type.id_prefix, number, id);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", cm_doc_text(envelope, "source"), "role",
                  FINANCE_SYSTEM);
    json_t *doc = NULL;
    json_t *problem = s_open(store, json_object_get(envelope, "data"), actor,
                             id, now, commit, &doc);
    if (problem) {
        cm_log_warn("bank_statement.refused", "id", cm_doc_text(envelope, "id"),
                    "reason", cm_doc_text(problem, "detail"));
    } else {
        char subject[CM_ID_MAX + 16];
        snprintf(subject, sizeof subject, "reconciliation/%s", id);
        json_t *data = cm_doc_list_item(&reconciliation_type, doc);
        cm_envelope_event_t event = {
            .type = FINANCE_EVENT_RECONCILIATION_CREATED,
            .source = FINANCE_OWNER,
            .subject = subject,
            .version = 1,
            .correlation_id = cm_doc_string(envelope, "correlation_id"),
            .actor = actor,
            .data = data};
        cm_outbox_append(commit, &event);
        json_decref(data);
    }
    json_decref(problem);
    json_decref(doc);
    json_decref(actor);
    return 0;
}

void
reconciliation_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &reconciliation_type, NULL);
}

void
reconciliation_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &reconciliation_type);
}

void
reconciliation_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &reconciliation_type);
}

void
reconciliation_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &reconciliation_type);
}

void
reconciliation_statement(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *doc = cm_doc_load(ctx, &reconciliation_type,
                              cm_ctx_param(ctx, "id"), &version);
    if (!doc) {
        return;
    }
    json_decref(doc);
    char key[CM_STORE_KEY_MAX];
    const char *cursor = cm_ctx_query(ctx, "cursor");
    if (cursor && !cm_stream_id_is_valid(cursor)) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
        cm_ctx_fail(ctx, problem);
        return;
    }
    cm_stream_page_t page;
    int rc = cm_stream_read(
        cm_ctx_store(ctx),
        reconciliation_statement_key(cm_ctx_param(ctx, "id"), key), cursor,
        NULL, NULL, 200, false, &page);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    json_t *reply = json_pack("{s:O, s:s?}", "items", page.entries,
                              "next_cursor", page.next_cursor);
    if (!page.next_cursor) {
        json_object_set_new(reply, "next_cursor", json_null());
    }
    cm_stream_page_clear(&page);
    cm_ctx_reply(ctx, 200, reply);
}
