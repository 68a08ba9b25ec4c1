#include "cm_service.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_approval.h"
#include "cm_call.h"
#include "cm_curve.h"
#include "cm_doc.h"
#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_mdp.h"
#include "cm_mdp_worker.h"
#include "cm_org.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_wait.h"

#define S_WORKERS_MAX     64
#define S_ENDPOINT_MAX    256
#define S_REPLICA_MAX     96
#define S_IDLE_WAIT_MS    250 // longest sleep of the background thread
#define S_PIPE_CHECK_MS   100 // a busy worker reads its pipe this often
#define S_ACK_HOLD_MS     5   // held acks go alone after this long idle
#define S_DRAIN_RECV_MS   200 // a drain ends after this long with nothing
#define S_SIGNAL_CHECK_MS 100 // how often main looks at the stop flag

struct cm_service {
    const cm_service_def_t *def;      // borrowed
    const cm_config_t *config;        // borrowed
    char replica[S_REPLICA_MAX];      // this process's name in logs
    zactor_t *workers[S_WORKERS_MAX]; // request threads
    size_t worker_count;              // started
    zactor_t *background;             // subscriptions and tick, or NULL
    cm_approvals_t *approvals;        // the approval matrix, after start
};

// ---- the request pipeline

// text, or when it is NULL a 500 problem saying the reply was unencodable.
static char *
s_text_or_500(char *text, const char *correlation_id)
{
    if (!text) {
        json_t *problem = cm_problem_new(500, "reply_unencodable",
                                         "the reply could not be encoded");
        json_t *fallback = cm_envelope_error_new(correlation_id, problem);
        text = fallback ? cm_envelope_encode(fallback) : NULL;
        json_decref(fallback);
        json_decref(problem);
    }
    return text;
}

static char *
s_encode_or_500(json_t *reply, const char *correlation_id)
{
    char *text = reply ? cm_envelope_encode(reply) : NULL;
    json_decref(reply);
    return s_text_or_500(text, correlation_id);
}

// A reply for a request we cannot parse; it still goes back, so the broker
// frees the worker's credit and the client is not left waiting.
static char *
s_reply_malformed(const char *text, size_t size, const char *reason)
{
    char id[CM_ENVELOPE_REASON_MAX] = "";
    int64_t deadline = 0;
    char ignored[CM_ENVELOPE_REASON_MAX];
    (void)cm_envelope_peek_request(text, size, id, sizeof id, &deadline,
                                   ignored, sizeof ignored); // id may stay ""
    cm_log_warn("request.malformed", "reason", reason);
    json_t *problem = cm_problem_new(400, "malformed_request", reason);
    json_t *reply = cm_envelope_error_new(id[0] ? id : "unknown", problem);
    json_decref(problem);
    return s_encode_or_500(reply, id[0] ? id : "unknown");
}

static bool
s_is_mutation(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

// The org view's (or the service's own) current facts about the actor.
static int
s_refresh_actor(const cm_service_t *self, cm_ctx_t *ctx)
{
    if (!*cm_ctx_actor_id(ctx)) {
        return 0; // no person: the route decides (most answer 401/403)
    }
    if (self->def->refresh_actor) {
        return self->def->refresh_actor(ctx);
    }
    return self->def->org_view ? cm_org_refresh_actor(ctx) : 0;
}

static void
s_dispatch(cm_service_t *self, cm_ctx_t *ctx)
{
    const cm_route_t *route = NULL;
    cm_route_params_t params;
    char allow[CM_ROUTE_ALLOW_MAX];
    cm_route_result_t found =
        cm_route_match(self->def->routes, cm_ctx_method(ctx), cm_ctx_path(ctx),
                       &route, &params, allow);
    if (found == CM_ROUTE_NO_PATH) {
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", "no such resource"));
        return;
    }
    if (found == CM_ROUTE_NO_METHOD) {
        cm_ctx_fail(ctx, cm_problem_new(405, "method_not_allowed", NULL));
        cm_ctx_header(ctx, "Allow", allow);
        return;
    }
    cm_ctx_set_params(ctx, &params);
    if (s_refresh_actor(self, ctx) != 0) {
        return; // answered: inactive, or the view is unreadable
    }
    if (s_is_mutation(cm_ctx_method(ctx)) && cm_ctx_idempotency_begin(ctx)) {
        return; // answered from the idempotency record
    }
    route->handler(ctx);
    if (!cm_ctx_has_reply(ctx)) {
        cm_log_error("handler.no_reply", "path", cm_ctx_path(ctx));
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the handler gave no reply");
    }
    cm_ctx_idempotency_end(ctx);
}

// One line per request with the status the client gets (500 when the
// reply could not be encoded, whatever the handler set).
static void
s_log_handled(const cm_ctx_t *ctx, int status, int64_t started_ms)
{
    const char *event = status >= 500 ? "request.failed" : "request.handled";
    cm_log_level_t level = status >= 500 ? CM_LOG_WARN : CM_LOG_INFO;
    if (cm_log_enabled(level)) {
        cm_log_emit(level, event, "method", cm_ctx_method(ctx), "path",
                    cm_ctx_path(ctx), "#status", CM_LOG_INT(status), "actor",
                    cm_ctx_actor_id(ctx), "#dur_ms",
                    CM_LOG_INT(cm_time_mono_ms() - started_ms),
                    (const char *)NULL);
    }
}

// A parsed request (taken: *request_p becomes NULL) answered with the
// thread's caller for service-to-service calls (may be NULL: such calls
// then answer 503). Returns the reply envelope text.
static char *
s_handle_request(cm_service_t *self, cm_store_t *store, cm_caller_t *caller,
                 json_t **request_p)
{
    int64_t started = cm_time_mono_ms();
    json_t *request = *request_p;
    char id[CM_ENVELOPE_REASON_MAX];
    snprintf(id, sizeof id, "%s", cm_envelope_id(request));
    cm_log_set_correlation(cm_envelope_correlation_id(request));
    cm_ctx_t *ctx =
        cm_ctx_new(self->def->name, request_p, store, self->def->state);
    cm_ctx_set_approvals(ctx, self->approvals);
    cm_ctx_set_caller(ctx, caller);
    if (cm_ctx_deadline(ctx) < cm_time_now_ms()) {
        // Nobody waits for it any more; answer so the broker frees credit.
        cm_log_warn("request.expired", "path", cm_ctx_path(ctx));
        cm_ctx_fail(ctx, cm_problem_new(504, "deadline_exceeded", NULL));
    } else {
        if (s_is_mutation(cm_ctx_method(ctx))) {
            cm_store_prefetch_drop(store); // what the batch read may change
        }
        s_dispatch(self, ctx);
    }
    char *encoded = cm_ctx_reply_text(ctx);
    s_log_handled(ctx, encoded ? cm_ctx_status(ctx) : 500, started);
    char *reply = s_text_or_500(encoded, id);
    cm_ctx_destroy(&ctx);
    cm_log_set_correlation(NULL);
    return reply;
}

// Parse text as a request into *request, or answer it at once (the reply,
// with *request NULL) when it cannot be parsed.
static char *
s_parse(const char *text, size_t size, json_t **request)
{
    char reason[CM_ENVELOPE_REASON_MAX] = "";
    *request = cm_envelope_parse(text, size, CM_ENVELOPE_REQUEST, reason,
                                 sizeof reason);
    return *request ? NULL : s_reply_malformed(text, size, reason);
}

static char *
s_handle(cm_service_t *self, cm_store_t *store, cm_caller_t *caller,
         const char *text, size_t size)
{
    assert(self && text);
    json_t *request = NULL;
    char *malformed = s_parse(text, size, &request);
    return malformed ? malformed
                     : s_handle_request(self, store, caller, &request);
}

char *
cm_service_handle(cm_service_t *self, cm_store_t *store, const char *text,
                  size_t size)
{
    return s_handle(self, store, NULL, text, size);
}

// ---- worker threads

// A handled request whose reply waits for the end of its batch.
typedef struct {
    zframe_t *reply_to; // the broker's tag
    char *reply;        // reply envelope text, or NULL
} s_answer_t;

static void
s_send_answer(cm_mdp_worker_t *worker, s_answer_t *answer)
{
    if (!answer->reply
        || cm_mdp_worker_send(worker, answer->reply, &answer->reply_to) != 0) {
        cm_log_warn("reply.unsent", "reason",
                    answer->reply ? "send failed" : "no reply");
        zframe_destroy(&answer->reply_to);
    }
    free(answer->reply);
    answer->reply = NULL;
}

// What one worker thread owns besides its MDP worker.
typedef struct {
    cm_store_t *store;   // its Redis connection
    cm_caller_t *caller; // its client for service-to-service calls
} s_thread_t;

// The key a batch's request will read, into key (CM_STORE_KEY_MAX bytes):
// a GET of a route that names its document (cm_route_t.reads). False for
// any other request.
static bool
s_read_ahead_key(const cm_service_t *self, const json_t *request, char *key)
{
    const char *method = cm_envelope_method(request);
    const char *path = cm_envelope_path(request);
    if (!method || !path || strcmp(method, "GET") != 0) {
        return false;
    }
    const cm_route_t *route = NULL;
    cm_route_params_t params;
    char allow[CM_ROUTE_ALLOW_MAX];
    if (cm_route_match(self->def->routes, method, path, &route, &params, allow)
            != CM_ROUTE_FOUND
        || !route->reads) {
        return false;
    }
    const char *id = cm_route_param(&params, "id");
    return id && cm_doc_key(route->reads, id, key, CM_STORE_KEY_MAX);
}

// Read ahead, in one round trip, the documents the batch's reads will ask
// for, and the org view's generation they will check (cm_store_prefetch).
static void
s_read_ahead(const cm_service_t *self, cm_store_t *store,
             json_t *const *requests, size_t n)
{
    char(*keys)[CM_STORE_KEY_MAX] = malloc((n + 1) * sizeof *keys);
    const char **names = malloc((n + 1) * sizeof *names);
    assert(keys && names);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (requests[i] && s_read_ahead_key(self, requests[i], keys[count])) {
            names[count] = keys[count];
            count++;
        }
    }
    bool org = self->def->org_view || self->def->refresh_actor;
    if (count > 1 || (count == 1 && org)) { // else no round trip is saved
        if (org) {
            names[count] = cm_org_generation_key(self->def->name, keys[count]);
            count++;
        }
        cm_store_prefetch(store, names, count);
    }
    free(names);
    free(keys);
}

// Take up to the worker's credit of waiting requests, then answer each in
// turn; the replies go out together at the end of the batch, so the ZeroMQ
// I/O thread wakes once per batch rather than once per reply
// (docs/architecture.md §5). Every request is in hand before the first is
// handled: the documents its reads name are read ahead in one round trip,
// and its reads share one look at the org view (cm_org_batch_begin). Its
// log lines below warn go out together, before the replies (cm_log_hold).
// The first receive waits up to wait_ms. Returns how many were handled.
static size_t
s_serve_batch(cm_service_t *self, cm_mdp_worker_t *worker, s_thread_t *thread,
              int wait_ms)
{
    s_answer_t answers[CM_SERVICE_BATCH_MAX];
    json_t *requests[CM_SERVICE_BATCH_MAX];
    size_t credit = (size_t)cm_mdp_worker_credit(worker);
    if (credit > CM_SERVICE_BATCH_MAX) {
        credit = CM_SERVICE_BATCH_MAX; // config allows no more; stay safe
    }
    size_t taken = 0;
    for (; taken < credit; taken++) {
        zframe_t *reply_to = NULL;
        char *text = cm_mdp_worker_recv(worker, taken ? 0 : wait_ms, &reply_to);
        if (!text) {
            break;
        }
        answers[taken].reply_to = reply_to;
        answers[taken].reply = s_parse(text, strlen(text), &requests[taken]);
        free(text);
    }
    cm_org_batch_begin();
    cm_log_hold(); // the batch's request lines go out together
    s_read_ahead(self, thread->store, requests, taken);
    for (size_t i = 0; i < taken; i++) {
        if (requests[i]) {
            answers[i].reply = s_handle_request(self, thread->store,
                                                thread->caller, &requests[i]);
        }
    }
    cm_store_prefetch_drop(thread->store);
    cm_org_batch_end();
    cm_log_release();
    for (size_t i = 0; i < taken; i++) {
        s_send_answer(worker, &answers[i]);
    }
    return taken;
}

static void
s_drain(cm_service_t *self, cm_mdp_worker_t *worker, s_thread_t *thread)
{
    cm_mdp_worker_disconnect(worker);
    int64_t until =
        cm_time_mono_ms() + cm_config_int(self->config, "service/drain_ms");
    while (!cm_mdp_worker_is_drained(worker) && cm_time_mono_ms() < until) {
        if (s_serve_batch(self, worker, thread, S_DRAIN_RECV_MS) == 0
            && cm_mdp_worker_held(worker) == 0) {
            break;
        }
    }
}

// Read what waits on the actor's pipe (receive timeout 0); true when it
// says $TERM, or the pipe is gone.
static bool
s_pipe_says_term(zsock_t *pipe)
{
    char *command;
    while ((command = zstr_recv(pipe))) {
        bool term = strcmp(command, "$TERM") == 0;
        zstr_free(&command);
        if (term) {
            return true;
        }
    }
    return zmq_errno() != EAGAIN;
}

static void
s_worker_actor(zsock_t *pipe, void *args)
{
    cm_service_t *self = args;
    char endpoint[S_ENDPOINT_MAX];
    cm_config_endpoint(self->config, "broker/host", "broker/port", endpoint,
                       sizeof endpoint);
    cm_mdp_worker_t *worker = cm_mdp_worker_new(
        endpoint, self->def->name,
        (int)cm_config_int(self->config, "service/credit"),
        (int)cm_config_int(self->config, "service/heartbeat_ms"));
    s_thread_t thread = {
        .store = cm_store_new_from_config(self->config),
        .caller = cm_caller_new(endpoint, self->def->name),
    };
    zsock_set_rcvtimeo(pipe, 0); // s_pipe_says_term takes what waits
    zsock_signal(pipe, worker && thread.store ? 0 : 1);
    // Each turn takes what waits (a batch reads the worker's socket until
    // it is empty) and sleeps on both descriptors only after a turn that
    // found nothing: its replies were sends, after which the descriptor
    // may stay quiet for what is already queued (cm_wait.h).
    zsock_t *socks[2] = {pipe, worker ? cm_mdp_worker_sock(worker) : NULL};
    bool ready[2] = {true, true};
    int64_t pipe_due = 0; // monotonic: read the pipe even while busy
    while (worker && thread.store) {
        if (ready[0] || cm_time_mono_ms() >= pipe_due) {
            if (s_pipe_says_term(pipe)) {
                s_drain(self, worker, &thread);
                break;
            }
            pipe_due = cm_time_mono_ms() + S_PIPE_CHECK_MS;
            ready[0] = false;
        }
        if (s_serve_batch(self, worker, &thread, 0) > 0) {
            continue;
        }
        int timeout = cm_mdp_worker_timeout_ms(worker);
        if (cm_wait(socks, 2, timeout > 0 ? timeout : 0, ready) < 0) {
            break;
        }
    }
    cm_caller_destroy(&thread.caller);
    cm_store_destroy(&thread.store);
    cm_mdp_worker_destroy(&worker);
}

// ---- background thread: subscriptions and tick

static cm_consumer_t *
s_consumer_new(cm_service_t *self, cm_store_t *store)
{
    const cm_subscription_t *subs = self->def->subscriptions;
    if (!subs || !subs->producer) {
        return NULL;
    }
    char endpoint[S_ENDPOINT_MAX];
    cm_config_endpoint(self->config, "hub/host", "hub/pub_port", endpoint,
                       sizeof endpoint);
    cm_consumer_options_t options;
    cm_consumer_options_default(&options);
    options.lanes = (int)cm_config_int(self->config, "service/event_lanes");
    options.hold_acks = true; // flushed by s_background_actor when idle
    cm_consumer_t *consumer = cm_consumer_new(
        store, self->def->name, self->replica, endpoint, &options);
    for (; consumer && subs->producer; subs++) {
        if (subs->by_subject) {
            cm_consumer_subscribe_by_subject(consumer, subs->producer,
                                             subs->topic, subs->fn,
                                             self->def->state);
        } else {
            cm_consumer_subscribe(consumer, subs->producer, subs->topic,
                                  subs->fn, self->def->state);
        }
    }
    return consumer;
}

static void
s_background_actor(zsock_t *pipe, void *args)
{
    cm_service_t *self = args;
    cm_store_t *store = cm_store_new_from_config(self->config);
    cm_consumer_t *consumer = store ? s_consumer_new(self, store) : NULL;
    zsock_set_rcvtimeo(pipe, 0); // s_pipe_says_term takes what waits
    zsock_signal(pipe, store ? 0 : 1);
    // Each turn reads the doorbell socket until it is empty
    // (cm_consumer_poll) before it sleeps on the descriptors (cm_wait.h).
    zsock_t *socks[2] = {pipe, consumer ? cm_consumer_socket(consumer) : NULL};
    bool ready[2] = {true, false};
    int tick_ms = self->def->tick_ms > 0 ? self->def->tick_ms : 1000;
    int64_t next_tick = cm_time_mono_ms() + tick_ms;
    while (store) {
        if (ready[0] && s_pipe_says_term(pipe)) {
            break;
        }
        if (consumer) {
            cm_consumer_poll(consumer, 0);
        }
        if (self->def->tick && cm_time_mono_ms() >= next_tick) {
            self->def->tick(self, store);
            next_tick = cm_time_mono_ms() + tick_ms;
        }
        // Without a tick, wait for the doorbell or the idle period only (a
        // next_tick that never moves would make every wait 0: a busy loop).
        int64_t left =
            self->def->tick ? next_tick - cm_time_mono_ms() : S_IDLE_WAIT_MS;
        int wait = (int)(left < 0                ? 0
                         : left < S_IDLE_WAIT_MS ? left
                                                 : S_IDLE_WAIT_MS);
        if (consumer && cm_consumer_holds_acks(consumer)
            && wait > S_ACK_HOLD_MS) {
            // What was handled is acked with its stream's next read (one
            // round trip for both); when nothing comes for S_ACK_HOLD_MS,
            // on its own.
            int woke = cm_wait(socks, 2, S_ACK_HOLD_MS, ready);
            if (woke < 0) {
                break;
            }
            if (woke == 0) {
                (void)cm_consumer_flush_acks(consumer);
            }
            continue;
        }
        if (cm_wait(socks, 2, wait, ready) < 0) {
            break;
        }
    }
    cm_consumer_destroy(&consumer);
    cm_store_destroy(&store);
}

// ---- lifecycle

// Read the approval matrix every service shares. 0, or -1 (logged).
static int
s_load_approvals(cm_service_t *self)
{
    const char *path = cm_config_str(self->config, "approvals/file");
    char error[256] = "";
    self->approvals = cm_approvals_load(path, error, sizeof error);
    if (!self->approvals) {
        cm_log_error("approvals.invalid", "file", path, "error", error);
        return -1;
    }
    return 0;
}

cm_service_t *
cm_service_new(const cm_service_def_t *def, const cm_config_t *config)
{
    assert(def && def->name && def->routes && config);
    cm_service_t *self = calloc(1, sizeof *self);
    assert(self);
    self->def = def;
    self->config = config;
    const char *replica = cm_config_str(config, "service/replica");
    if (replica[0]) {
        snprintf(self->replica, sizeof self->replica, "%s", replica);
    } else {
        char host[64] = "host";
        (void)gethostname(host, sizeof host); // "host" stays on failure
        host[sizeof host - 1] = '\0';
        snprintf(self->replica, sizeof self->replica, "%s-%d", host,
                 (int)getpid());
    }
    (void)s_load_approvals(self); // logged; cm_service_start refuses to run
    return self;
}

void
cm_service_destroy(cm_service_t **self_p)
{
    assert(self_p);
    cm_service_t *self = *self_p;
    if (self) {
        cm_service_stop(self);
        cm_approvals_destroy(&self->approvals);
        free(self);
        *self_p = NULL;
    }
}

// Set by SIGINT/SIGTERM (cm_service_main); read by the start wait and main.
static volatile sig_atomic_t s_stop_requested = 0;

// Wait until Redis answers (it may be loading a large AOF, or starting
// beside us): logged once, then once more when it answers. 0, or -1 when a
// stop was requested while waiting.
static int
s_wait_for_store(cm_store_t *store)
{
    bool waiting = false;
    while (cm_store_ping(store) != 0) {
        if (s_stop_requested) {
            return -1;
        }
        if (!waiting) {
            cm_log_notice("service.waiting_for_store");
            waiting = true;
        }
        struct timespec pause = {0, S_SIGNAL_CHECK_MS * 2 * 1000000L};
        nanosleep(&pause, NULL);
    }
    if (waiting) {
        cm_log_notice("service.store_ready");
    }
    return 0;
}

// Register the service's outbox with the hub's registry (best effort: the
// hub's periodic keyspace scan finds an unregistered stream too), then run
// the definition's start hook.
static int
s_run_start_hook(cm_service_t *self)
{
    cm_store_t *store = cm_store_new_from_config(self->config);
    if (!store || s_wait_for_store(store) != 0) {
        cm_store_destroy(&store);
        return -1;
    }
    if (cm_outbox_register(cm_store_redis(store), self->def->name) != 0) {
        cm_log_warn("outbox.unregistered", "reason", "redis unavailable");
    }
    int rc = self->def->start ? self->def->start(self, store) : 0;
    cm_store_destroy(&store);
    return rc;
}

int
cm_service_start(cm_service_t *self)
{
    assert(self && self->worker_count == 0);
    if (!self->approvals || s_run_start_hook(self) != 0) {
        cm_log_error("service.start_failed", "reason", "start hook failed");
        return -1;
    }
    size_t count = (size_t)cm_config_int(self->config, "service/workers");
    for (size_t i = 0; i < count && i < S_WORKERS_MAX; i++) {
        self->workers[i] = zactor_new(s_worker_actor, self);
        assert(self->workers[i]);
        self->worker_count++;
    }
    if (self->def->tick || self->def->subscriptions) {
        self->background = zactor_new(s_background_actor, self);
        assert(self->background);
    }
    cm_log_notice("service.started", "#workers", CM_LOG_INT(count), "replica",
                  self->replica);
    return 0;
}

void
cm_service_stop(cm_service_t *self)
{
    assert(self);
    if (self->worker_count == 0 && !self->background) {
        return;
    }
    cm_log_notice("service.draining", "#workers",
                  CM_LOG_INT(self->worker_count));
    // zactor_destroy sends $TERM and waits: each worker drains in turn, but
    // all stop taking new work at once, so signal them all first.
    for (size_t i = 0; i < self->worker_count; i++) {
        zstr_send(self->workers[i], "$TERM");
    }
    for (size_t i = 0; i < self->worker_count; i++) {
        zactor_destroy(&self->workers[i]);
    }
    self->worker_count = 0;
    zactor_destroy(&self->background);
    cm_log_notice("service.stopped");
}

const cm_service_def_t *
cm_service_def(const cm_service_t *self)
{
    assert(self);
    return self->def;
}

const cm_config_t *
cm_service_config(const cm_service_t *self)
{
    assert(self);
    return self->config;
}

const char *
cm_service_name(const cm_service_t *self)
{
    assert(self);
    return self->def->name;
}

// ---- main

static void
s_on_signal(int signum)
{
    (void)signum; // one flag for SIGINT and SIGTERM
    s_stop_requested = 1;
}

// czmq's own handler would set zsys_interrupted, which makes every socket
// call fail at once and defeats the drain; we take the signals ourselves.
static void
s_install_signals(void)
{
    zsys_handler_set(NULL);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

int
cm_service_main(const cm_service_def_t *def, int argc, char **argv)
{
    assert(def);
    s_install_signals();
    zsys_set_logstream(stderr);
    cm_log_init(def->name, NULL);
    cm_config_t *config =
        cm_config_load_or_exit(def->name, def->options, argc, argv);
    cm_service_t *self = cm_service_new(def, config);
    cm_log_init(def->name, self->replica);
    cm_config_log(config);
    cm_curve_setup_or_exit(config);
    int rc = cm_service_start(self) == 0 ? 0 : 1;
    while (rc == 0 && !s_stop_requested) {
        struct timespec pause = {0, S_SIGNAL_CHECK_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    cm_service_destroy(&self);
    cm_config_destroy(&config);
    return rc;
}
