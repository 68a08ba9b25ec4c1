// Integration suite of the gateway's HTTP framing (tests/gateway_stack):
// legal header values are served, malformed requests get a problem+json
// with the right status and a closed connection, half-sent and idle
// connections time out, one address holds a bounded number of connections;
// routed requests the front thread serves itself (gateway_local) keep the
// order of requests on a pipelined keep-alive connection, mixed with
// requests nng answers, and a client that leaves before its response
// arrives costs nothing. Register with `gateway_framing_suite`.
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cm_time.h"
#include "gateway_stack.h"
#include "http_client.h"
#include "suites.h"

#define S_HEADER_TIMEOUT_MS 500  // gateway/header_timeout_ms ("timeouts")
#define S_IDLE_TIMEOUT_MS   800  // gateway/idle_timeout_ms ("timeouts")
#define S_CAP               8    // gateway/max_connections_per_client ("cap")
#define S_GRACE_MS          2000 // how late a timeout may fire, at most
#define S_RAW_MAX           (64 * 1024)

static char s_raw[S_RAW_MAX]; // a hand-made request

// ---- fixtures

static void
s_setup_timeouts(void)
{
    const char *env[] = {"SM_GATEWAY__HEADER_TIMEOUT_MS=500",
                         "SM_GATEWAY__IDLE_TIMEOUT_MS=800", NULL};
    gateway_stack_start(env);
}

static void
s_setup_cap(void)
{
    const char *env[] = {"SM_GATEWAY__MAX_CONNECTIONS_PER_CLIENT=8", NULL};
    gateway_stack_start(env);
}

// ---- helpers

// Send raw bytes on a new connection and read one response; fd returned.
static int
s_exchange(const char *raw, size_t size, http_client_response_t *response)
{
    int fd = http_client_connect(gateway_stack.port);
    ck_assert_int_ge(fd, 0);
    http_client_send_raw(fd, raw, size);
    ck_assert_msg(http_client_read(fd, response) == 0, "no response to: %.80s",
                  raw);
    return fd;
}

// The response is a problem+json of status, and the connection closes.
static void
s_expect_problem(const char *raw, size_t size, int status)
{
    http_client_response_t *r = &gateway_stack_response;
    int fd = s_exchange(raw, size, r);
    char value[128];
    ck_assert_msg(r->status == status, "want %d, got %d for %.60s", status,
                  r->status, raw);
    ck_assert_str_eq(http_client_header(r, "Content-Type", value, sizeof value),
                     "application/problem+json");
    json_t *body = json_loads(r->body, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(body, "status")),
                     status);
    json_decref(body);
    ck_assert_msg(http_client_next(fd, S_GRACE_MS) == HTTP_CLIENT_CLOSED,
                  "connection left open after %d", status);
    close(fd);
}

// ---- tests

// Tabs and bytes 0x80-0xFF are legal in field values; a control byte is a
// 400, not a dropped connection.
START_TEST(test_gateway_framing_legal_values)
{
    const char *values[] = {"a\tb", "caf\xc3\xa9", "\x80\xff"};
    http_client_response_t *r = &gateway_stack_response;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int size = snprintf(s_raw, sizeof s_raw,
                            "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                            "X-Foo: %s\r\n\r\n",
                            values[i]);
        int fd = s_exchange(s_raw, (size_t)size, r);
        ck_assert_int_eq(r->status, 200);
        close(fd);
    }
    int size = snprintf(s_raw, sizeof s_raw,
                        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Foo: a\x01"
                        "b\r\n\r\n");
    s_expect_problem(s_raw, (size_t)size, 400);
}
END_TEST

// Malformed requests: problem+json with the right status, then closed.
START_TEST(test_gateway_framing_malformed)
{
    static const struct {
        const char *raw;
        int status;
    } cases[] = {
        {"GET GET /x HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505},
        {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
        {"GET /v1/cases?x=\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /healthz HTTP/1.1\r\n\r\n", 400},
        {"POST /v1/cases HTTP/1.1\r\nHost: x\r\n"
         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         411},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s_expect_problem(cases[i].raw, strlen(cases[i].raw), cases[i].status);
    }
    // A NUL byte in the path.
    static const char nul[] = "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n";
    s_expect_problem(nul, sizeof nul - 1, 400);
    // A URL of 8 KB.
    int size = snprintf(s_raw, sizeof s_raw,
                        "GET /%08192d HTTP/1.1\r\n"
                        "Host: x\r\n\r\n",
                        0);
    s_expect_problem(s_raw, (size_t)size, 414);
    // A header line of 16 KB.
    size = snprintf(s_raw, sizeof s_raw,
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                    "X-Big: ");
    memset(s_raw + size, 'b', 16384);
    size += 16384;
    size += snprintf(s_raw + size, sizeof s_raw - (size_t)size, "\r\n\r\n");
    s_expect_problem(s_raw, (size_t)size, 431);
    // 1,000 header fields.
    size =
        snprintf(s_raw, sizeof s_raw, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 1000; i++) {
        size += snprintf(s_raw + size, sizeof s_raw - (size_t)size,
                         "X-%d: 1\r\n", i);
    }
    size += snprintf(s_raw + size, sizeof s_raw - (size_t)size, "\r\n");
    s_expect_problem(s_raw, (size_t)size, 431);
}
END_TEST

// A half-sent request gets 408 and a closed connection after the header
// timeout; an idle keep-alive connection is closed after the idle timeout.
START_TEST(test_gateway_framing_timeouts)
{
    static const char half[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    int fd = http_client_connect(gateway_stack.port);
    int64_t start = cm_time_mono_ms();
    http_client_send_raw(fd, half, sizeof half - 1);
    ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
    ck_assert_int_eq(gateway_stack_response.status, 408);
    int64_t took = cm_time_mono_ms() - start;
    ck_assert_int_ge(took, S_HEADER_TIMEOUT_MS - 50);
    ck_assert_int_lt(took, S_HEADER_TIMEOUT_MS + S_GRACE_MS);
    ck_assert_int_eq(http_client_next(fd, S_GRACE_MS), HTTP_CLIENT_CLOSED);
    close(fd);
    // Connected, nothing sent: closed after the header timeout.
    fd = http_client_connect(gateway_stack.port);
    ck_assert_int_eq(http_client_next(fd, S_HEADER_TIMEOUT_MS + S_GRACE_MS),
                     HTTP_CLIENT_CLOSED);
    close(fd);
    // Idle after a response.
    fd = http_client_connect(gateway_stack.port);
    http_client_send(fd, "GET", "/healthz", NULL, NULL, 0);
    ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
    ck_assert_int_eq(gateway_stack_response.status, 200);
    start = cm_time_mono_ms();
    ck_assert_int_eq(http_client_next(fd, S_IDLE_TIMEOUT_MS + S_GRACE_MS),
                     HTTP_CLIENT_CLOSED);
    ck_assert_int_ge(cm_time_mono_ms() - start, S_IDLE_TIMEOUT_MS - 150);
    close(fd);
}
END_TEST

// One address holds at most S_CAP connections: the next is refused with
// 429 and closed; once one closes, a new one is served again.
START_TEST(test_gateway_framing_connection_cap)
{
    int fds[S_CAP];
    for (int i = 0; i < S_CAP; i++) {
        fds[i] = http_client_connect(gateway_stack.port);
        http_client_send(fds[i], "GET", "/healthz", NULL, NULL, 0);
        ck_assert_int_eq(http_client_read(fds[i], &gateway_stack_response), 0);
        ck_assert_int_eq(gateway_stack_response.status, 200);
    }
    static const char request[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    s_expect_problem(request, sizeof request - 1, 429);
    char value[16];
    ck_assert_ptr_nonnull(http_client_header(
        &gateway_stack_response, "Retry-After", value, sizeof value));
    close(fds[0]);
    int64_t until = cm_time_mono_ms() + S_GRACE_MS;
    int status = 0;
    while (status != 200 && cm_time_mono_ms() < until) {
        http_client_request(gateway_stack.port, "GET", "/healthz", NULL, NULL,
                            &gateway_stack_response);
        status = gateway_stack_response.status;
    }
    ck_assert_int_eq(status, 200);
    for (int i = 1; i < S_CAP; i++) {
        close(fds[i]);
    }
}
END_TEST

// ---- served by the front thread

#define S_AUTH "Authorization: Bearer tok-head\r\n"

// Read one response head (for a HEAD request: no body follows).
static void
s_read_head(int fd, char *head, size_t size)
{
    size_t used = 0;
    head[0] = '\0';
    while (used + 1 < size && !strstr(head, "\r\n\r\n")) {
        ck_assert_int_eq(recv(fd, head + used, 1, 0), 1);
        head[++used] = '\0';
    }
}

// The next response on fd has status and X-Request-Id id.
static void
s_expect_next(int fd, int status, const char *id)
{
    http_client_response_t *r = &gateway_stack_response;
    char value[160];
    ck_assert_int_eq(http_client_read(fd, r), 0);
    ck_assert_msg(r->status == status, "%s: want %d, got %d", id, status,
                  r->status);
    ck_assert_str_eq(http_client_header(r, "X-Request-Id", value, sizeof value),
                     id);
}

// Pipelined on one keep-alive connection: a routed request answered late
// (504 at the deadline), one nng answers, a routed POST, a HEAD. The
// responses come in the order of the requests, each with its own id.
START_TEST(test_gateway_framing_served_in_order)
{
    gateway_stack_wait_routed();
    const char *body = "{\"subject\":\"order\"}";
    int size = snprintf(
        s_raw, sizeof s_raw,
        "GET /v1/cases/slow HTTP/1.1\r\nHost: x\r\n" S_AUTH
        "X-Request-Id: r-slow\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: r-health\r\n\r\n"
        "POST /v1/cases/echo HTTP/1.1\r\nHost: x\r\n" S_AUTH
        "X-Request-Id: r-post\r\nContent-Type: application/json\r\n"
        "Content-Length: %zu\r\n\r\n%s"
        "GET /v1/cases/echo HTTP/1.1\r\nHost: x\r\n" S_AUTH
        "X-Request-Id: r-get\r\n\r\n"
        "HEAD /v1/cases/echo HTTP/1.1\r\nHost: x\r\n" S_AUTH
        "X-Request-Id: r-head\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: r-last\r\n\r\n",
        strlen(body), body);
    int fd = http_client_connect(gateway_stack.port);
    ck_assert_int_ge(fd, 0);
    http_client_send_raw(fd, s_raw, (size_t)size);
    s_expect_next(fd, 504, "r-slow");
    s_expect_next(fd, 200, "r-health");
    s_expect_next(fd, 201, "r-post");
    json_t *echo = json_loads(gateway_stack_response.body, 0, NULL);
    json_t *envelope = json_object_get(echo, "envelope");
    ck_assert_str_eq(
        json_string_value(json_object_get(envelope, "correlation_id")),
        "r-post");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(envelope, "body"), "subject")),
                     "order");
    json_decref(echo);
    s_expect_next(fd, 200, "r-get");
    char head[8192];
    s_read_head(fd, head, sizeof head);
    ck_assert_msg(strncmp(head, "HTTP/1.1 200", 12) == 0, "HEAD: %.40s", head);
    ck_assert_ptr_nonnull(strstr(head, "X-Request-Id: r-head\r\n"));
    ck_assert_ptr_nonnull(strstr(head, "Content-Length: "));
    s_expect_next(fd, 200, "r-last"); // no body bytes came after the HEAD's
    // Connection: close on a served request: answered, then closed.
    http_client_send(fd, "GET", "/v1/cases/echo",
                     S_AUTH "Connection: close\r\nX-Request-Id: r-close\r\n",
                     NULL, 0);
    s_expect_next(fd, 200, "r-close");
    ck_assert_int_eq(http_client_next(fd, S_GRACE_MS), HTTP_CLIENT_CLOSED);
    close(fd);
}
END_TEST

// sm_http_in_flight from /metrics.
static long
s_in_flight(void)
{
    http_client_response_t *r = &gateway_stack_response;
    if (http_client_request(gateway_stack.port, "GET", "/metrics", S_AUTH, NULL,
                            r)
            != 0
        || r->status != 200) {
        return -1;
    }
    const char *line = strstr(r->body, "\nsm_http_in_flight ");
    return line ? strtol(line + 20, NULL, 10) : -1;
}

// Clients that leave before their response arrives (closed, or half
// closed): nothing is sent to them, nothing is held, the gateway serves on.
START_TEST(test_gateway_framing_served_client_leaves)
{
    gateway_stack_wait_routed();
    for (int i = 0; i < 4; i++) {
        int fd = http_client_connect(gateway_stack.port);
        ck_assert_int_ge(fd, 0);
        http_client_send(fd, "GET", i % 2 ? "/v1/cases/slow" : "/v1/cases/echo",
                         S_AUTH, NULL, 0);
        if (i >= 2) {
            shutdown(fd, SHUT_WR); // half closed: still answered
            ck_assert_int_eq(http_client_read(fd, &gateway_stack_response), 0);
            ck_assert_int_eq(gateway_stack_response.status, i % 2 ? 504 : 200);
        }
        close(fd);
    }
    long held = -1;
    int64_t until = cm_time_mono_ms() + 10000;
    while ((held = s_in_flight()) != 0 && cm_time_mono_ms() < until) {
        usleep(50 * 1000); // polling the gauge
    }
    ck_assert_int_eq(held, 0);
    ck_assert_int_eq(http_client_request(gateway_stack.port, "GET",
                                         "/v1/cases/echo", S_AUTH, NULL,
                                         &gateway_stack_response),
                     0);
    ck_assert_int_eq(gateway_stack_response.status, 200);
}
END_TEST

Suite *
gateway_framing_suite(void)
{
    Suite *suite = suite_create("gateway_framing");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, gateway_stack_setup,
                              gateway_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_gateway_framing_legal_values);
    tcase_add_test(core, test_gateway_framing_malformed);
    suite_add_tcase(suite, core);
    TCase *timeouts = tcase_create("timeouts");
    tcase_add_checked_fixture(timeouts, s_setup_timeouts,
                              gateway_stack_teardown);
    tcase_set_timeout(timeouts, 60);
    tcase_add_test(timeouts, test_gateway_framing_timeouts);
    suite_add_tcase(suite, timeouts);
    TCase *cap = tcase_create("cap");
    tcase_add_checked_fixture(cap, s_setup_cap, gateway_stack_teardown);
    tcase_set_timeout(cap, 60);
    tcase_add_test(cap, test_gateway_framing_connection_cap);
    suite_add_tcase(suite, cap);
    TCase *served = tcase_create("served");
    tcase_add_checked_fixture(served, gateway_stack_setup,
                              gateway_stack_teardown);
    tcase_set_timeout(served, 60);
    tcase_add_test(served, test_gateway_framing_served_in_order);
    tcase_add_test(served, test_gateway_framing_served_client_leaves);
    suite_add_tcase(suite, served);
    return suite;
}
