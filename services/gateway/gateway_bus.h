// gateway_bus — the gateway's ZeroMQ thread. It takes requests from the bus
// queue in batches, authenticates them (auth cache, else one coalesced
// "resolve" request per token to personnel), builds request envelopes and
// sends them through the broker on an asynchronous MDP client, matches
// replies by correlation_id and finishes the nng aios. It answers 504 when a
// deadline passes (a late reply is dropped), and serves /readyz and /metrics
// with mmi.service / mmi.stats on a second client. Ingest and SSE requests,
// once authenticated, go on to the events queue.
#ifndef GATEWAY_BUS_H
#define GATEWAY_BUS_H

#include "gateway.h"

#define GATEWAY_AUTH_SERVICE "personnel"                // resolves tokens
#define GATEWAY_AUTH_PATH    "/internal/tokens/resolve" // its route
#define GATEWAY_TICK_MS      100 // longest sleep between deadline sweeps

typedef struct gateway_bus gateway_bus_t;

// A bus for gateway (borrowed); the thread starts in gateway_bus_start.
// Caller owns the result.
gateway_bus_t *gateway_bus_new(gateway_t *gateway);

// Stop (if running) and free; safe when *self_p is NULL.
void gateway_bus_destroy(gateway_bus_t **self_p);

// Start the thread. 0 or -1.
int gateway_bus_start(gateway_bus_t *self);

// Close the bus queue, answer 503 to everything queued or pending, and join
// the thread. Idempotent.
void gateway_bus_stop(gateway_bus_t *self);

#endif
