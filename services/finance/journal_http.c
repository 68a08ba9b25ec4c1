// Journal routes (journal.h): post, list by account and time, read one,
// reverse one.
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cm_doc.h"
#include "cm_problem.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "entry.h"
#include "finance.h"
#include "journal.h"

#define S_PAGE_DEFAULT 50

static const cm_field_t s_create_fields[] = {
    {"memo", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"reference", CM_FIELD_STRING, 0},
    {"document_date", CM_FIELD_DATE, 0},
    {"lines", CM_FIELD_ANY, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_field_t s_reverse_fields[] = {
    {"memo", CM_FIELD_STRING, 0},
    CM_FIELD_END,
};

static bool
s_may_post(cm_ctx_t *ctx)
{
    if (finance_is_keeper(ctx)) {
        return true;
    }
    cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "finance keeps the journal");
    return false;
}

// Post; marker (may be NULL) is a key that must be new in the same commit
// (a reversal's: an entry is reversed once).
static void
s_post(cm_ctx_t *ctx, const journal_post_t *post, const char *marker)
{
    char id[CM_ID_MAX];
    int rc = journal_next_id(cm_ctx_store(ctx), id);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    if (marker) {
        cm_commit_doc(commit, marker, CM_VERSION_NEW, "{}");
        cm_commit_field(commit, "entry", id);
    }
    json_t *entry = NULL;
    json_t *problem = journal_prepare(cm_ctx_store(ctx), commit, post, id,
                                      cm_time_now_ms(), &entry);
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        char location[64];
        snprintf(location, sizeof location, "/v1/journal/%s", id);
        cm_ctx_header(ctx, "Location", location);
        if (cm_ctx_commit(ctx, commit, 201, entry) == CM_COMMIT_LIMIT) {
            cm_ctx_fail(ctx, cm_problem_new(409, "fiscal_year_closed",
                                            "the fiscal year is closed: "
                                            "nothing may be posted"));
        }
    }
    cm_commit_destroy(&commit);
}

void
journal_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    int64_t total = 0;
    if (!s_may_post(ctx)) {
        return;
    }
    bool ok = cm_field_check(s_create_fields, body, &problem);
    if (json_is_object(body)) {
        ok = entry_check_lines(json_object_get(body, "lines"), &problem, &total)
             && ok;
    }
    if (!ok) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    journal_post_t post = {
        .lines = json_object_get(body, "lines"),
        .memo = cm_doc_string(body, "memo"),
        .reference = cm_doc_string(body, "reference"),
        .document_date = cm_doc_string(body, "document_date"),
        .actor = cm_ctx_actor(ctx),
        .correlation = cm_doc_string(cm_ctx_request(ctx), "correlation_id"),
    };
    s_post(ctx, &post, NULL);
}

static json_t *
s_load_entry(cm_ctx_t *ctx, const char *id)
{
    char key[CM_STORE_KEY_MAX];
    cm_doc_t stored;
    int rc =
        cm_store_get(cm_ctx_store(ctx), finance_key(key, "entry", id), &stored);
    if (rc != 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "journal entry %s not found", id);
        cm_ctx_fail_status(ctx, rc, rc == CM_ENOTFOUND ? detail : NULL);
        return NULL;
    }
    json_t *entry = json_loads(stored.json, 0, NULL);
    cm_doc_clear(&stored);
    if (!entry) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, NULL);
    }
    return entry;
}

void
journal_get(cm_ctx_t *ctx)
{
    json_t *entry = s_load_entry(ctx, cm_ctx_param(ctx, "id"));
    if (entry) {
        cm_ctx_reply(ctx, 200, entry);
    }
}

void
journal_reverse(cm_ctx_t *ctx)
{
    json_t *problem = NULL;
    const char *id = cm_ctx_param(ctx, "id");
    if (!s_may_post(ctx)) {
        return;
    }
    if (!cm_field_check(s_reverse_fields, cm_ctx_body(ctx), &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *entry = s_load_entry(ctx, id);
    if (!entry) {
        return;
    }
    char memo[CM_FIELD_STRING_MAX + 32], marker[CM_STORE_KEY_MAX];
    const char *given = cm_doc_string(cm_ctx_body(ctx), "memo");
    snprintf(memo, sizeof memo, "%s", given ? given : "");
    if (!given) {
        snprintf(memo, sizeof memo, "reversal of %s", id);
    }
    json_t *lines = entry_reverse_lines(json_object_get(entry, "lines"));
    json_t *source = json_pack("{s:s, s:s}", "type", "journal_entry", "id", id);
    journal_post_t post = {
        .lines = lines,
        .memo = memo,
        .reference = cm_doc_string(entry, "reference"),
        .source = source,
        .actor = cm_ctx_actor(ctx),
        .reverses = id,
    };
    s_post(ctx, &post, finance_key(marker, "reversal", id));
    if (cm_ctx_status(ctx) == 409 && !cm_ctx_limit(ctx, NULL)) {
        char detail[96];
        snprintf(detail, sizeof detail, "journal entry %s is already reversed",
                 id);
        cm_ctx_fail(ctx, cm_problem_new(409, "already_reversed", detail));
    }
    json_decref(source);
    json_decref(lines);
    json_decref(entry);
}

// The stream and bounds of a list query; false after answering 400.
static bool
s_list_query(cm_ctx_t *ctx, char *key, char *min_id, char *max_id,
             size_t *limit)
{
    json_t *problem = NULL;
    const char *account = cm_ctx_query(ctx, "account");
    const char *names[] = {"from", "to"};
    char *ids[] = {min_id, max_id};
    for (int i = 0; i < 2; i++) {
        int64_t ms = 0;
        const char *text = cm_ctx_query(ctx, names[i]);
        ids[i][0] = '\0';
        if (text && !account_parse_bound(text, i == 1, &ms)) {
            cm_validate_fail(&problem, names[i],
                             "must be a date or an RFC 3339 time");
        } else if (text) {
            snprintf(ids[i], 32, "%lld", (long long)ms);
        }
    }
    const char *text = cm_ctx_query(ctx, "limit");
    char *end = NULL;
    long value = text ? strtol(text, &end, 10) : S_PAGE_DEFAULT;
    if (text && (*end || value < 1 || value > 200)) {
        cm_validate_fail(&problem, "limit", "must be an integer 1..200");
    }
    const char *cursor = cm_ctx_query(ctx, "cursor");
    if (cursor && !cm_stream_id_is_valid(cursor)) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
    }
    if (account && strlen(account) >= ACCOUNT_CODE_MAX) {
        cm_validate_fail(&problem, "account", "is not an account code");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    *limit = (size_t)value;
    if (account) {
        account_postings_key(account, key);
    } else {
        finance_key(key, "ledger", JOURNAL_STREAM);
    }
    return true;
}

void
journal_list(cm_ctx_t *ctx)
{
    char key[CM_STORE_KEY_MAX], min_id[32], max_id[32];
    size_t limit = 0;
    if (!s_list_query(ctx, key, min_id, max_id, &limit)) {
        return;
    }
    cm_stream_page_t page;
    int rc = cm_stream_read(cm_ctx_store(ctx), key, cm_ctx_query(ctx, "cursor"),
                            min_id[0] ? min_id : NULL,
                            max_id[0] ? max_id : NULL, limit, false, &page);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    json_t *reply = json_pack("{s:O, s:s?}", "items", page.entries,
                              "next_cursor", page.next_cursor);
    if (!page.next_cursor) {
        json_object_set_new(reply, "next_cursor", json_null());
    }
    if (cm_ctx_query(ctx, "account")) {
        json_object_set_new(reply, "account",
                            json_string(cm_ctx_query(ctx, "account")));
    }
    cm_stream_page_clear(&page);
    cm_ctx_reply(ctx, 200, reply);
}
