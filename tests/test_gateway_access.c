// Integration suite of the gateway's authentication cache and its limits
// (tests/gateway_stack): a token's own expiry, a suspension or revocation
// ends cached authorisations at once (the personnel binary behind the
// gateway), failed authentication is throttled per client address.
// Register with `gateway_access_suite`.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_time.h"
#include "gateway_stack.h"
#include "harness_mdp.h"
#include "http_client.h"
#include "suites.h"

#define S_BOOT_TOKEN  "smt_gateway_access_bootstrap_token_0123456789abcdef"
#define S_FAIL_BURST  10   // gateway/auth_failure_burst in these tests
#define S_EVENT_MS    5000 // how long an event may take to reach the gateway
#define S_HEADERS_MAX 512
#define S_POLL_MS     250 // below the tests' per-token rate (5/s)

// ---- fixtures

static void
s_setup_personnel(void)
{
    gateway_stack_start(NULL);
    gateway_stack_use_personnel(S_BOOT_TOKEN);
}

static void
s_setup_throttle(void)
{
    const char *env[] = {"SM_GATEWAY__AUTH_FAILURE_BURST=10",
                         "SM_GATEWAY__AUTH_FAILURES_PER_MIN=6", NULL};
    gateway_stack_start(env);
}

// ---- helpers

// One request with a bearer token and an optional JSON body; asserts the
// status and returns the parsed body (caller owns it; may be NULL).
static json_t *
s_api(const char *method, const char *path, const char *token, const char *body,
      int status)
{
    char headers[S_HEADERS_MAX];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n%s", token,
             body ? "Content-Type: application/json\r\n" : "");
    http_client_response_t *r = &gateway_stack_response;
    http_client_request(gateway_stack.port, method, path, headers, body, r);
    ck_assert_msg(r->status == status, "%s %s: want %d, got %d %s", method,
                  path, status, r->status, r->body);
    return json_loads(r->body, 0, NULL);
}

// A department, a cs_agent in it and a token for them; writes the staff
// id (48 bytes), token id (48 bytes) and secret (96 bytes).
static void
s_staff_with_token(const char *department, char *id, char *token_id,
                   char *secret)
{
    char body[256];
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}", department,
             department);
    json_decref(s_api("POST", "/v1/departments", S_BOOT_TOKEN, body, 201));
    snprintf(body, sizeof body,
             "{\"name\":\"Sam Staff\",\"role\":\"cs_agent\","
             "\"department\":\"%s\"}",
             department);
    json_t *staff = s_api("POST", "/v1/staff", S_BOOT_TOKEN, body, 201);
    snprintf(id, 48, "%s", json_string_value(json_object_get(staff, "id")));
    json_decref(staff);
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", id);
    json_t *token = s_api("POST", path, S_BOOT_TOKEN, "{}", 201);
    snprintf(token_id, 48, "%s",
             json_string_value(json_object_get(token, "id")));
    snprintf(secret, 96, "%s",
             json_string_value(json_object_get(token, "token")));
    json_decref(token);
}

// The status of GET /v1/staff/<id> with token.
static int
s_read_self(const char *id, const char *token)
{
    char path[128], headers[S_HEADERS_MAX];
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", token);
    http_client_request(gateway_stack.port, "GET", path, headers, NULL,
                        &gateway_stack_response);
    return gateway_stack_response.status;
}

static bool
s_refused(int status)
{
    return status == 401 || status == 403;
}

// ---- tests

// A token used before its expiry is cached no longer than its expiry.
START_TEST(test_gateway_access_token_expiry)
{
    gateway_stack_wait_routed();
    int64_t start = cm_time_mono_ms();
    int status = 0;
    http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                        "Authorization: Bearer tok-soon\r\n", NULL,
                        &gateway_stack_response);
    ck_assert_int_eq(gateway_stack_response.status, 200);
    int64_t until = start + GATEWAY_STACK_SOON_MS + 3000;
    while (status != 401 && cm_time_mono_ms() < until) {
        usleep(S_POLL_MS * 1000);
        http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                            "Authorization: Bearer tok-soon\r\n", NULL,
                            &gateway_stack_response);
        status = gateway_stack_response.status;
    }
    ck_assert_msg(status == 401, "tok-soon still answered %d after expiry",
                  status);
    ck_assert_int_lt(cm_time_mono_ms() - start,
                     GATEWAY_STACK_SOON_MS + 2 * S_POLL_MS + 500);
}
END_TEST

// Suspended through this gateway: the very next request is refused.
START_TEST(test_gateway_access_suspension_is_immediate)
{
    char id[48], token_id[48], secret[96];
    s_staff_with_token("access_a", id, token_id, secret);
    ck_assert_int_eq(s_read_self(id, secret), 200);
    ck_assert_int_eq(s_read_self(id, secret), 200); // now cached
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", id);
    json_decref(s_api("POST", path, S_BOOT_TOKEN,
                      "{\"reason\":\"investigation\"}", 200));
    int status = s_read_self(id, secret);
    ck_assert_msg(s_refused(status), "suspended staff got %d", status);
}
END_TEST

// A revoked token stops at once, the same way.
START_TEST(test_gateway_access_revocation_is_immediate)
{
    char id[48], token_id[48], secret[96];
    s_staff_with_token("access_b", id, token_id, secret);
    ck_assert_int_eq(s_read_self(id, secret), 200);
    char path[160];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens/%s", id, token_id);
    json_decref(s_api("DELETE", path, S_BOOT_TOKEN, NULL, 200));
    int status = s_read_self(id, secret);
    ck_assert_msg(s_refused(status), "revoked token got %d", status);
}
END_TEST

// A change that did not pass through this gateway (here: straight to
// personnel over the broker) reaches it as personnel's event.
START_TEST(test_gateway_access_event_ends_cache)
{
    char id[48], token_id[48], secret[96];
    s_staff_with_token("access_c", id, token_id, secret);
    ck_assert_int_eq(s_read_self(id, secret), 200);
    char endpoint[64], path[128];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d",
             gateway_stack.broker_port);
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", id);
    cm_mdp_client_t *client = cm_mdp_client_new(endpoint);
    json_t *actor = harness_mdp_actor("ST-1", "station_head", "management");
    json_t *body = json_pack("{s:s}", "reason", "elsewhere");
    cm_envelope_request_t fields = {
        .actor = actor, .method = "POST", .path = path, .body = body};
    json_t *reply = harness_mdp_call(client, "personnel", &fields, 5000);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    json_decref(body);
    json_decref(actor);
    cm_mdp_client_destroy(&client);
    int64_t until = cm_time_mono_ms() + S_EVENT_MS;
    int status = 200;
    while (!s_refused(status) && cm_time_mono_ms() < until) {
        usleep(S_POLL_MS * 1000);
        status = s_read_self(id, secret);
    }
    ck_assert_msg(s_refused(status), "still %d after the event", status);
}
END_TEST

// Random tokens from one address: a few 401s, then 429 with Retry-After
// without asking personnel; a token already cached still works.
START_TEST(test_gateway_access_failed_auth_throttled)
{
    gateway_stack_wait_routed();
    http_client_response_t *r = &gateway_stack_response;
    http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                        "Authorization: Bearer tok-head\r\n", NULL, r);
    ck_assert_int_eq(r->status, 200);
    int unauthorized = 0, limited = 0;
    char headers[128], value[64];
    for (int i = 0; i < 3 * S_FAIL_BURST; i++) {
        snprintf(headers, sizeof headers,
                 "Authorization: Bearer random-%d-%lld\r\n", i,
                 (long long)cm_time_now_ms());
        http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                            headers, NULL, r);
        unauthorized += r->status == 401;
        if (r->status == 429) {
            limited++;
            ck_assert_ptr_nonnull(
                http_client_header(r, "Retry-After", value, sizeof value));
            ck_assert_int_gt(atoi(value), 0);
            ck_assert_str_eq(
                http_client_header(r, "Content-Type", value, sizeof value),
                "application/problem+json");
        }
    }
    ck_assert_int_le(unauthorized, S_FAIL_BURST + 1);
    ck_assert_int_ge(limited, S_FAIL_BURST);
    http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                        "Authorization: Bearer tok-head\r\n", NULL, r);
    ck_assert_int_eq(r->status, 200);
}
END_TEST

Suite *
gateway_access_suite(void)
{
    Suite *suite = suite_create("gateway_access");
    TCase *expiry = tcase_create("expiry");
    tcase_add_checked_fixture(expiry, gateway_stack_setup,
                              gateway_stack_teardown);
    tcase_set_timeout(expiry, 60);
    tcase_add_test(expiry, test_gateway_access_token_expiry);
    suite_add_tcase(suite, expiry);
    TCase *revoke = tcase_create("revoke");
    tcase_add_checked_fixture(revoke, s_setup_personnel,
                              gateway_stack_teardown);
    tcase_set_timeout(revoke, 60);
    tcase_add_test(revoke, test_gateway_access_suspension_is_immediate);
    tcase_add_test(revoke, test_gateway_access_revocation_is_immediate);
    tcase_add_test(revoke, test_gateway_access_event_ends_cache);
    suite_add_tcase(suite, revoke);
    TCase *throttle = tcase_create("throttle");
    tcase_add_checked_fixture(throttle, s_setup_throttle,
                              gateway_stack_teardown);
    tcase_set_timeout(throttle, 60);
    tcase_add_test(throttle, test_gateway_access_failed_auth_throttled);
    suite_add_tcase(suite, throttle);
    return suite;
}
