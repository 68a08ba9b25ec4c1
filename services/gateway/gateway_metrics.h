// gateway_metrics — request counters and latency histograms, rendered as
// Prometheus text (docs/architecture.md §11). Labels stay low-cardinality: the
// route is a metrics label ("/v1/cases", "/healthz", "other"), the method one
// of the standard ones or "OTHER". Thread-safe (one mutex): every thread that
// finishes a request records it.
#ifndef GATEWAY_METRICS_H
#define GATEWAY_METRICS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_outbox.h"

#define GATEWAY_METRICS_BUCKETS 12   // histogram buckets (plus +Inf)
#define GATEWAY_METRICS_LAG_MS  5000 // consumer-group lag refresh period

typedef struct gateway_metrics gateway_metrics_t;

// Live figures rendered beside the counters; JSON members are borrowed and
// may be NULL.
typedef struct {
    long in_flight;         // requests the gateway holds now
    const json_t *services; // {"<service>": {"queue","workers","in_flight"}}
    const json_t *lag;      // [{"stream","group","lag","pending"}]
} gateway_metrics_live_t;

// Caller owns the result.
gateway_metrics_t *gateway_metrics_new(void);

// Free; safe when *self_p is NULL.
void gateway_metrics_destroy(gateway_metrics_t **self_p);

// Count one finished request and its duration.
void gateway_metrics_observe(gateway_metrics_t *self, const char *route,
                             const char *method, int status,
                             int64_t duration_us);

// The Prometheus text exposition of everything; the lag snapshot becomes
// sm_outbox_lag and sm_outbox_pending {stream, group}. Caller owns it
// (free()).
char *gateway_metrics_render(gateway_metrics_t *self,
                             const gateway_metrics_live_t *live);

// The lag snapshot gateway_metrics_live_t.lag expects, from cm_outbox_lags:
// [{"stream","group","lag","pending"}]. Caller owns the result.
json_t *gateway_metrics_lag_json(const cm_outbox_lag_t *lags, size_t count);

#endif
