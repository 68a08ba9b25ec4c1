// count — stock counts (regulations ch. 5): open a count of a storage
// location (optionally one category): the book quantities of its items are
// snapshotted and every movement at the location is refused while the
// count is open (409 naming it). The counted quantities are recorded;
// every surplus or shortage needs a reason; the count goes to approval
// (stock_count, by the sum of the variances: larger ones go further up);
// `post` writes the adjusting ledger entries in one commit and lifts the
// freeze. The count keeps the report (book, counted, variance, reason,
// approver). A count may be asked of dispatch as work
// (inventory.count.work_requested).
#ifndef INVENTORY_COUNT_H
#define INVENTORY_COUNT_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define COUNT_ITEMS_MAX 150 // items one count covers

extern const cm_doc_type_t count_type;
extern const cm_workflow_t count_workflow;

// The id of the count open at location into id (CM_ID_MAX; "" when none
// is found). 0 or a store status.
int count_open_at(cm_store_t *store, const char *location, char *id);

// Handlers: POST/GET /v1/stock-counts, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void count_create(cm_ctx_t *ctx);
void count_list(cm_ctx_t *ctx);
void count_get(cm_ctx_t *ctx);
void count_history(cm_ctx_t *ctx);
void count_act(cm_ctx_t *ctx);

#endif
