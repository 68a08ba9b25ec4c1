// gateway_http — the nng HTTP server, on a loopback port behind the front
// end (gateway_front): one handler per gateway endpoint plus
// a tree handler for /v1 (routed) and one for everything else (404). Every
// handler takes any method and answers 405 itself, so every error is
// problem+json. Bodies are not collected by nng (its answer to an oversize
// body is a 400): the handler checks Content-Length (413 above 64 KiB) and
// reads the body itself, asynchronously. Handlers never block: what needs
// the broker or Redis goes to the bus queue.
#ifndef GATEWAY_HTTP_H
#define GATEWAY_HTTP_H

#include "gateway.h"
#include "gateway_wire.h"

// Oversize bodies up to this are read and dropped to keep the connection;
// beyond it the front end refuses them (413) and closes.
#define GATEWAY_DRAIN_MAX_BYTES GATEWAY_WIRE_BODY_MAX_BYTES
#define GATEWAY_HTTP_LOOPBACK   "127.0.0.1" // nng listens here, on any port

typedef struct gateway_http gateway_http_t;

// A server on GATEWAY_HTTP_LOOPBACK, any port, not started. NULL (logged) on
// failure. Caller owns the result.
gateway_http_t *gateway_http_new(gateway_t *gateway);

// Stop (if started) and free; safe when *self_p is NULL.
void gateway_http_destroy(gateway_http_t **self_p);

// Start listening. 0, or -1 (logged).
int gateway_http_start(gateway_http_t *self);

// The bound port after start.
int gateway_http_port(const gateway_http_t *self);

// Stop the server: nng closes connections and waits for pending handler
// aios, so every queued request must be finished first.
void gateway_http_stop(gateway_http_t *self);

#endif
