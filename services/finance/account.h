// account — the chart of accounts (code, name, type asset / liability /
// income / expense / equity) and each account's running figures: balance
// (on the account's normal side), debits, credits and postings are
// counters on the account's hash, changed by every posting in its commit,
// so a balance read is one read; a balance at a time is the stamp of the
// last posting before it (one reverse range read). A small default chart
// is seeded at start.
#ifndef FINANCE_ACCOUNT_H
#define FINANCE_ACCOUNT_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define ACCOUNT_CASH     "1001"
#define ACCOUNT_BANK     "1002"
#define ACCOUNT_STAFF    "2211" // payables to staff (bonuses, fines)
#define ACCOUNT_INCOME   "6301" // non-operating income (disposals, fines)
#define ACCOUNT_EXPENSE  "6602" // administrative expenses (default line)
#define ACCOUNT_CODE_MAX 16
#define ACCOUNT_BALANCE  "balance" // the counter, and the postings' stamp

extern const cm_doc_type_t account_type;

// Seed the default chart (accounts that exist are left alone). 0 or -1.
int account_seed(cm_store_t *store);

// The stream of an account's postings into buf (CM_STORE_KEY_MAX).
const char *account_postings_key(const char *code, char *buf);

// Handlers: POST/GET /v1/accounts, GET /v1/accounts/{id},
// GET /v1/accounts/{id}/balance?at=.
void account_create(cm_ctx_t *ctx);
void account_list(cm_ctx_t *ctx);
void account_get(cm_ctx_t *ctx);
void account_balance(cm_ctx_t *ctx);

// Parse a time bound of a query: RFC 3339, or YYYY-MM-DD (the start of the
// day, or its last millisecond when end_of_day). True when valid.
bool account_parse_bound(const char *text, bool end_of_day, int64_t *ms);

#endif
