#include "journal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "entry.h"
#include "events/finance.h"
#include "finance.h"
#include "line.h"
#include "period.h"

// One account touched by an entry.
typedef struct {
    const char *code; // borrowed from the lines
    int64_t debit;    // sum of its debits
    int64_t credit;   // sum of its credits
    json_t *doc;      // the account as read (owned): its type
} s_touch_t;

// Group the lines by account. Returns the count, or -1 when more than
// JOURNAL_ACCOUNTS_MAX accounts.
static int
s_group(const json_t *lines, s_touch_t *touch)
{
    int n = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        const char *code = cm_doc_text(line, "account");
        int at = 0;
        while (at < n && strcmp(touch[at].code, code) != 0) {
            at++;
        }
        if (at == n) {
            if (n == JOURNAL_ACCOUNTS_MAX) {
                return -1;
            }
            touch[n++] = (s_touch_t){.code = code};
        }
        touch[at].debit += entry_line_debit(line);
        touch[at].credit += entry_line_credit(line);
    }
    return n;
}

// Read every touched account; NULL or a problem naming the first unknown.
static json_t *
s_read_accounts(cm_store_t *store, const json_t *lines, s_touch_t *touch, int n)
{
    const char *ids[JOURNAL_ACCOUNTS_MAX];
    json_t *docs[JOURNAL_ACCOUNTS_MAX];
    int64_t versions[JOURNAL_ACCOUNTS_MAX];
    for (int i = 0; i < n; i++) {
        ids[i] = touch[i].code;
    }
    int rc =
        cm_doc_read_many(store, &account_type, ids, (size_t)n, docs, versions);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *problem = NULL;
    for (int i = 0; i < n; i++) {
        touch[i].doc = docs[i];
        for (size_t j = 0; !docs[i] && j < json_array_size(lines); j++) {
            if (strcmp(cm_doc_text(json_array_get(lines, j), "account"),
                       touch[i].code)
                == 0) {
                char field[48];
                snprintf(field, sizeof field, "lines[%zu].account", j);
                cm_validate_fail(&problem, field, "is not an account");
                break;
            }
        }
    }
    return problem;
}

static json_t *
s_entry_json(const journal_post_t *post, const char *id, int64_t now_ms)
{
    char at[40], day[11];
    json_t *entry = json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:O, s:O?, s:O?, s:s?}", "id", id,
        "date", period_format_day(period_day(now_ms), day), "recorded_at",
        cm_time_format(now_ms, at), "memo", post->memo, "reference",
        post->reference, "document_date", post->document_date, "lines",
        post->lines, "source", post->source, "by",
        post->actor ? json_object_get(post->actor, "id") : NULL, "reverses",
        post->reverses);
    assert(entry);
    return entry;
}

// The account's figures (counters on its hash) and its posting, stamped
// with the balance after the whole commit.
static void
s_commit_account(cm_commit_t *commit, const s_touch_t *t, const json_t *entry)
{
    char key[CM_STORE_KEY_MAX], postings[CM_STORE_KEY_MAX];
    cm_doc_key(&account_type, t->code, key, sizeof key);
    int64_t delta =
        entry_balance_delta(cm_doc_text(t->doc, "type"), t->debit, t->credit);
    const char *fields[] = {ACCOUNT_BALANCE, "debits", "credits", "postings"};
    int64_t deltas[] = {delta, t->debit, t->credit, 1};
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        cm_commit_counter(commit, key, fields[i], deltas[i], CM_COUNTER_NO_MIN,
                          CM_COUNTER_NO_MAX);
    }
    json_t *posting = json_pack(
        "{s:O, s:O, s:I, s:I, s:O, s:O?}", "entry",
        json_object_get(entry, "id"), "date", json_object_get(entry, "date"),
        "debit", (json_int_t)t->debit, "credit", (json_int_t)t->credit, "memo",
        json_object_get(entry, "memo"), "reference",
        json_object_get(entry, "reference"));
    char *text = json_dumps(posting, JSON_COMPACT);
    cm_commit_ledger_stamped(commit, account_postings_key(t->code, postings),
                             text, key, ACCOUNT_BALANCE, ACCOUNT_BALANCE);
    free(text);
    json_decref(posting);
}

static void
s_commit_entry(cm_commit_t *commit, const journal_post_t *post,
               const json_t *entry)
{
    char key[CM_STORE_KEY_MAX];
    char *text = json_dumps(entry, JSON_COMPACT);
    const char *id = cm_doc_text(entry, "id");
    cm_commit_doc(commit, finance_key(key, "entry", id), CM_VERSION_NEW, text);
    cm_commit_ledger(commit, finance_key(key, "ledger", JOURNAL_STREAM), text);
    free(text);
    char subject[CM_ID_MAX + 8];
    snprintf(subject, sizeof subject, "entry/%s", id);
    cm_envelope_event_t event = {.type = FINANCE_EVENT_JOURNAL_POSTED,
                                 .source = FINANCE_OWNER,
                                 .subject = subject,
                                 .version = 1,
                                 .correlation_id = post->correlation,
                                 .actor = post->actor,
                                 .data = entry};
    cm_outbox_append(commit, &event);
}

json_t *
journal_prepare(cm_store_t *store, cm_commit_t *commit,
                const journal_post_t *post, const char *id, int64_t now_ms,
                json_t **entry)
{
    assert(store && commit && post && id && entry);
    s_touch_t touch[JOURNAL_ACCOUNTS_MAX];
    int n = s_group(post->lines, touch);
    if (n < 0) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "lines", "touch at most 12 accounts");
        return problem;
    }
    json_t *problem = s_read_accounts(store, post->lines, touch, n);
    if (!problem) {
        *entry = s_entry_json(post, id, now_ms);
        for (int i = 0; i < n; i++) {
            s_commit_account(commit, &touch[i], *entry);
        }
        s_commit_entry(commit, post, *entry);
        char key[CM_STORE_KEY_MAX];
        cm_commit_counter(commit, line_year_key(period_year(now_ms), key),
                          LINE_FIELD_CLOSED, 0, CM_COUNTER_NO_MIN, 0);
    }
    for (int i = 0; i < n; i++) {
        json_decref(touch[i].doc);
    }
    return problem;
}

int
journal_next_id(cm_store_t *store, char *id)
{
    int64_t number = 0;
    int rc = cm_store_next_id(store, FINANCE_OWNER, "entry", &number);
    if (rc == 0) {
        cm_id_format("JE", number, id);
    }
    return rc;
}
