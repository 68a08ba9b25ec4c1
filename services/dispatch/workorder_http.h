// workorder_http — the /v1/work-orders routes.
//
//   POST /v1/work-orders                      create (workorder_create_rules)
//   GET  /v1/work-orders/{id}                 with history and actions
//   GET  /v1/work-orders?queue=&state=&assignee=&limit=&cursor=
//   POST /v1/work-orders/{id}/{action}        workorder_flow
#ifndef DISPATCH_WORKORDER_HTTP_H
#define DISPATCH_WORKORDER_HTTP_H

#include "cm_ctx.h"

// POST /v1/work-orders: {title, department, source?, priority?, note?}.
void workorder_http_create(cm_ctx_t *ctx);

// GET /v1/work-orders/{id}.
void workorder_http_get(cm_ctx_t *ctx);

// GET /v1/work-orders with filters and cursor pagination.
void workorder_http_list(cm_ctx_t *ctx);

// POST /v1/work-orders/{id}/{action}: {assignee?, note?}.
void workorder_http_action(cm_ctx_t *ctx);

// Answer a page of work order summaries read from index `name` (under
// sm:{dispatch}:idx:), keeping only those matching the optional filters
// (NULL: any). Used by the list and by queues.
void workorder_http_page(cm_ctx_t *ctx, const char *name, const char *state,
                         const char *assignee, const char *queue);

#endif
