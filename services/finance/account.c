#include "account.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "entry.h"
#include "events/finance.h"
#include "finance.h"
#include "period.h"

static const cm_filter_t s_filters[] = {
    {"type", NULL, ENTRY_ACCOUNT_TYPES},
    {NULL},
};

static const char *const s_figures[] = {ACCOUNT_BALANCE, "debits", "credits",
                                        "postings"};
#define S_FIGURES 4

// The running figures of an account: 0 or a store status.
static int
s_read_figures(cm_store_t *store, const char *code, int64_t *values)
{
    char key[CM_STORE_KEY_MAX];
    const char *keys[] = {finance_key(key, "account", code)};
    return cm_store_counters(store, keys, 1, s_figures, S_FIGURES, values);
}

static void
s_decorate(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    int64_t values[S_FIGURES];
    if (s_read_figures(cm_ctx_store(ctx), cm_doc_text(doc, "code"), values)
        == 0) {
        for (size_t i = 0; i < S_FIGURES; i++) {
            json_object_set_new(view, s_figures[i], json_integer(values[i]));
        }
    }
}

const cm_doc_type_t account_type = {
    .owner = FINANCE_OWNER,
    .kind = "account",
    .what = "account",
    .id_prefix = "",
    .path = "/v1/accounts",
    .filters = s_filters,
    .decorate = s_decorate,
    .history_keep = 5,
};

static const cm_field_t s_create_fields[] = {
    {"code", CM_FIELD_CODE, CM_FIELD_REQUIRED, .max = ACCOUNT_CODE_MAX},
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"type", CM_FIELD_ENUM, CM_FIELD_REQUIRED, ENTRY_ACCOUNT_TYPES},
    {"description", CM_FIELD_TEXT, 0},
    CM_FIELD_END,
};

// The default chart: code, name, type.
static const char *const s_chart[][3] = {
    {ACCOUNT_CASH, "Cash on hand", "asset"},
    {ACCOUNT_BANK, "Bank deposits", "asset"},
    {"1221", "Other receivables", "asset"},
    {"2202", "Accounts payable", "liability"},
    {ACCOUNT_STAFF, "Payables to staff", "liability"},
    {"3001", "Paid-in capital", "equity"},
    {"6001", "Service revenue", "income"},
    {ACCOUNT_INCOME, "Non-operating income", "income"},
    {"6601", "Service expenses", "expense"},
    {ACCOUNT_EXPENSE, "Administrative expenses", "expense"},
    {"6711", "Non-operating expenses", "expense"},
};

const char *
account_postings_key(const char *code, char *buf)
{
    char id[ACCOUNT_CODE_MAX + 16];
    snprintf(id, sizeof id, "account:%s", code);
    return finance_key(buf, "ledger", id);
}

static json_t *
s_new_account(const char *code, const char *name, const char *type,
              const json_t *actor, int64_t now)
{
    json_t *doc = cm_doc_new(code, "active", actor, now);
    json_object_set_new(doc, "code", json_string(code));
    json_object_set_new(doc, "name", json_string(name));
    json_object_set_new(doc, "type", json_string(type));
    return doc;
}

int
account_seed(cm_store_t *store)
{
    int64_t now = cm_time_now_ms();
    for (size_t i = 0; i < sizeof s_chart / sizeof s_chart[0]; i++) {
        json_t *doc = s_new_account(s_chart[i][0], s_chart[i][1], s_chart[i][2],
                                    NULL, now);
        cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
        cm_doc_commit(commit, &account_type, NULL, doc, CM_VERSION_NEW, now);
        cm_commit_result_t result;
        int rc = cm_store_commit(store, commit, &result);
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
        json_decref(doc);
        if (rc != 0) {
            cm_log_error("account.seed.failed", "code", s_chart[i][0]);
            return -1;
        }
    }
    return 0;
}

void
account_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!finance_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "finance keeps the chart");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc =
        s_new_account(cm_doc_text(body, "code"), cm_doc_text(body, "name"),
                      cm_doc_text(body, "type"), cm_ctx_actor(ctx), now);
    if (json_object_get(body, "description")) {
        json_object_set(doc, "description",
                        json_object_get(body, "description"));
    }
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    cm_doc_commit(commit, &account_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &account_type, FINANCE_EVENT_ACCOUNT_CREATED, doc,
                 1, NULL);
    int outcome = cm_doc_reply_commit(ctx, commit, &account_type, 201, doc, 1);
    if (outcome == CM_COMMIT_CONFLICT) {
        cm_ctx_fail(ctx, cm_problem_new(409, "account_exists",
                                        "an account with this code exists"));
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
account_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &account_type, NULL);
}

void
account_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &account_type);
}

bool
account_parse_bound(const char *text, bool end_of_day, int64_t *ms)
{
    int64_t day = 0;
    if (text && period_parse_day(text, &day)) {
        *ms = day * PERIOD_DAY_MS + (end_of_day ? PERIOD_DAY_MS - 1 : 0);
        return true;
    }
    return text && cm_time_parse(text, ms) == 0;
}

// The balance after the last posting at or before at_ms: 0 or a status.
static int
s_balance_at(cm_store_t *store, const char *code, int64_t at_ms,
             json_t **posting)
{
    char key[CM_STORE_KEY_MAX], max_id[32];
    snprintf(max_id, sizeof max_id, "%lld", (long long)at_ms);
    cm_stream_page_t page;
    int rc = cm_stream_read(store, account_postings_key(code, key), NULL, NULL,
                            max_id, 1, true, &page);
    if (rc == 0) {
        *posting = json_incref(json_array_get(page.entries, 0));
        cm_stream_page_clear(&page);
    }
    return rc;
}

void
account_balance(cm_ctx_t *ctx)
{
    const char *code = cm_ctx_param(ctx, "id");
    const char *at = cm_ctx_query(ctx, "at");
    int64_t at_ms = 0, version = 0;
    if (at && !account_parse_bound(at, true, &at_ms)) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "at", "must be a date or an RFC 3339 time");
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *doc = cm_doc_load(ctx, &account_type, code, &version);
    if (!doc) {
        return;
    }
    int64_t values[S_FIGURES] = {0, 0, 0, 0};
    char now[40];
    int rc = s_read_figures(cm_ctx_store(ctx), code, values);
    json_t *reply = json_pack("{s:s, s:O, s:I, s:s}", "account", code, "type",
                              json_object_get(doc, "type"), "balance",
                              (json_int_t)values[0], "as_of",
                              cm_time_format(cm_time_now_ms(), now));
    json_t *posting = NULL;
    if (rc == 0 && at) {
        rc = s_balance_at(cm_ctx_store(ctx), code, at_ms, &posting);
    }
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        json_decref(reply);
    } else {
        if (at) {
            json_object_set_new(
                reply, "balance",
                json_integer(cm_doc_integer(posting, "balance")));
            json_object_set_new(reply, "as_of", json_string(at));
            json_object_set(reply, "last_entry",
                            posting ? json_object_get(posting, "entry")
                                    : json_null());
        }
        cm_ctx_reply(ctx, 200, reply);
    }
    json_decref(posting);
    json_decref(doc);
}
