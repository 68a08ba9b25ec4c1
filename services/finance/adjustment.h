// adjustment — changes to an approved budget, each a document of its own
// kept with its history (regulations ch. 7 (一) 3): a transfer moves an
// amount from one line to another, a supplement (追加) adds to a line.
// Transfers are approved by the station head, supplements reviewed by the
// finance head and approved by the station head (approval matrix:
// budget_adjustment, budget_supplement). The final approval writes the
// `adjust` movements; a transfer can move only what its line has
// available.
#ifndef FINANCE_ADJUSTMENT_H
#define FINANCE_ADJUSTMENT_H

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t adjustment_type;
extern const cm_workflow_t adjustment_workflow;

// Handlers: POST/GET /v1/budget-adjustments, GET …/{id},
// POST …/{id}/{action}, GET …/{id}/history; POST /v1/budgets/{id}/adjust
// and /supplement create one for that budget.
void adjustment_create(cm_ctx_t *ctx);
void adjustment_create_transfer(cm_ctx_t *ctx);
void adjustment_create_supplement(cm_ctx_t *ctx);
void adjustment_list(cm_ctx_t *ctx);
void adjustment_get(cm_ctx_t *ctx);
void adjustment_act(cm_ctx_t *ctx);
void adjustment_history(cm_ctx_t *ctx);

#endif
