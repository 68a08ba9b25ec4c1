// bench/broker — what the broker costs. Round trips over TCP loopback:
//   broker: cm_mdp_client → broker actor → cm_mdp_worker → back
//   direct: DEALER → ROUTER echo → back (no broker)
// each sequential (one outstanding: latency) and pipelined (a window of
// requests in flight: throughput). Bounded by BENCH_ROUNDS and BENCH_TIME_MS
// per measurement; prints a table, asserts nothing.
#include <czmq.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker.h"
#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_mdp_client.h"
#include "cm_mdp_worker.h"

#define BENCH_WARMUP  500   // round trips before measuring
#define BENCH_ROUNDS  20000 // round trips per measurement at most
#define BENCH_TIME_MS 2000  // time per measurement at most
#define BENCH_WINDOW  64    // requests in flight when pipelined
#define BENCH_CREDIT  100   // the echo worker's credit

typedef struct {
    double per_second; // completed round trips per second
    double p50_us;     // median round trip
    double p99_us;     // 99th percentile round trip
    size_t count;      // round trips measured
} bench_result_t;

// One way to do a round trip: send a body, receive a reply.
typedef struct {
    int (*send)(void *self, const char *body);
    char *(*recv)(void *self);
    void *self;
} bench_path_t;

static int64_t
s_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static int
s_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

// ---- the two echo servers ------------------------------------------------

static void
s_worker_actor(zsock_t *pipe, void *args)
{
    cm_mdp_worker_t *worker = cm_mdp_worker_new(args, "echo", BENCH_CREDIT, 0);
    zsock_signal(pipe, 0);
    zpoller_t *poller = zpoller_new(pipe, cm_mdp_worker_sock(worker), NULL);
    while (true) {
        void *which = zpoller_wait(poller, cm_mdp_worker_timeout_ms(worker));
        if (which == pipe || zpoller_terminated(poller)) {
            break; // $TERM
        }
        zframe_t *reply_to = NULL;
        char *request;
        while ((request = cm_mdp_worker_recv(worker, 0, &reply_to))) {
            cm_mdp_worker_send(worker, request, &reply_to);
            free(request);
        }
    }
    zpoller_destroy(&poller);
    cm_mdp_worker_destroy(&worker);
}

static void
s_router_actor(zsock_t *pipe, void *args)
{
    zsock_t *router = zsock_new(ZMQ_ROUTER);
    int port = zsock_bind(router, "tcp://127.0.0.1:*");
    (void)args; // nothing to configure
    zsock_signal(pipe, 0);
    zsock_send(pipe, "i", port);
    zpoller_t *poller = zpoller_new(pipe, router, NULL);
    while (zpoller_wait(poller, -1) == router) {
        zmsg_t *msg = zmsg_recv(router);
        if (msg && zmsg_send(&msg, router) != 0) {
            zmsg_destroy(&msg);
        }
    }
    zpoller_destroy(&poller);
    zsock_destroy(&router);
}

// ---- paths -------------------------------------------------------------

static int
s_broker_send(void *self, const char *body)
{
    return cm_mdp_client_send(self, "echo", body);
}

static char *
s_broker_recv(void *self)
{
    return cm_mdp_client_recv(self, 1000, NULL);
}

static int
s_direct_send(void *self, const char *body)
{
    return zstr_send(self, body);
}

static char *
s_direct_recv(void *self)
{
    return zstr_recv(self);
}

// ---- measurements --------------------------------------------------------

static bench_result_t
s_sequential(const bench_path_t *path, const char *body)
{
    int64_t *samples = calloc(BENCH_ROUNDS, sizeof *samples);
    assert(samples);
    bench_result_t result = {0};
    int64_t start = s_now_us();
    int64_t stop = start + (int64_t)BENCH_TIME_MS * 1000;
    while (result.count < BENCH_ROUNDS && s_now_us() < stop) {
        int64_t sent = s_now_us();
        if (path->send(path->self, body) != 0) {
            break;
        }
        char *reply = path->recv(path->self);
        if (!reply) {
            break;
        }
        free(reply);
        samples[result.count++] = s_now_us() - sent;
    }
    int64_t elapsed = s_now_us() - start;
    if (result.count > 0) {
        qsort(samples, result.count, sizeof *samples, s_compare);
        size_t median = result.count / 2;
        size_t p99 = result.count * 99 / 100;
        result.p50_us = (double)samples[median];
        result.p99_us = (double)samples[p99];
        result.per_second = (double)result.count * 1e6 / (double)elapsed;
    }
    free(samples);
    return result;
}

static bench_result_t
s_pipelined(const bench_path_t *path, const char *body)
{
    bench_result_t result = {0};
    size_t in_flight = 0;
    int64_t start = s_now_us();
    int64_t stop = start + (int64_t)BENCH_TIME_MS * 1000;
    while (result.count < (size_t)BENCH_ROUNDS * 5 && s_now_us() < stop) {
        while (in_flight < BENCH_WINDOW && path->send(path->self, body) == 0) {
            in_flight++;
        }
        char *reply = path->recv(path->self);
        if (!reply) {
            break;
        }
        free(reply);
        in_flight--;
        result.count++;
    }
    while (in_flight > 0) { // collect the rest before the next measurement
        char *reply = path->recv(path->self);
        if (!reply) {
            break;
        }
        free(reply);
        in_flight--;
    }
    int64_t elapsed = s_now_us() - start;
    result.per_second = (double)result.count * 1e6 / (double)elapsed;
    return result;
}

static void
s_warm_up(const bench_path_t *path, const char *body)
{
    for (int i = 0; i < BENCH_WARMUP; i++) {
        if (path->send(path->self, body) != 0) {
            zmq_poll(NULL, 0, 10); // not connected yet
            continue;
        }
        free(path->recv(path->self));
    }
}

static char *
s_request_body(void)
{
    json_t *actor = json_pack("{s:s, s:s, s:s}", "id", "S-7", "role",
                              "cs_agent", "department", "customer_service");
    json_t *body = json_pack("{s:s, s:s}", "to", "dispatch", "note",
                             "bench payload of a typical size");
    cm_envelope_request_t fields = {.type = "intake.case.forward",
                                    .source = "bench",
                                    .deadline_ms = INT64_C(1) << 50,
                                    .actor = actor,
                                    .method = "POST",
                                    .path = "/v1/cases/CS-12/forward",
                                    .body = body};
    json_t *request = cm_envelope_request_new(&fields);
    char *text = cm_envelope_encode(request);
    json_decref(request);
    json_decref(body);
    json_decref(actor);
    return text;
}

static void
s_print_row(const char *name, const bench_result_t *result)
{
    printf("%-22s %12.0f %10.1f %10.1f %9zu\n", name, result->per_second,
           result->p50_us, result->p99_us, result->count);
}

int
main(void)
{
    zsys_set_logstream(stderr);
    cm_log_init("bench_broker", "0");
    cm_log_set_level(CM_LOG_WARN);
    broker_args_t args = {.endpoint = "tcp://127.0.0.1:*", .queue_max = 10000};
    zactor_t *broker = zactor_new(broker_actor, &args);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d",
             broker_port(broker));
    zactor_t *worker = zactor_new(s_worker_actor, endpoint);
    zactor_t *echo = zactor_new(s_router_actor, NULL);
    int echo_port = -1;
    zsock_recv(echo, "i", &echo_port);
    cm_mdp_client_t *client = cm_mdp_client_new(endpoint);
    zsock_t *dealer = zsock_new(ZMQ_DEALER);
    zsock_connect(dealer, "tcp://127.0.0.1:%d", echo_port);
    char *body = s_request_body();
    bench_path_t via_broker = {s_broker_send, s_broker_recv, client};
    bench_path_t direct = {s_direct_send, s_direct_recv, dealer};
    s_warm_up(&via_broker, body);
    s_warm_up(&direct, body);
    bench_result_t direct_seq = s_sequential(&direct, body);
    bench_result_t broker_seq = s_sequential(&via_broker, body);
    bench_result_t direct_pipe = s_pipelined(&direct, body);
    bench_result_t broker_pipe = s_pipelined(&via_broker, body);
    printf("payload %zu bytes, TCP loopback, window %d when pipelined\n",
           strlen(body), BENCH_WINDOW);
    printf("%-22s %12s %10s %10s %9s\n", "path", "round trips/s", "p50 us",
           "p99 us", "count");
    s_print_row("direct sequential", &direct_seq);
    s_print_row("broker sequential", &broker_seq);
    s_print_row("direct pipelined", &direct_pipe);
    s_print_row("broker pipelined", &broker_pipe);
    printf("broker cost: sequential p50 x%.2f, throughput x%.2f; pipelined "
           "throughput x%.2f\n",
           broker_seq.p50_us / direct_seq.p50_us,
           direct_seq.per_second / broker_seq.per_second,
           direct_pipe.per_second / broker_pipe.per_second);
    free(body);
    zsock_destroy(&dealer);
    cm_mdp_client_destroy(&client);
    zactor_destroy(&echo);
    zactor_destroy(&worker);
    zactor_destroy(&broker);
    return 0;
}
