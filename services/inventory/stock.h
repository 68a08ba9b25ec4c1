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

#include "cm_ctx.h"

#define STOCK_FIELD_ON_HAND "on_hand"
#define STOCK_FIELD_LOW     "low"

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
