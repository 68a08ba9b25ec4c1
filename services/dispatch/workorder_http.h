// workorder_http — the /v1/work-orders routes, on the service kit.
//
//   POST /v1/work-orders                    create (workorder_create_rules)
//   GET  /v1/work-orders?assignee=&open_in=&queue=&state=&limit=&cursor=
//   GET  /v1/work-orders/{id}               with actions; ETag
//   GET  /v1/work-orders/{id}/history       every history entry, paged
//   POST /v1/work-orders/{id}/{action}      workorder_flow (If-Match honoured)
//
// A create names a department the org view knows (422 naming it
// otherwise) and, with a source, a case dispatch knows from intake's
// events (422), of the same department (422), that the caller may act for
// (403; case_record_may_act).
#ifndef DISPATCH_WORKORDER_HTTP_H
#define DISPATCH_WORKORDER_HTTP_H

#include "cm_ctx.h"

// POST /v1/work-orders: {title, department, source?, priority?, note?}.
void workorder_http_create(cm_ctx_t *ctx);

// GET /v1/work-orders/{id}.
void workorder_http_get(cm_ctx_t *ctx);

// GET /v1/work-orders/{id}/history.
void workorder_http_history(cm_ctx_t *ctx);

// GET /v1/work-orders with filters and cursor pagination.
void workorder_http_list(cm_ctx_t *ctx);

// POST /v1/work-orders/{id}/{action}: {assignee?, note?}.
void workorder_http_action(cm_ctx_t *ctx);

#endif
