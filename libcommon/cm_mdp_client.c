#include "cm_mdp_client.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_curve.h"
#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_mdp.h"
#include "cm_time.h"

#define S_ID_MAX 128 // longest request id the synchronous call matches

struct cm_mdp_client {
    char *endpoint; // broker endpoint
    zsock_t *sock;  // DEALER to the broker
    bool warned;    // a malformed reply was logged already
};

cm_mdp_client_t *
cm_mdp_client_new(const char *endpoint)
{
    assert(endpoint);
    cm_mdp_client_t *self = calloc(1, sizeof *self);
    assert(self);
    self->endpoint = strdup(endpoint);
    assert(self->endpoint);
    // Options first, connect after (docs/libraries.md). IMMEDIATE with a zero
    // send timeout turns "no broker" into an at-once failure, not a queued
    // request that times out later.
    self->sock = zsock_new(ZMQ_DEALER);
    if (!self->sock) {
        cm_mdp_client_destroy(&self);
        return NULL;
    }
    zsock_set_linger(self->sock, 0);
    zsock_set_immediate(self->sock, 1);
    zsock_set_sndtimeo(self->sock, 0);
    // A receive never blocks: cm_mdp_client_recv polls when it has to wait.
    zsock_set_rcvtimeo(self->sock, 0);
    if (cm_curve_client(self->sock, "broker") != 0
        || zsock_connect(self->sock, "%s", endpoint) != 0) {
        cm_log_warn("mdp.client.connect_failed", "endpoint", endpoint, "error",
                    zmq_strerror(errno));
        cm_mdp_client_destroy(&self);
    }
    return self;
}

void
cm_mdp_client_destroy(cm_mdp_client_t **self_p)
{
    assert(self_p);
    cm_mdp_client_t *self = *self_p;
    if (self) {
        zsock_destroy(&self->sock);
        free(self->endpoint);
        free(self);
        *self_p = NULL;
    }
}

int
cm_mdp_client_send(cm_mdp_client_t *self, const char *service, const char *body)
{
    assert(self && service && body);
    zmsg_t *msg = zmsg_new();
    assert(msg);
    zmsg_addmem(msg, "", 0);
    zmsg_addstr(msg, CM_MDP_CLIENT);
    zmsg_addstr(msg, service);
    zmsg_addstr(msg, body);
    if (zmsg_send(&msg, self->sock) != 0) {
        zmsg_destroy(&msg);
        return -1;
    }
    return 0;
}

static void
s_warn_malformed(cm_mdp_client_t *self, size_t frames)
{
    if (!self->warned) {
        self->warned = true;
        cm_log_warn("mdp.client.malformed", "reason", "not an MDPC01 reply",
                    "#frames", CM_LOG_INT(frames));
    }
}

// Takes [""][MDPC01][service][body] apart; NULL when malformed.
static char *
s_take_reply(cm_mdp_client_t *self, zmsg_t *msg, char **service_p)
{
    zframe_t *empty = zmsg_first(msg);
    zframe_t *header = zmsg_next(msg);
    zframe_t *service = zmsg_next(msg);
    zframe_t *body = zmsg_next(msg);
    if (zmsg_size(msg) != 4 || zframe_size(empty) != 0
        || !zframe_streq(header, CM_MDP_CLIENT)) {
        s_warn_malformed(self, zmsg_size(msg));
        return NULL;
    }
    if (service_p) {
        *service_p = zframe_strdup(service);
    }
    return zframe_strdup(body);
}

char *
cm_mdp_client_recv(cm_mdp_client_t *self, int timeout_ms, char **service_p)
{
    assert(self);
    if (service_p) {
        *service_p = NULL;
    }
    int64_t until = timeout_ms < 0 ? INT64_MAX : cm_time_mono_ms() + timeout_ms;
    while (!zsys_interrupted) {
        // The receive timeout is 0: a reply already waiting is taken with no
        // system call, and only an empty socket costs one (asking ZMQ_EVENTS
        // first would cost one per reply).
        zmsg_t *msg = zmsg_recv(self->sock);
        if (!msg) {
            int64_t wait = until - cm_time_mono_ms();
            if (timeout_ms == 0 || (timeout_ms > 0 && wait <= 0)) {
                return NULL;
            }
            zmq_pollitem_t item = {zsock_resolve(self->sock), 0, ZMQ_POLLIN, 0};
            int ready = zmq_poll(&item, 1, timeout_ms < 0 ? -1 : (long)wait);
            if (ready <= 0) {
                return NULL; // timeout or interrupt
            }
            continue;
        }
        char *reply = s_take_reply(self, msg, service_p);
        zmsg_destroy(&msg);
        if (reply) {
            return reply;
        }
    }
    return NULL;
}

// True when reply answers the request with id (or, without an id, comes
// from service).
static bool
s_reply_matches(const char *reply, const char *id, const char *service,
                const char *from)
{
    if (id[0] == '\0') {
        return strcmp(service, from) == 0;
    }
    json_t *envelope = json_loads(reply, 0, NULL);
    const char *correlation = cm_envelope_correlation_id(envelope);
    bool match = correlation && strcmp(correlation, id) == 0;
    json_decref(envelope);
    return match;
}

// Send once the broker connection can take it (IMMEDIATE: a new client has
// no connection for a moment), waiting until `until` (mono ms; -1: forever).
static int
s_send_when_ready(cm_mdp_client_t *self, const char *service,
                  const char *request, int64_t until)
{
    while (cm_mdp_client_send(self, service, request) != 0) {
        int64_t left = until < 0 ? -1 : until - cm_time_mono_ms();
        if (until >= 0 && left <= 0) {
            return -1;
        }
        zmq_pollitem_t item = {zsock_resolve(self->sock), 0, ZMQ_POLLOUT, 0};
        if (zmq_poll(&item, 1, (long)left) < 0) {
            return -1;
        }
        if (!(item.revents & ZMQ_POLLOUT)) {
            return -1; // timed out
        }
    }
    return 0;
}

char *
cm_mdp_client_call(cm_mdp_client_t *self, const char *service,
                   const char *request, int timeout_ms)
{
    assert(self && service && request);
    char id[S_ID_MAX];
    int64_t deadline_ms;
    // peek leaves id "" when it cannot read one (mmi.* bodies, broken
    // envelopes); such a call is matched by service instead. A failure with
    // an id (bad deadline) still gets a reply carrying that id.
    int peeked = cm_envelope_peek_request(request, strlen(request), id,
                                          sizeof id, &deadline_ms, NULL, 0);
    (void)peeked;
    int64_t until = cm_time_mono_ms() + timeout_ms;
    if (s_send_when_ready(self, service, request, timeout_ms < 0 ? -1 : until)
        != 0) {
        return NULL;
    }
    while (true) {
        int64_t left = timeout_ms < 0 ? -1 : until - cm_time_mono_ms();
        if (timeout_ms >= 0 && left <= 0) {
            return NULL;
        }
        char *from = NULL;
        char *reply = cm_mdp_client_recv(self, (int)left, &from);
        if (!reply) {
            return NULL;
        }
        bool match = s_reply_matches(reply, id, service, from);
        free(from);
        if (match) {
            return reply;
        }
        free(reply);
    }
}

zsock_t *
cm_mdp_client_sock(cm_mdp_client_t *self)
{
    assert(self);
    return self->sock;
}
