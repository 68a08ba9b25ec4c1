// item — the catalogue of materials (regulations ch. 5): name,
// specification, unit, category, storage location and shelf label, control
// class (normal, valuable, limited), reorder point and quantity, maximum
// stock and, for limited items, a quota per department per period. The
// store keepers create and correct items; everyone reads the catalogue.
#ifndef INVENTORY_ITEM_H
#define INVENTORY_ITEM_H

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t item_type;
extern const cm_workflow_t item_workflow;

// Handlers: POST/GET /v1/items, GET/PATCH /v1/items/{id},
// GET /v1/items/{id}/history.
void item_create(cm_ctx_t *ctx);
void item_list(cm_ctx_t *ctx);
void item_get(cm_ctx_t *ctx);
void item_patch(cm_ctx_t *ctx);
void item_history(cm_ctx_t *ctx);

#endif
