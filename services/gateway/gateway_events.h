// gateway_events — the gateway's events thread: the only one that talks to
// Redis (cm_store) and listens to the hub (cm_live). It persists events
// posted to POST /v1/events (checked, de-duplicated by (source, id) in the
// same FCALL as the outbox append, stored in the one shape both entry points
// share: cm_cloudevent), serves GET /v1/events/stream (hijacked
// SSE connections: replay after Last-Event-ID, then live events, heartbeat
// comments), and PINGs Redis every second for /readyz.
#ifndef GATEWAY_EVENTS_H
#define GATEWAY_EVENTS_H

#include "gateway.h"

#define GATEWAY_EVENTS_PING_MS     1000 // Redis health check period
#define GATEWAY_SSE_REPLAY_MAX     1000 // entries replayed per stream
#define GATEWAY_SSE_CLIENTS_MAX    1000 // open streams per gateway
#define GATEWAY_INGEST_SEEN_TTL_MS (7LL * 24 * 3600 * 1000) // dedupe window

typedef struct gateway_events gateway_events_t;

// The events thread for gateway (borrowed), not started. Caller owns.
gateway_events_t *gateway_events_new(gateway_t *gateway);

// Stop (if running) and free; safe when *self_p is NULL.
void gateway_events_destroy(gateway_events_t **self_p);

// Start the thread. 0 or -1.
int gateway_events_start(gateway_events_t *self);

// Close the events queue, answer 503 to what is queued, close every stream
// and join. Idempotent.
void gateway_events_stop(gateway_events_t *self);

#endif
