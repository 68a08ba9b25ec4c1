// cm_mdp_client — the client half of MDP/0.1 (cm_mdp.h, docs/architecture.md
// §2).
//
// Asynchronous: one DEALER, any number of outstanding requests. Send
// requests with cm_mdp_client_send and collect replies with
// cm_mdp_client_recv; match them by the reply envelope's correlation_id
// (the request's id). The DEALER may sit in a caller's zpoller/zloop.
// cm_mdp_client_call is a synchronous convenience for tests and
// service-to-service calls.
//
// Not thread safe: one client per thread.
#ifndef LIBCOMMON_CM_MDP_CLIENT_H
#define LIBCOMMON_CM_MDP_CLIENT_H

#include <czmq.h>

typedef struct cm_mdp_client cm_mdp_client_t;

// Create a client connected to the broker at endpoint. Sends fail at once
// (instead of queueing) while no broker is connected. Returns NULL when the
// socket cannot be created or connected. Caller owns the result.
cm_mdp_client_t *cm_mdp_client_new(const char *endpoint);

// Destroy the client and its socket. Safe when *self_p is NULL; sets it to
// NULL.
void cm_mdp_client_destroy(cm_mdp_client_t **self_p);

// Send one request body (envelope text, borrowed) to service. Returns 0, or
// -1 when it could not be sent now (no broker, high-water mark): answer 503.
int cm_mdp_client_send(cm_mdp_client_t *self, const char *service,
                       const char *body);

// Wait up to timeout_ms (0: don't wait, -1: forever) for the next reply.
// Returns its body and, when service_p is not NULL, stores the service name
// in *service_p; caller owns both (free()). NULL on timeout or interrupt;
// malformed messages are logged once and skipped.
char *cm_mdp_client_recv(cm_mdp_client_t *self, int timeout_ms,
                         char **service_p);

// Send request to service and wait up to timeout_ms for its reply: the reply
// whose correlation_id is the request's id (or, for a body that is no
// envelope such as an mmi.* query, the next reply from service). Other
// replies arriving meanwhile are dropped, so don't mix with asynchronous
// use. A new client waits (within timeout_ms) for its broker connection
// before sending. Caller owns the result; NULL on send failure, timeout or
// interrupt.
char *cm_mdp_client_call(cm_mdp_client_t *self, const char *service,
                         const char *request, int timeout_ms);

// The DEALER, for zpoller/zloop. Borrowed: valid until destroy.
zsock_t *cm_mdp_client_sock(cm_mdp_client_t *self);

#endif
