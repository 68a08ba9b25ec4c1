// gateway_checks — what the gateway checks in a request before the bus
// thread sees it, whichever thread read it (an nng handler, or the front
// thread for the routed requests it serves itself, gateway_local): route,
// method, size, content type, JSON, Idempotency-Key, If-Match, Accept,
// bearer token present, rate limit, in-flight cap. A request that fails is
// finished here (problem+json); one that passes goes to the bus queue.
// Pure apart from the limiter and the in-flight count, both thread-safe.
#ifndef GATEWAY_CHECKS_H
#define GATEWAY_CHECKS_H

#include "gateway_request.h"

// A new request asks for kind: counted in flight, its metrics route label,
// its request id (X-Request-Id, or a new one; an invalid one is refused by
// gateway_checks_dispatch once the body is read).
void gateway_checks_begin(gateway_request_t *request, gateway_kind_t kind);

// The body (if any) is read: check the request and finish it or push it to
// the bus queue. Takes ownership of request.
void gateway_checks_dispatch(gateway_request_t *request);

#endif
