// gateway_local — routed requests served from the front thread, without
// the loopback hop to nng: the front end (gateway_conn) has framed and
// checked the head and read the body; this builds the gateway_request, runs
// the same checks an nng handler runs (gateway_checks) and pushes it to the
// bus queue. The response is rendered where the request is finished
// (gateway_request) and comes back to the front thread through its reply
// queue.
#ifndef GATEWAY_LOCAL_H
#define GATEWAY_LOCAL_H

#include "gateway.h"
#include "gateway_conn.h"
#include "gateway_queue.h"

// A gateway_front_serve_fn: arg is the gateway_t. Runs on the front thread.
void gateway_local_serve(void *arg, const gateway_conn_local_t *local,
                         gateway_queue_t *replies);

#endif
