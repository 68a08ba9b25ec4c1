// gateway_routes — the prefix table: the first path segment after /v1/ names
// the MDP service that owns the route (docs/architecture.md §2). Parsed once
// from the gateway/routes option ("cases=intake work-orders=dispatch …");
// read-only afterwards, so any thread may look up.
#ifndef GATEWAY_ROUTES_H
#define GATEWAY_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#define GATEWAY_ROUTES_MAX      128 // entries in the table
#define GATEWAY_SEGMENT_MAX     64  // longest first segment, with NUL
#define GATEWAY_ROUTE_LABEL_MAX 80  // "/v1/<segment>" with NUL

typedef struct gateway_routes gateway_routes_t;

// Parse "segment=service …" (separated by spaces or commas). Returns NULL and
// writes one line into error for a malformed entry, a duplicate segment or an
// invalid service name. Caller owns the result.
gateway_routes_t *gateway_routes_new(const char *spec, char *error,
                                     size_t error_size);

// Free; safe when *self_p is NULL.
void gateway_routes_destroy(gateway_routes_t **self_p);

// The service for a request path ("/v1/cases/CS-1" → "intake"), or NULL when
// the path is not under /v1/ or its first segment is unknown. An entry of two
// segments ("reports/budget=finance") wins over the first segment alone
// ("reports=intake"). Borrowed.
const char *gateway_routes_lookup(const gateway_routes_t *self,
                                  const char *path);

// Number of distinct services in the table, and the i-th one (borrowed), in
// first-seen order: what /readyz and /metrics ask the broker about.
size_t gateway_routes_service_count(const gateway_routes_t *self);
const char *gateway_routes_service(const gateway_routes_t *self, size_t i);

// True for a request target (path and query, size bytes) the front thread
// may serve itself (gateway_local): a routed path "/v1/<segment>…" without
// percent escapes (nng decodes them before it picks a handler) that is none
// of the gateway's own endpoints under /v1 (events, the event stream, the
// OpenAPI document). Pure.
bool gateway_routes_is_direct(const char *target, size_t size);

// Copy the first segment after "/v1/" of path into segment. Returns 0, or -1
// when the path has no such segment or it does not fit.
int gateway_route_segment(const char *path, char *segment, size_t size);

// The low-cardinality metrics label for a routed path: "/v1/<segment>" when
// the segment is in the table, else "other". Writes into label (at least
// GATEWAY_ROUTE_LABEL_MAX bytes) and returns it.
const char *gateway_routes_label(const gateway_routes_t *self, const char *path,
                                 char *label);

#endif
