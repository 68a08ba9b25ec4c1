// cm_mdp_worker — the worker half of MDP/0.1 (cm_mdp.h, docs/architecture.md
// §2).
//
// One DEALER connected to the broker. READY names the service and the
// worker's credit. Heartbeats flow both ways; when the broker is silent for
// CM_MDP_LIVENESS heartbeats, or tells the worker to DISCONNECT, the worker
// reconnects with exponential backoff (CM_MDP_RECONNECT_MIN_MS doubling up to
// CM_MDP_RECONNECT_MAX_MS) and sends READY again.
//
// Heartbeats are sent from inside cm_mdp_worker_recv and cm_mdp_worker_send
// only: a caller must not spend more than (CM_MDP_LIVENESS - 1) heartbeat
// intervals (5 s at the default 2.5 s) between two calls, or the broker
// declares it lost and answers what it holds with 503 worker_lost.
//
// Not thread safe: one worker per thread.
#ifndef LIBCOMMON_CM_MDP_WORKER_H
#define LIBCOMMON_CM_MDP_WORKER_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cm_mdp_worker cm_mdp_worker_t;

// Create a worker for `service` holding at most `credit` requests
// (1..CM_MDP_CREDIT_MAX), heartbeating every heartbeat_ms (0: the default),
// connect it to endpoint and send READY. Returns NULL when the socket cannot
// be created or connected. Caller owns the result.
cm_mdp_worker_t *cm_mdp_worker_new(const char *endpoint, const char *service,
                                   int credit, int heartbeat_ms);

// Destroy the worker and its socket (no DISCONNECT is sent: call
// cm_mdp_worker_disconnect first for a clean exit). Safe when *self_p is
// NULL; sets it to NULL.
void cm_mdp_worker_destroy(cm_mdp_worker_t **self_p);

// Wait up to timeout_ms (0: don't wait, -1: forever) for the next request,
// doing heartbeats and reconnects meanwhile. Returns the request envelope
// text and stores its opaque reply address in *reply_to_p; caller owns both.
// Returns NULL on timeout, on interrupt (zsys_interrupted) or once drained.
char *cm_mdp_worker_recv(cm_mdp_worker_t *self, int timeout_ms,
                         zframe_t **reply_to_p);

// Send a reply to the request whose address is *reply_to_p. reply is
// borrowed; takes ownership of *reply_to_p (set to NULL). Returns 0, or -1
// when the message could not be queued (the broker will then report the
// request lost to its client).
int cm_mdp_worker_send(cm_mdp_worker_t *self, const char *reply,
                       zframe_t **reply_to_p);

// Start draining: send DISCONNECT so the broker dispatches nothing more.
// Keep calling cm_mdp_worker_recv (it may still return requests that were
// already on their way) and reply until cm_mdp_worker_is_drained or
// cm_mdp_worker_held is 0 after a recv timeout. Returns 0 or -1.
int cm_mdp_worker_disconnect(cm_mdp_worker_t *self);

// True once a draining worker got the broker's DISCONNECT: nothing more will
// arrive.
bool cm_mdp_worker_is_drained(const cm_mdp_worker_t *self);

// Requests received and not yet replied to.
size_t cm_mdp_worker_held(const cm_mdp_worker_t *self);

// The worker's credit, as sent in READY.
int cm_mdp_worker_credit(const cm_mdp_worker_t *self);

// How many times the worker has (re)sent READY; 1 after cm_mdp_worker_new.
size_t cm_mdp_worker_ready_count(const cm_mdp_worker_t *self);

// The DEALER, for zpoller/zloop: when it is readable, call
// cm_mdp_worker_recv(self, 0, ...). Borrowed: valid until destroy (the same
// socket is kept across reconnects).
zsock_t *cm_mdp_worker_sock(cm_mdp_worker_t *self);

// Milliseconds until the worker needs a call for heartbeats or reconnects;
// use it as the poll timeout of an outer loop.
int cm_mdp_worker_timeout_ms(const cm_mdp_worker_t *self);

#endif
