// order — purchase orders, the contract with a qualified supplier
// (regulations ch. 5): lines of item, specification, quantity, unit price
// (fen), delivery date, after-sales terms for equipment; delivery place,
// payment terms and the budget line. submit → approvals per the matrix
// (purchase_order, by amount band), finance's budget check at submit and
// at every step and the budget commitment at the final approval (over
// budget: finance's 422 with the figures; finance down: 503, nothing
// written) → order → one or more receipts with inspection → close (the
// unused budget released) or cancel.
//
// A receipt records per line the accepted and rejected quantities and the
// inspector (never the buyer who requested the order): accepted quantities
// enter the stock ledger in the same commit, rejected ones count against
// the supplier (counter rejected_quantity on its record), equipment lines
// publish inventory.equipment.received.
#ifndef INVENTORY_ORDER_H
#define INVENTORY_ORDER_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define ORDER_DOC_TYPE "purchase_order" // the approval matrix's name

extern const cm_doc_type_t order_type;
extern const cm_workflow_t order_workflow;

// Handlers: POST/GET /v1/purchase-orders, GET/PATCH …/{id},
// GET …/{id}/history, POST …/{id}/{action}.
void order_create(cm_ctx_t *ctx);
void order_list(cm_ctx_t *ctx);
void order_get(cm_ctx_t *ctx);
void order_patch(cm_ctx_t *ctx);
void order_history(cm_ctx_t *ctx);
void order_act(cm_ctx_t *ctx);

#endif
