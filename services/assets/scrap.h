// scrap — scrap requests (regulations ch. 6): the using department applies
// (the equipment's name, specification, model and purchase date are copied
// from the register, with the reason) and the equipment is `scrapping` in
// the same commit; then the approval chain of the matrix (`scrap_request`
// in config/approvals.cfg, cm_approval), each step its own action:
//
//   applied → appraised (appraise: the technical department's report and
//   recommendation) → reviewed (review: finance's book value and expected
//   proceeds) → approved (approve: the station head) → disposed (dispose:
//   sale with proceeds, donation with recipient, or scrap; the equipment
//   `scrapped`; assets.scrap.disposed carries the proceeds finance posts)
//
// Any step may reject with a reason (rejected, final): the equipment
// returns to the status it had when the request was made.
#ifndef ASSETS_SCRAP_H
#define ASSETS_SCRAP_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define SCRAP_STATES "applied appraised reviewed approved disposed rejected"

extern const cm_doc_type_t scrap_type;
extern const cm_workflow_t scrap_workflow;

// Handlers: POST/GET /v1/scrap-requests, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void scrap_create(cm_ctx_t *ctx);
void scrap_list(cm_ctx_t *ctx);
void scrap_get(cm_ctx_t *ctx);
void scrap_history(cm_ctx_t *ctx);
void scrap_act(cm_ctx_t *ctx);

#endif
