// requisition — a department's request for materials (regulations ch. 5):
// requester, purpose, lines of item, specification and quantity. Approved
// by the requester's department head; valuable or limited items also by
// the deputy head over that department (approval matrix, requisition, by
// item class); limited items only within the department's remaining quota
// for the period. The store keepers then issue (partial issues allowed,
// each a ledger entry) or reject it with a reason; unused goods come back
// with `return` (ledger). Nobody approves their own requisition.
//
// Quota use is a bounded counter per item, department and period
// (sm:{inventory}:quota:<item>|<department>|<period>, field used, at most
// the item's quota), written with the issue: concurrent issues never pass
// the quota.
#ifndef INVENTORY_REQUISITION_H
#define INVENTORY_REQUISITION_H

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t requisition_type;
extern const cm_workflow_t requisition_workflow;

// Handlers: POST/GET /v1/requisitions, GET/PATCH …/{id},
// GET …/{id}/history, POST …/{id}/{action}.
void requisition_create(cm_ctx_t *ctx);
void requisition_list(cm_ctx_t *ctx);
void requisition_get(cm_ctx_t *ctx);
void requisition_patch(cm_ctx_t *ctx);
void requisition_history(cm_ctx_t *ctx);
void requisition_act(cm_ctx_t *ctx);

#endif
