// Integration suite of the gateway: real redis-server, broker, hub
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
#include "gateway_stack.h"
#include "harness.h"
#include "http_client.h"
#include "suites.h"

// ---- tests
// -----------------------------------------------------------------------

START_TEST(test_gateway_local_endpoints)
{
    http_client_response_t *r = &gateway_stack_response;
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/healthz",
                                         NULL, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(r->body, "{\"status\":\"ok\"}");
    char value[256];
    ck_assert_ptr_nonnull(
        http_client_header(r, "X-Request-Id", value, sizeof value));
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/healthz",
                                         "X-Request-Id: my.req-1\r\n", NULL, r),
                     0);
    ck_assert_str_eq(http_client_header(r, "X-Request-Id", value, sizeof value),
                     "my.req-1");
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/healthz",
                                         "X-Request-Id: bad id!\r\n", NULL, r),
                     0);
    ck_assert_int_eq(r->status, 400);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "POST", "/healthz",
                                         NULL, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 405);
    ck_assert_str_eq(http_client_header(r, "Allow", value, sizeof value),
                     "GET, HEAD");
    ck_assert_str_eq(http_client_header(r, "Content-Type", value, sizeof value),
                     "application/problem+json");
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/nowhere",
                                         NULL, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 404);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/metrics",
                                         NULL, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "sm_http_requests_total{route=\""
                                          "/healthz\",method=\"GET\","
                                          "status=\"200\"}"));
    ck_assert_ptr_nonnull(strstr(r->body, "sm_http_in_flight"));
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET",
                                         "/v1/openapi.yaml", NULL, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "openapi: 3.1"));
}
END_TEST

START_TEST(test_gateway_request_errors)
{
    gateway_stack_wait_routed();
    http_client_response_t *r = &gateway_stack_response;
    const char *auth = "Authorization: Bearer tok-head\r\n";
    const char *json = "Authorization: Bearer tok-head\r\n"
                       "Content-Type: application/json\r\n";
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/v1/cases",
                                         NULL, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 401);
    char value[256];
    ck_assert_ptr_nonnull(
        http_client_header(r, "WWW-Authenticate", value, sizeof value));
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/v1/cases",
                                         "Authorization: Bearer nobody\r\n",
                                         NULL, r),
                     0);
    ck_assert_int_eq(r->status, 401);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET",
                                         "/v1/unknown", auth, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 404);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "POST",
                                         "/v1/cases",
                                         "Authorization: Bearer tok-head\r\n"
                                         "Content-Type: text/plain\r\n",
                                         "hello", r),
                     0);
    ck_assert_int_eq(r->status, 415);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "POST",
                                         "/v1/cases", json, "{\n\"a\": 1,\n  ]",
                                         r),
                     0);
    ck_assert_int_eq(r->status, 400);
    ck_assert_ptr_nonnull(strstr(r->body, "\"line\":3"));
    ck_assert_ptr_nonnull(strstr(r->body, "\"column\":"));
    ck_assert_int_eq(http_client_request(gateway_stack.port, "POST",
                                         "/v1/cases",
                                         "Authorization: Bearer tok-head\r\n"
                                         "Content-Type: application/json\r\n"
                                         "Idempotency-Key: has space\r\n",
                                         "{}", r),
                     0);
    ck_assert_int_eq(r->status, 400);
    // No dispatch worker: the broker answers 503 at once.
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET",
                                         "/v1/work-orders", auth, NULL, r),
                     0);
    ck_assert_int_eq(r->status, 503);
    ck_assert_str_eq(http_client_header(r, "Content-Type", value, sizeof value),
                     "application/problem+json");
}
END_TEST

START_TEST(test_gateway_routed_envelope)
{
    gateway_stack_wait_routed();
    http_client_response_t *r = &gateway_stack_response;
    ck_assert_int_eq(http_client_request(gateway_stack.port, "POST",
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
    gateway_stack_wait_routed();
    const char *bodies[] = {
        "{\"text\":\"a \\\"quoted\\\" line\\nnext \\u00e9 \xc3\xa9 "
        "\\ud83d\\ude00\","
        "\"list\":[1,-2,true,null,{}],\"empty\":\"\"}",
        "{\"real\":1.5,\"long\":1234567890123456789}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        http_client_response_t *r = &gateway_stack_response;
        ck_assert_int_eq(
            http_client_request(gateway_stack.port, "POST", "/v1/cases/echo",
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
    gateway_stack_wait_routed();
    int fd = http_client_connect(gateway_stack.port);
    ck_assert_int_ge(fd, 0);
    for (int i = 0; i < 3; i++) {
        http_client_send(fd, "GET", "/v1/cases/empty",
                         "Authorization: Bearer tok-head\r\n", NULL, 0);
        ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
        ck_assert_int_eq(gateway_stack_response.status, 200);
        ck_assert(gateway_stack_response.has_length);
        ck_assert_uint_eq(gateway_stack_response.body_size, 0);
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
    int fd = http_client_connect(gateway_stack.port);
    http_client_send(fd, "POST", "/v1/cases",
                     "Authorization: Bearer tok-head\r\n"
                     "Content-Type: application/json\r\n",
                     big, size);
    ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
    ck_assert_int_eq(gateway_stack_response.status, 413);
    // The same connection goes on (the body was read and dropped).
    http_client_send(fd, "GET", "/healthz", NULL, NULL, 0);
    ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
    ck_assert_int_eq(gateway_stack_response.status, 200);
    close(fd);
    free(big);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET", "/healthz",
                                         NULL, NULL, &gateway_stack_response),
                     0);
    ck_assert_int_eq(gateway_stack_response.status, 200);
}
END_TEST

// A request rejected before the gateway looked at its body (here an invalid
// X-Request-Id) must not leave the body on the connection to be read as the
// next request: a body that is itself a request gets no answer of its own.
START_TEST(test_gateway_rejected_body_is_not_a_request)
{
    static const char inner[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    char raw[512];
    int size = snprintf(raw, sizeof raw,
                        "POST /v1/cases HTTP/1.1\r\nHost: x\r\n"
                        "X-Request-Id: a b\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: %zu\r\n\r\n%s",
                        sizeof inner - 1, inner);
    int fd = http_client_connect(gateway_stack.port);
    ck_assert_int_ge(fd, 0);
    http_client_send_raw(fd, raw, (size_t)size);
    ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
    ck_assert_int_eq(gateway_stack_response.status, 400);
    ck_assert_ptr_nonnull(
        strstr(gateway_stack_response.body, "invalid_request_id"));
    ck_assert_msg(http_client_next(fd, 500) != HTTP_CLIENT_MORE,
                  "a second response came for one request");
    close(fd);
    // The curl --next case: the next real request gets its own answer.
    fd = http_client_connect(gateway_stack.port);
    http_client_send(fd, "POST", "/v1/cases",
                     "X-Request-Id: a b\r\n"
                     "Content-Type: application/json\r\n",
                     "{\"kind\":\"inquiry\"}", 18);
    ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
    ck_assert_int_eq(gateway_stack_response.status, 400);
    http_client_send(fd, "GET", "/healthz", NULL, NULL, 0);
    if (http_client_read(fd, &gateway_stack_response) == 0) {
        ck_assert_int_eq(gateway_stack_response.status, 200);
    } // else: the gateway closed after the 400, which is also correct
    close(fd);
}
END_TEST

START_TEST(test_gateway_deadline_504)
{
    gateway_stack_wait_routed();
    int64_t start = cm_time_mono_ms();
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET",
                                         "/v1/cases/slow",
                                         "Authorization: Bearer tok-head\r\n",
                                         NULL, &gateway_stack_response),
                     0);
    int64_t took = cm_time_mono_ms() - start;
    ck_assert_int_eq(gateway_stack_response.status, 504);
    ck_assert_int_lt(took, GATEWAY_STACK_SLOW_MS);
    ck_assert_int_ge(took, GATEWAY_STACK_DEADLINE_MS - 50);
    // The late reply is dropped; the gateway still answers.
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET",
                                         "/v1/cases/echo",
                                         "Authorization: Bearer tok-head\r\n",
                                         NULL, &gateway_stack_response),
                     0);
    ck_assert_int_eq(gateway_stack_response.status, 200);
}
END_TEST

START_TEST(test_gateway_rate_limit_429)
{
    gateway_stack_wait_routed();
    int limited = 0;
    char value[64];
    for (int i = 0; i < 40 && !limited; i++) {
        http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                            "Authorization: Bearer tok-rate\r\n", NULL,
                            &gateway_stack_response);
        if (gateway_stack_response.status == 429) {
            limited = i + 1;
            ck_assert_ptr_nonnull(http_client_header(
                &gateway_stack_response, "Retry-After", value, sizeof value));
        }
    }
    ck_assert_int_gt(limited, 15); // burst 20 (less refill)
    // Another token has its own bucket.
    http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                        "Authorization: Bearer tok-head\r\n", NULL,
                        &gateway_stack_response);
    ck_assert_int_eq(gateway_stack_response.status, 200);
}
END_TEST

static int
s_readyz(void)
{
    http_client_request(gateway_stack.port, "GET", "/readyz", NULL, NULL,
                        &gateway_stack_response);
    return gateway_stack_response.status;
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
    gateway_stack_worker_t dispatch;
    ck_assert(s_wait_readyz(503));
    ck_assert_ptr_nonnull(
        strstr(gateway_stack_response.body, "service:dispatch"));
    gateway_stack_worker_start(&dispatch, "dispatch",
                               gateway_stack.broker_port);
    ck_assert(s_wait_readyz(200));
    gateway_stack_worker_stop(&gateway_stack.intake);
    ck_assert(s_wait_readyz(503));
    ck_assert_ptr_nonnull(
        strstr(gateway_stack_response.body, "service:intake"));
    gateway_stack_worker_start(&gateway_stack.intake, "intake",
                               gateway_stack.broker_port);
    ck_assert(s_wait_readyz(200));
    gateway_stack_worker_stop(&dispatch);
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
    http_client_request(gateway_stack.port, "POST", "/v1/events",
                        "Authorization: Bearer tok-head\r\n"
                        "Content-Type: application/json\r\n",
                        body, &gateway_stack_response);
    if (duplicate) {
        *duplicate =
            strstr(gateway_stack_response.body, "\"duplicate\":true") != NULL;
    }
    return gateway_stack_response.status;
}

START_TEST(test_gateway_events_ingest_once)
{
    gateway_stack_wait_routed();
    bool duplicate = true;
    ck_assert_int_eq(s_post_event("call-1", &duplicate), 202);
    ck_assert(!duplicate);
    ck_assert_int_eq(s_post_event("call-1", &duplicate), 202);
    ck_assert(duplicate);
    char *length = harness_redis_cmd(&gateway_stack.redis, "XLEN",
                                     "sm:{ingest}:outbox", (const char *)NULL);
    ck_assert_str_eq(length, "1");
    free(length);
    // Unknown fields are named; an agent may not publish.
    http_client_request(gateway_stack.port, "POST", "/v1/events",
                        "Authorization: Bearer tok-head\r\n"
                        "Content-Type: application/json\r\n",
                        "{\"id\":\"x\",\"bogus\":1}", &gateway_stack_response);
    ck_assert_int_eq(gateway_stack_response.status, 400);
    ck_assert_ptr_nonnull(strstr(gateway_stack_response.body, "bogus"));
    http_client_request(gateway_stack.port, "POST", "/v1/events",
                        "Authorization: Bearer tok-agent\r\n"
                        "Content-Type: application/json\r\n",
                        "{}", &gateway_stack_response);
    ck_assert_int_eq(gateway_stack_response.status, 403);
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
    int fd = http_client_connect(gateway_stack.port);
    http_client_send(fd, "GET", "/v1/events/stream", headers, NULL, 0);
    seen[0] = '\0';
    ck_assert(s_sse_wait(fd, "\r\n\r\n", seen, size));
    ck_assert_msg(strstr(seen, "text/event-stream"), "got: %s", seen);
    return fd;
}

START_TEST(test_gateway_sse_resume)
{
    gateway_stack_wait_routed();
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
    if (http_client_request(gateway_stack.port, "GET", "/metrics", NULL, NULL,
                            &gateway_stack_response)
            != 0
        || gateway_stack_response.status != 200) {
        return -1;
    }
    const char *line = strstr(gateway_stack_response.body, prefix);
    return line ? strtoll(line + strlen(prefix), NULL, 10) : -1;
}

START_TEST(test_gateway_metrics_outbox_lag)
{
    gateway_stack_wait_routed();
    // A consumer group that has read nothing of three ingested events.
    char *reply =
        harness_redis_cmd(&gateway_stack.redis, "XGROUP", "CREATE",
                          "sm:{ingest}:outbox", "lagger", "0", "MKSTREAM");
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
    ck_assert_msg(lag == 3, "lag %lld; /metrics: %s", lag,
                  gateway_stack_response.body);
    ck_assert_ptr_nonnull(strstr(gateway_stack_response.body,
                                 "sm_outbox_pending{stream=\"sm:{ingest}:"
                                 "outbox\",group=\"lagger\"} 0\n"));
}
END_TEST

// gateway/embed_broker: no broker process; the gateway runs the broker and
// binds its port, the workers connect there as to a broker process, and a
// request and the readiness probe go through it in-process.
static void
s_embedded_setup(void)
{
    const char *extra[] = {"SM_GATEWAY__EMBED_BROKER=true", NULL};
    gateway_stack_start(extra);
}

START_TEST(test_gateway_embedded_broker)
{
    ck_assert_int_eq(gateway_stack.broker.pid, 0);
    gateway_stack_wait_routed();
    http_client_response_t *r = &gateway_stack_response;
    ck_assert_int_eq(http_client_request(gateway_stack.port, "POST",
                                         "/v1/cases",
                                         "Authorization: Bearer tok-agent\r\n"
                                         "Content-Type: application/json\r\n",
                                         "{\"a\":1}", r),
                     0);
    ck_assert_int_eq(r->status, 201);
    gateway_stack_worker_t dispatch;
    gateway_stack_worker_start(&dispatch, "dispatch",
                               gateway_stack.broker_port);
    ck_assert(s_wait_readyz(200));
    gateway_stack_worker_stop(&dispatch);
    ck_assert(harness_proc_wait_event(&gateway_stack.gateway, "broker.started",
                                      1, HARNESS_WAIT_MS));
}
END_TEST

Suite *
gateway_suite(void)
{
    Suite *suite = suite_create("gateway");
    TCase *http = tcase_create("http");
    tcase_add_checked_fixture(http, gateway_stack_setup,
                              gateway_stack_teardown);
    tcase_set_timeout(http, 60);
    tcase_add_test(http, test_gateway_local_endpoints);
    tcase_add_test(http, test_gateway_request_errors);
    tcase_add_test(http, test_gateway_routed_envelope);
    tcase_add_test(http, test_gateway_reply_body_as_sent);
    tcase_add_test(http, test_gateway_empty_body_keep_alive);
    tcase_add_test(http, test_gateway_too_large_keeps_serving);
    tcase_add_test(http, test_gateway_rejected_body_is_not_a_request);
    tcase_add_test(http, test_gateway_deadline_504);
    tcase_add_test(http, test_gateway_rate_limit_429);
    tcase_add_test(http, test_gateway_readyz);
    tcase_add_test(http, test_gateway_events_ingest_once);
    tcase_add_test(http, test_gateway_sse_resume);
    tcase_add_test(http, test_gateway_metrics_outbox_lag);
    suite_add_tcase(suite, http);
    TCase *embedded = tcase_create("embedded");
    tcase_add_checked_fixture(embedded, s_embedded_setup,
                              gateway_stack_teardown);
    tcase_set_timeout(embedded, 60);
    tcase_add_test(embedded, test_gateway_embedded_broker);
    suite_add_tcase(suite, embedded);
    return suite;
}
