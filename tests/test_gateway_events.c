// Integration suite of the gateway's event stream and metrics text
// (tests/gateway_stack): what each department sees live and on replay, a
// Last-Event-ID that names no stream, and /metrics as promtool reads it.
// Register with `gateway_events_suite`.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cm_time.h"
#include "gateway_stack.h"
#include "harness.h"
#include "http_client.h"
#include "suites.h"

#define S_SEEN_MAX   65536 // bytes of one event stream kept by a test
#define S_WAIT_MS    5000  // how long an event may take to arrive
#define S_OUTPUT_MAX 4096  // promtool output kept

#define S_DEPT_EVENT_JSON                                                      \
    "{\"id\":\"%s\",\"source\":\"pbx\",\"type\":\"call.received\","            \
    "\"specversion\":\"1.0\",\"time\":\"2026-11-27T08:00:00Z\","               \
    "\"data\":{\"department\":\"%s\",\"text\":\"%s secret\"}}"

// ---- helpers

// POST /v1/events as the station head (department management) about a
// subject of `department`; asserts 202.
static void
s_post(const char *id, const char *department)
{
    char body[512];
    snprintf(body, sizeof body, S_DEPT_EVENT_JSON, id, department, id);
    http_client_request(gateway_stack.port, "POST", "/v1/events",
                        "Authorization: Bearer tok-head\r\n"
                        "Content-Type: application/json\r\n",
                        body, &gateway_stack_response);
    ck_assert_int_eq(gateway_stack_response.status, 202);
}

// Read from a stream until text appears in seen (NUL-terminated, appended).
static bool
s_wait_for(int fd, const char *text, char *seen, size_t size)
{
    size_t used = strlen(seen);
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
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

// Open GET /v1/events/stream with token (and Last-Event-ID when not
// NULL); asserts the event-stream head.
static int
s_open(const char *token, const char *last, char *seen, size_t size)
{
    char headers[512];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n%s%s%s",
             token, last ? "Last-Event-ID: " : "", last ? last : "",
             last ? "\r\n" : "");
    int fd = http_client_connect(gateway_stack.port);
    ck_assert_int_ge(fd, 0);
    http_client_send(fd, "GET", "/v1/events/stream", headers, NULL, 0);
    seen[0] = '\0';
    ck_assert(s_wait_for(fd, "\r\n\r\n", seen, size));
    ck_assert_msg(strstr(seen, "text/event-stream"), "got: %s", seen);
    return fd;
}

// ---- tests

// A system account of management and a technician: each sees the events
// whose subject is in its department, whoever acted (the poster is the
// station head, of management), live and on replay from the beginning.
START_TEST(test_gateway_events_by_subject_department)
{
    gateway_stack_wait_routed();
    static char system[S_SEEN_MAX], tech[S_SEEN_MAX];
    int system_fd = s_open("tok-sys", NULL, system, sizeof system);
    int tech_fd = s_open("tok-tech", NULL, tech, sizeof tech);
    ck_assert(s_wait_for(system_fd, "heartbeat", system, sizeof system));
    ck_assert(s_wait_for(tech_fd, "heartbeat", tech, sizeof tech));
    s_post("tech-1", "technical");
    s_post("mgmt-1", "management");
    s_post("tech-2", "technical");
    ck_assert(s_wait_for(tech_fd, "tech-2 secret", tech, sizeof tech));
    ck_assert_ptr_nonnull(strstr(tech, "tech-1 secret"));
    ck_assert_msg(!strstr(tech, "mgmt-1"), "technical saw management's");
    s_post("mgmt-2", "management");
    ck_assert(s_wait_for(system_fd, "mgmt-2 secret", system, sizeof system));
    ck_assert_ptr_nonnull(strstr(system, "mgmt-1 secret"));
    ck_assert_msg(!strstr(system, "tech-"), "management saw: %s", system);
    close(system_fd);
    close(tech_fd);
    // Replay of the whole ingest history: the same filter.
    system_fd =
        s_open("tok-sys", "sm:{ingest}:outbox/0-0", system, sizeof system);
    ck_assert(s_wait_for(system_fd, "mgmt-2 secret", system, sizeof system));
    ck_assert_ptr_nonnull(strstr(system, "mgmt-1 secret"));
    ck_assert_msg(!strstr(system, "tech-"), "replay leaked: %s", system);
    close(system_fd);
}
END_TEST

// A Last-Event-ID that names no stream is refused; it replays nothing.
START_TEST(test_gateway_events_unknown_last_event_id)
{
    gateway_stack_wait_routed();
    s_post("known-1", "management");
    const char *bad[] = {"Last-Event-ID: sm:{nowhere}:outbox/0-0\r\n",
                         "Last-Event-ID: hello\r\n"};
    char headers[256], value[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(headers, sizeof headers,
                 "Authorization: Bearer tok-head\r\n%s", bad[i]);
        http_client_request(gateway_stack.port, "GET", "/v1/events/stream",
                            headers, NULL, &gateway_stack_response);
        ck_assert_int_eq(gateway_stack_response.status, 400);
        ck_assert_str_eq(http_client_header(&gateway_stack_response,
                                            "Content-Type", value,
                                            sizeof value),
                         "application/problem+json");
        ck_assert_ptr_nonnull(
            strstr(gateway_stack_response.body, "invalid_last_event_id"));
    }
    static char seen[S_SEEN_MAX];
    int fd = s_open("tok-head", "sm:{ingest}:outbox/0-0", seen, sizeof seen);
    ck_assert(s_wait_for(fd, "known-1 secret", seen, sizeof seen));
    close(fd);
}
END_TEST

// /metrics passes `promtool check metrics` without a single remark.
START_TEST(test_gateway_events_promtool_metrics)
{
    gateway_stack_wait_routed();
    ck_assert_msg(system("command -v promtool >/dev/null 2>&1") == 0,
                  "promtool (Debian package prometheus) is not installed: "
                  "run scripts/install-deps");
    // Until the broker's stats are in (every family shows).
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    do {
        http_client_request(gateway_stack.port, "GET", "/metrics", NULL, NULL,
                            &gateway_stack_response);
    } while (!strstr(gateway_stack_response.body, "sm_broker_workers{")
             && cm_time_mono_ms() < until && usleep(100 * 1000) == 0);
    ck_assert_int_eq(gateway_stack_response.status, 200);
    ck_assert_msg(strstr(gateway_stack_response.body, "sm_broker_workers{"),
                  "%s", gateway_stack_response.body);
    char path[] = "/tmp/sm-metrics-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert(
        write(fd, gateway_stack_response.body, gateway_stack_response.body_size)
        == (ssize_t)gateway_stack_response.body_size);
    close(fd);
    char command[128], output[S_OUTPUT_MAX] = "";
    snprintf(command, sizeof command, "promtool check metrics < %s 2>&1", path);
    FILE *pipe = popen(command, "r");
    ck_assert_ptr_nonnull(pipe);
    size_t used = fread(output, 1, sizeof output - 1, pipe);
    output[used] = '\0';
    int status = pclose(pipe);
    unlink(path);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 && used == 0,
                  "promtool: exit %d: %s", WEXITSTATUS(status), output);
}
END_TEST

Suite *
gateway_events_suite(void)
{
    Suite *suite = suite_create("gateway_events");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, gateway_stack_setup,
                              gateway_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_gateway_events_by_subject_department);
    tcase_add_test(core, test_gateway_events_unknown_last_event_id);
    tcase_add_test(core, test_gateway_events_promtool_metrics);
    suite_add_tcase(suite, core);
    return suite;
}
