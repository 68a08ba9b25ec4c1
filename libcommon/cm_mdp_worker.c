#include "cm_mdp_worker.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_curve.h"
#include "cm_log.h"
#include "cm_mdp.h"
#include "cm_time.h"

// Kinds of broker misbehaviour, each logged once per worker.
enum {
    S_WARN_FRAMES = 1 << 0,
    S_WARN_COMMAND = 1 << 1
};

struct cm_mdp_worker {
    char *endpoint;          // broker endpoint
    char *service;           // service name sent in READY
    int credit;              // requests held at most, sent in READY
    int heartbeat_ms;        // heartbeat interval
    zsock_t *sock;           // DEALER to the broker, kept across reconnects
    int64_t heartbeat_at_ms; // next heartbeat due (monotonic)
    int64_t expiry_ms;       // broker counts as lost after this (monotonic)
    int64_t reconnect_at_ms; // when to reconnect; 0 while connected
    int64_t ticked_at_ms;    // the last tick (monotonic)
    int reconnect_delay_ms;  // next backoff delay
    size_t held;             // requests received and not replied to
    size_t ready_count;      // READY messages sent
    bool draining;           // DISCONNECT sent
    bool drained;            // the broker confirmed the drain
    unsigned warned;         // S_WARN_* kinds already logged
};

// Sends [""][MDPW01][command] plus up to two text frames and one frame.
static int
s_send_command(cm_mdp_worker_t *self, int command, const char *text1,
               const char *text2, zframe_t **frame_p)
{
    zmsg_t *msg = zmsg_new();
    assert(msg);
    uint8_t byte = (uint8_t)command;
    zmsg_addmem(msg, "", 0);
    zmsg_addstr(msg, CM_MDP_WORKER);
    zmsg_addmem(msg, &byte, 1);
    if (frame_p) {
        zmsg_append(msg, frame_p);
        zmsg_addmem(msg, "", 0);
    }
    if (text1) {
        zmsg_addstr(msg, text1);
    }
    if (text2) {
        zmsg_addstr(msg, text2);
    }
    if (zmsg_send(&msg, self->sock) != 0) {
        cm_log_warn("mdp.worker.send_failed", "command",
                    cm_mdp_command_name(command), "error", zmq_strerror(errno));
        zmsg_destroy(&msg);
        return -1;
    }
    return 0;
}

static void
s_warn_once(cm_mdp_worker_t *self, unsigned kind, const char *reason)
{
    if (!(self->warned & kind)) {
        self->warned |= kind;
        cm_log_warn("mdp.worker.malformed", "service", self->service, "reason",
                    reason);
    }
}

static int
s_connect(cm_mdp_worker_t *self)
{
    int64_t now = cm_time_mono_ms();
    self->reconnect_at_ms = 0;
    self->expiry_ms = now + (int64_t)self->heartbeat_ms * CM_MDP_LIVENESS;
    self->heartbeat_at_ms = now + self->heartbeat_ms;
    self->ticked_at_ms = now;
    if (zsock_connect(self->sock, "%s", self->endpoint) != 0) {
        cm_log_warn("mdp.worker.connect_failed", "endpoint", self->endpoint,
                    "error", zmq_strerror(errno));
        return -1;
    }
    char credit[16];
    snprintf(credit, sizeof credit, "%d", self->credit);
    self->ready_count++;
    return s_send_command(self, CM_MDP_READY, self->service, credit, NULL);
}

// Drops the connection and schedules a new one after the backoff delay.
static void
s_schedule_reconnect(cm_mdp_worker_t *self, const char *why)
{
    // Disconnecting discards both pipes, so nothing stale from the old
    // broker is read or sent after the new READY. A failure only means the
    // endpoint was already gone.
    int rc = zsock_disconnect(self->sock, "%s", self->endpoint);
    (void)rc;
    self->held = 0; // the broker answered them worker_lost
    self->reconnect_at_ms = cm_time_mono_ms() + self->reconnect_delay_ms;
    cm_log_notice("mdp.worker.reconnecting", "service", self->service, "reason",
                  why, "#delay_ms", CM_LOG_INT(self->reconnect_delay_ms));
    self->reconnect_delay_ms *= 2;
    if (self->reconnect_delay_ms > CM_MDP_RECONNECT_MAX_MS) {
        self->reconnect_delay_ms = CM_MDP_RECONNECT_MAX_MS;
    }
}

// Reconnects, heartbeats and detects a silent broker when due.
static void
s_tick(cm_mdp_worker_t *self)
{
    int64_t now = cm_time_mono_ms();
    // The loop ticks at least once a heartbeat while it waits; a tick much
    // later (a stalled host, or a long request) moves the broker's expiry.
    self->expiry_ms +=
        cm_mdp_overdue_ms(&self->ticked_at_ms, now, self->heartbeat_ms);
    if (self->reconnect_at_ms) {
        if (now >= self->reconnect_at_ms) {
            s_connect(self);
        }
        return;
    }
    // Messages waiting unread (after a long request, or a stalled host)
    // prove the broker alive; reading them moves the expiry.
    if (now >= self->expiry_ms && !(zsock_events(self->sock) & ZMQ_POLLIN)) {
        if (self->draining) {
            self->drained = true; // nobody is left to drain towards
            return;
        }
        s_schedule_reconnect(self, "broker silent");
        return;
    }
    if (now >= self->heartbeat_at_ms) {
        self->heartbeat_at_ms = now + self->heartbeat_ms;
        s_send_command(self, CM_MDP_HEARTBEAT, NULL, NULL, NULL);
    }
}

// Takes [reply-to][""][body] off a REQUEST.
static char *
s_take_request(cm_mdp_worker_t *self, zmsg_t *msg, zframe_t **reply_to_p)
{
    if (zmsg_size(msg) != 3) {
        s_warn_once(self, S_WARN_FRAMES, "REQUEST needs 3 frames");
        return NULL;
    }
    zframe_t *reply_to = zmsg_pop(msg);
    zframe_t *empty = zmsg_pop(msg);
    zframe_t *body = zmsg_pop(msg);
    char *request = NULL;
    if (zframe_size(empty) == 0) {
        request = zframe_strdup(body);
        *reply_to_p = reply_to;
        reply_to = NULL;
        self->held++;
    } else {
        s_warn_once(self, S_WARN_FRAMES, "REQUEST without empty delimiter");
    }
    zframe_destroy(&reply_to);
    zframe_destroy(&empty);
    zframe_destroy(&body);
    return request;
}

// Handles one message from the broker; returns a request or NULL.
static char *
s_handle(cm_mdp_worker_t *self, zmsg_t *msg, zframe_t **reply_to_p)
{
    zframe_t *empty = zmsg_first(msg);
    zframe_t *header = zmsg_next(msg);
    zframe_t *command_frame = zmsg_next(msg);
    if (!command_frame || zframe_size(empty) != 0
        || !zframe_streq(header, CM_MDP_WORKER)) {
        s_warn_once(self, S_WARN_FRAMES, "not an MDPW01 message");
        return NULL;
    }
    int command = cm_mdp_command_parse(zframe_data(command_frame),
                                       zframe_size(command_frame));
    for (int i = 0; i < 3; i++) {
        zframe_t *frame = zmsg_pop(msg);
        zframe_destroy(&frame);
    }
    self->expiry_ms =
        cm_time_mono_ms() + (int64_t)self->heartbeat_ms * CM_MDP_LIVENESS;
    self->reconnect_delay_ms = CM_MDP_RECONNECT_MIN_MS;
    if (command == CM_MDP_REQUEST) {
        return s_take_request(self, msg, reply_to_p);
    }
    if (command == CM_MDP_DISCONNECT) {
        if (self->draining) {
            self->drained = true;
        } else {
            s_schedule_reconnect(self, "broker sent DISCONNECT");
        }
    } else if (command != CM_MDP_HEARTBEAT) {
        s_warn_once(self, S_WARN_COMMAND, "unexpected command");
    }
    return NULL;
}

// Reads what is waiting without blocking until a request turns up. The
// socket's receive timeout is 0, so a receive with nothing waiting fails at
// once; asking ZMQ_EVENTS first would cost a system call per message.
static char *
s_read_waiting(cm_mdp_worker_t *self, zframe_t **reply_to_p)
{
    if (self->reconnect_at_ms || self->drained) {
        // Not reading now: the socket still takes its pending commands, or
        // its descriptor would stay readable and a wait on it (cm_wait)
        // would return at once until the reconnect.
        (void)zsock_events(self->sock);
        return NULL;
    }
    while (!self->reconnect_at_ms && !self->drained) {
        zmsg_t *msg = zmsg_recv(self->sock);
        if (!msg) {
            return NULL; // nothing waiting
        }
        char *request = s_handle(self, msg, reply_to_p);
        zmsg_destroy(&msg);
        if (request) {
            return request;
        }
    }
    return NULL;
}

cm_mdp_worker_t *
cm_mdp_worker_new(const char *endpoint, const char *service, int credit,
                  int heartbeat_ms)
{
    assert(endpoint && service);
    assert(credit >= 1 && credit <= CM_MDP_CREDIT_MAX);
    assert(cm_mdp_service_is_valid(service, strlen(service)));
    cm_mdp_worker_t *self = calloc(1, sizeof *self);
    assert(self);
    self->endpoint = strdup(endpoint);
    self->service = strdup(service);
    assert(self->endpoint && self->service);
    self->credit = credit;
    self->heartbeat_ms = heartbeat_ms > 0 ? heartbeat_ms : CM_MDP_HEARTBEAT_MS;
    self->reconnect_delay_ms = CM_MDP_RECONNECT_MIN_MS;
    // Options first, connect after (docs/libraries.md): they apply only to
    // later connects. No IMMEDIATE: READY must queue until the broker is there.
    self->sock = zsock_new(ZMQ_DEALER);
    if (!self->sock) {
        cm_mdp_worker_destroy(&self);
        return NULL;
    }
    zsock_set_linger(self->sock, 0);
    zsock_set_sndtimeo(self->sock, 0);
    // A receive never blocks: it takes what is waiting (s_read_waiting).
    zsock_set_rcvtimeo(self->sock, 0);
    if (cm_curve_client(self->sock, "broker") != 0 || s_connect(self) != 0) {
        cm_mdp_worker_destroy(&self);
    }
    return self;
}

void
cm_mdp_worker_destroy(cm_mdp_worker_t **self_p)
{
    assert(self_p);
    cm_mdp_worker_t *self = *self_p;
    if (self) {
        zsock_destroy(&self->sock);
        free(self->service);
        free(self->endpoint);
        free(self);
        *self_p = NULL;
    }
}

char *
cm_mdp_worker_recv(cm_mdp_worker_t *self, int timeout_ms, zframe_t **reply_to_p)
{
    assert(self && reply_to_p);
    *reply_to_p = NULL;
    int64_t until = timeout_ms < 0 ? INT64_MAX : cm_time_mono_ms() + timeout_ms;
    while (!self->drained && !zsys_interrupted) {
        s_tick(self);
        char *request = s_read_waiting(self, reply_to_p);
        if (request) {
            return request;
        }
        int64_t now = cm_time_mono_ms();
        if (now >= until || self->drained) {
            break;
        }
        int64_t wait = cm_mdp_worker_timeout_ms(self);
        wait = wait < until - now ? wait : until - now;
        zmq_pollitem_t item = {zsock_resolve(self->sock), 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, (long)wait) < 0) {
            break; // interrupted
        }
    }
    return NULL;
}

int
cm_mdp_worker_send(cm_mdp_worker_t *self, const char *reply,
                   zframe_t **reply_to_p)
{
    assert(self && reply && reply_to_p && *reply_to_p);
    if (self->held > 0) {
        self->held--;
    }
    int rc = -1;
    if (!self->reconnect_at_ms) {
        rc = s_send_command(self, CM_MDP_REPLY, reply, NULL, reply_to_p);
    }
    zframe_destroy(reply_to_p);
    s_tick(self);
    return rc;
}

int
cm_mdp_worker_disconnect(cm_mdp_worker_t *self)
{
    assert(self);
    if (self->draining) {
        return 0;
    }
    self->draining = true;
    cm_log_notice("mdp.worker.draining", "service", self->service, "#held",
                  CM_LOG_INT(self->held));
    if (self->reconnect_at_ms) {
        self->drained = true; // not connected: nothing can arrive
        return 0;
    }
    return s_send_command(self, CM_MDP_DISCONNECT, NULL, NULL, NULL);
}

bool
cm_mdp_worker_is_drained(const cm_mdp_worker_t *self)
{
    assert(self);
    return self->drained;
}

size_t
cm_mdp_worker_held(const cm_mdp_worker_t *self)
{
    assert(self);
    return self->held;
}

int
cm_mdp_worker_credit(const cm_mdp_worker_t *self)
{
    assert(self);
    return self->credit;
}

size_t
cm_mdp_worker_ready_count(const cm_mdp_worker_t *self)
{
    assert(self);
    return self->ready_count;
}

zsock_t *
cm_mdp_worker_sock(cm_mdp_worker_t *self)
{
    assert(self);
    return self->sock;
}

int
cm_mdp_worker_timeout_ms(const cm_mdp_worker_t *self)
{
    assert(self);
    int64_t next = self->reconnect_at_ms;
    if (!next) {
        next = self->heartbeat_at_ms < self->expiry_ms ? self->heartbeat_at_ms
                                                       : self->expiry_ms;
    }
    int64_t wait = next - cm_time_mono_ms();
    return wait < 0 ? 0 : (int)wait;
}
