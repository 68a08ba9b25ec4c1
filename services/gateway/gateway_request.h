// gateway_request — one HTTP request on its way through the gateway: what
// the nng handler (or the front thread, gateway_local) read from it, the
// actor the bus thread resolved, and where the response goes: the nng aio
// to finish, or the front thread's reply queue. Exactly one thread holds a
// request at a time (the nng handler or the front thread, then a queue,
// then the bus or events thread); whoever finishes it frees it. Finishing
// writes the access log line, counts the metrics and completes the aio (nng
// sends the response from its own threads) or pushes the rendered response
// to the front thread (gateway_response).
#ifndef GATEWAY_REQUEST_H
#define GATEWAY_REQUEST_H

#include <jansson.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_envelope_scan.h"
#include "cm_id.h"
#include "gateway.h"
#include "gateway_input.h"
#include "gateway_queue.h"
#include "gateway_response.h"
#include "gateway_wire.h"

// What the request asks of the gateway.
typedef enum {
    GATEWAY_KIND_ROUTED,  // /v1/<segment>…: to a service over the broker
    GATEWAY_KIND_HEALTHZ, // GET /healthz
    GATEWAY_KIND_READYZ,  // GET /readyz
    GATEWAY_KIND_METRICS, // GET /metrics
    GATEWAY_KIND_OPENAPI, // GET /v1/openapi.yaml
    GATEWAY_KIND_INGEST,  // POST /v1/events
    GATEWAY_KIND_STREAM,  // GET /v1/events/stream
    GATEWAY_KIND_UNKNOWN  // anything else: 404
} gateway_kind_t;

// Longest If-Match value passed on (one entity tag).
#define GATEWAY_IF_MATCH_MAX 64

typedef struct gateway_request gateway_request_t;

// Where a request the front thread serves itself is answered.
typedef struct {
    gateway_queue_t *replies; // borrowed: the front's queue of gateway_reply_t
    uint64_t conn_id;         // the client connection
    uint64_t seq;             // the request's place on it
    bool is_head;             // HEAD: the response goes without its body
    bool close;               // the connection closes after the response
} gateway_request_origin_t;

// One header field of a request the front thread read (strings point into
// the request's head, or are owned when duplicates were joined).
typedef struct {
    const char *name;
    const char *value;
    bool joined; // value owned: "a, b" of a repeated field
} gateway_request_field_t;

struct gateway_request {
    gateway_t *gateway;              // borrowed owner of shared parts
    nng_aio *aio;                    // the handler's aio: finished exactly once
                                     // (NULL: served by the front, see origin)
    gateway_request_origin_t origin; // front: where the response goes
    char *head;                      // front: owned head text, split
    gateway_request_field_t *fields; // front: owned array into head
    size_t field_count;              // front: its size
    nng_http_req *http;              // borrowed from nng (owned after a hijack)
    nng_http_conn *conn;             // borrowed from nng (owned after a hijack)
    nng_aio *body_aio;               // owned: reads the body, reaped on destroy
    char *body_data;                 // owned: raw body bytes
    size_t body_size;                // their count
    gateway_kind_t kind;             // what is asked
    int64_t start_us;                // monotonic arrival time
    int64_t deadline_ms;             // epoch ms after which nobody waits
    int64_t deadline_mono_ms;        // the same on the monotonic clock
    char request_id[GATEWAY_REQUEST_ID_MAX + 1];   // X-Request-Id
    char client_address[GATEWAY_WIRE_ADDRESS_MAX]; // per-address limits
    char method[16];                               // HTTP method as received
    char *path;       // owned: path without the query
    char *query_text; // owned: text after '?', NULL when none
    char route[GATEWAY_ROUTE_LABEL_MAX]; // metrics label
    const char *service; // borrowed from the routes: MDP service
    char token_hash[GATEWAY_SHA256_HEX]; // SHA-256 of the bearer token
    char *token;                         // owned: the raw token, until resolved
    char *idempotency_key; // owned: Idempotency-Key, NULL when absent
    char *last_event_id;   // owned: Last-Event-ID, NULL when absent
    char *if_match;        // owned: If-Match, NULL when absent
    const char *accept;    // "text/csv" when Accept asks for it
    char *content_type;    // owned: an upload's Content-Type (body: base64)
    json_t *body;          // owned: parsed body, NULL when none
    json_t *actor;         // owned: set once authenticated
    char envelope_id[CM_UUID_MAX]; // id of the MDP request in flight
    bool counted;                  // holds one unit of the in-flight count
    bool bad_request_id;           // X-Request-Id invalid: 400 after the body
};

// A request for the handler's aio. Reads method, URI, X-Request-Id (or
// makes one). NULL on allocation failure. Caller owns the result.
gateway_request_t *gateway_request_new(gateway_t *gateway, nng_aio *aio,
                                       nng_http_req *http, nng_http_conn *conn);

// A request the front thread read: head is the checked head as gateway_wire
// forwards it (request line, the headers the gateway reads, X-Sm-Peer), body
// the body bytes (copied). Answered through origin (copied). NULL on a
// malformed head or allocation failure. Caller owns the result.
gateway_request_t *
gateway_request_new_front(gateway_t *gateway, const char *head,
                          size_t head_size, const char *body, size_t body_size,
                          const gateway_request_origin_t *origin);

// The value of a request header (the first field of that name; repeated
// fields joined by ", " as nng does), or NULL. Borrowed from the request.
const char *gateway_request_header(const gateway_request_t *self,
                                   const char *name);

// Free everything the request owns (not the aio). Safe when *self_p is NULL.
void gateway_request_destroy(gateway_request_t **self_p);

// The actor id for logs ("-" before authentication).
const char *gateway_request_actor_id(const gateway_request_t *self);

// Finish with status, extra headers (object of strings, borrowed, may be
// NULL) and a body of size bytes (NULL/0: empty, with Content-Length: 0) of
// content_type. Logs http.access, counts metrics, completes the aio and
// destroys *self_p.
void gateway_request_finish(gateway_request_t **self_p, int status,
                            const json_t *headers, const char *content_type,
                            const void *body, size_t size);

// Finish with a JSON document (stolen). Headers as above.
void gateway_request_finish_json(gateway_request_t **self_p, int status,
                                 const json_t *headers, json_t *document);

// Finish with a problem ({"status","code","detail",…}, stolen) rendered as
// application/problem+json. Headers as above (Retry-After…).
void gateway_request_finish_problem(gateway_request_t **self_p, json_t *problem,
                                    const json_t *headers);

// Shorthand: a new problem (status, code, detail) and finish with it.
void gateway_request_fail(gateway_request_t **self_p, int status,
                          const char *code, const char *detail);

// Finish with the reply envelope of a service (borrowed): its status,
// headers and body, or its error rendered as a problem.
void gateway_request_finish_reply(gateway_request_t **self_p,
                                  const json_t *reply);

// A reply envelope's members as text, found by cm_envelope_scan (absent:
// data NULL). Spans borrow the reply text.
typedef struct {
    cm_envelope_span_t status;  // integer
    cm_envelope_span_t headers; // object of strings
    cm_envelope_span_t body;    // any JSON: sent as it is
    cm_envelope_span_t error;   // problem object
} gateway_reply_text_t;

// gateway_request_finish_reply for a reply that was scanned, not parsed:
// the same response, but the body text goes out as the service wrote it
// instead of being parsed and encoded again (headers and error, which are
// small, are parsed).
void gateway_request_finish_reply_text(gateway_request_t **self_p,
                                       const gateway_reply_text_t *reply);

// After a hijack: log the access line (status as sent on the hijacked
// connection), count metrics, finish the aio with no response, and destroy.
// The caller has taken conn and http (set to NULL in the request).
void gateway_request_finish_hijacked(gateway_request_t **self_p, int status);

#endif
