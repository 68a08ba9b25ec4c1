// plan — procurement plans (regulations ch. 5): lines of item,
// specification, quantity and needed-by date, drafted by the store keepers
// and approved by the logistics department head through the approval
// matrix (document type procurement_plan). A reorder alert drafts a plan
// of one line on its own (plan_propose).
#ifndef INVENTORY_PLAN_H
#define INVENTORY_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t plan_type;
extern const cm_workflow_t plan_workflow;

// Check that every line's item is in the catalogue: NULL, or a 400 naming
// `<field>[i].item`, or 503. Caller owns the result.
json_t *plan_check_items(cm_store_t *store, const json_t *lines,
                         const char *field);

// Add to commit a new draft plan `id` of one line (item's reorder
// quantity, needed in 14 days) proposed by the service, with its created
// event. 0, or -1 when it cannot be built.
int plan_propose(cm_commit_t *commit, const char *id, const json_t *item,
                 const json_t *actor, int64_t now_ms);

// POST /internal/procurement-plans (other services, role system: assets'
// renewals): a draft plan {title, lines, source} proposed on behalf of the
// caller's person; idempotent by the call's key.
void plan_request(cm_ctx_t *ctx);

// Handlers: POST/GET /v1/procurement-plans, GET/PATCH …/{id},
// GET …/{id}/history, POST …/{id}/{action}.
void plan_create(cm_ctx_t *ctx);
void plan_list(cm_ctx_t *ctx);
void plan_get(cm_ctx_t *ctx);
void plan_patch(cm_ctx_t *ctx);
void plan_history(cm_ctx_t *ctx);
void plan_act(cm_ctx_t *ctx);

#endif
