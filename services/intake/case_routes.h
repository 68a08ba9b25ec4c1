// case_routes — the handlers of /v1/cases (docs/openapi.yaml): create,
// list, read, history, act. Everything but create is the kit's handler for
// case_type (cm_doc, cm_list, cm_action) behind a role check.
#ifndef INTAKE_CASE_ROUTES_H
#define INTAKE_CASE_ROUTES_H

#include "cm_ctx.h"

#define CASE_CREATE_RETRIES 3 // a number or contact taken meanwhile

// POST /v1/cases → 201 with the case, Location and ETag.
void case_routes_create(cm_ctx_t *ctx);

// GET /v1/cases → a page of list items the caller may read.
void case_routes_list(cm_ctx_t *ctx);

// GET /v1/cases/{id} → the case with its last history entries and the
// caller's actions (404 when the caller may not read it).
void case_routes_get(cm_ctx_t *ctx);

// GET /v1/cases/{id}/history → every history entry, a page at a time.
void case_routes_history(cm_ctx_t *ctx);

// PATCH /v1/cases/{id}: subject, description, severity (If-Match
// required; the desk, while the case is open).
void case_routes_patch(cm_ctx_t *ctx);

// POST /v1/cases/{id}/{action} → 200 with the new document.
void case_routes_act(cm_ctx_t *ctx);

#endif
