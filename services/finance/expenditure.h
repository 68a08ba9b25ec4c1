// expenditure — major expenditure (regulations ch. 7 (三) 4): spending at
// or above the configured threshold needs a feasibility study (document
// reference, summary, alternatives considered) approved by the finance
// head and the station head before any order or claim may commit budget
// against it. What was spent against a request is a bounded counter
// (`used`, at most the request's amount) on the request's hash, so it can
// never be overspent either.
#ifndef FINANCE_EXPENDITURE_H
#define FINANCE_EXPENDITURE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "finance.h"

#define EXPENDITURE_FIELD_USED "used"

extern const cm_doc_type_t expenditure_type;
extern const cm_workflow_t expenditure_workflow;

// The gate: NULL when amount is below the threshold, or request_id names
// an approved request with room for it; else 422
// "expenditure_request_required" (none named, or not approved, naming it)
// or "expenditure_request_exhausted". *bound gets the request's amount
// (what its counter may reach). Caller owns the result.
json_t *expenditure_gate(cm_store_t *store, const finance_t *config,
                         const char *request_id, int64_t amount,
                         int64_t *bound);

// Add the use of amount against request_id to commit (when the amount
// reaches the threshold and a request is named).
void expenditure_commit_use(cm_commit_t *commit, const finance_t *config,
                            const char *request_id, int64_t amount,
                            int64_t bound);

// After a commit ended CM_COMMIT_LIMIT on the request's counter: answer
// 422 expenditure_request_exhausted. No-op otherwise.
void expenditure_answer_limit(cm_ctx_t *ctx, int outcome,
                              const char *request_id);

// Handlers: POST/GET /v1/expenditure-requests, GET/PATCH …/{id},
// POST …/{id}/{action}, GET …/{id}/history.
void expenditure_create(cm_ctx_t *ctx);
void expenditure_list(cm_ctx_t *ctx);
void expenditure_get(cm_ctx_t *ctx);
void expenditure_patch(cm_ctx_t *ctx);
void expenditure_act(cm_ctx_t *ctx);
void expenditure_history(cm_ctx_t *ctx);

#endif
