// budget — the annual budget (regulations ch. 7): a fiscal year's lines of
// category × department, each with an amount, a period split, a control
// mode and a warning threshold; drafted by finance, reviewed by the finance
// head and approved by the station head (approval matrix). Approval opens
// every line (line.h) and claims the fiscal year: one approved budget per
// year. Closing the budget closes the fiscal year: every movement of it is
// refused from then on.
#ifndef FINANCE_BUDGET_H
#define FINANCE_BUDGET_H

#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "line.h"

#define BUDGET_LINES_MAX 100 // lines of one budget

extern const cm_doc_type_t budget_type;
extern const cm_workflow_t budget_workflow;

// Handlers: POST/GET /v1/budgets, GET/PATCH /v1/budgets/{id},
// POST /v1/budgets/{id}/{action}, GET /v1/budgets/{id}/history,
// GET /v1/budgets/{id}/lines/{line}, GET …/lines/{line}/movements,
// POST /v1/budgets/{id}/verify.
void budget_create(cm_ctx_t *ctx);
void budget_list(cm_ctx_t *ctx);
void budget_get(cm_ctx_t *ctx);
void budget_patch(cm_ctx_t *ctx);
void budget_act(cm_ctx_t *ctx);
void budget_history(cm_ctx_t *ctx);
void budget_line_get(cm_ctx_t *ctx);
void budget_movements(cm_ctx_t *ctx);
void budget_verify(cm_ctx_t *ctx);

// The line of the approved budget of `year` for category × department
// into ref (LINE_REF_MAX): 0, CM_ENOTFOUND or a store status.
int budget_find_line(cm_store_t *store, int year, const char *category,
                     const char *department, char *ref);

#endif
