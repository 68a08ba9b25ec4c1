// stock — the append-only stock ledger and the balances it adds up to.
// Every movement (receipt, issue, return, adjustment, scrap) is one entry
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

// Add one ledger entry (JSON with item, location, quantity signed, …) to
// commit: both balances (bounded at 0), the item's location index, the
// entry stamped with its location's balance after it. A commit that would
// take a balance below zero ends CM_COMMIT_LIMIT on field on_hand.
void stock_commit_entry(cm_commit_t *commit, const json_t *entry,
                        int64_t now_ms);

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
