// claim — expense claims (報銷, regulations ch. 7 (二)): claimant, date, place,
// purpose, category (the budget line of the claimant's department in the
// claim's fiscal year), amount and invoices. The claimant's department
// head checks truth and reasonableness, then finance reviews (approval
// matrix); either may reject with a coded reason, and the claimant corrects
// the returned claim (PATCH) and resubmits — both rounds stay in history.
// The budget is checked when the claim is drafted, submitted and at every
// step; the final approval commits it (bounded: a stop line never
// overspends); `pay` posts the journal entry and moves the budget from
// committed to actual in one commit.
#ifndef FINANCE_CLAIM_H
#define FINANCE_CLAIM_H

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t claim_type;
extern const cm_workflow_t claim_workflow;

// Handlers: POST/GET /v1/expense-claims, GET/PATCH …/{id},
// POST …/{id}/{action}, GET …/{id}/history.
void claim_create(cm_ctx_t *ctx);
void claim_list(cm_ctx_t *ctx);
void claim_get(cm_ctx_t *ctx);
void claim_patch(cm_ctx_t *ctx);
void claim_act(cm_ctx_t *ctx);
void claim_history(cm_ctx_t *ctx);

#endif
