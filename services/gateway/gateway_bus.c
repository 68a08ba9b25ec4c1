#include "gateway_bus.h"

#include <assert.h>
#include <czmq.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_envelope_scan.h"
#include "cm_log.h"
#include "cm_mdp.h"
#include "cm_mdp_client.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "gateway_auth.h"
#include "gateway_limiter.h"
#include "gateway_prober.h"
#include "gateway_request.h"

// What a pending MDP request is for.
typedef enum {
    S_CALL_ROUTED, // a client request to a service
    S_CALL_RESOLVE // a token resolution to personnel
} s_call_kind_t;

// One MDP request in flight, keyed by its envelope id.
typedef struct {
    s_call_kind_t kind;                  // see above
    char id[CM_UUID_MAX];                // envelope id = reply correlation_id
    int64_t deadline_mono_ms;            // when to give up (504)
    gateway_request_t *request;          // ROUTED: owned while pending
    zlistx_t *waiters;                   // RESOLVE: gateway_request_t* (owned)
    char token_hash[GATEWAY_SHA256_HEX]; // RESOLVE: which token
    uint64_t generation;                 // RESOLVE: auth cache generation
} s_call_t;

struct gateway_bus {
    gateway_t *gateway;          // borrowed
    pthread_t thread;            // the bus thread
    bool started;                // thread running
    atomic_bool stopping;        // set by gateway_bus_stop
    cm_mdp_client_t *client;     // requests to services
    gateway_prober_t *prober;    // /readyz and /metrics
    gateway_auth_t *auth;        // token hash → actor
    zhashx_t *pending;           // envelope id → s_call_t (owned)
    zhashx_t *resolving;         // token hash → s_call_t (borrowed)
    zlistx_t *timeline;          // envelope ids (owned copies), FIFO
    zsock_t *forget;             // PULL: staff ids whose auth cache entries go
    gateway_limiter_t *failures; // client address → failed token checks
    // What the next turn reads (s_poll_once): a socket whose ZMQ_FD turned
    // readable, and the queue when its eventfd did.
    bool forget_ready, replies_ready, probes_ready, queue_ready;
    bool probes_sent;  // the queue's requests started probes this turn
    void *probes_seen; // the prober's socket the last poll watched
};

// ---- calls -----------------------------------------------------------------

static void
s_call_destroy(s_call_t **call_p)
{
    s_call_t *call = *call_p;
    if (call) {
        zlistx_destroy(&call->waiters);
        free(call);
        *call_p = NULL;
    }
}

static s_call_t *
s_call_take(gateway_bus_t *self, const char *id)
{
    s_call_t *call = zhashx_lookup(self->pending, id);
    if (call) {
        zhashx_delete(self->pending, id);
        if (call->kind == S_CALL_RESOLVE) {
            zhashx_delete(self->resolving, call->token_hash);
        }
    }
    return call;
}

static void
s_fail_unavailable(gateway_request_t **request_p, const char *code,
                   const char *detail)
{
    json_t *headers = json_pack("{s:s}", "Retry-After", "1");
    gateway_request_finish_problem(request_p, cm_problem_new(503, code, detail),
                                   headers);
    json_decref(headers);
}

// Send an envelope to service and register the call. 0, or -1 (not sent).
static int
s_send(gateway_bus_t *self, const char *service, json_t *envelope,
       s_call_t *call)
{
    char *text = cm_envelope_encode(envelope);
    snprintf(call->id, sizeof call->id, "%s", cm_envelope_id(envelope));
    int rc = text ? cm_mdp_client_send(self->client, service, text) : -1;
    free(text);
    if (rc == 0) {
        zhashx_insert(self->pending, call->id, call);
        zlistx_add_end(self->timeline, call->id);
    }
    return rc;
}

// ---- routed requests -----------------------------------------------------

static json_t *
s_envelope(gateway_bus_t *self, gateway_request_t *request, json_t *query)
{
    char type[CM_MDP_SERVICE_MAX + 16];
    char method[16];
    const char *http_method =
        strcmp(request->method, "HEAD") == 0 ? "GET" : request->method;
    snprintf(method, sizeof method, "%s", http_method);
    for (char *p = method; *p; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    snprintf(type, sizeof type, "%s.%s", request->service, method);
    cm_envelope_request_t fields = {
        .type = type,
        .source = gateway_settings(self->gateway)->source,
        .correlation_id = request->request_id,
        .deadline_ms = request->deadline_ms,
        .idempotency_key = request->idempotency_key,
        .actor = request->actor,
        .method = http_method,
        .path = request->path,
        .query = query,
        .body = request->body,
        .if_match = request->if_match,
        .accept = request->accept,
        .content_type = request->content_type,
    };
    char fingerprint[GATEWAY_SHA256_HEX];
    if (request->idempotency_key
        && gateway_fingerprint(http_method, request->path, request->body,
                               fingerprint)
               == 0) {
        fields.fingerprint = fingerprint;
    }
    return cm_envelope_request_new(&fields);
}

static void
s_route(gateway_bus_t *self, gateway_request_t *request)
{
    json_t *query = gateway_query_parse(request->query_text);
    if (!query) {
        gateway_request_fail(&request, 400, "bad_request",
                             "the query string is not valid UTF-8");
        return;
    }
    json_t *envelope = s_envelope(self, request, query);
    json_decref(query);
    if (!envelope) {
        gateway_request_fail(&request, 400, "bad_request",
                             "the request cannot be encoded");
        return;
    }
    s_call_t *call = calloc(1, sizeof *call);
    assert(call);
    call->kind = S_CALL_ROUTED;
    call->deadline_mono_ms = request->deadline_mono_ms;
    call->request = request;
    snprintf(request->envelope_id, sizeof request->envelope_id, "%s",
             cm_envelope_id(envelope));
    int rc = s_send(self, request->service, envelope, call);
    json_decref(envelope);
    if (rc != 0) {
        free(call);
        s_fail_unavailable(&request, "broker_unavailable",
                           "the broker cannot be reached");
    }
}

// ---- authentication ------------------------------------------------------

static void
s_authorized(gateway_bus_t *self, gateway_request_t *request)
{
    if (request->kind == GATEWAY_KIND_ROUTED) {
        s_route(self, request);
        return;
    }
    const char *role =
        json_string_value(json_object_get(request->actor, "role"));
    if (request->kind == GATEWAY_KIND_INGEST && role
        && strcmp(role, "system") != 0 && strcmp(role, "station_head") != 0) {
        gateway_request_fail(&request, 403, "forbidden",
                             "only systems and the station head may publish "
                             "events");
        return;
    }
    if (gateway_queue_push(gateway_events_queue(self->gateway), request) != 0) {
        s_fail_unavailable(&request, "shutting_down",
                           "the gateway is stopping");
    }
}

static void
s_unauthorized(gateway_request_t **request_p)
{
    json_t *headers = json_pack("{s:s}", "WWW-Authenticate",
                                "Bearer error=\"invalid_token\"");
    gateway_request_finish_problem(
        request_p,
        cm_problem_new(401, "unauthorized", "the token is unknown or revoked"),
        headers);
    json_decref(headers);
}

static json_t *
s_resolve_envelope(gateway_bus_t *self, const gateway_request_t *request)
{
    json_t *actor = json_pack("{s:s, s:s}", "id", "gateway", "role", "system");
    json_t *body = json_pack("{s:s}", "token", request->token);
    cm_envelope_request_t fields = {
        .type = GATEWAY_AUTH_SERVICE ".tokens.resolve",
        .source = gateway_settings(self->gateway)->source,
        .correlation_id = request->request_id,
        .deadline_ms = request->deadline_ms,
        .actor = actor,
        .method = "POST",
        .path = GATEWAY_AUTH_PATH,
        .body = body,
    };
    json_t *envelope = cm_envelope_request_new(&fields);
    json_decref(actor);
    json_decref(body);
    return envelope;
}

static void
s_waiter_destroy(void **item)
{
    gateway_request_t *request = *item;
    gateway_request_destroy(&request);
    *item = NULL;
}

static void
s_resolve(gateway_bus_t *self, gateway_request_t *request)
{
    s_call_t *call = zhashx_lookup(self->resolving, request->token_hash);
    if (call) {
        zlistx_add_end(call->waiters, request);
        return;
    }
    cm_log_set_correlation(request->request_id);
    cm_log_info("auth.cache.miss", "req_id", request->request_id);
    cm_log_set_correlation(NULL);
    call = calloc(1, sizeof *call);
    assert(call);
    call->kind = S_CALL_RESOLVE;
    call->deadline_mono_ms = request->deadline_mono_ms;
    call->waiters = zlistx_new();
    zlistx_set_destructor(call->waiters, s_waiter_destroy);
    snprintf(call->token_hash, sizeof call->token_hash, "%s",
             request->token_hash);
    call->generation = gateway_auth_generation(self->auth);
    json_t *envelope = s_resolve_envelope(self, request);
    zlistx_add_end(call->waiters, request);
    if (!envelope || s_send(self, GATEWAY_AUTH_SERVICE, envelope, call) != 0) {
        zlistx_detach(call->waiters, NULL);
        s_call_destroy(&call);
        s_fail_unavailable(&request, "auth_unavailable",
                           "tokens cannot be checked now");
    } else {
        zhashx_insert(self->resolving, call->token_hash, call);
    }
    json_decref(envelope);
}

// 429 for an address that failed too many token checks lately.
static void
s_too_many_failures(gateway_request_t **request_p, int64_t retry_ms)
{
    char seconds[24];
    snprintf(seconds, sizeof seconds, "%lld",
             (long long)((retry_ms + 999) / 1000));
    json_t *headers = json_pack("{s:s}", "Retry-After", seconds);
    gateway_request_finish_problem(
        request_p,
        cm_problem_new(429, "too_many_auth_failures",
                       "too many unknown or revoked tokens from this "
                       "address; retry later"),
        headers);
    json_decref(headers);
}

// A cached token goes on; an unknown one is checked with personnel unless
// its client address used up its failed checks (a token guesser is
// answered here, without asking personnel).
static void
s_authenticate(gateway_bus_t *self, gateway_request_t *request)
{
    int64_t now = cm_time_mono_ms();
    const json_t *actor =
        gateway_auth_lookup(self->auth, request->token_hash, now);
    if (actor) {
        request->actor = json_deep_copy(actor);
        s_authorized(self, request);
        return;
    }
    int64_t retry_ms = 0;
    if (!gateway_limiter_check(self->failures, request->client_address, now,
                               &retry_ms)) {
        s_too_many_failures(&request, retry_ms);
        return;
    }
    s_resolve(self, request);
}

// Every waiter of a resolution gets its outcome.
static void
s_resolved(gateway_bus_t *self, s_call_t *call, const json_t *reply)
{
    int status = cm_envelope_status(reply);
    json_t *body = cm_envelope_member(reply, "body");
    bool ok = status == 200 && json_is_string(json_object_get(body, "id"))
              && json_is_string(json_object_get(body, "role"));
    if (ok) {
        gateway_auth_store(self->auth, call->token_hash, body,
                           cm_time_mono_ms(), cm_time_now_ms(),
                           call->generation);
    }
    gateway_request_t *request;
    while ((request = zlistx_detach(call->waiters, NULL))) {
        if (ok) {
            request->actor = json_deep_copy(body);
            s_authorized(self, request);
        } else if (status == 401 || status == 404) {
            gateway_limiter_take(self->failures, request->client_address,
                                 cm_time_mono_ms(), NULL);
            s_unauthorized(&request);
        } else {
            s_fail_unavailable(&request, "auth_unavailable",
                               "tokens cannot be checked now");
        }
    }
}

// ---- auth cache invalidation ---------------------------------------------

static void
s_forget_staff(gateway_bus_t *self, const char *staff, const char *why)
{
    size_t dropped = gateway_auth_forget_staff(self->auth, staff);
    cm_log_info("auth.cache.forget", "staff", staff, "why", why, "#dropped",
                CM_LOG_INT((long long)dropped));
}

// A change made through this gateway to a staff member (suspension,
// department, role, token revocation…) ends their cached authorisations
// before the client sees the reply; other gateways learn it from
// personnel's events (s_drain_forget).
static void
s_after_reply(gateway_bus_t *self, const gateway_request_t *request,
              int64_t status)
{
    char staff[CM_ID_MAX];
    if (status >= 200 && status < 300 && request->service
        && strcmp(request->service, GATEWAY_AUTH_SERVICE) == 0
        && strcmp(request->method, "GET") != 0
        && strcmp(request->method, "HEAD") != 0
        && gateway_auth_path_staff(request->path, staff, sizeof staff)) {
        s_forget_staff(self, staff, "reply");
    }
}

static void
s_drain_forget(gateway_bus_t *self)
{
    char *staff;
    while ((staff = zstr_recv(self->forget))) { // receive timeout 0
        s_forget_staff(self, staff, "event");
        zstr_free(&staff);
    }
}

// ---- replies and deadlines -----------------------------------------------

// The common case without a tree: a routed request's reply is scanned and
// its body forwarded as text. Returns false when the reply needs the full
// parse (not scannable, or a token resolution).
static bool
s_on_reply_text(gateway_bus_t *self, const char *text)
{
    static const char *const names[] = {"correlation_id", "status", "headers",
                                        "body", "error"};
    cm_envelope_span_t spans[5];
    char correlation[CM_ENVELOPE_REASON_MAX];
    if (cm_envelope_scan(text, strlen(text), names, spans, 5) != 0
        || cm_envelope_span_string(&spans[0], correlation, sizeof correlation)
               != 0) {
        return false;
    }
    s_call_t *call = zhashx_lookup(self->pending, correlation);
    if (call && call->kind != S_CALL_ROUTED) {
        return false;
    }
    call = call ? s_call_take(self, correlation) : NULL;
    if (!call) {
        cm_log_debug("bus.reply_dropped", "correlation_id", correlation);
        return true;
    }
    gateway_reply_text_t reply = {spans[1], spans[2], spans[3], spans[4]};
    int64_t status = 0;
    if (cm_envelope_span_int(&spans[1], &status) == 0) {
        s_after_reply(self, call->request, status);
    }
    gateway_request_finish_reply_text(&call->request, &reply);
    s_call_destroy(&call);
    return true;
}

static void
s_on_reply(gateway_bus_t *self, const char *text)
{
    if (s_on_reply_text(self, text)) {
        return;
    }
    json_t *reply = json_loads(text, 0, NULL);
    const char *correlation = cm_envelope_correlation_id(reply);
    s_call_t *call = correlation ? s_call_take(self, correlation) : NULL;
    if (!call) {
        cm_log_debug("bus.reply_dropped", "correlation_id",
                     correlation ? correlation : "-");
    } else if (call->kind == S_CALL_ROUTED) {
        s_after_reply(self, call->request, cm_envelope_status(reply));
        gateway_request_finish_reply(&call->request, reply);
    } else {
        s_resolved(self, call, reply);
    }
    s_call_destroy(&call);
    json_decref(reply);
}

static void
s_expire_call(s_call_t *call)
{
    if (call->kind == S_CALL_ROUTED) {
        gateway_request_fail(&call->request, 504, "deadline_exceeded",
                             "no reply before the deadline; the outcome is "
                             "unknown: retry with the same Idempotency-Key");
        return;
    }
    gateway_request_t *request;
    while ((request = zlistx_detach(call->waiters, NULL))) {
        gateway_request_fail(&request, 504, "deadline_exceeded",
                             "the token could not be checked in time");
    }
}

// Calls finish in deadline order: every request gets arrival + deadline_ms,
// so the timeline is a FIFO of ids; ids of calls already answered are
// skipped when they reach the head.
static void
s_expire(gateway_bus_t *self, int64_t now_ms)
{
    char *id;
    while ((id = zlistx_first(self->timeline))) {
        s_call_t *call = zhashx_lookup(self->pending, id);
        if (call && call->deadline_mono_ms > now_ms) {
            break;
        }
        call = call ? s_call_take(self, id) : NULL;
        zlistx_delete(self->timeline, NULL);
        if (call) {
            s_expire_call(call);
            s_call_destroy(&call);
        }
    }
}

// Shutdown: everything pending is answered 503 so nng can stop.
static void
s_fail_all(gateway_bus_t *self)
{
    char *id;
    while ((id = zlistx_first(self->timeline))) {
        s_call_t *call = s_call_take(self, id);
        zlistx_delete(self->timeline, NULL);
        gateway_request_t *request = call ? call->request : NULL;
        if (request) {
            s_fail_unavailable(&request, "shutting_down",
                               "the gateway is stopping");
        }
        while (call && call->waiters
               && (request = zlistx_detach(call->waiters, NULL))) {
            s_fail_unavailable(&request, "shutting_down",
                               "the gateway is stopping");
        }
        s_call_destroy(&call);
    }
}

static int64_t
s_next_deadline(gateway_bus_t *self)
{
    int64_t next = INT64_MAX;
    const char *id = zlistx_first(self->timeline);
    s_call_t *call = id ? zhashx_lookup(self->pending, id) : NULL;
    if (call) {
        next = call->deadline_mono_ms;
    } else if (id) {
        next = 0; // a stale head: sweep at once
    }
    int64_t probe = gateway_prober_next_deadline(self->prober);
    return probe < next ? probe : next;
}

// ---- the loop ------------------------------------------------------------

static void
s_take(gateway_bus_t *self, gateway_request_t *request)
{
    switch (request->kind) {
    case GATEWAY_KIND_READYZ:
    case GATEWAY_KIND_METRICS:
        gateway_prober_start(self->prober, request);
        self->probes_sent = true;
        break;
    default:
        s_authenticate(self, request);
        break;
    }
}

// Returns how many requests were taken.
static size_t
s_drain_queue(gateway_bus_t *self)
{
    gateway_batch_t batch = {0};
    gateway_queue_take(gateway_bus_queue(self->gateway), &batch);
    for (size_t i = 0; i < batch.count; i++) {
        s_take(self, batch.items[i]);
    }
    size_t taken = batch.count;
    gateway_batch_clear(&batch);
    return taken;
}

static void
s_drain_replies(gateway_bus_t *self)
{
    char *text;
    while ((text = cm_mdp_client_recv(self->client, 0, NULL))) {
        s_on_reply(self, text);
        free(text);
    }
}

static long
s_wait_ms(gateway_bus_t *self)
{
    int64_t next = s_next_deadline(self);
    int64_t now = cm_time_mono_ms();
    if (next == INT64_MAX) {
        return GATEWAY_TICK_MS;
    }
    int64_t wait = next - now;
    return wait < 0 ? 0 : wait > GATEWAY_TICK_MS ? GATEWAY_TICK_MS : wait;
}

// One turn of the bus: read what is ready, then sleep in poll() on the
// queue's eventfd and the sockets' ZMQ_FDs until something arrives or the
// next deadline. A ZMQ_FD turns readable only for what arrives after a
// receive found its socket empty, and a send may take the signal of a reply
// that has arrived (docs/libraries.md), so every read below goes on until
// the socket is empty, and a turn that sent requests reads the replies and
// the probes again before it sleeps. That is one poll() and a receive or
// two a turn, where zmq_poll asked ZMQ_EVENTS of every socket before and
// after its wait, each a system call (docs/architecture.md §12). A turn
// that slept the whole wait reads everything, so a signal missed for any
// reason costs at most GATEWAY_TICK_MS.
static void
s_poll_once(gateway_bus_t *self)
{
    void *probes = gateway_prober_socket(self->prober);
    // Revocations first: a request in the same batch must not use a cached
    // authorisation they end.
    if (self->forget_ready) {
        s_drain_forget(self);
    }
    if (self->replies_ready) {
        s_drain_replies(self);
    }
    if (probes && self->probes_ready) {
        gateway_prober_drain(self->prober);
    }
    self->probes_sent = false;
    if (self->queue_ready && s_drain_queue(self) > 0) {
        s_drain_replies(self);
        if (self->probes_sent) { // they may have made the socket too
            gateway_prober_drain(self->prober);
        }
    }
    int64_t now = cm_time_mono_ms();
    s_expire(self, now);
    gateway_prober_expire(self->prober, now);
    probes = gateway_prober_socket(self->prober); // expiry may replace it
    struct pollfd fds[4] = {
        {gateway_queue_fd(gateway_bus_queue(self->gateway)), POLLIN, 0},
        {zsock_fd(cm_mdp_client_sock(self->client)), POLLIN, 0},
        {zsock_fd(self->forget), POLLIN, 0},
        {probes ? zsock_fd(probes) : -1, POLLIN, 0},
    };
    int ready = poll(fds, probes ? 4 : 3, (int)s_wait_ms(self));
    bool all = ready == 0; // slept the whole wait
    self->queue_ready = all || fds[0].revents;
    self->replies_ready = all || fds[1].revents;
    self->forget_ready = all || fds[2].revents;
    self->probes_ready =
        all || (probes && fds[3].revents) || probes != self->probes_seen;
    self->probes_seen = probes;
}

static void *
s_run(void *arg)
{
    gateway_bus_t *self = arg;
    while (!atomic_load(&self->stopping)) {
        s_poll_once(self);
    }
    // The queue is closed: what is still in it and everything pending is
    // answered, so nng_http_server_stop finds no pending aio.
    gateway_batch_t batch = {0};
    gateway_queue_take(gateway_bus_queue(self->gateway), &batch);
    for (size_t i = 0; i < batch.count; i++) {
        gateway_request_t *request = batch.items[i];
        s_fail_unavailable(&request, "shutting_down",
                           "the gateway is stopping");
    }
    gateway_batch_clear(&batch);
    s_fail_all(self);
    gateway_prober_fail_all(self->prober);
    return NULL;
}

// ---- lifecycle -----------------------------------------------------------

static void
s_free_item(void **item)
{
    free(*item);
    *item = NULL;
}

gateway_bus_t *
gateway_bus_new(gateway_t *gateway)
{
    gateway_bus_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->gateway = gateway;
    const gateway_settings_t *settings = gateway_settings(gateway);
    self->auth = gateway_auth_new(settings->auth_cache_ms);
    self->pending = zhashx_new();
    self->resolving = zhashx_new();
    self->timeline = zlistx_new();
    self->client = cm_mdp_client_new(settings->broker);
    self->prober = gateway_prober_new(gateway);
    self->failures = gateway_limiter_new(settings->auth_failures_per_min / 60.0,
                                         settings->auth_failure_burst);
    self->forget = zsock_new(ZMQ_PULL);
    if (self->forget) {
        zsock_set_rcvtimeo(self->forget, 0); // s_drain_forget never waits
    }
    if (self->forget
        && zsock_connect(self->forget, GATEWAY_FORGET_ENDPOINT, (void *)gateway)
               != 0) {
        zsock_destroy(&self->forget);
    }
    if (!self->forget || !self->auth || !self->pending || !self->resolving
        || !self->timeline || !self->client || !self->prober
        || !self->failures) {
        gateway_bus_destroy(&self);
        return NULL;
    }
    zlistx_set_duplicator(self->timeline, (zlistx_duplicator_fn *)strdup);
    zlistx_set_destructor(self->timeline, s_free_item);
    atomic_init(&self->stopping, false);
    // The first turn reads everything.
    self->forget_ready = self->replies_ready = true;
    self->probes_ready = self->queue_ready = true;
    return self;
}

void
gateway_bus_destroy(gateway_bus_t **self_p)
{
    if (self_p && *self_p) {
        gateway_bus_t *self = *self_p;
        gateway_bus_stop(self);
        zhashx_destroy(&self->pending);
        zhashx_destroy(&self->resolving);
        zlistx_destroy(&self->timeline);
        cm_mdp_client_destroy(&self->client);
        gateway_prober_destroy(&self->prober);
        gateway_limiter_destroy(&self->failures);
        zsock_destroy(&self->forget);
        gateway_auth_destroy(&self->auth);
        free(self);
        *self_p = NULL;
    }
}

int
gateway_bus_start(gateway_bus_t *self)
{
    if (pthread_create(&self->thread, NULL, s_run, self) != 0) {
        return -1;
    }
    self->started = true;
    return 0;
}

void
gateway_bus_stop(gateway_bus_t *self)
{
    atomic_store(&self->stopping, true);
    gateway_queue_close(gateway_bus_queue(self->gateway));
    if (self->started) {
        pthread_join(self->thread, NULL);
        self->started = false;
    }
}
