// stock — the append-only stock ledger and the balances it adds up to.
// Every movement (receipt, issue, return, adjustment, the write_off of a
// stored-goods check; scrap only in entries written before the checks:
// a direct scrap is refused) is one entry
// of the item's ledger stream: time, item, location, signed quantity,
// balance after (stamped in the commit), reference document, actor. No
// entry is changed or deleted; a mistake is corrected by a new entry that
// names it (`corrects`). Balances are bounded counters (never below zero,
// checked inside the commit whatever the concurrency): one per item and
// location, one per item for all locations. `verify` adds the ledger up
// again and compares.
#ifndef INVENTORY_STOCK_H
#define INVENTORY_STOCK_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define STOCK_FIELD_ON_HAND "on_hand"
#define STOCK_FIELD_LOW     "low"
#define STOCK_FIELD_FROZEN  "frozen" // open counts at a location (freeze key)

// Add one ledger entry (JSON with item, location, quantity signed, …) to
// commit: both balances (bounded at 0), the item's location index, the
// entry stamped with its location's balance after it. A commit that would
// take a balance below zero ends CM_COMMIT_LIMIT on field on_hand.
void stock_commit_entry(cm_commit_t *commit, const json_t *entry,
                        int64_t now_ms);

// "sm:{inventory}:freeze:<location>" into buf (CM_STORE_KEY_MAX): counter
// STOCK_FIELD_FROZEN, the stock counts open there (count.c). Every entry
// (stock_commit_entry) is bounded by it at 0, so a movement at a location
// under count is refused in its own commit.
const char *stock_freeze_key(char *buf, const char *location);

#define STOCK_DAY_MS   86400000LL
#define STOCK_NEVER_MS 253402214400000LL // 9999-12-31: a lot that never expires

// "sm:{inventory}:lots:<item>|<location>" into buf (CM_STORE_KEY_MAX):
// every receipt at the location as a lot "<movement>|<quantity>", score =
// 00:00 UTC of its expiry date (STOCK_NEVER_MS without one). Written by
// stock_commit_entry with the receipt; read by the stock checks (check.c).
const char *stock_lots_key(char *buf, const char *item, const char *location);

// Set a receipt entry's `expires_on`: given (a date), else the receipt's
// date plus the item's shelf_life_days, else nothing.
void stock_set_expiry(json_t *entry, const json_t *item, const char *given,
                      int64_t now_ms);

// 00:00 UTC of a date "YYYY-MM-DD" in epoch ms, -1 when it is not one.
int64_t stock_date_ms(const char *date);

// "sm:{inventory}:idx:last_issue" into buf: items by their last issue
// (score ms), written with every issue entry.
const char *stock_last_issue_key(char *buf);

#define STOCK_LOCATIONS_MAX 1000 // locations one item is read at

// The keys of an item's ledger stream and of its locations index into buf
// (CM_STORE_KEY_MAX). Return buf, or NULL when too long.
const char *stock_ledger_key(char *buf, const char *item);
const char *stock_locations_key(char *buf, const char *item);

// The balances of item at locations (n) and its total: [{location,
// on_hand}] into *out (caller owns), the total into *total. 0 or a status.
int stock_balances(cm_store_t *store, const char *item, char **locations,
                   size_t n, int64_t *total, json_t **out);

// Answer 409 count_open naming the open count at location.
void stock_answer_frozen(cm_ctx_t *ctx, const char *location);

// After a document's commit of ledger entries ended CM_COMMIT_LIMIT: a
// balance answers 422 insufficient_stock with the balance, a location
// under count 409 count_open. No-op otherwise.
void stock_answer_limit(cm_ctx_t *ctx, int outcome);

// POST /v1/stock/movements: one movement by a store keeper.
void stock_move(cm_ctx_t *ctx);

// GET /v1/stock?item=&location=: an item's balances.
void stock_get(cm_ctx_t *ctx);

// GET /v1/items/{id}/ledger?from=&to=&limit=&cursor=: its entries, oldest
// first.
void stock_ledger(cm_ctx_t *ctx);

// POST /v1/stock/verify: every balance recomputed from the ledger.
void stock_verify(cm_ctx_t *ctx);

#endif
