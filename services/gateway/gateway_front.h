// gateway_front — the gateway's public HTTP socket. nng 1.5's server has no
// header or idle timeouts, closes without a word on requests it cannot
// parse (and refuses some legal header values), answers others with HTML,
// and hands a handler nothing before a whole request arrived; it cannot be
// given a socket. So nng listens on a loopback port of its own and this
// thread owns the clients: it accepts them (at most max_per_client at once
// from one address), relays each connection to nng on a loopback
// connection (gateway_conn: every request framed and checked, timers), and
// answers what is malformed itself with problem+json. Routed requests it
// hands to config->serve on this thread (gateway_local), without the
// loopback hop; their responses come back through a reply queue whose
// eventfd sits in this thread's epoll.
#ifndef GATEWAY_FRONT_H
#define GATEWAY_FRONT_H

#include <stdint.h>

#include "gateway_conn.h"
#include "gateway_metrics.h"
#include "gateway_queue.h"

#define GATEWAY_FRONT_TICK_MS  100  // timer resolution
#define GATEWAY_FRONT_DRAIN_MS 1000 // stop: time to send what nng answered
#define GATEWAY_FRONT_EVENTS   256  // poll events taken per wakeup
#define GATEWAY_FRONT_BACKLOG  1024 // listen() backlog

// Serve a request on the front thread: its response goes to replies as a
// gateway_reply_t (from any thread).
typedef void gateway_front_serve_fn(void *arg,
                                    const gateway_conn_local_t *local,
                                    gateway_queue_t *replies);

// What a front end needs (strings are copied).
typedef struct {
    const char *bind;              // address to listen on
    int port;                      // 0: any free port
    int upstream_port;             // nng's port on 127.0.0.1
    int64_t header_timeout_ms;     // gateway/header_timeout_ms
    int64_t idle_timeout_ms;       // gateway/idle_timeout_ms
    long max_per_client;           // gateway/max_connections_per_client
    const char *trusted_proxies;   // gateway/trusted_proxies
    gateway_metrics_t *metrics;    // borrowed: refusals are counted
    gateway_front_serve_fn *serve; // NULL: every request goes to nng
    void *serve_arg;               // its argument
} gateway_front_config_t;

typedef struct gateway_front gateway_front_t;

// Bind and listen (not yet accepting). NULL (logged) when the address
// cannot be bound. Caller owns the result.
gateway_front_t *gateway_front_new(const gateway_front_config_t *config);

// Stop (if running), close every connection and free; safe when *self_p
// is NULL.
void gateway_front_destroy(gateway_front_t **self_p);

// Start the thread. 0, or -1.
int gateway_front_start(gateway_front_t *self);

// The bound port.
int gateway_front_port(const gateway_front_t *self);

// Stop accepting, give connections up to GATEWAY_FRONT_DRAIN_MS to send
// what they hold, close them and join the thread. Idempotent.
void gateway_front_stop(gateway_front_t *self);

#endif
