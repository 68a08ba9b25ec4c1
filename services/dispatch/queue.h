// queue — work queues per department: its unfinished work orders.
//
//   GET /v1/queues               [{department, unfinished, unassigned}]
//   GET /v1/queues/{department}  the unfinished work orders, newest first
//                                (GET /v1/work-orders?open_in=<department>,
//                                with the same other parameters)
#ifndef DISPATCH_QUEUE_H
#define DISPATCH_QUEUE_H

#include "cm_ctx.h"

// GET /v1/queues: any authenticated actor; no query parameters.
void queue_http_list(cm_ctx_t *ctx);

// GET /v1/queues/{department}: any authenticated actor; 404 for a
// department the org view does not know.
void queue_http_get(cm_ctx_t *ctx);

#endif
