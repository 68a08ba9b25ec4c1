#include "broker.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_curve.h"
#include "cm_envelope.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_mdp.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_wait.h"

#include "broker_service.h"

typedef struct {
    zsock_t *pipe;           // actor pipe, borrowed
    zsock_t *router;         // ROUTER for clients and workers
    char *endpoint;          // bind endpoint as configured
    char *inproc;            // a second, in-process endpoint, or NULL
    int port;                // bound TCP port, 0 for others, -1 unbound
    int queue_max;           // requests waiting per service
    int heartbeat_ms;        // heartbeat interval
    zhashx_t *services;      // name → broker_service_t, owned
    zhashx_t *workers;       // key → broker_worker_t, owned
    zhashx_t *in_flight;     // tag → broker_request_t, owned
    zhashx_t *warned;        // "peer/reason" already logged
    char nonce[9];           // random tag prefix of this incarnation
    uint64_t next_tag;       // tag counter
    int64_t heartbeat_at_ms; // next heartbeat to workers (monotonic)
    int64_t ticked_at_ms;    // the last tick (monotonic)
    uint64_t malformed;      // messages dropped as malformed
} s_broker_t;

// ---- small helpers -----------------------------------------------------

static int64_t
s_expiry(const s_broker_t *self)
{
    return cm_time_mono_ms() + (int64_t)self->heartbeat_ms * CM_MDP_LIVENESS;
}

static void
s_warn_once(s_broker_t *self, zframe_t *peer, const char *reason, size_t frames)
{
    self->malformed++;
    char *hex = peer ? zframe_strhex(peer) : strdup("-");
    assert(hex);
    char key[256];
    snprintf(key, sizeof key, "%s/%s", hex, reason);
    if (!zhashx_lookup(self->warned, key)) {
        if (zhashx_size(self->warned) >= BROKER_WARNED_MAX) {
            zhashx_purge(self->warned);
        }
        zhashx_insert(self->warned, key, (void *)"1");
        cm_log_warn("broker.malformed", "peer", hex, "reason", reason,
                    "#frames", CM_LOG_INT(frames));
    }
    free(hex);
}

static void
s_send_client(s_broker_t *self, zframe_t *client, const char *service,
              const void *body, size_t size)
{
    zmsg_t *msg = zmsg_new();
    assert(msg);
    zmsg_addmem(msg, zframe_data(client), zframe_size(client));
    zmsg_addmem(msg, "", 0);
    zmsg_addstr(msg, CM_MDP_CLIENT);
    zmsg_addstr(msg, service);
    zmsg_addmem(msg, body, size);
    if (zmsg_send(&msg, self->router) != 0) {
        cm_log_warn("broker.send_failed", "to", "client", "error",
                    zmq_strerror(errno));
        zmsg_destroy(&msg);
    }
}

static void
s_send_error(s_broker_t *self, zframe_t *client, const char *service,
             const char *correlation_id, int status, const char *code,
             const char *detail)
{
    json_t *problem = cm_problem_new(status, code, detail);
    json_t *reply = cm_envelope_error_new(correlation_id, problem);
    char *text = reply ? cm_envelope_encode(reply) : NULL;
    if (text) {
        s_send_client(self, client, service, text, strlen(text));
    }
    free(text);
    json_decref(reply);
    json_decref(problem);
}

// Sends [identity][""][MDPW01][command] plus an optional tag and body.
static void
s_send_worker(s_broker_t *self, broker_worker_t *worker, int command,
              const char *tag, zframe_t *body)
{
    uint8_t byte = (uint8_t)command;
    zmsg_t *msg = zmsg_new();
    assert(msg);
    zmsg_addmem(msg, zframe_data(worker->identity),
                zframe_size(worker->identity));
    zmsg_addmem(msg, "", 0);
    zmsg_addstr(msg, CM_MDP_WORKER);
    zmsg_addmem(msg, &byte, 1);
    if (tag && body) {
        zmsg_addstr(msg, tag);
        zmsg_addmem(msg, "", 0);
        zmsg_addmem(msg, zframe_data(body), zframe_size(body));
    }
    if (zmsg_send(&msg, self->router) != 0) {
        cm_log_warn("broker.send_failed", "to", worker->key, "error",
                    zmq_strerror(errno));
        zmsg_destroy(&msg);
    }
}

// ---- requests ----------------------------------------------------------

// Answers a request with a 503 and destroys it.
static void
s_request_fail(s_broker_t *self, broker_request_t **request_p, const char *code,
               const char *detail)
{
    broker_request_t *request = *request_p;
    s_send_error(self, request->client, request->service->name, request->id,
                 503, code, detail);
    cm_log_info("broker.request.failed", "service", request->service->name,
                "req_id", request->id, "code", code);
    broker_request_destroy(request_p);
}

// ---- services and workers ----------------------------------------------

static broker_service_t *
s_service_require(s_broker_t *self, const char *name)
{
    broker_service_t *service = zhashx_lookup(self->services, name);
    if (!service) {
        service = calloc(1, sizeof *service);
        assert(service);
        service->name = strdup(name);
        service->queue = zlistx_new();
        service->workers = zlistx_new();
        assert(service->name && service->queue && service->workers);
        zhashx_insert(self->services, name, service);
    }
    return service;
}

static void
s_dispatch(s_broker_t *self, broker_service_t *service)
{
    int64_t now_ms = cm_time_now_ms();
    broker_request_t *request = zlistx_first(service->queue);
    while (request) {
        if (broker_request_is_expired(request, now_ms)) {
            zlistx_detach_cur(service->queue);
            broker_request_expire(&request);
            request = zlistx_first(service->queue);
            continue;
        }
        broker_worker_t *worker = broker_service_pick_worker(service);
        if (!worker) {
            return;
        }
        zlistx_detach_cur(service->queue);
        snprintf(request->tag, sizeof request->tag, "%s.%llu", self->nonce,
                 (unsigned long long)++self->next_tag);
        request->worker = worker;
        zlistx_add_end(worker->held, request);
        service->in_flight++;
        zhashx_insert(self->in_flight, request->tag, request);
        s_send_worker(self, worker, CM_MDP_REQUEST, request->tag,
                      request->body);
        request = zlistx_first(service->queue);
    }
}

// Answers every waiting request of a service that has no worker left.
static void
s_service_fail_queue(s_broker_t *self, broker_service_t *service)
{
    broker_request_t *request = zlistx_first(service->queue);
    while (request) {
        zlistx_detach_cur(service->queue);
        service->rejected++;
        s_request_fail(self, &request, "service_unavailable",
                       "no worker left for the service");
        request = zlistx_first(service->queue);
    }
}

// Removes a worker; every request it held is answered 503 worker_lost.
static void
s_worker_delete(s_broker_t *self, broker_worker_t *worker, const char *event)
{
    broker_service_t *service = worker->service;
    cm_log_notice(event, "service", service->name, "worker", worker->key,
                  "#held", CM_LOG_INT(zlistx_size(worker->held)));
    broker_request_t *request = zlistx_first(worker->held);
    while (request) {
        zhashx_delete(self->in_flight, request->tag);
        service->in_flight--;
        service->lost++;
        s_request_fail(self, &request, "worker_lost",
                       "the worker handling the request was lost");
        request = zlistx_next(worker->held);
    }
    void *handle = zlistx_find(service->workers, worker);
    if (handle) {
        zlistx_delete(service->workers, handle);
    }
    zhashx_delete(self->workers, worker->key);
    if (zlistx_size(service->workers) == 0) {
        s_service_fail_queue(self, service);
    }
}

static int
s_parse_credit(zframe_t *frame)
{
    if (!frame) {
        return 1; // a plain MDP/0.1 worker holds one request
    }
    char *text = zframe_strdup(frame);
    char *end = NULL;
    long credit = strtol(text, &end, 10);
    bool ok = end != text && *end == '\0' && credit >= 1
              && credit <= CM_MDP_CREDIT_MAX;
    free(text);
    return ok ? (int)credit : -1;
}

static void
s_send_disconnect_to(s_broker_t *self, zframe_t *identity)
{
    broker_worker_t stranger = {.identity = identity, .key = "unknown"};
    s_send_worker(self, &stranger, CM_MDP_DISCONNECT, NULL, NULL);
}

// READY [service][credit?] from a new peer.
static void
s_worker_ready(s_broker_t *self, zframe_t *sender, zmsg_t *msg)
{
    zframe_t *name = zmsg_first(msg);
    int credit = zmsg_size(msg) <= 2 ? s_parse_credit(zmsg_next(msg)) : -1;
    if (!name || credit < 0
        || !cm_mdp_service_is_valid(zframe_data(name), zframe_size(name))
        || strncmp((char *)zframe_data(name), "mmi.", 4) == 0) {
        s_warn_once(self, sender, "READY with bad service or credit",
                    zmsg_size(msg));
        s_send_disconnect_to(self, sender);
        return;
    }
    char *service_name = zframe_strdup(name);
    broker_worker_t *worker = calloc(1, sizeof *worker);
    assert(worker && service_name);
    worker->identity = zframe_dup(sender);
    worker->key = zframe_strhex(sender);
    worker->service = s_service_require(self, service_name);
    worker->credit = credit;
    worker->held = zlistx_new();
    worker->expiry_ms = s_expiry(self);
    assert(worker->held && worker->key);
    zhashx_insert(self->workers, worker->key, worker);
    zlistx_add_end(worker->service->workers, worker);
    cm_log_notice("broker.worker.ready", "service", service_name, "worker",
                  worker->key, "#credit", CM_LOG_INT(credit));
    free(service_name);
    s_dispatch(self, worker->service);
}

// REPLY [tag][""][body]: forward to the client that asked.
static void
s_worker_reply(s_broker_t *self, broker_worker_t *worker, zmsg_t *msg)
{
    zframe_t *tag_frame = zmsg_first(msg);
    zframe_t *empty = zmsg_next(msg);
    zframe_t *body = zmsg_next(msg);
    if (zmsg_size(msg) != 3 || zframe_size(empty) != 0) {
        s_warn_once(self, worker->identity, "REPLY needs [tag][][body]",
                    zmsg_size(msg));
        return;
    }
    char *tag = zframe_strdup(tag_frame);
    broker_request_t *request = zhashx_lookup(self->in_flight, tag);
    free(tag);
    if (!request || request->worker != worker) {
        cm_log_debug("broker.reply.unknown", "worker", worker->key);
        return; // answered worker_lost already, or a previous broker's
    }
    broker_service_t *service = worker->service;
    s_send_client(self, request->client, service->name, zframe_data(body),
                  zframe_size(body));
    service->served++;
    service->in_flight--;
    zlistx_delete(worker->held, zlistx_find(worker->held, request));
    zhashx_delete(self->in_flight, request->tag);
    broker_request_destroy(&request);
    if (worker->draining && zlistx_size(worker->held) == 0) {
        s_send_worker(self, worker, CM_MDP_DISCONNECT, NULL, NULL);
        s_worker_delete(self, worker, "broker.worker.drained");
        return;
    }
    s_dispatch(self, service);
}

// DISCONNECT from a worker: dispatch nothing more, let it finish.
static void
s_worker_disconnect(s_broker_t *self, broker_worker_t *worker)
{
    if (worker->draining) {
        return;
    }
    worker->draining = true;
    void *handle = zlistx_find(worker->service->workers, worker);
    if (handle) {
        zlistx_delete(worker->service->workers, handle);
    }
    cm_log_notice("broker.worker.draining", "service", worker->service->name,
                  "worker", worker->key, "#held",
                  CM_LOG_INT(zlistx_size(worker->held)));
    if (zlistx_size(worker->held) == 0) {
        s_send_worker(self, worker, CM_MDP_DISCONNECT, NULL, NULL);
        s_worker_delete(self, worker, "broker.worker.drained");
    } else if (zlistx_size(worker->service->workers) == 0) {
        s_service_fail_queue(self, worker->service);
    }
}

static void
s_worker_message(s_broker_t *self, zframe_t *sender, zmsg_t *msg)
{
    zframe_t *command_frame = zmsg_pop(msg);
    int command = command_frame ? cm_mdp_command_parse(
                      zframe_data(command_frame), zframe_size(command_frame))
                                : -1;
    zframe_destroy(&command_frame);
    char *key = zframe_strhex(sender);
    broker_worker_t *worker = zhashx_lookup(self->workers, key);
    free(key);
    if (command < 0 || command == CM_MDP_REQUEST) {
        s_warn_once(self, sender, "unknown worker command", zmsg_size(msg));
    } else if (command == CM_MDP_READY) {
        if (worker) {
            s_worker_delete(self, worker, "broker.worker.protocol_error");
            s_send_disconnect_to(self, sender);
        } else {
            s_worker_ready(self, sender, msg);
        }
    } else if (!worker) {
        s_send_disconnect_to(self, sender); // not registered: READY again
    } else {
        worker->expiry_ms = s_expiry(self);
        if (command == CM_MDP_REPLY) {
            s_worker_reply(self, worker, msg);
        } else if (command == CM_MDP_DISCONNECT) {
            s_worker_disconnect(self, worker);
        }
    }
}

// ---- clients -----------------------------------------------------------

static json_t *
s_stats_json(s_broker_t *self)
{
    json_t *services = json_object();
    assert(services);
    for (broker_service_t *service = zhashx_first(self->services); service;
         service = zhashx_next(self->services)) {
        json_t *entry = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "queue",
            (json_int_t)zlistx_size(service->queue), "workers",
            (json_int_t)zlistx_size(service->workers), "in_flight",
            (json_int_t)service->in_flight, "served",
            (json_int_t)service->served, "expired",
            (json_int_t)service->expired, "rejected",
            (json_int_t)service->rejected, "lost", (json_int_t)service->lost);
        assert(entry);
        json_object_set_new(services, service->name, entry);
    }
    json_t *stats = json_pack("{s:o, s:I}", "services", services, "malformed",
                              (json_int_t)self->malformed);
    assert(stats);
    return stats;
}

static void
s_mmi(s_broker_t *self, zframe_t *client, const char *name, zframe_t *body)
{
    if (strcmp(name, "mmi.service") == 0) {
        char *wanted = zframe_strdup(body);
        broker_service_t *service = zhashx_lookup(self->services, wanted);
        free(wanted);
        const char *code =
            service && zlistx_size(service->workers) > 0 ? "200" : "404";
        s_send_client(self, client, name, code, 3);
    } else if (strcmp(name, "mmi.stats") == 0) {
        json_t *stats = s_stats_json(self);
        char *text = json_dumps(stats, JSON_COMPACT);
        assert(text);
        s_send_client(self, client, name, text, strlen(text));
        free(text);
        json_decref(stats);
    } else {
        s_send_client(self, client, name, "501", 3);
    }
}

// Reads id and deadline; answers 400/413 itself and returns NULL when the
// envelope is unusable.
static broker_request_t *
s_request_new(s_broker_t *self, zframe_t *client, const char *name,
              zframe_t **body_p)
{
    broker_request_t *request = calloc(1, sizeof *request);
    assert(request);
    char reason[CM_ENVELOPE_REASON_MAX];
    zframe_t *body = *body_p;
    if (zframe_size(body) > CM_ENVELOPE_MAX_BYTES) {
        s_warn_once(self, client, "envelope too large", 1);
        s_send_error(self, client, name, "", 413, "too_large",
                     "request envelope exceeds 64 KiB");
        free(request);
        return NULL;
    }
    if (cm_envelope_peek_request(
            (const char *)zframe_data(body), zframe_size(body), request->id,
            sizeof request->id, &request->deadline_ms, reason, sizeof reason)
        != 0) {
        s_warn_once(self, client, "bad request envelope", 1);
        s_send_error(self, client, name, request->id, 400, "invalid_envelope",
                     reason);
        free(request);
        return NULL;
    }
    request->client = zframe_dup(client);
    request->body = body;
    *body_p = NULL;
    return request;
}

static void
s_client_request(s_broker_t *self, zframe_t *client, const char *name,
                 zframe_t **body_p)
{
    broker_request_t *request = s_request_new(self, client, name, body_p);
    if (!request) {
        return;
    }
    broker_service_t *service = zhashx_lookup(self->services, name);
    if (!service) {
        s_send_error(self, client, name, request->id, 503,
                     "service_unavailable", "no worker for the service");
        broker_request_destroy(&request);
        return;
    }
    request->service = service;
    if (broker_request_is_expired(request, cm_time_now_ms())) {
        broker_request_expire(&request);
    } else if (zlistx_size(service->workers) == 0) {
        service->rejected++;
        s_request_fail(self, &request, "service_unavailable",
                       "no worker for the service");
    } else if (zlistx_size(service->queue) >= (size_t)self->queue_max) {
        service->rejected++;
        s_request_fail(self, &request, "queue_full",
                       "the service queue is full");
    } else {
        zlistx_add_end(service->queue, request);
        s_dispatch(self, service);
    }
}

static void
s_client_message(s_broker_t *self, zframe_t *sender, zmsg_t *msg)
{
    zframe_t *name_frame = zmsg_first(msg);
    if (zmsg_size(msg) != 2
        || !cm_mdp_service_is_valid(zframe_data(name_frame),
                                    zframe_size(name_frame))) {
        s_warn_once(self, sender, "client message needs [service][body]",
                    zmsg_size(msg));
        return;
    }
    char *name = zframe_strdup(name_frame);
    zframe_t *body = zmsg_last(msg);
    if (strncmp(name, "mmi.", 4) == 0) {
        s_mmi(self, sender, name, body);
    } else {
        zmsg_remove(msg, body);
        s_client_request(self, sender, name, &body);
        zframe_destroy(&body);
    }
    free(name);
}

// ---- reactor -----------------------------------------------------------

// One message from the ROUTER: [sender][""][header][...].
static void
s_route_message(s_broker_t *self, zmsg_t *msg)
{
    zframe_t *sender = zmsg_pop(msg);
    zframe_t *empty = zmsg_pop(msg);
    zframe_t *header = zmsg_pop(msg);
    if (!header || zframe_size(empty) != 0) {
        s_warn_once(self, sender, "no empty delimiter or header",
                    zmsg_size(msg));
    } else if (zframe_streq(header, CM_MDP_CLIENT)) {
        s_client_message(self, sender, msg);
    } else if (zframe_streq(header, CM_MDP_WORKER)) {
        s_worker_message(self, sender, msg);
    } else {
        s_warn_once(self, sender, "unknown protocol header", zmsg_size(msg));
    }
    zframe_destroy(&header);
    zframe_destroy(&empty);
    zframe_destroy(&sender);
}

// Handles what is waiting, up to BROKER_BATCH_MAX messages per wake-up:
// one poll per message would cost more than the routing itself. The
// router's receive timeout is 0, so the receive after the last message
// fails at once; asking ZMQ_EVENTS before each would cost a system call.
// Returns true when more may be waiting (the batch was full).
static bool
s_on_router(s_broker_t *self)
{
    for (int i = 0; i < BROKER_BATCH_MAX; i++) {
        zmsg_t *msg = zmsg_recv(self->router);
        if (!msg) {
            return false; // nothing waiting, or interrupted
        }
        s_route_message(self, msg);
        zmsg_destroy(&msg);
    }
    return true;
}

static void
s_expire_workers(s_broker_t *self, int64_t now)
{
    zlist_t *dead = zlist_new();
    assert(dead);
    for (broker_worker_t *worker = zhashx_first(self->workers); worker;
         worker = zhashx_next(self->workers)) {
        if (worker->expiry_ms <= now) {
            zlist_append(dead, worker);
        }
    }
    for (broker_worker_t *worker = zlist_first(dead); worker;
         worker = zlist_next(dead)) {
        s_worker_delete(self, worker, "broker.worker.expired");
    }
    zlist_destroy(&dead);
}

static void
s_purge_expired(s_broker_t *self)
{
    int64_t now_ms = cm_time_now_ms();
    for (broker_service_t *service = zhashx_first(self->services); service;
         service = zhashx_next(self->services)) {
        broker_request_t *request = zlistx_first(service->queue);
        while (request) {
            if (broker_request_is_expired(request, now_ms)) {
                zlistx_detach_cur(service->queue);
                broker_request_expire(&request);
                request = zlistx_first(service->queue);
            } else {
                request = zlistx_next(service->queue);
            }
        }
    }
}

// A broker the host did not run for a heartbeat or more adds that time to
// every worker's expiry (cm_mdp_overdue_ms): a stall of the whole host does
// not drop every worker at once.
static void
s_forgive_stall(s_broker_t *self, int64_t now)
{
    int64_t missed =
        cm_mdp_overdue_ms(&self->ticked_at_ms, now, BROKER_TICK_MS);
    if (missed < self->heartbeat_ms) {
        return;
    }
    for (broker_worker_t *worker = zhashx_first(self->workers); worker;
         worker = zhashx_next(self->workers)) {
        worker->expiry_ms += missed;
    }
    cm_log_warn("broker.stalled", "#missed_ms", CM_LOG_INT(missed), "#workers",
                CM_LOG_INT(zhashx_size(self->workers)));
}

static void
s_on_tick(s_broker_t *self, int64_t now)
{
    s_forgive_stall(self, now);
    if (now >= self->heartbeat_at_ms) {
        self->heartbeat_at_ms = now + self->heartbeat_ms;
        for (broker_worker_t *worker = zhashx_first(self->workers); worker;
             worker = zhashx_next(self->workers)) {
            s_send_worker(self, worker, CM_MDP_HEARTBEAT, NULL, NULL);
        }
    }
    s_expire_workers(self, now);
    s_purge_expired(self);
}

// The commands waiting on the pipe (its receive timeout is 0). Returns -1
// on $TERM, else 0 once the pipe is empty (the loop notices an interrupt).
static int
s_on_pipe(s_broker_t *self)
{
    char *command;
    while ((command = zstr_recv(self->pipe))) {
        bool term = streq(command, "$TERM");
        if (streq(command, "PORT")) {
            zsock_send(self->pipe, "i", self->port);
        } else if (!term) {
            cm_log_warn("broker.pipe.unknown", "command", command);
        }
        zstr_free(&command);
        if (term) {
            return -1;
        }
    }
    return 0;
}

// ---- lifecycle ---------------------------------------------------------

static int
s_bind(s_broker_t *self)
{
    self->router = zsock_new(ZMQ_ROUTER);
    assert(self->router);
    zsock_set_linger(self->router, 0);
    // A receive never blocks: s_on_router takes what is waiting.
    zsock_set_rcvtimeo(self->router, 0);
    int port = cm_curve_server(self->router) == 0
                   ? zsock_bind(self->router, "%s", self->endpoint)
                   : -1;
    if (port < 0) {
        cm_log_error("broker.bind_failed", "endpoint", self->endpoint, "error",
                     zmq_strerror(errno));
        zsock_destroy(&self->router);
        return -1;
    }
    const char *bound = zsock_endpoint(self->router);
    const char *colon = bound ? strrchr(bound, ':') : NULL;
    bool tcp = bound && strncmp(bound, "tcp://", 6) == 0;
    int tcp_port = tcp && colon ? atoi(colon + 1) : 0;
    if (self->inproc && zsock_bind(self->router, "%s", self->inproc) != 0) {
        cm_log_error("broker.bind_failed", "endpoint", self->inproc, "error",
                     zmq_strerror(errno));
        zsock_destroy(&self->router);
        return -1;
    }
    self->port = tcp_port;
    return 0;
}

static s_broker_t *
s_broker_new(zsock_t *pipe, const broker_args_t *args)
{
    s_broker_t *self = calloc(1, sizeof *self);
    assert(self && args && args->endpoint);
    self->pipe = pipe;
    self->endpoint = strdup(args->endpoint);
    self->inproc = args->inproc ? strdup(args->inproc) : NULL;
    self->queue_max =
        args->queue_max > 0 ? args->queue_max : BROKER_QUEUE_MAX_DEFAULT;
    self->heartbeat_ms =
        args->heartbeat_ms > 0 ? args->heartbeat_ms : CM_MDP_HEARTBEAT_MS;
    self->port = -1;
    self->services = zhashx_new();
    self->workers = zhashx_new();
    self->in_flight = zhashx_new();
    self->warned = zhashx_new();
    assert(self->endpoint && self->services && self->workers);
    assert(self->in_flight && self->warned);
    zsock_set_rcvtimeo(pipe, 0); // s_on_pipe takes what is waiting
    zhashx_set_destructor(self->services, broker_service_destroy);
    zhashx_set_destructor(self->workers, broker_worker_free);
    char uuid[CM_UUID_MAX];
    snprintf(self->nonce, sizeof self->nonce, "%.8s", cm_uuid(uuid));
    self->heartbeat_at_ms = cm_time_mono_ms() + self->heartbeat_ms;
    self->ticked_at_ms = cm_time_mono_ms();
    return self;
}

static void
s_broker_destroy(s_broker_t **self_p)
{
    s_broker_t *self = *self_p;
    if (self) {
        for (broker_request_t *request = zhashx_first(self->in_flight); request;
             request = zhashx_next(self->in_flight)) {
            broker_request_destroy(&request);
        }
        zhashx_destroy(&self->in_flight);
        zhashx_destroy(&self->workers);
        zhashx_destroy(&self->services);
        zhashx_destroy(&self->warned);
        zsock_destroy(&self->router);
        free(self->endpoint);
        free(self->inproc);
        free(self);
        *self_p = NULL;
    }
}

// The broker's loop. A ZeroMQ socket's ZMQ_FD becomes readable only for
// what arrives after a receive found the socket empty, so each turn reads
// the router until nothing is waiting (the pipe when its descriptor says
// so) and then sleeps on the two descriptors until the next tick (cm_wait):
// two system calls a turn, where zloop's zmq_poll made about eight
// (docs/architecture.md §12). The tick's heartbeats are sends on the
// router, so the turn after a tick reads the router again before sleeping.
static void
s_broker_run(s_broker_t *self)
{
    int tick = self->heartbeat_ms < BROKER_TICK_MS ? self->heartbeat_ms
                                                   : BROKER_TICK_MS;
    if (self->router) {
        cm_log_notice("broker.started", "endpoint", self->endpoint, "#port",
                      CM_LOG_INT(self->port), "#queue_max",
                      CM_LOG_INT(self->queue_max), "#heartbeat_ms",
                      CM_LOG_INT(self->heartbeat_ms));
    }
    zsock_t *socks[2] = {self->pipe, self->router};
    bool ready[2];
    int64_t next_tick = cm_time_mono_ms() + tick;
    bool pipe_ready = true; // read it once before the first sleep
    while (!zsys_interrupted) {
        if (pipe_ready && s_on_pipe(self) != 0) {
            break;
        }
        bool more = self->router && s_on_router(self);
        int64_t now = cm_time_mono_ms();
        if (self->router && now >= next_tick) {
            s_on_tick(self, now);
            next_tick = now + tick;
            more = true;
        }
        int wait = more ? 0 : self->router ? (int)(next_tick - now) : -1;
        if (cm_wait(socks, 2, wait, ready) < 0) {
            cm_log_error("broker.poll_failed", "error", strerror(errno));
            break;
        }
        pipe_ready = ready[0];
    }
    cm_log_notice("broker.stopped", "#workers",
                  CM_LOG_INT(zhashx_size(self->workers)), "#in_flight",
                  CM_LOG_INT(zhashx_size(self->in_flight)));
}

void
broker_actor(zsock_t *pipe, void *args)
{
    s_broker_t *self = s_broker_new(pipe, args);
    int bound = s_bind(self);
    zsock_signal(pipe, 0);
    (void)bound; // a failed bind is logged and reported through PORT
    s_broker_run(self);
    s_broker_destroy(&self);
}

int
broker_port(zactor_t *broker)
{
    assert(broker);
    if (zstr_send(broker, "PORT") != 0) {
        return -1;
    }
    int port = -1;
    if (zsock_recv(broker, "i", &port) != 0) {
        return -1;
    }
    return port;
}
