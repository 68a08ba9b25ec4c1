// procedure — safety rules and operating procedures as versioned documents
// (regulations ch. 8): title, scope, text or a document reference, owner,
// review interval. `revise` keeps every version (the ledger below) and
// starts a new review period; `review` records a review; `retire` ends the
// procedure. A review is due `review_interval_days` after the last revision
// or review; GET /v1/procedures?review=overdue lists those past it, and
// the tick publishes safety.procedure.review_overdue once per due date.
//
// Keys (hash tag {safety-audit}) besides the document type's own:
//   sm:{safety-audit}:ledger:procedure_versions:<id>  every version
//   sm:{safety-audit}:idx:procedure_review_due        active ones, score due
//   sm:{safety-audit}:timers:procedure_review         due dates not yet
//                                                     announced
#ifndef SAFETY_PROCEDURE_H
#define SAFETY_PROCEDURE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t procedure_type;
extern const cm_workflow_t procedure_workflow;

// Publish safety.procedure.review_overdue for every procedure whose review
// came due by now_ms and was not announced for that date (the tick).
void procedure_tick(cm_store_t *store, int64_t now_ms);

// Handlers: POST/GET /v1/procedures, GET …/{id}, GET …/{id}/history,
// GET …/{id}/versions, POST …/{id}/{action}.
void procedure_create(cm_ctx_t *ctx);
void procedure_list(cm_ctx_t *ctx);
void procedure_get(cm_ctx_t *ctx);
void procedure_history(cm_ctx_t *ctx);
void procedure_versions(cm_ctx_t *ctx);
void procedure_act(cm_ctx_t *ctx);

#endif
