// gateway_probe — a /readyz or /metrics request while the bus waits for
// its mmi.service / mmi.stats replies, and the two answers built from what
// arrived: the readiness report (200 ready or 503 not_ready with the failing
// checks) and the Prometheus text exposition. The bus keeps the probes and
// the mmi queries in flight; the struct is open to it.
#ifndef GATEWAY_PROBE_H
#define GATEWAY_PROBE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway.h"
#include "gateway_request.h"

// A /readyz or /metrics request waiting for mmi replies.
typedef struct {
    gateway_request_t *request; // owned until finished
    size_t outstanding;         // replies still expected
    json_t *results;            // readyz: service → "ok"/"no_worker";
                                // metrics: mmi.stats "services"
    bool broker_answered;       // at least one reply arrived
    int64_t deadline_mono_ms;   // give up then
} gateway_probe_t;

// zlistx destructor of a gateway_probe_t: destroys its request (if still
// unfinished), its results and the probe.
void gateway_probe_destroy(void **item);

// Finishes a /readyz probe: 200 with the checks when broker, redis and every
// routed service are ok, else 503 not_ready listing what is not.
void gateway_probe_finish_readyz(gateway_t *gateway, gateway_probe_t *probe);

// Finishes a /metrics probe with the rendered metrics of gateway (borrowed)
// and the mmi.stats services the probe collected.
void gateway_probe_finish_metrics(gateway_t *gateway, gateway_probe_t *probe);

#endif
