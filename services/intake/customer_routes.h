// customer_routes — the handlers of /v1/customers.
#ifndef INTAKE_CUSTOMER_ROUTES_H
#define INTAKE_CUSTOMER_ROUTES_H

#include "cm_ctx.h"

// POST /v1/customers → 201 (409 customer_exists when a contact is taken).
void customer_routes_create(cm_ctx_t *ctx);

// GET /v1/customers/{id} (contact details only for who may read them).
void customer_routes_get(cm_ctx_t *ctx);

// GET /v1/customers?phone=…|email=… (the match, 0 or 1 item) or, without
// them, every customer newest first with limit and cursor; only for who
// may read contact details (403 otherwise).
void customer_routes_list(cm_ctx_t *ctx);

// PATCH /v1/customers/{id}: name, phone, email, notes (If-Match honoured).
void customer_routes_patch(cm_ctx_t *ctx);

#endif
