// journal — the double-entry journal: every entry balances (entry.h), is
// posted once and never edited (a correction is a reversing entry). A
// posting writes, in one commit: the entry, its place in the journal
// stream, each account's figures (counters: balance, debits, credits,
// postings) and its posting in the account's stream stamped with the
// balance after the commit (cm_commit_ledger_stamped: exact whatever the
// concurrency, no version check, so postings to one busy account never
// conflict), and the event finance.journal.posted. The fiscal year of the
// posting must be open.
//
// The entry's `date` is the day it is posted (UTC): the journal is in
// posting order, which is what makes a balance at any time one lookup.
// `document_date` records the voucher's own date.
#ifndef FINANCE_JOURNAL_H
#define FINANCE_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_id.h"
#include "cm_store.h"

#define JOURNAL_ACCOUNTS_MAX 12 // distinct accounts of one entry
#define JOURNAL_STREAM       "journal"

// What to post. Strings and JSON are borrowed.
typedef struct {
    const json_t *lines;       // checked by entry_check_lines
    const char *memo;          // required
    const char *reference;     // may be NULL
    const char *document_date; // may be NULL
    const json_t *source;      // {type, id} of what caused it, or NULL
    const json_t *actor;       // who (may be NULL: the service itself)
    const char *correlation;   // for the event, may be NULL
    const char *reverses;      // the entry this one reverses, or NULL
} journal_post_t;

// Add the posting of entry `id` (JE-n) to commit, reading the accounts
// through store (a consumer adds it to its own commit). NULL when added
// (*entry: the entry, caller owns), else a problem (400 unknown account naming
// its line, 409 closed fiscal year, 503) and nothing added.
json_t *journal_prepare(cm_store_t *store, cm_commit_t *commit,
                        const journal_post_t *post, const char *id,
                        int64_t now_ms, json_t **entry);

// A new entry id (JE-n) into id: 0 or a store status.
int journal_next_id(cm_store_t *store, char *id);

// Handlers: POST/GET /v1/journal, GET /v1/journal/{id},
// POST /v1/journal/{id}/reverse.
void journal_create(cm_ctx_t *ctx);
void journal_list(cm_ctx_t *ctx);
void journal_get(cm_ctx_t *ctx);
void journal_reverse(cm_ctx_t *ctx);

#endif
