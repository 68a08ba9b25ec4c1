// supplier — suppliers and their qualification (regulations ch. 5): the
// qualification documents (kind, number, valid until), the status
// candidate → qualified → suspended, evaluations of qualification,
// reputation and quality (1–5, by whom, when). The logistics head (or the
// station head) qualifies, suspends and reinstates; store keepers record
// suppliers and evaluate them. A quality score under the configured floor
// suspends a qualified supplier at once; a qualification document past its
// date suspends it through a durable timer (the service acts itself). Only
// qualified suppliers may receive orders (supplier_require_qualified).
#ifndef INVENTORY_SUPPLIER_H
#define INVENTORY_SUPPLIER_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define SUPPLIER_SELF_ROLE "inventory" // the service's own actor's role
// Counter on the supplier's record: quantities rejected at receipts.
#define SUPPLIER_FIELD_REJECTED "rejected_quantity"

extern const cm_doc_type_t supplier_type;
extern const cm_workflow_t supplier_workflow;

// NULL when supplier id exists and is qualified; else a problem to answer
// (422 "supplier_not_qualified" naming its status, 400 naming `field` for
// an unknown supplier, 503). Caller owns the result.
json_t *supplier_require_qualified(cm_store_t *store, const char *id,
                                   const char *field);

// The tick: suspend every qualified supplier whose qualification document
// has passed its date (timer sm:{inventory}:timers:qualifications).
void supplier_expire(cm_store_t *store, int64_t now_ms);

// Handlers: POST/GET /v1/suppliers, GET/PATCH /v1/suppliers/{id},
// GET …/{id}/history, POST …/{id}/{action}.
void supplier_create(cm_ctx_t *ctx);
void supplier_list(cm_ctx_t *ctx);
void supplier_get(cm_ctx_t *ctx);
void supplier_patch(cm_ctx_t *ctx);
void supplier_history(cm_ctx_t *ctx);
void supplier_act(cm_ctx_t *ctx);

#endif
