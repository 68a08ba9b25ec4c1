// gateway — the HTTP face of Stationmaster: a front thread that owns the
// public socket and serves routed requests itself (gateway_front,
// gateway_local), an nng HTTP server on loopback behind it for the rest, one
// bus thread that speaks MDP to the broker, one events thread that owns
// Redis (ingest, SSE replay, lag, readiness ping) and the hub SUB.
//
// Threads share nothing but what this object hands out: read-only settings
// and routes, the thread-safe metrics and limiter, and the two queues.
#ifndef GATEWAY_GATEWAY_H
#define GATEWAY_GATEWAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"
#include "gateway_limiter.h"
#include "gateway_metrics.h"
#include "gateway_queue.h"
#include "gateway_routes.h"

#define GATEWAY_SOURCE_MAX 300 // "gateway/<host>" and NUL
// inproc PUSH (events thread) → PULL (bus thread): staff ids whose cached
// authorisations personnel's events end; %p is the gateway object.
#define GATEWAY_FORGET_ENDPOINT "inproc://gateway-forget-%p"
// Where the bus reaches an embedded broker (gateway/embed_broker).
#define GATEWAY_BROKER_INPROC "inproc://gateway-broker-%p"

// Settings read once from the configuration; read-only afterwards.
typedef struct {
    char bind[256];               // gateway/bind
    int port;                     // gateway/port (0: any free port)
    int64_t deadline_ms;          // gateway/deadline_ms
    long max_in_flight;           // gateway/max_in_flight
    double rate_per_s;            // gateway/rate_per_s
    double burst;                 // gateway/burst
    int64_t auth_cache_ms;        // gateway/auth_cache_ms (≤ 30000)
    int64_t sse_heartbeat_ms;     // gateway/sse_heartbeat_ms
    int64_t probe_timeout_ms;     // gateway/probe_timeout_ms (readyz, metrics)
    double auth_failure_burst;    // gateway/auth_failure_burst
    double auth_failures_per_min; // gateway/auth_failures_per_min
    int64_t header_timeout_ms;    // gateway/header_timeout_ms
    int64_t idle_timeout_ms;      // gateway/idle_timeout_ms
    long max_per_client;          // gateway/max_connections_per_client
    char trusted_proxies[512];    // gateway/trusted_proxies
    char broker[256];             // the broker's endpoint (tcp://, ipc://,
                                  // or the embedded one's inproc://)
    char hub[256];                // tcp://host:port of the hub XPUB
    char source[GATEWAY_SOURCE_MAX]; // "gateway/<host>"
} gateway_settings_t;

typedef struct gateway gateway_t;

// The gateway's own options (gateway/*), for cm_config_load.
extern const cm_config_option_t gateway_options[];

// Build the gateway from a loaded configuration (borrowed; must outlive the
// gateway). Starts nothing. NULL with one logged line on a bad value.
gateway_t *gateway_new(const cm_config_t *config);

// Stop (if running) and free; safe when *self_p is NULL.
void gateway_destroy(gateway_t **self_p);

// Start the threads and the HTTP server. 0, or -1 (logged).
int gateway_start(gateway_t *self);

// The TCP port the HTTP server listens on (after gateway_start).
int gateway_port(const gateway_t *self);

// Fail what is pending (503), stop the threads, then the HTTP server
// (docs/libraries.md: nng_http_server_stop waits for pending aios). Idempotent.
void gateway_stop(gateway_t *self);

// Shared parts, borrowed, valid until gateway_destroy.
const cm_config_t *gateway_config(const gateway_t *self);
const gateway_settings_t *gateway_settings(const gateway_t *self);
const gateway_routes_t *gateway_routes(const gateway_t *self);
gateway_metrics_t *gateway_metrics(gateway_t *self);
gateway_limiter_t *gateway_limiter(gateway_t *self);
gateway_queue_t *gateway_bus_queue(gateway_t *self);
gateway_queue_t *gateway_events_queue(gateway_t *self);

// docs/openapi.yaml as loaded at start (NULL when it could not be read).
const char *gateway_openapi(const gateway_t *self, size_t *size);

// Requests held now; add returns the new count.
long gateway_in_flight(gateway_t *self);
long gateway_in_flight_add(gateway_t *self, long delta);

// Last Redis health seen by the events thread (PING every second).
bool gateway_redis_is_ok(gateway_t *self);
void gateway_set_redis_ok(gateway_t *self, bool ok);

// Consumer-group lag snapshot for /metrics: a new reference (caller owns,
// may be NULL) / replace it (takes ownership).
json_t *gateway_lag(gateway_t *self);
void gateway_set_lag(gateway_t *self, json_t *lag);

#endif
