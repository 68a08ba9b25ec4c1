// Integration suite of the gateway (issue 3): real redis-server, broker, hub
// and gateway processes (tests/harness), test workers in this process that
// pretend to be personnel (token resolution), intake and dispatch, and a
// raw-socket HTTP/1.1 client (tests/http_client). Register with
// `gateway_suite`.
#include <check.h>
#include <czmq.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_envelope.h"
#include "cm_mdp_worker.h"
#include "cm_time.h"
#include "harness.h"
#include "http_client.h"
#include "suites.h"

#define S_DEADLINE_MS 700  // gateway/deadline_ms in these tests
#define S_SLOW_MS     1500 // the slow route answers after this

// ---- test workers
// ------------------------------------------------------------

// A worker thread answering MDP requests for one service.
typedef struct {
    char service[64];  // MDP service name
    char endpoint[64]; // broker
    pthread_t thread;  // its thread
    atomic_bool stop;  // ask it to leave
    bool running;      // started
} s_worker_t;

static json_t *
s_personnel(const json_t *request, int *status)
{
    json_t *body = json_object_get(request, "body");
    const char *token = json_string_value(json_object_get(body, "token"));
    *status = 200;
    if (token && strcmp(token, "tok-head") == 0) {
        return json_pack("{s:s, s:s, s:s}", "id", "ST-1", "role",
                         "station_head", "department", "management");
    }
    if (token && strcmp(token, "tok-agent") == 0) {
        return json_pack("{s:s, s:s, s:s}", "id", "ST-7", "role", "cs_agent",
                         "department", "customer_service");
    }
    if (token && strncmp(token, "tok-", 4) == 0) {
        return json_pack("{s:s, s:s, s:s}", "id", "ST-9", "role",
                         "station_head", "department", "management");
    }
    *status = 404;
    return NULL;
}

// Reply text for one request of the worker's service.
static char *
s_answer(const s_worker_t *worker, const json_t *request)
{
    int status = 200;
    json_t *headers = NULL;
    json_t *body = NULL;
    const char *path = json_string_value(json_object_get(request, "path"));
    if (strcmp(worker->service, "personnel") == 0) {
        body = s_personnel(request, &status);
    } else if (path && strstr(path, "/empty")) {
        body = NULL;
    } else if (json_is_string(json_object_get(request, "method"))
               && strcmp(json_string_value(json_object_get(request, "method")),
                         "POST")
                      == 0) {
        status = 201;
        headers = json_pack("{s:s, s:s}", "Location", "/v1/cases/CS-1", "ETag",
                            "\"1\"");
        body = json_pack("{s:O}", "envelope", request);
    } else {
        body = json_pack("{s:O}", "envelope", request);
    }
    json_t *reply = NULL;
    if (status >= 400) {
        json_t *problem =
            json_pack("{s:i, s:s}", "status", status, "code", "not_found");
        reply = cm_envelope_error_new(cm_envelope_id(request), problem);
        json_decref(problem);
    } else {
        reply = cm_envelope_reply_new(request, status, headers, body);
    }
    char *text = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    json_decref(headers);
    json_decref(body);
    return text;
}

// A request held for later (the slow route).
typedef struct {
    zframe_t *reply_to; // owned
    char *reply;        // owned
    int64_t due_ms;     // monotonic
} s_held_t;

static void
s_handle(s_worker_t *self, cm_mdp_worker_t *worker, char *text,
         zframe_t *reply_to, s_held_t *held, size_t *held_count)
{
    json_t *request = json_loads(text, 0, NULL);
    char *reply = request ? s_answer(self, request) : NULL;
    const char *path = json_string_value(json_object_get(request, "path"));
    if (reply && path && strstr(path, "/slow") && *held_count < 16) {
        held[*held_count] =
            (s_held_t){reply_to, reply, cm_time_mono_ms() + S_SLOW_MS};
        (*held_count)++;
        reply_to = NULL; // now held
        reply = NULL;
    } else if (reply) {
        cm_mdp_worker_send(worker, reply, &reply_to);
        free(reply);
    }
    zframe_destroy(&reply_to);
    json_decref(request);
}

static void *
s_worker_run(void *arg)
{
    s_worker_t *self = arg;
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(self->endpoint, self->service, 16, 0);
    s_held_t held[16];
    size_t held_count = 0;
    while (worker && !atomic_load(&self->stop)) {
        zframe_t *reply_to = NULL;
        char *text = cm_mdp_worker_recv(worker, 20, &reply_to);
        if (text) {
            s_handle(self, worker, text, reply_to, held, &held_count);
            free(text);
        }
        for (size_t i = 0; i < held_count; i++) {
            if (held[i].due_ms <= cm_time_mono_ms()) {
                cm_mdp_worker_send(worker, held[i].reply, &held[i].reply_to);
                zframe_destroy(&held[i].reply_to);
                free(held[i].reply);
                held[i--] = held[--held_count];
            }
        }
    }
    for (size_t i = 0; i < held_count; i++) {
        zframe_destroy(&held[i].reply_to);
        free(held[i].reply);
    }
    if (worker) {
        cm_mdp_worker_disconnect(worker);
        zframe_t *reply_to = NULL;
        char *late;
        while ((late = cm_mdp_worker_recv(worker, 100, &reply_to))) {
            free(late);
            zframe_destroy(&reply_to);
        }
    }
    cm_mdp_worker_destroy(&worker);
    return NULL;
}

static void
s_worker_start(s_worker_t *worker, const char *service, int broker_port)
{
    memset(worker, 0, sizeof *worker);
    snprintf(worker->service, sizeof worker->service, "%s", service);
    snprintf(worker->endpoint, sizeof worker->endpoint, "tcp://127.0.0.1:%d",
             broker_port);
    atomic_init(&worker->stop, false);
    ck_assert_int_eq(
        pthread_create(&worker->thread, NULL, s_worker_run, worker), 0);
    worker->running = true;
}

static void
s_worker_stop(s_worker_t *worker)
{
    if (worker->running) {
        atomic_store(&worker->stop, true);
        pthread_join(worker->thread, NULL);
        worker->running = false;
    }
}

// ---- the stack
// -----------------------------------------------------------------

static harness_redis_t s_redis;
static harness_proc_t s_broker, s_hub, s_gateway;
static s_worker_t s_personnel_worker, s_intake_worker;
static int s_port;        // gateway HTTP
static int s_broker_port; // broker ROUTER

static void
s_env(char env[][128], int redis, int broker, int pub, int sub, int http)
{
    snprintf(env[0], 128, "SM_REDIS__PORT=%d", redis);
    snprintf(env[1], 128, "SM_BROKER__PORT=%d", broker);
    snprintf(env[2], 128, "SM_HUB__PUB_PORT=%d", pub);
    snprintf(env[3], 128, "SM_HUB__SUB_PORT=%d", sub);
    snprintf(env[4], 128, "SM_GATEWAY__PORT=%d", http);
    snprintf(env[5], 128, "SM_GATEWAY__DEADLINE_MS=%d", S_DEADLINE_MS);
    snprintf(env[6], 128,
             "SM_GATEWAY__ROUTES=staff=personnel cases=intake "
             "work-orders=dispatch");
    snprintf(env[7], 128, "SM_GATEWAY__RATE_PER_S=5");
    snprintf(env[8], 128, "SM_GATEWAY__BURST=20");
    snprintf(env[9], 128, "SM_HUB__DISCOVER_MS=100");
    snprintf(env[10], 128, "SM_GATEWAY__SSE_HEARTBEAT_MS=500");
}

static void
s_setup(void)
{
    zsys_init();
    zsys_set_logstream(stderr);
    ck_assert_int_eq(harness_redis_start(&s_redis), 0);
    s_broker_port = harness_free_port();
    int pub = harness_free_port(), sub = harness_free_port();
    s_port = harness_free_port();
    char env[11][128];
    s_env(env, s_redis.port, s_broker_port, pub, sub, s_port);
    const char *list[12];
    for (int i = 0; i < 11; i++) {
        list[i] = env[i];
    }
    list[11] = NULL;
    ck_assert_int_eq(harness_proc_start(&s_broker, "broker", list), 0);
    ck_assert_int_eq(harness_proc_start(&s_hub, "hub", list), 0);
    ck_assert_int_eq(harness_proc_start(&s_gateway, "gateway", list), 0);
    ck_assert(harness_proc_wait_event(&s_gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS));
    s_worker_start(&s_personnel_worker, "personnel", s_broker_port);
    s_worker_start(&s_intake_worker, "intake", s_broker_port);
}

static void
s_teardown(void)
{
    s_worker_stop(&s_personnel_worker);
    s_worker_stop(&s_intake_worker);
    harness_proc_kill(&s_gateway, SIGTERM, 5000);
    harness_proc_kill(&s_hub, SIGTERM, 5000);
    harness_proc_kill(&s_broker, SIGTERM, 5000);
    harness_redis_stop(&s_redis);
    harness_proc_cleanup(&s_gateway);
    harness_proc_cleanup(&s_hub);
    harness_proc_cleanup(&s_broker);
}

// Poll a routed GET until it is no longer 503 (workers registering).
static void
s_wait_routed(void)
{
    http_client_response_t response;
    int64_t until = cm_time_mono_ms() + HARNESS_WAIT_MS;
    for (;;) {
        http_client_request(s_port, "GET", "/v1/cases/echo",
                            "Authorization: Bearer tok-wait\r\n", NULL,
                            &response);
        if (response.status == 200 || cm_time_mono_ms() >= until) {
            break;
        }
        usleep(20 * 1000);
    }
    ck_assert_int_eq(response.status, 200);
}

static http_client_response_t s_response; // big: keep it off the stack

// ---- tests
// -----------------------------------------------------------------------

START_TEST(test_gateway_local_endpoints)
{
    http_client_response_t *r = &s_response;
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/healthz", NULL, NULL, r), 0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(r->body, "{\"status\":\"ok\"}");
    char value[256];
    ck_assert_ptr_nonnull(
        http_client_header(r, "X-Request-Id", value, sizeof value));
    ck_assert_int_eq(http_client_request(s_port, "GET", "/healthz",
                                         "X-Request-Id: my.req-1\r\n", NULL, r),
                     0);
    ck_assert_str_eq(http_client_header(r, "X-Request-Id", value, sizeof value),
                     "my.req-1");
    ck_assert_int_eq(http_client_request(s_port, "GET", "/healthz",
                                         "X-Request-Id: bad id!\r\n", NULL, r),
                     0);
    ck_assert_int_eq(r->status, 400);
    ck_assert_int_eq(
        http_client_request(s_port, "POST", "/healthz", NULL, NULL, r), 0);
    ck_assert_int_eq(r->status, 405);
    ck_assert_str_eq(http_client_header(r, "Allow", value, sizeof value),
                     "GET, HEAD");
    ck_assert_str_eq(http_client_header(r, "Content-Type", value, sizeof value),
                     "application/problem+json");
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/nowhere", NULL, NULL, r), 0);
    ck_assert_int_eq(r->status, 404);
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/metrics", NULL, NULL, r), 0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "sm_http_requests_total{route=\""
                                          "/healthz\",method=\"GET\","
                                          "status=\"200\"}"));
    ck_assert_ptr_nonnull(strstr(r->body, "sm_http_in_flight"));
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/v1/openapi.yaml", NULL, NULL, r),
        0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "openapi: 3.1"));
}
END_TEST

START_TEST(test_gateway_request_errors)
{
    s_wait_routed();
    http_client_response_t *r = &s_response;
    const char *auth = "Authorization: Bearer tok-head\r\n";
    const char *json = "Authorization: Bearer tok-head\r\n"
                       "Content-Type: application/json\r\n";
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/v1/cases", NULL, NULL, r), 0);
    ck_assert_int_eq(r->status, 401);
    char value[256];
    ck_assert_ptr_nonnull(
        http_client_header(r, "WWW-Authenticate", value, sizeof value));
    ck_assert_int_eq(http_client_request(s_port, "GET", "/v1/cases",
                                         "Authorization: Bearer nobody\r\n",
                                         NULL, r),
                     0);
    ck_assert_int_eq(r->status, 401);
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/v1/unknown", auth, NULL, r), 0);
    ck_assert_int_eq(r->status, 404);
    ck_assert_int_eq(http_client_request(s_port, "POST", "/v1/cases",
                                         "Authorization: Bearer tok-head\r\n"
                                         "Content-Type: text/plain\r\n",
                                         "hello", r),
                     0);
    ck_assert_int_eq(r->status, 415);
    ck_assert_int_eq(http_client_request(s_port, "POST", "/v1/cases", json,
                                         "{\n\"a\": 1,\n  ]", r),
                     0);
    ck_assert_int_eq(r->status, 400);
    ck_assert_ptr_nonnull(strstr(r->body, "\"line\":3"));
    ck_assert_ptr_nonnull(strstr(r->body, "\"column\":"));
    ck_assert_int_eq(http_client_request(s_port, "POST", "/v1/cases",
                                         "Authorization: Bearer tok-head\r\n"
                                         "Content-Type: application/json\r\n"
                                         "Idempotency-Key: has space\r\n",
                                         "{}", r),
                     0);
    ck_assert_int_eq(r->status, 400);
    // No dispatch worker: the broker answers 503 at once.
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/v1/work-orders", auth, NULL, r),
        0);
    ck_assert_int_eq(r->status, 503);
    ck_assert_str_eq(http_client_header(r, "Content-Type", value, sizeof value),
                     "application/problem+json");
}
END_TEST

START_TEST(test_gateway_routed_envelope)
{
    s_wait_routed();
    http_client_response_t *r = &s_response;
    ck_assert_int_eq(http_client_request(s_port, "POST",
                                         "/v1/cases?x=1&y=a%20b",
                                         "Authorization: Bearer tok-agent\r\n"
                                         "Content-Type: application/json\r\n"
                                         "X-Request-Id: corr-42\r\n"
                                         "Idempotency-Key: key-1\r\n",
                                         "{\"b\":2,\"a\":1}", r),
                     0);
    ck_assert_int_eq(r->status, 201);
    char value[256];
    ck_assert_str_eq(http_client_header(r, "Location", value, sizeof value),
                     "/v1/cases/CS-1");
    ck_assert_str_eq(http_client_header(r, "ETag", value, sizeof value),
                     "\"1\"");
    json_t *body = json_loads(r->body, 0, NULL);
    json_t *envelope = json_object_get(body, "envelope");
    ck_assert_str_eq(
        json_string_value(json_object_get(envelope, "correlation_id")),
        "corr-42");
    ck_assert_str_eq(json_string_value(json_object_get(envelope, "method")),
                     "POST");
    ck_assert_str_eq(json_string_value(json_object_get(envelope, "path")),
                     "/v1/cases");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(envelope, "query"), "y")),
                     "a b");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(envelope, "actor"), "id")),
                     "ST-7");
    ck_assert_str_eq(
        json_string_value(json_object_get(envelope, "idempotency_key")),
        "key-1");
    ck_assert_int_eq(
        strlen(json_string_value(json_object_get(envelope, "fingerprint"))),
        64);
    ck_assert(json_integer_value(json_object_get(envelope, "deadline"))
              > cm_time_now_ms());
    json_decref(body);
}
END_TEST

// The reply body goes out as the service wrote it (the gateway scans the
// reply, it does not parse and encode it again): it must be exactly what
// the old parse-and-encode gave, for the scanned path (escapes, UTF-8) and
// for the parsed fallback (a real number, which the scan leaves to jansson).
START_TEST(test_gateway_reply_body_as_sent)
{
    s_wait_routed();
    const char *bodies[] = {
        "{\"text\":\"a \\\"quoted\\\" line\\nnext \\u00e9 \xc3\xa9 "
        "\\ud83d\\ude00\","
        "\"list\":[1,-2,true,null,{}],\"empty\":\"\"}",
        "{\"real\":1.5,\"long\":1234567890123456789}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        http_client_response_t *r = &s_response;
        ck_assert_int_eq(
            http_client_request(s_port, "POST", "/v1/cases/echo",
                                "Authorization: Bearer tok-agent\r\n"
                                "Content-Type: application/json\r\n",
                                bodies[i], r),
            0);
        ck_assert_int_eq(r->status, 201);
        json_t *body = json_loads(r->body, 0, NULL);
        ck_assert_ptr_nonnull(body);
        char *canonical = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        ck_assert_str_eq(r->body, canonical);
        json_t *sent = json_loads(bodies[i], 0, NULL);
        ck_assert(json_equal(
            json_object_get(json_object_get(body, "envelope"), "body"), sent));
        json_decref(sent);
        free(canonical);
        json_decref(body);
    }
}
END_TEST

START_TEST(test_gateway_empty_body_keep_alive)
{
    s_wait_routed();
    int fd = http_client_connect(s_port);
    ck_assert_int_ge(fd, 0);
    for (int i = 0; i < 3; i++) {
        http_client_send(fd, "GET", "/v1/cases/empty",
                         "Authorization: Bearer tok-head\r\n", NULL, 0);
        ck_assert_int_eq(http_client_read(fd, &s_response), 0);
        ck_assert_int_eq(s_response.status, 200);
        ck_assert(s_response.has_length);
        ck_assert_uint_eq(s_response.body_size, 0);
    }
    close(fd);
}
END_TEST

START_TEST(test_gateway_too_large_keeps_serving)
{
    size_t size = (size_t)1024 * 1024;
    char *big = malloc(size + 1);
    memset(big, 'a', size);
    big[size] = '\0';
    int fd = http_client_connect(s_port);
    http_client_send(fd, "POST", "/v1/cases",
                     "Authorization: Bearer tok-head\r\n"
                     "Content-Type: application/json\r\n",
                     big, size);
    ck_assert_int_eq(http_client_read(fd, &s_response), 0);
    ck_assert_int_eq(s_response.status, 413);
    // The same connection goes on (the body was read and dropped).
    http_client_send(fd, "GET", "/healthz", NULL, NULL, 0);
    ck_assert_int_eq(http_client_read(fd, &s_response), 0);
    ck_assert_int_eq(s_response.status, 200);
    close(fd);
    free(big);
    ck_assert_int_eq(
        http_client_request(s_port, "GET", "/healthz", NULL, NULL, &s_response),
        0);
    ck_assert_int_eq(s_response.status, 200);
}
END_TEST

START_TEST(test_gateway_deadline_504)
{
    s_wait_routed();
    int64_t start = cm_time_mono_ms();
    ck_assert_int_eq(http_client_request(s_port, "GET", "/v1/cases/slow",
                                         "Authorization: Bearer tok-head\r\n",
                                         NULL, &s_response),
                     0);
    int64_t took = cm_time_mono_ms() - start;
    ck_assert_int_eq(s_response.status, 504);
    ck_assert_int_lt(took, S_SLOW_MS);
    ck_assert_int_ge(took, S_DEADLINE_MS - 50);
    // The late reply is dropped; the gateway still answers.
    ck_assert_int_eq(http_client_request(s_port, "GET", "/v1/cases/echo",
                                         "Authorization: Bearer tok-head\r\n",
                                         NULL, &s_response),
                     0);
    ck_assert_int_eq(s_response.status, 200);
}
END_TEST

START_TEST(test_gateway_rate_limit_429)
{
    s_wait_routed();
    int limited = 0;
    char value[64];
    for (int i = 0; i < 40 && !limited; i++) {
        http_client_request(s_port, "GET", "/v1/cases/echo",
                            "Authorization: Bearer tok-rate\r\n", NULL,
                            &s_response);
        if (s_response.status == 429) {
            limited = i + 1;
            ck_assert_ptr_nonnull(http_client_header(&s_response, "Retry-After",
                                                     value, sizeof value));
        }
    }
    ck_assert_int_gt(limited, 15); // burst 20 (less refill)
    // Another token has its own bucket.
    http_client_request(s_port, "GET", "/v1/cases/echo",
                        "Authorization: Bearer tok-head\r\n", NULL,
                        &s_response);
    ck_assert_int_eq(s_response.status, 200);
}
END_TEST

static int
s_readyz(void)
{
    http_client_request(s_port, "GET", "/readyz", NULL, NULL, &s_response);
    return s_response.status;
}

static bool
s_wait_readyz(int status)
{
    int64_t until = cm_time_mono_ms() + 15000;
    while (cm_time_mono_ms() < until) {
        if (s_readyz() == status) {
            return true;
        }
        usleep(50 * 1000);
    }
    return false;
}

START_TEST(test_gateway_readyz)
{
    s_worker_t dispatch;
    ck_assert(s_wait_readyz(503));
    ck_assert_ptr_nonnull(strstr(s_response.body, "service:dispatch"));
    s_worker_start(&dispatch, "dispatch", s_broker_port);
    ck_assert(s_wait_readyz(200));
    s_worker_stop(&s_intake_worker);
    ck_assert(s_wait_readyz(503));
    ck_assert_ptr_nonnull(strstr(s_response.body, "service:intake"));
    s_worker_start(&s_intake_worker, "intake", s_broker_port);
    ck_assert(s_wait_readyz(200));
    s_worker_stop(&dispatch);
}
END_TEST

#define S_EVENT_JSON                                                           \
    "{\"id\":\"%s\",\"source\":\"pbx\",\"type\":\"call.received\","            \
    "\"specversion\":\"1.0\",\"time\":\"2026-11-27T08:00:00Z\","               \
    "\"data\":{\"from\":\"555\"}}"

static int
s_post_event(const char *id, bool *duplicate)
{
    char body[512];
    snprintf(body, sizeof body, S_EVENT_JSON, id);
    http_client_request(s_port, "POST", "/v1/events",
                        "Authorization: Bearer tok-head\r\n"
                        "Content-Type: application/json\r\n",
                        body, &s_response);
    if (duplicate) {
        *duplicate = strstr(s_response.body, "\"duplicate\":true") != NULL;
    }
    return s_response.status;
}

START_TEST(test_gateway_events_ingest_once)
{
    s_wait_routed();
    bool duplicate = true;
    ck_assert_int_eq(s_post_event("call-1", &duplicate), 202);
    ck_assert(!duplicate);
    ck_assert_int_eq(s_post_event("call-1", &duplicate), 202);
    ck_assert(duplicate);
    char *length = harness_redis_cmd(&s_redis, "XLEN", "sm:{ingest}:outbox",
                                     (const char *)NULL);
    ck_assert_str_eq(length, "1");
    free(length);
    // Unknown fields are named; an agent may not publish.
    http_client_request(s_port, "POST", "/v1/events",
                        "Authorization: Bearer tok-head\r\n"
                        "Content-Type: application/json\r\n",
                        "{\"id\":\"x\",\"bogus\":1}", &s_response);
    ck_assert_int_eq(s_response.status, 400);
    ck_assert_ptr_nonnull(strstr(s_response.body, "bogus"));
    http_client_request(s_port, "POST", "/v1/events",
                        "Authorization: Bearer tok-agent\r\n"
                        "Content-Type: application/json\r\n",
                        "{}", &s_response);
    ck_assert_int_eq(s_response.status, 403);
}
END_TEST

// Read from an SSE connection until text appears; returns the data read.
static bool
s_sse_wait(int fd, const char *text, char *seen, size_t size)
{
    size_t used = strlen(seen);
    int64_t until = cm_time_mono_ms() + 5000;
    while (!strstr(seen, text) && cm_time_mono_ms() < until
           && used < size - 1) {
        ssize_t got = recv(fd, seen + used, size - 1 - used, 0);
        if (got <= 0) {
            return false;
        }
        used += (size_t)got;
        seen[used] = '\0';
    }
    return strstr(seen, text) != NULL;
}

static int
s_sse_open(const char *last_event_id, char *seen, size_t size)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer tok-head\r\n%s%s%s",
             last_event_id ? "Last-Event-ID: " : "",
             last_event_id ? last_event_id : "", last_event_id ? "\r\n" : "");
    int fd = http_client_connect(s_port);
    http_client_send(fd, "GET", "/v1/events/stream", headers, NULL, 0);
    seen[0] = '\0';
    ck_assert(s_sse_wait(fd, "\r\n\r\n", seen, size));
    ck_assert_msg(strstr(seen, "text/event-stream"), "got: %s", seen);
    return fd;
}

START_TEST(test_gateway_sse_resume)
{
    s_wait_routed();
    static char seen[65536];
    int fd = s_sse_open(NULL, seen, sizeof seen);
    ck_assert(s_sse_wait(fd, "heartbeat", seen, sizeof seen));
    ck_assert_int_eq(s_post_event("sse-1", NULL), 202);
    ck_assert(s_sse_wait(fd, "event/sse-1", seen, sizeof seen));
    char *id = strstr(seen, "id: ");
    ck_assert_ptr_nonnull(id);
    char last[256];
    snprintf(last, sizeof last, "%.*s", (int)strcspn(id + 4, "\n"), id + 4);
    close(fd);
    ck_assert_int_eq(s_post_event("sse-2", NULL), 202);
    ck_assert_int_eq(s_post_event("sse-3", NULL), 202);
    fd = s_sse_open(last, seen, sizeof seen);
    ck_assert(s_sse_wait(fd, "event/sse-3", seen, sizeof seen));
    ck_assert_ptr_nonnull(strstr(seen, "event/sse-2"));
    ck_assert_ptr_null(strstr(seen, "event/sse-1"));
    close(fd);
}
END_TEST

#define S_LAG_WAIT_MS 15000 // three lag refreshes of the gateway

// The value of the /metrics sample that starts with `prefix`, or -1 when
// /metrics does not show it (yet).
static long long
s_metric(const char *prefix)
{
    if (http_client_request(s_port, "GET", "/metrics", NULL, NULL, &s_response)
            != 0
        || s_response.status != 200) {
        return -1;
    }
    const char *line = strstr(s_response.body, prefix);
    return line ? strtoll(line + strlen(prefix), NULL, 10) : -1;
}

START_TEST(test_gateway_metrics_outbox_lag)
{
    s_wait_routed();
    // A consumer group that has read nothing of three ingested events.
    char *reply =
        harness_redis_cmd(&s_redis, "XGROUP", "CREATE", "sm:{ingest}:outbox",
                          "lagger", "0", "MKSTREAM");
    ck_assert_str_eq(reply, "OK");
    free(reply);
    ck_assert_int_eq(s_post_event("lag-1", NULL), 202);
    ck_assert_int_eq(s_post_event("lag-2", NULL), 202);
    ck_assert_int_eq(s_post_event("lag-3", NULL), 202);
    const char *prefix =
        "sm_outbox_lag{stream=\"sm:{ingest}:outbox\",group=\"lagger\"} ";
    // The events thread refreshes the lag every GATEWAY_METRICS_LAG_MS.
    long long lag = -1;
    int64_t until = cm_time_mono_ms() + S_LAG_WAIT_MS;
    while ((lag = s_metric(prefix)) < 3 && cm_time_mono_ms() < until) {
        usleep(100 * 1000);
    }
    ck_assert_msg(lag == 3, "lag %lld; /metrics: %s", lag, s_response.body);
    ck_assert_ptr_nonnull(strstr(s_response.body,
                                 "sm_outbox_pending{stream=\"sm:{ingest}:"
                                 "outbox\",group=\"lagger\"} 0\n"));
}
END_TEST

Suite *
gateway_suite(void)
{
    Suite *suite = suite_create("gateway");
    TCase *http = tcase_create("http");
    tcase_add_checked_fixture(http, s_setup, s_teardown);
    tcase_set_timeout(http, 60);
    tcase_add_test(http, test_gateway_local_endpoints);
    tcase_add_test(http, test_gateway_request_errors);
    tcase_add_test(http, test_gateway_routed_envelope);
    tcase_add_test(http, test_gateway_reply_body_as_sent);
    tcase_add_test(http, test_gateway_empty_body_keep_alive);
    tcase_add_test(http, test_gateway_too_large_keeps_serving);
    tcase_add_test(http, test_gateway_deadline_504);
    tcase_add_test(http, test_gateway_rate_limit_429);
    tcase_add_test(http, test_gateway_readyz);
    tcase_add_test(http, test_gateway_events_ingest_once);
    tcase_add_test(http, test_gateway_sse_resume);
    tcase_add_test(http, test_gateway_metrics_outbox_lag);
    suite_add_tcase(suite, http);
    return suite;
}
