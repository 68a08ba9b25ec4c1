#include "gateway_conn.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_log.h"
#include "gateway_buffer.h"
#include "gateway_input.h"
#include "gateway_routes.h"
#include "gateway_wire.h"

// The response to a served request, once it came back.
typedef struct {
    char *data; // owned
    size_t size;
    bool ready; // came back
    bool close; // the connection closes after it
} s_served_t;

struct gateway_conn {
    uint64_t id;                         // for limits.serve
    int client_fd;                       // owned
    int upstream_fd;                     // owned
    char peer[GATEWAY_WIRE_ADDRESS_MAX]; // TCP peer
    bool trusted;                        // a trusted proxy
    gateway_conn_limits_t limits;        // copied
    gateway_buffer_t in;                 // client bytes not framed yet
    size_t in_scanned;                   // head end search position
    gateway_buffer_t to_upstream;        // framed requests for nng
    gateway_buffer_t from_upstream;      // nng bytes not framed yet
    size_t from_scanned;                 // response head search position
    gateway_buffer_t to_client;          // responses for the client
    size_t body_left;                    // request body bytes to pass on
    size_t response_left;                // response body bytes to pass on
    bool in_response_body;               // framing a response body
    bool response_stream;                // a body without length (SSE)
    uint64_t head_ring;                  // bit i: pending request i is HEAD
    unsigned pending;                    // requests answered not yet
    bool last_request;                   // no request may follow this one
    bool stopped;                        // no more client bytes are read
    bool connecting;                     // upstream connect in progress
    bool client_eof;                     // the client sent FIN
    bool upstream_shut;                  // FIN sent to nng
    bool closing;                        // close once to_client is sent
    bool done;                           // over
    bool lingering;                      // sent all, FIN sent, draining
    int64_t linger_until_ms;             // then close regardless
    char *refusal;                       // our response, after the owed ones
    size_t refusal_size;                 // its size
    bool head_begun;                     // a head is arriving (or fresh)
    int64_t head_started_ms;             // when it began
    int64_t last_client_ms;              // last bytes from the client
    int64_t idle_since_ms;               // nothing owed since
    int64_t last_sent_ms;                // last progress towards the client
    uint32_t client_events;              // interest reported last
    uint32_t upstream_events;            // interest reported last
    s_served_t served[GATEWAY_CONN_PIPELINE_MAX]; // ring, by seq
    uint64_t served_next;         // seq of the next served request
    uint64_t served_first;        // oldest one not sent yet
    bool body_is_local;           // body_left counts local_body bytes
    gateway_buffer_t local_body;  // a served request's body
    gateway_wire_request_t local; // its head (forward owned)
    uint64_t local_seq;           // its seq
};

// Served requests not yet sent to the client (one may await its body).
static unsigned
s_served_count(const gateway_conn_t *self)
{
    return (unsigned)(self->served_next - self->served_first);
}

// Requests owed a response either way.
static unsigned
s_owed(const gateway_conn_t *self)
{
    return self->pending + s_served_count(self);
}

// ---- refusals ----------------------------------------------------------

// Send what was refused once nothing is owed before it.
static void
s_flush_refusal(gateway_conn_t *self)
{
    if (self->refusal && s_owed(self) == 0) {
        gateway_buffer_append(&self->to_client, self->refusal,
                              self->refusal_size);
        free(self->refusal);
        self->refusal = NULL;
        self->closing = true;
    }
}

static void
s_refuse(gateway_conn_t *self, const gateway_wire_error_t *error,
         const char *method, int64_t now_ms)
{
    if (self->refusal || self->closing) {
        return;
    }
    self->stopped = true;
    self->in.size = 0;
    self->refusal = gateway_wire_problem(error, &self->refusal_size);
    if (self->limits.metrics) {
        gateway_metrics_observe(self->limits.metrics, "other", method,
                                error->status, 0);
    }
    cm_log_info("http.refused", "peer", self->peer, "#status",
                CM_LOG_INT(error->status), "code", error->code);
    self->last_sent_ms = now_ms;
    s_flush_refusal(self);
}

// ---- client → nng ------------------------------------------------------

static void
s_pass_request(gateway_conn_t *self, const gateway_wire_request_t *request,
               size_t head_size)
{
    gateway_buffer_append(&self->to_upstream, request->forward,
                          request->forward_size);
    gateway_buffer_consume(&self->in, head_size);
    if (request->is_head) {
        self->head_ring |= 1ULL << self->pending;
    }
    self->pending++;
    self->body_left = request->content_length;
    self->last_request = request->close;
    self->in_scanned = 0;
    self->head_begun = false;
}

// A routed request with a small body the front end serves itself.
static bool
s_is_local(const gateway_conn_t *self, const gateway_wire_request_t *request)
{
    return self->limits.serve
           && request->content_length <= GATEWAY_BODY_MAX_BYTES
           && gateway_routes_is_direct(request->forward + request->target_at,
                                       request->target_size);
}

// A served request's body is in: hand it over.
static void
s_dispatch_local(gateway_conn_t *self)
{
    gateway_conn_local_t local = {
        .conn_id = self->id,
        .seq = self->local_seq,
        .head = self->local.forward,
        .head_size = self->local.forward_size,
        .body = self->local_body.data,
        .body_size = self->local_body.size,
        .is_head = self->local.is_head,
        .close = self->local.close,
    };
    self->body_is_local = false;
    self->limits.serve(self->limits.serve_arg, &local);
    gateway_wire_request_clear(&self->local);
    self->local_body.size = 0;
}

// Keep a served request's head; its body follows (body_left bytes).
static void
s_serve_request(gateway_conn_t *self, gateway_wire_request_t *request,
                size_t head_size)
{
    self->local = *request; // takes the forward head
    memset(request, 0, sizeof *request);
    gateway_buffer_consume(&self->in, head_size);
    self->local_seq = self->served_next++;
    self->body_left = self->local.content_length;
    self->body_is_local = true;
    self->last_request = self->local.close;
    self->in_scanned = 0;
    self->head_begun = false;
    if (self->body_left == 0) {
        s_dispatch_local(self);
    }
}

// Frame the next request head in `in`. False when nothing more can be
// done now (incomplete, refused, or too many pending).
static bool
s_take_head(gateway_conn_t *self, int64_t now_ms)
{
    size_t blank = gateway_wire_skip_blank(self->in.data, self->in.size);
    gateway_buffer_consume(&self->in, blank);
    if (self->in.size == 0 || s_owed(self) >= GATEWAY_CONN_PIPELINE_MAX) {
        return false;
    }
    if (!self->head_begun) {
        self->head_begun = true;
        self->head_started_ms = now_ms;
    }
    gateway_wire_error_t error;
    size_t end =
        gateway_wire_head_end(self->in.data, self->in.size, &self->in_scanned);
    if (end == 0) {
        if (gateway_wire_check_partial(self->in.data, self->in.size, &error)
            != 0) {
            s_refuse(self, &error, "OTHER", now_ms);
        }
        return false;
    }
    gateway_wire_peer_t peer = {self->peer, self->trusted};
    gateway_wire_request_t request;
    if (gateway_wire_parse_request(self->in.data, end, &peer, &request, &error)
        != 0) {
        s_refuse(self, &error, "OTHER", now_ms);
        return false;
    }
    bool local = s_is_local(self, &request);
    if ((local ? self->pending : s_served_count(self)) > 0) {
        // Answers keep the order of requests: this one waits until the
        // other way answered what it holds (then framing starts again).
        gateway_wire_request_clear(&request);
        self->head_begun = false;
        return false;
    }
    if (local) {
        s_serve_request(self, &request, end);
    } else {
        s_pass_request(self, &request, end);
        gateway_wire_request_clear(&request);
    }
    return true;
}

static void
s_frame_requests(gateway_conn_t *self, int64_t now_ms)
{
    while (!self->stopped) {
        if (self->body_left > 0) {
            size_t size = self->in.size < self->body_left ? self->in.size
                                                          : self->body_left;
            if (size == 0) {
                return;
            }
            gateway_buffer_move(&self->in,
                                self->body_is_local ? &self->local_body
                                                    : &self->to_upstream,
                                size);
            self->body_left -= size;
            if (self->body_is_local && self->body_left == 0) {
                s_dispatch_local(self);
            }
        } else if (self->last_request) {
            self->stopped = true; // nng closes after this one
            self->in.size = 0;
        } else if (!s_take_head(self, now_ms)) {
            return;
        }
    }
}

// ---- nng → client ------------------------------------------------------

static void
s_response_done(gateway_conn_t *self, int64_t now_ms)
{
    self->in_response_body = false;
    self->response_stream = false;
    if (self->pending > 0) {
        self->pending--;
        self->head_ring >>= 1;
    }
    if (s_owed(self) == 0) {
        self->idle_since_ms = now_ms;
        s_flush_refusal(self);
    }
}

// Frame one response head; false when it is incomplete.
static bool
s_take_response_head(gateway_conn_t *self, int64_t now_ms)
{
    size_t end =
        gateway_wire_head_end(self->from_upstream.data,
                              self->from_upstream.size, &self->from_scanned);
    gateway_wire_response_t response;
    if (end == 0
        || gateway_wire_parse_response(self->from_upstream.data, end, &response)
               != 0) {
        self->done = self->from_upstream.size > GATEWAY_WIRE_RESPONSE_HEAD_MAX
                     || end > 0; // nng sent something that is not HTTP
        return false;
    }
    size_t size = 0;
    char *relabelled =
        gateway_wire_relabel(self->from_upstream.data, end, &size);
    if (relabelled) {
        gateway_buffer_append(&self->to_client, relabelled, size);
        gateway_buffer_consume(&self->from_upstream, end);
        free(relabelled);
    } else {
        gateway_buffer_move(&self->from_upstream, &self->to_client, end);
    }
    self->from_scanned = 0;
    bool no_body = (self->head_ring & 1) || response.status == 204
                   || response.status == 304
                   || (response.has_length && response.content_length == 0);
    if (no_body) {
        s_response_done(self, now_ms);
    } else {
        self->in_response_body = true;
        self->response_stream = !response.has_length;
        self->response_left = response.content_length;
    }
    return true;
}

static void
s_frame_responses(gateway_conn_t *self, int64_t now_ms)
{
    while (self->from_upstream.size > 0 && !self->done) {
        if (!self->in_response_body) {
            if (!s_take_response_head(self, now_ms)) {
                return;
            }
            continue;
        }
        size_t size = self->from_upstream.size;
        if (!self->response_stream && size > self->response_left) {
            size = self->response_left;
        }
        gateway_buffer_move(&self->from_upstream, &self->to_client, size);
        if (!self->response_stream) {
            self->response_left -= size;
            if (self->response_left == 0) {
                s_response_done(self, now_ms);
            }
        }
    }
}

// ---- I/O ---------------------------------------------------------------

// After the client's FIN: nng gets one once it has every request.
static void
s_pass_eof(gateway_conn_t *self)
{
    if (self->client_eof && !self->upstream_shut && !self->connecting
        && self->upstream_fd >= 0 && self->to_upstream.size == 0) {
        self->upstream_shut = true;
        // The socket may be gone already; nng then closes on its own.
        (void)shutdown(self->upstream_fd, SHUT_WR);
    }
    if (self->client_eof && s_owed(self) == 0 && self->to_client.size == 0) {
        self->done = true;
    }
}

// Everything is sent on a closing connection: send FIN and read what the
// client still sends until its FIN (or GATEWAY_CONN_LINGER_MS), so that
// closing with unread bytes does not reset the connection and destroy the
// response before the client read it.
static void
s_linger(gateway_conn_t *self, int64_t now_ms)
{
    if (self->client_eof || shutdown(self->client_fd, SHUT_WR) != 0) {
        self->done = true;
        return;
    }
    self->lingering = true;
    self->linger_until_ms = now_ms + GATEWAY_CONN_LINGER_MS;
}

static void
s_drop_input(gateway_conn_t *self)
{
    char chunk[GATEWAY_CONN_READ_BYTES];
    ssize_t got = recv(self->client_fd, chunk, sizeof chunk, 0);
    if (got == 0
        || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK
            && errno != EINTR)) {
        self->done = true;
    }
}

// nng closed (it does after a Connection: close response, or on an error):
// what it sent goes out, then the client is closed too. Closing the fd also
// takes it out of the front end's poller.
static void
s_upstream_closed(gateway_conn_t *self, int64_t now_ms)
{
    if (self->response_stream) {
        s_response_done(self, now_ms);
    }
    close(self->upstream_fd);
    self->upstream_fd = -1;
    self->pending = 0;
    self->stopped = true;
    if (s_served_count(self) > 0) {
        return; // closing once they are sent (s_flush_served)
    }
    s_flush_refusal(self);
    self->closing = true;
    if (self->to_client.size == 0) {
        s_linger(self, now_ms);
    }
}

// Send what waits for the client now (most often all of it, so the poller
// is not asked to wait for writability).
static void
s_send_client(gateway_conn_t *self, int64_t now_ms)
{
    size_t before = self->to_client.size;
    if (gateway_buffer_send(self->client_fd, &self->to_client) != 0) {
        self->done = true;
        return;
    }
    if (self->to_client.size < before) {
        self->last_sent_ms = now_ms;
    }
    if (self->closing && self->to_client.size == 0 && !self->lingering) {
        s_linger(self, now_ms);
    }
}

// Send what waits for nng now; a failure means nng is gone.
static void
s_send_upstream(gateway_conn_t *self, int64_t now_ms)
{
    if (self->connecting || self->upstream_fd < 0
        || self->to_upstream.size == 0) {
        return;
    }
    if (gateway_buffer_send(self->upstream_fd, &self->to_upstream) != 0) {
        s_upstream_closed(self, now_ms);
    }
}

// The client sent FIN (or failed): a served request whose body is not in
// is dropped, what was asked before is still answered.
static void
s_client_gone(gateway_conn_t *self, bool failed)
{
    self->client_eof = true;
    self->stopped = true;
    self->done = self->done || failed;
    if (self->body_is_local) {
        self->body_is_local = false;
        self->body_left = 0;
        self->served_next--;
        gateway_wire_request_clear(&self->local);
    }
}

void
gateway_conn_on_client(gateway_conn_t *self, uint32_t events, int64_t now_ms)
{
    if (events & (EPOLLERR | EPOLLHUP)) {
        self->done = true; // reset, or closed both ways: nothing to send to
        return;
    }
    if (self->lingering) {
        s_drop_input(self);
        return;
    }
    if (events & EPOLLOUT) {
        s_send_client(self, now_ms);
        if (self->done || self->lingering) {
            return;
        }
    }
    if ((events & EPOLLIN) && !self->done && !self->client_eof) {
        ssize_t got = gateway_buffer_recv(self->client_fd, &self->in);
        if (got > 0) {
            self->last_client_ms = now_ms;
            s_frame_requests(self, now_ms);
            s_send_upstream(self, now_ms);
            if (self->to_client.size > 0 && !self->done) {
                s_send_client(self, now_ms); // a refusal
            }
        } else if (got == 0 || got == -2) {
            s_client_gone(self, got == -2);
        }
    }
    s_pass_eof(self);
}

// The upstream connect finished: 0, or -1 when it failed.
static int
s_connected(gateway_conn_t *self)
{
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(self->upstream_fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0
        || error != 0) {
        return -1;
    }
    self->connecting = false;
    return 0;
}

void
gateway_conn_on_upstream(gateway_conn_t *self, uint32_t events, int64_t now_ms)
{
    if (self->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
        && s_connected(self) != 0) {
        gateway_wire_error_t error = {503, "unavailable",
                                      "the gateway cannot take requests now"};
        self->pending = 0;
        s_refuse(self, &error, "OTHER", now_ms);
        return;
    }
    if ((events & EPOLLOUT) && !self->connecting && self->upstream_fd >= 0
        && gateway_buffer_send(self->upstream_fd, &self->to_upstream) != 0) {
        s_upstream_closed(self, now_ms);
        return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !self->connecting
        && self->upstream_fd >= 0) {
        ssize_t got =
            gateway_buffer_recv(self->upstream_fd, &self->from_upstream);
        if (got > 0) {
            s_frame_responses(self, now_ms);
        } else if (got == 0 || got == -2) {
            s_upstream_closed(self, now_ms);
        }
        if (self->pending == 0 && self->in.size > 0) {
            s_frame_requests(self, now_ms); // a served request may wait
            s_send_upstream(self, now_ms);
        }
        if (self->to_client.size > 0 && !self->done && !self->lingering) {
            s_send_client(self, now_ms);
        }
    }
    s_pass_eof(self);
}

// ---- served requests ---------------------------------------------------

// Send the responses that came back, in request order.
static void
s_flush_served(gateway_conn_t *self, int64_t now_ms)
{
    while (s_served_count(self) > 0) {
        s_served_t *entry =
            &self->served[self->served_first % GATEWAY_CONN_PIPELINE_MAX];
        if (!entry->ready) {
            return;
        }
        gateway_buffer_append(&self->to_client, entry->data, entry->size);
        free(entry->data);
        bool close = entry->close;
        *entry = (s_served_t){0};
        self->served_first++;
        if (close) {
            self->stopped = true;
            self->in.size = 0;
            self->closing = true;
        }
    }
    if (s_served_count(self) > 0) {
        return;
    }
    self->idle_since_ms = now_ms;
    s_flush_refusal(self);
    if (self->upstream_fd < 0 && !self->closing) {
        self->closing = true; // nng went away meanwhile
    }
    if (self->closing && self->to_client.size == 0 && !self->lingering) {
        s_linger(self, now_ms);
    }
}

void
gateway_conn_on_reply(gateway_conn_t *self, uint64_t seq, char *data,
                      size_t size, bool close, int64_t now_ms)
{
    if (seq < self->served_first || seq >= self->served_next || self->done) {
        free(data);
        return;
    }
    s_served_t *entry = &self->served[seq % GATEWAY_CONN_PIPELINE_MAX];
    free(entry->data);
    *entry = (s_served_t){data, size, true, close};
    s_flush_served(self, now_ms);
    if (s_served_count(self) == 0 && !self->stopped && self->in.size > 0) {
        s_frame_requests(self, now_ms); // a request for nng may wait
        s_send_upstream(self, now_ms);
    }
    if (self->to_client.size > 0 && !self->done && !self->lingering) {
        s_send_client(self, now_ms);
    }
    s_pass_eof(self);
}

// ---- timers ------------------------------------------------------------

void
gateway_conn_on_tick(gateway_conn_t *self, int64_t now_ms)
{
    const gateway_conn_limits_t *limits = &self->limits;
    if (self->lingering) {
        self->done = now_ms >= self->linger_until_ms;
        return;
    }
    bool waiting_to_send = self->to_client.size > 0;
    if (waiting_to_send
        && now_ms - self->last_sent_ms > limits->idle_timeout_ms) {
        self->done = true; // the client does not read
        return;
    }
    if (self->stopped || self->closing) {
        return;
    }
    if (self->body_left > 0) {
        self->done = now_ms - self->last_client_ms > limits->header_timeout_ms;
        return;
    }
    if (self->head_begun
        && now_ms - self->head_started_ms > limits->header_timeout_ms) {
        if (self->in.size == 0) {
            self->done = true; // never sent a byte
            return;
        }
        gateway_wire_error_t error = {408, "request_timeout",
                                      "the request head did not arrive in "
                                      "time"};
        s_refuse(self, &error, "OTHER", now_ms);
        return;
    }
    if (!self->head_begun && s_owed(self) == 0
        && now_ms - self->idle_since_ms > limits->idle_timeout_ms) {
        self->done = true; // idle keep-alive connection
    }
}

// ---- lifecycle ---------------------------------------------------------

gateway_conn_t *
gateway_conn_new(uint64_t id, int client_fd, int upstream_fd, bool connecting,
                 const char *peer, bool trusted,
                 const gateway_conn_limits_t *limits, int64_t now_ms)
{
    gateway_conn_t *self = calloc(1, sizeof *self);
    if (!self) {
        close(client_fd);
        close(upstream_fd);
        return NULL;
    }
    self->id = id;
    self->client_fd = client_fd;
    self->upstream_fd = upstream_fd;
    self->connecting = connecting;
    snprintf(self->peer, sizeof self->peer, "%s", peer);
    self->trusted = trusted;
    self->limits = *limits;
    // A new connection owes its first head within the header timeout.
    self->head_begun = true;
    self->head_started_ms = now_ms;
    self->last_client_ms = now_ms;
    self->idle_since_ms = now_ms;
    self->last_sent_ms = now_ms;
    return self;
}

void
gateway_conn_destroy(gateway_conn_t **self_p)
{
    if (self_p && *self_p) {
        gateway_conn_t *self = *self_p;
        close(self->client_fd);
        if (self->upstream_fd >= 0) {
            close(self->upstream_fd);
        }
        free(self->in.data);
        free(self->to_upstream.data);
        free(self->from_upstream.data);
        free(self->to_client.data);
        free(self->refusal);
        free(self->local_body.data);
        gateway_wire_request_clear(&self->local);
        for (size_t i = 0; i < GATEWAY_CONN_PIPELINE_MAX; i++) {
            free(self->served[i].data);
        }
        free(self);
        *self_p = NULL;
    }
}

int
gateway_conn_client_fd(const gateway_conn_t *self)
{
    return self->client_fd;
}

int
gateway_conn_upstream_fd(const gateway_conn_t *self)
{
    return self->upstream_fd;
}

const char *
gateway_conn_peer(const gateway_conn_t *self)
{
    return self->peer;
}

bool
gateway_conn_interest(gateway_conn_t *self, uint32_t *client,
                      uint32_t *upstream)
{
    bool read_client = self->lingering
                       || (!self->stopped && !self->client_eof
                           && self->in.size <= GATEWAY_WIRE_HEAD_MAX
                           && self->to_upstream.size < GATEWAY_CONN_BUFFER_MAX
                           && s_owed(self) < GATEWAY_CONN_PIPELINE_MAX);
    *client =
        (read_client ? EPOLLIN : 0) | (self->to_client.size > 0 ? EPOLLOUT : 0);
    bool open = self->upstream_fd >= 0;
    bool read_upstream = open && !self->connecting
                         && self->to_client.size < GATEWAY_CONN_BUFFER_MAX;
    bool write_upstream =
        open && (self->connecting || self->to_upstream.size > 0);
    *upstream = (read_upstream ? EPOLLIN : 0) | (write_upstream ? EPOLLOUT : 0);
    bool changed =
        *client != self->client_events || *upstream != self->upstream_events;
    self->client_events = *client;
    self->upstream_events = *upstream;
    return changed;
}

bool
gateway_conn_is_done(const gateway_conn_t *self)
{
    return self->done;
}

void
gateway_conn_refuse(gateway_conn_t *self, int status, const char *code,
                    const char *detail, int64_t now_ms)
{
    gateway_wire_error_t error = {status, code, detail};
    s_refuse(self, &error, "OTHER", now_ms);
}
