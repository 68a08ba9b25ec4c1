// check — stored-goods checks (regulations ch. 5(2)4: regular checks and
// maintenance of stored materials). An item may carry a shelf life (days)
// and a check interval (days): it is due for a check one interval after
// its last check (or its creation), listed by GET /v1/items?check_due=true
// and announced once per due date (inventory.item.check_due). A keeper
// opens a check of the items due, or of named items: each line holds the
// item's on-hand quantity at its storage location and what of it has
// expired or expires within `within_days`, computed from the receipt lots
// (stock.h, stock_lots_key) as first-expiry-first-out. `record` gives each
// line its result: ok, damaged (quantity) or expired (quantity), with a
// note. `complete` closes a check without losses; damaged or expired
// quantities need a reason and go to approval (stock_write_off). The step
// that completes the chain writes one `write_off` ledger entry per line in
// its commit (the balances bounded at zero); a rejection ends the check and
// nothing moves.
#ifndef INVENTORY_CHECK_H
#define INVENTORY_CHECK_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define CHECK_ITEMS_MAX 150 // lines of one check

extern const cm_doc_type_t check_type;
extern const cm_workflow_t check_workflow;

// The item type's `indexes` hook: an item with a check interval is in the
// due index and the due timer at its next check (its last check, else its
// creation, plus the interval), moved only when that changes.
void check_item_indexes(cm_commit_t *commit, const json_t *old,
                        const json_t *doc, int64_t now_ms);

// GET /v1/items?check_due=true&by=YYYY-MM-DD: the items due for a check by
// the end of that date (default: now), earliest due first.
void check_due_list(cm_ctx_t *ctx);

// The tick: announce each item whose check fell due
// (inventory.item.check_due), once per due date.
void check_due_tick(cm_store_t *store, int64_t now_ms);

// Handlers: POST/GET /v1/stock-checks, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void check_create(cm_ctx_t *ctx);
void check_list(cm_ctx_t *ctx);
void check_get(cm_ctx_t *ctx);
void check_history(cm_ctx_t *ctx);
void check_act(cm_ctx_t *ctx);

#endif
