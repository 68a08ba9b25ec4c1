#include "gateway_events.h"

#include <assert.h>
#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_cloudevent.h"
#include "cm_events.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_store.h"
#include "cm_time.h"
#include "events/personnel.h"
#include "gateway_auth.h"
#include "gateway_request.h"
#include "gateway_sse.h"

struct gateway_events {
    gateway_t *gateway;   // borrowed
    pthread_t thread;     // the events thread
    bool started;         // thread running
    atomic_bool stopping; // set by gateway_events_stop
    cm_store_t *store;    // this thread's Redis connection
    cm_live_t *live;      // SUB to the hub, gap filling
    zlistx_t *clients;    // gateway_sse_t (owned)
    zsock_t *forget;      // PUSH: staff ids to drop from the auth cache
    int64_t next_ping_ms; // monotonic
    int64_t next_beat_ms; // monotonic
    int64_t next_lag_ms;  // monotonic: consumer-group lag refresh
};

// ---- ingest ----------------------------------------------------------------

// Check, de-duplicate by (source, id) and persist in the shape the hub's
// ZeroMQ ingress stores too (cm_cloudevent): one FCALL holds the marker and
// the outbox append. The arrival metadata is the request id and the
// authenticated publisher.
static void
s_ingest(gateway_events_t *self, gateway_request_t *request)
{
    cm_cloudevent_arrival_t arrival = {.correlation_id = request->request_id,
                                       .actor = request->actor};
    json_t *problem = NULL;
    cm_commit_t *commit = cm_cloudevent_commit(
        request->body, &arrival, GATEWAY_INGEST_SEEN_TTL_MS, &problem);
    if (!commit) {
        gateway_request_finish_problem(&request, problem, NULL);
        return;
    }
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    int rc = cm_store_commit(self->store, commit, &result);
    cm_commit_destroy(&commit);
    if (rc != 0) {
        json_t *headers = json_pack("{s:s}", "Retry-After", "1");
        gateway_request_finish_problem(
            &request,
            cm_problem_new(503, "store_unavailable",
                           "the event could not be stored; retry"),
            headers);
        json_decref(headers);
        return;
    }
    bool duplicate = result.outcome == CM_COMMIT_DUPLICATE;
    cm_commit_result_clear(&result);
    gateway_request_finish_json(&request, 202, NULL,
                                json_pack("{s:O, s:b}", "id",
                                          json_object_get(request->body, "id"),
                                          "duplicate", duplicate));
}

// ---- streams
// -----------------------------------------------------------------

// Send one event to a client if it may see it and has not had it yet.
static void
s_deliver(gateway_sse_t *client, const cm_event_t *event,
          const json_t *envelope)
{
    if (cm_outbox_id_compare(event->id,
                             gateway_sse_last_id(client, event->stream))
        <= 0) {
        return;
    }
    gateway_sse_set_last_id(client, event->stream, event->id);
    if (!gateway_sse_visible(gateway_sse_actor(client), envelope)) {
        return;
    }
    char address[CM_OUTBOX_ADDRESS_MAX];
    cm_event_address(event, address, sizeof address);
    char *frame = gateway_sse_frame(address, event->type, event->envelope);
    if (frame) {
        gateway_sse_write(client, frame, strlen(frame));
        free(frame);
    }
}

// Replay context: one client, one stream.
typedef struct {
    gateway_sse_t *client; // borrowed
    size_t sent;           // entries handled
} s_replay_t;

static int
s_replay_one(const cm_event_t *event, void *arg)
{
    s_replay_t *replay = arg;
    char *text = cm_event_relay_envelope(event);
    json_t *envelope = text ? json_loads(text, 0, NULL) : NULL;
    if (envelope) {
        cm_event_t relayed = *event;
        relayed.envelope = text;
        s_deliver(replay->client, &relayed, envelope);
    }
    json_decref(envelope);
    free(text);
    replay->sent++;
    return 0;
}

// The id just before everything at or after ms in any stream.
static void
s_before_ms(const char *id, char *out, size_t size)
{
    long long ms = strtoll(id, NULL, 10);
    snprintf(out, size, "%lld-18446744073709551615", ms > 0 ? ms - 1 : 0);
}

// Where a stream resumes: Last-Event-ID "<stream>/<entry id>" split, and
// the outbox streams there are (owned: cm_store_strings_free).
typedef struct {
    char stream[CM_STORE_KEY_MAX]; // the stream the id names
    char id[CM_STREAM_ID_MAX];     // the last entry id the client had
    char **streams;                // every outbox stream
    size_t count;                  // their number
} s_resume_t;

static bool
s_is_known(const s_resume_t *resume)
{
    for (size_t i = 0; i < resume->count; i++) {
        if (strcmp(resume->streams[i], resume->stream) == 0) {
            return true;
        }
    }
    return false;
}

// Check Last-Event-ID: 0 with *resume filled (its streams owned by the
// caller), or -1 after answering the request (400 for an id that names no
// outbox stream — replaying "everything" instead would be a guess — 503
// when Redis cannot tell).
static int
s_resume_check(gateway_events_t *self, gateway_request_t **request_p,
               s_resume_t *resume)
{
    const char *last = (*request_p)->last_event_id;
    if (cm_event_address_parse(last, resume->stream, sizeof resume->stream,
                               resume->id, sizeof resume->id)
        != 0) {
        gateway_request_fail(request_p, 400, "invalid_last_event_id",
                             "Last-Event-ID must be an event id this stream "
                             "sent: <stream>/<entry id>");
        return -1;
    }
    if (cm_outbox_discover(cm_store_redis(self->store), &resume->streams,
                           &resume->count)
        != 0) {
        json_t *headers = json_pack("{s:s}", "Retry-After", "1");
        gateway_request_finish_problem(
            request_p,
            cm_problem_new(503, "store_unavailable",
                           "the event log cannot be read now; retry"),
            headers);
        json_decref(headers);
        return -1;
    }
    if (!s_is_known(resume)) {
        cm_store_strings_free(&resume->streams, resume->count);
        gateway_request_fail(request_p, 400, "invalid_last_event_id",
                             "Last-Event-ID names no event stream");
        return -1;
    }
    return 0;
}

// Replay after resume: that stream after the id, and every other outbox
// from the same millisecond on (the id orders streams by time; duplicates
// are filtered per client by entry id).
static void
s_replay(gateway_events_t *self, gateway_sse_t *client,
         const s_resume_t *resume)
{
    cm_redis_t *redis = cm_store_redis(self->store);
    s_replay_t replay = {client, 0};
    gateway_sse_set_last_id(client, resume->stream, resume->id);
    cm_outbox_range(redis, resume->stream, resume->id, GATEWAY_SSE_REPLAY_MAX,
                    s_replay_one, &replay);
    char before[CM_STREAM_ID_MAX];
    s_before_ms(resume->id, before, sizeof before);
    for (size_t i = 0; i < resume->count; i++) {
        if (strcmp(resume->streams[i], resume->stream) != 0) {
            cm_outbox_range(redis, resume->streams[i], before,
                            GATEWAY_SSE_REPLAY_MAX, s_replay_one, &replay);
        }
    }
}

static void
s_stream(gateway_events_t *self, gateway_request_t *request)
{
    if (zlistx_size(self->clients) >= GATEWAY_SSE_CLIENTS_MAX) {
        json_t *headers = json_pack("{s:s}", "Retry-After", "5");
        gateway_request_finish_problem(
            &request,
            cm_problem_new(503, "overloaded", "too many open event streams"),
            headers);
        json_decref(headers);
        return;
    }
    s_resume_t resume = {.count = 0};
    bool resuming = request->last_event_id != NULL;
    if (resuming && s_resume_check(self, &request, &resume) != 0) {
        return;
    }
    nng_http_hijack(request->conn);
    nng_http_conn *conn = request->conn;
    nng_http_req *http = request->http;
    request->conn = NULL;
    request->http = NULL;
    gateway_sse_t *client =
        gateway_sse_new(conn, http, request->actor, request->request_id);
    gateway_request_finish_hijacked(&request, 200);
    if (client && resuming) {
        s_replay(self, client, &resume);
    }
    if (client) {
        zlistx_add_end(self->clients, client);
    }
    cm_store_strings_free(&resume.streams, resume.count);
}

// ---- live events, heartbeats, health -------------------------------------

static void
s_broadcast(gateway_events_t *self, const cm_event_t *event)
{
    if (zlistx_size(self->clients) == 0) {
        return; // nobody listens: no need to parse it
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        return;
    }
    for (gateway_sse_t *client = zlistx_first(self->clients); client;
         client = zlistx_next(self->clients)) {
        s_deliver(client, event, envelope);
    }
    json_decref(envelope);
}

// A personnel event that ends a staff member's authorisations: the bus
// thread drops them from its auth cache.
static void
s_forget(gateway_events_t *self, const cm_event_t *event)
{
    if (!event->type
        || strncmp(event->type, PERSONNEL_EVENT_PREFIX,
                   strlen(PERSONNEL_EVENT_PREFIX))
               != 0) {
        return;
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const char *staff = gateway_auth_event_staff(event->type, envelope);
    if (staff && zstr_send(self->forget, staff) != 0) {
        cm_log_warn("auth.forget_failed", "staff", staff, "error",
                    zmq_strerror(zmq_errno()));
    }
    json_decref(envelope);
}

static void
s_drain_live(gateway_events_t *self)
{
    cm_event_t *event = NULL;
    while (cm_live_next(self->live, 0, &event) == 1) {
        s_forget(self, event);
        s_broadcast(self, event);
        cm_event_destroy(&event);
    }
}

static void
s_reap(gateway_events_t *self)
{
    gateway_sse_t *client = zlistx_first(self->clients);
    while (client) {
        if (gateway_sse_is_closed(client)) {
            cm_log_set_correlation(gateway_sse_request_id(client));
            cm_log_info("sse.closed", "req_id", gateway_sse_request_id(client));
            cm_log_set_correlation(NULL);
            zlistx_delete(self->clients, zlistx_cursor(self->clients));
            client = zlistx_first(self->clients);
        } else {
            client = zlistx_next(self->clients);
        }
    }
}

// Consumer-group lag for /metrics; after a failure /metrics shows none.
static void
s_refresh_lag(gateway_events_t *self)
{
    cm_outbox_lag_t *lags = NULL;
    size_t count = 0;
    int rc = cm_outbox_lags(cm_store_redis(self->store), &lags, &count);
    gateway_set_lag(self->gateway,
                    rc == 0 ? gateway_metrics_lag_json(lags, count) : NULL);
    free(lags);
}

static void
s_timers(gateway_events_t *self)
{
    int64_t now = cm_time_mono_ms();
    if (now >= self->next_ping_ms) {
        gateway_set_redis_ok(self->gateway, cm_store_ping(self->store) == 0);
        self->next_ping_ms = now + GATEWAY_EVENTS_PING_MS;
    }
    if (now >= self->next_lag_ms) {
        s_refresh_lag(self);
        self->next_lag_ms = now + GATEWAY_METRICS_LAG_MS;
    }
    if (now >= self->next_beat_ms) {
        static const char beat[] = ": heartbeat\n\n";
        for (gateway_sse_t *client = zlistx_first(self->clients); client;
             client = zlistx_next(self->clients)) {
            gateway_sse_write(client, beat, sizeof beat - 1);
        }
        self->next_beat_ms =
            now + gateway_settings(self->gateway)->sse_heartbeat_ms;
    }
    s_reap(self);
}

static void
s_drain_queue(gateway_events_t *self)
{
    gateway_batch_t batch = {0};
    gateway_queue_take(gateway_events_queue(self->gateway), &batch);
    for (size_t i = 0; i < batch.count; i++) {
        gateway_request_t *request = batch.items[i];
        if (request->kind == GATEWAY_KIND_INGEST) {
            s_ingest(self, request);
        } else {
            s_stream(self, request);
        }
    }
    gateway_batch_clear(&batch);
}

static void *
s_run(void *arg)
{
    gateway_events_t *self = arg;
    while (!atomic_load(&self->stopping)) {
        zmq_pollitem_t items[2] = {
            {NULL, gateway_queue_fd(gateway_events_queue(self->gateway)),
             ZMQ_POLLIN, 0},
            {zsock_resolve(cm_live_socket(self->live)), 0, ZMQ_POLLIN, 0},
        };
        if (zmq_poll(items, 2, 200) > 0) {
            if (items[1].revents & ZMQ_POLLIN) {
                s_drain_live(self);
            }
            if (items[0].revents & ZMQ_POLLIN) {
                s_drain_queue(self);
            }
        }
        s_timers(self);
    }
    gateway_batch_t batch = {0};
    gateway_queue_take(gateway_events_queue(self->gateway), &batch);
    for (size_t i = 0; i < batch.count; i++) {
        gateway_request_t *request = batch.items[i];
        gateway_request_fail(&request, 503, "shutting_down",
                             "the gateway is stopping");
    }
    gateway_batch_clear(&batch);
    zlistx_purge(self->clients);
    return NULL;
}

// ---- lifecycle -----------------------------------------------------------

static void
s_client_destroy(void **item)
{
    gateway_sse_t *client = *item;
    gateway_sse_destroy(&client);
    *item = NULL;
}

gateway_events_t *
gateway_events_new(gateway_t *gateway)
{
    gateway_events_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->gateway = gateway;
    const gateway_settings_t *settings = gateway_settings(gateway);
    self->clients = zlistx_new();
    self->store = cm_store_new_from_config(gateway_config(gateway));
    self->live = self->store ? cm_live_new(self->store, settings->hub) : NULL;
    self->forget = zsock_new(ZMQ_PUSH);
    if (self->forget) {
        zsock_set_sndhwm(self->forget, 0); // never drop a revocation
        if (zsock_bind(self->forget, GATEWAY_FORGET_ENDPOINT, (void *)gateway)
            != 0) {
            zsock_destroy(&self->forget);
        }
    }
    if (!self->clients || !self->store || !self->live || !self->forget) {
        gateway_events_destroy(&self);
        return NULL;
    }
    zlistx_set_destructor(self->clients, s_client_destroy);
    cm_live_subscribe(self->live, "evt.");
    atomic_init(&self->stopping, false);
    return self;
}

void
gateway_events_destroy(gateway_events_t **self_p)
{
    if (self_p && *self_p) {
        gateway_events_t *self = *self_p;
        gateway_events_stop(self);
        zlistx_destroy(&self->clients);
        cm_live_destroy(&self->live);
        cm_store_destroy(&self->store);
        zsock_destroy(&self->forget);
        free(self);
        *self_p = NULL;
    }
}

int
gateway_events_start(gateway_events_t *self)
{
    if (pthread_create(&self->thread, NULL, s_run, self) != 0) {
        return -1;
    }
    self->started = true;
    return 0;
}

void
gateway_events_stop(gateway_events_t *self)
{
    atomic_store(&self->stopping, true);
    gateway_queue_close(gateway_events_queue(self->gateway));
    if (self->started) {
        pthread_join(self->thread, NULL);
        self->started = false;
    }
}
