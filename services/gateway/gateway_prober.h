// gateway_prober — the bus thread's /readyz and /metrics requests: it asks
// the broker mmi.service (one per routed service) or mmi.stats on its own
// MDP client, collects the replies in order into gateway_probe_t, and
// finishes each probe when its replies are in or its deadline passed (then
// the client is recreated, so a late reply cannot be taken for the next
// query's). Not thread-safe: owned by the bus thread.
#ifndef GATEWAY_PROBER_H
#define GATEWAY_PROBER_H

#include <stdint.h>

#include "gateway.h"
#include "gateway_request.h"

typedef struct gateway_prober gateway_prober_t;

// A prober for gateway (borrowed). NULL on failure. Caller owns the result.
gateway_prober_t *gateway_prober_new(gateway_t *gateway);

// Free, destroying unfinished probes' requests; safe when *self_p is NULL.
void gateway_prober_destroy(gateway_prober_t **self_p);

// Start a probe for a /readyz or /metrics request. Takes ownership of
// request (it is finished by the prober).
void gateway_prober_start(gateway_prober_t *self, gateway_request_t *request);

// The libzmq socket to poll for mmi replies, or NULL (no client just now).
void *gateway_prober_socket(gateway_prober_t *self);

// Handle every mmi reply waiting; finishes probes that are complete.
void gateway_prober_drain(gateway_prober_t *self);

// Finish probes whose deadline passed at now_ms (monotonic).
void gateway_prober_expire(gateway_prober_t *self, int64_t now_ms);

// The earliest probe deadline, or INT64_MAX when none waits.
int64_t gateway_prober_next_deadline(gateway_prober_t *self);

// Answer every probe 503 shutting_down (the gateway stops).
void gateway_prober_fail_all(gateway_prober_t *self);

#endif
