// gateway_conn — one client connection of the gateway's front end, relayed
// to nng on a loopback connection of its own, except for the routed
// requests the front serves itself (gateway_routes_is_direct, bodies up to
// GATEWAY_BODY_MAX_BYTES): those are handed to limits->serve once their body
// is in, and their responses come back through gateway_conn_on_reply, in
// any order; they are sent in request order. A request of one way waits
// while requests of the other way are answered not yet, so responses keep
// the order of requests. Client bytes are framed with
// gateway_wire: each request head is checked and passed on rewritten, its
// body passed on by Content-Length, so body bytes are never taken for a
// request. Responses from nng are framed the same way, which tells when
// the connection is idle. A refused request gets a problem+json response
// of our own, after the responses still owed, and the connection closes.
//
// Timers: a request head must arrive within header_timeout_ms (408) and a
// body must not stall longer than that (closed); a connection with nothing
// owed either way closes after idle_timeout_ms; a client that does not read
// what it is sent is dropped after idle_timeout_ms. Not thread-safe: the
// front end's thread owns every connection.
#ifndef GATEWAY_CONN_H
#define GATEWAY_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway_metrics.h"

#define GATEWAY_CONN_BUFFER_MAX   ((size_t)256 * 1024) // bytes per direction
#define GATEWAY_CONN_PIPELINE_MAX 32    // requests passed on, not yet answered
#define GATEWAY_CONN_READ_BYTES   65536 // bytes read per call
#define GATEWAY_CONN_LINGER_MS    2000  // closing: wait for the client's FIN

// A request the front serves itself, as handed to gateway_conn_serve_fn
// (everything borrowed for the call).
typedef struct {
    uint64_t conn_id; // the connection (gateway_conn_new)
    uint64_t seq;     // the request's place on it (gateway_conn_on_reply)
    const char *head; // the head as gateway_wire forwards it
    size_t head_size; // its size
    const char *body; // the body bytes
    size_t body_size; // their count
    bool is_head;     // HEAD
    bool close;       // no request follows (Connection: close, HTTP/1.0)
} gateway_conn_local_t;

// Serve a request; its response comes back via gateway_conn_on_reply.
typedef void gateway_conn_serve_fn(void *arg,
                                   const gateway_conn_local_t *local);

// What every connection of a front end shares (copied).
typedef struct {
    int64_t header_timeout_ms;    // request head, body stalls
    int64_t idle_timeout_ms;      // nothing owed; client not reading
    gateway_metrics_t *metrics;   // borrowed: refusals are counted (or NULL)
    gateway_conn_serve_fn *serve; // NULL: every request goes to nng
    void *serve_arg;              // its argument
} gateway_conn_limits_t;

typedef struct gateway_conn gateway_conn_t;

// A connection from peer on client_fd, relayed to upstream_fd (connected,
// or connecting when `connecting`; -1 for a connection that is only to be
// refused). Both fds are non-blocking and become owned. Caller owns the result;
// NULL on allocation failure (fds closed).
// id names the connection in the requests it hands to limits->serve.
gateway_conn_t *gateway_conn_new(uint64_t id, int client_fd, int upstream_fd,
                                 bool connecting, const char *peer,
                                 bool trusted,
                                 const gateway_conn_limits_t *limits,
                                 int64_t now_ms);

// Close both fds and free; safe when *self_p is NULL.
void gateway_conn_destroy(gateway_conn_t **self_p);

// The two fds (for the front end's poller; the upstream one is -1 once nng
// closed it, which also took it out of the poller) and the peer address.
int gateway_conn_client_fd(const gateway_conn_t *self);
int gateway_conn_upstream_fd(const gateway_conn_t *self);
const char *gateway_conn_peer(const gateway_conn_t *self);

// Poll events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP) on either side.
void gateway_conn_on_client(gateway_conn_t *self, uint32_t events,
                            int64_t now_ms);
void gateway_conn_on_upstream(gateway_conn_t *self, uint32_t events,
                              int64_t now_ms);

// The response (data: owned, size bytes) to the served request seq; close:
// the connection closes after it. Takes ownership of data.
void gateway_conn_on_reply(gateway_conn_t *self, uint64_t seq, char *data,
                           size_t size, bool close, int64_t now_ms);

// Run the timers at now_ms.
void gateway_conn_on_tick(gateway_conn_t *self, int64_t now_ms);

// The events each side waits for now (EPOLLIN / EPOLLOUT bits). Returns
// true when they differ from those of the previous call.
bool gateway_conn_interest(gateway_conn_t *self, uint32_t *client,
                           uint32_t *upstream);

// True once the connection is over: destroy it.
bool gateway_conn_is_done(const gateway_conn_t *self);

// Refuse at once (before anything was read): problem+json with status,
// code and detail, then close. For the front end's own refusals.
void gateway_conn_refuse(gateway_conn_t *self, int status, const char *code,
                         const char *detail, int64_t now_ms);

#endif
