// queue — work queues per department: unfinished work orders.
//
//   GET /v1/queues               [{department, unfinished, unassigned}]
//   GET /v1/queues/{department}  the unfinished work orders, newest first
#ifndef DISPATCH_QUEUE_H
#define DISPATCH_QUEUE_H

#include "cm_ctx.h"

// GET /v1/queues: any authenticated actor.
void queue_http_list(cm_ctx_t *ctx);

// GET /v1/queues/{department}?limit=&cursor=: any authenticated actor.
void queue_http_get(cm_ctx_t *ctx);

#endif
