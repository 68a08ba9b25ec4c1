// case_routes — the handlers of /v1/cases (api.md; docs/openapi-intake.yaml):
// create, read, act. Lists are in case_list.
#ifndef INTAKE_CASE_ROUTES_H
#define INTAKE_CASE_ROUTES_H

#include "cm_ctx.h"

#define CASE_CREATE_RETRIES 3 // a contact claimed meanwhile: match again

// POST /v1/cases → 201 with the case, Location and ETag.
void case_routes_create(cm_ctx_t *ctx);

// GET /v1/cases/{id} → the case with history and the caller's actions.
void case_routes_get(cm_ctx_t *ctx);

// POST /v1/cases/{id}/{action} → 200 with the new document.
void case_routes_act(cm_ctx_t *ctx);

#endif
