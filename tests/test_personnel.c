// Integration tests of the personnel service: a private redis-server, the
// broker and the personnel binary, requests over MDP (cm_mdp_client).
// Suite: personnel_suite (declare it in tests/suites.h).
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "suites.h"
#include "test_personnel_stack.h"

// True when events hold one of type.
static bool
s_has_event(const personnel_events_t *events, const char *type)
{
    return personnel_last_event(events, type) != NULL;
}

// ---- bootstrap

START_TEST(test_personnel_bootstrap_given_token)
{
    json_t *gateway = personnel_gateway();
    json_t *body = json_pack("{s:s}", "token", PERSONNEL_TEST_BOOT_TOKEN);
    json_t *reply = personnel_call(gateway, "POST", "/internal/tokens/resolve",
                                   NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "id"), "ST-1");
    ck_assert_str_eq(harness_mdp_body_string(reply, "role"), "station_head");
    ck_assert_str_eq(harness_mdp_body_string(reply, "department"),
                     "management");
    json_decref(reply);
    json_t *head = personnel_head();
    reply = personnel_call(head, "GET", "/v1/departments/management", NULL,
                           NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "head"), "ST-1");
    json_decref(reply);
    ck_assert_int_eq(harness_proc_count_event(&personnel_stack.personnel[0],
                                              "personnel.bootstrap.done"),
                     1);
    ck_assert_int_eq(
        harness_proc_count_event(&personnel_stack.personnel[0],
                                 "personnel.bootstrap.token_generated"),
        0);
    personnel_events_t events = {.secret = PERSONNEL_TEST_BOOT_TOKEN};
    personnel_read_events(&events);
    ck_assert(s_has_event(&events, "personnel.staff.created"));
    ck_assert(s_has_event(&events, "personnel.token.issued"));
    ck_assert(!events.leaked);
    personnel_events_clear(&events);
    json_decref(head);
    json_decref(body);
    json_decref(gateway);
}
END_TEST

// The token_generated line of a log, copied into secret (80 bytes).
static bool
s_generated_token(const harness_proc_t *proc, char *secret)
{
    FILE *file = fopen(proc->log, "r");
    char line[4096];
    bool found = false;
    while (file && !found && fgets(line, sizeof line, file)) {
        const char *at = strstr(line, "\"bootstrap_token\":\"");
        if (strstr(line, "personnel.bootstrap.token_generated") && at) {
            at += strlen("\"bootstrap_token\":\"");
            size_t n = strcspn(at, "\"");
            snprintf(secret, 80, "%.*s", (int)(n < 79 ? n : 79), at);
            found = true;
        }
    }
    if (file) {
        fclose(file);
    }
    return found;
}

// Two replicas start at once on an empty store without a given token: one
// bootstraps and logs its token once, the other does nothing.
START_TEST(test_personnel_bootstrap_race_generated_token)
{
    int generated = 0;
    char secret[80] = "";
    for (size_t i = 0; i < PERSONNEL_TEST_REPLICAS; i++) {
        generated +=
            harness_proc_count_event(&personnel_stack.personnel[i],
                                     "personnel.bootstrap.token_generated");
        if (!secret[0]) {
            s_generated_token(&personnel_stack.personnel[i], secret);
        }
    }
    ck_assert_int_eq(generated, 1);
    ck_assert(strncmp(secret, "smt_", 4) == 0);
    ck_assert_int_eq(personnel_resolve_status(secret), 200);
    json_t *head = personnel_head();
    json_t *query = json_pack("{s:s}", "role", "station_head");
    json_t *reply = personnel_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "items")),
                     1);
    json_decref(reply);
    json_decref(query);
    json_decref(head);
}
END_TEST

// ---- tokens

START_TEST(test_personnel_token_issue_resolve_revoke)
{
    personnel_create_department("tok_dept");
    char id[48], secret[80], token_id[48];
    personnel_create_staff("Ann Agent", "cs_agent", "tok_dept", id);
    personnel_issue_token(id, NULL, secret, token_id);
    ck_assert_int_eq(personnel_resolve_status(secret), 200);
    // The owner lists their tokens: no secret in the list.
    json_t *self = harness_mdp_actor(id, "cs_agent", "tok_dept");
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", id);
    json_t *reply = personnel_call(self, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    char *text = json_dumps(reply, 0);
    ck_assert_ptr_null(strstr(text, secret));
    ck_assert_ptr_nonnull(strstr(text, token_id));
    free(text);
    json_decref(reply);
    // The owner revokes it; it stops resolving.
    snprintf(path, sizeof path, "/v1/staff/%s/tokens/%s", id, token_id);
    reply = personnel_call(self, "DELETE", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "revoked");
    json_decref(reply);
    ck_assert_int_eq(personnel_resolve_status(secret), 401);
    personnel_events_t events = {.secret = secret};
    personnel_read_events(&events);
    ck_assert(s_has_event(&events, "personnel.token.revoked"));
    ck_assert(!events.leaked);
    personnel_events_clear(&events);
    json_decref(self);
}
END_TEST

START_TEST(test_personnel_token_expired)
{
    personnel_create_department("exp_dept");
    char id[48], secret[80], token_id[48];
    personnel_create_staff("Eve Expiring", "technician", "exp_dept", id);
    char expires[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 1000, expires);
    personnel_issue_token(id, expires, secret, token_id);
    ck_assert_int_eq(personnel_resolve_status(secret), 200);
    int64_t deadline = cm_time_mono_ms() + 5000;
    int status = 200;
    while (status == 200 && cm_time_mono_ms() < deadline) {
        status = personnel_resolve_status(secret); // poll until it expires
    }
    ck_assert_int_eq(status, 401);
    // A past expiry is refused at issue.
    json_t *head = personnel_head();
    json_t *body = json_pack("{s:s}", "expires_at", "2001-01-01T00:00:00Z");
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", id);
    json_t *reply = personnel_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_token_suspended_staff)
{
    personnel_create_department("sus_dept");
    char id[48], secret[80], token_id[48];
    personnel_create_staff("Sam Suspended", "logistics", "sus_dept", id);
    personnel_issue_token(id, NULL, secret, token_id);
    ck_assert_int_eq(personnel_resolve_status(secret), 200);
    json_t *head = personnel_head();
    json_t *body = json_pack("{s:s}", "reason", "investigation");
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", id);
    json_t *reply = personnel_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "status"), "suspended");
    json_decref(reply);
    ck_assert_int_eq(personnel_resolve_status(secret), 401);
    // Suspending again is not a transition of a suspended member.
    reply = personnel_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/staff/%s/reinstate", id);
    reply = personnel_call(head, "POST", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    ck_assert_int_eq(personnel_resolve_status(secret), 200);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_resolve_only_gateway)
{
    json_t *agent = harness_mdp_actor("ST-1", "station_head", "management");
    json_t *body = json_pack("{s:s}", "token", PERSONNEL_TEST_BOOT_TOKEN);
    json_t *reply = personnel_call(agent, "POST", "/internal/tokens/resolve",
                                   NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    ck_assert_int_eq(personnel_resolve_status("smt_nonsense"), 401);
    json_decref(body);
    json_decref(agent);
}
END_TEST

// ---- authority, validation, idempotency, If-Match, lists

// Members of the list GET /v1/staff?department=<department>.
static size_t
s_count_staff(const char *department)
{
    json_t *head = personnel_head();
    json_t *query =
        json_pack("{s:s, s:s}", "department", department, "limit", "200");
    json_t *reply = personnel_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    size_t n = json_array_size(
        json_object_get(json_object_get(reply, "body"), "items"));
    json_decref(reply);
    json_decref(query);
    json_decref(head);
    return n;
}

START_TEST(test_personnel_cs_agent_may_not_create_staff)
{
    personnel_create_department("auth_dept");
    // Real people: personnel reads the caller's own record on every request.
    char agent_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    personnel_create_staff("Agent", "cs_agent", "auth_dept", agent_id);
    personnel_create_staff("Deputy", "deputy_head", "management", deputy_id);
    json_t *agent = harness_mdp_actor(agent_id, "cs_agent", "auth_dept");
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", "Mallory", "role",
                             "station_head", "department", "auth_dept");
    json_t *reply =
        personnel_call(agent, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    ck_assert_str_eq(harness_mdp_error_code(reply), "forbidden");
    json_decref(reply);
    // A deputy head may not grant the station head's role either.
    json_t *deputy = harness_mdp_actor(deputy_id, "deputy_head", "management");
    reply = personnel_call(deputy, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    ck_assert_int_eq(s_count_staff("auth_dept"), 1); // the agent only
    json_decref(deputy);
    json_decref(body);
    json_decref(agent);
}
END_TEST

START_TEST(test_personnel_unknown_field)
{
    personnel_create_department("val_dept");
    json_t *head = personnel_head();
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s}", "name", "Val", "role", "cs_agent",
                  "department", "val_dept", "salary", "lots");
    json_t *reply = personnel_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_t *errors = json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_int_eq(json_array_size(errors), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(errors, 0), "field")),
        "salary");
    json_decref(reply);
    json_decref(body);
    // Bad role and missing name: both named at once.
    body = json_pack("{s:s, s:s}", "role", "janitor", "department", "val_dept");
    reply = personnel_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    errors = json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_int_eq(json_array_size(errors), 2);
    json_decref(reply);
    ck_assert_int_eq(s_count_staff("val_dept"), 0);
    reply = personnel_call(head, "GET", "/v1/staff/XYZ", NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 404);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_idempotent_create)
{
    personnel_create_department("idem_dept");
    json_t *head = personnel_head();
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", "Ida", "role",
                             "finance", "department", "idem_dept");
    json_t *first =
        personnel_call(head, "POST", "/v1/staff", NULL, body, "key-ida-1");
    json_t *second =
        personnel_call(head, "POST", "/v1/staff", NULL, body, "key-ida-1");
    ck_assert_int_eq(harness_mdp_status(first), 201);
    ck_assert_int_eq(harness_mdp_status(second), 201);
    ck_assert_str_eq(harness_mdp_body_string(first, "id"),
                     harness_mdp_body_string(second, "id"));
    ck_assert_str_eq(personnel_header(second, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(personnel_header(second, "Location"),
                     personnel_header(first, "Location"));
    ck_assert_int_eq(s_count_staff("idem_dept"), 1);
    json_decref(second);
    json_decref(first);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_patch_if_match)
{
    personnel_create_department("etag_dept");
    char id[48];
    personnel_create_staff("Pat", "technician", "etag_dept", id);
    json_t *head = personnel_head();
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    json_t *reply = personnel_call(head, "GET", path, NULL, NULL, NULL);
    ck_assert_str_eq(personnel_header(reply, "ETag"), "\"1\"");
    json_decref(reply);
    json_t *body = json_pack("{s:s}", "name", "Pat Smith");
    json_t *query = json_pack("{s:s}", "if_match", "\"1\"");
    reply = personnel_call(head, "PATCH", path, query, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(personnel_header(reply, "ETag"), "\"2\"");
    ck_assert_str_eq(harness_mdp_body_string(reply, "name"), "Pat Smith");
    json_decref(reply);
    // The same If-Match again is stale now.
    reply = personnel_call(head, "PATCH", path, query, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 412);
    json_decref(reply);
    json_t *role = json_pack("{s:s}", "role", "auditor");
    reply = personnel_call(head, "PATCH", path, NULL, role, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(role);
    json_decref(query);
    json_decref(body);
    json_decref(head);
}
END_TEST

// Walk GET /v1/staff pages of `limit` with query (borrowed); returns the
// number of items seen and asserts none repeats.
static size_t
s_walk_pages(json_t *query, const char *limit, size_t *pages)
{
    json_t *head = personnel_head();
    json_t *seen = json_object();
    json_object_set_new(query, "limit", json_string(limit));
    *pages = 0;
    for (bool more = true; more; (*pages)++) {
        json_t *reply =
            personnel_call(head, "GET", "/v1/staff", query, NULL, NULL);
        ck_assert_int_eq(harness_mdp_status(reply), 200);
        json_t *body = json_object_get(reply, "body");
        json_t *item;
        size_t i;
        json_array_foreach(json_object_get(body, "items"), i, item)
        {
            const char *id = json_string_value(json_object_get(item, "id"));
            ck_assert_ptr_null(json_object_get(seen, id));
            json_object_set_new(seen, id, json_true());
        }
        json_t *cursor = json_object_get(body, "next_cursor");
        more = json_is_string(cursor);
        if (more) {
            json_object_set(query, "cursor", cursor);
        }
        json_decref(reply);
    }
    size_t n = json_object_size(seen);
    json_decref(seen);
    json_decref(head);
    return n;
}

START_TEST(test_personnel_list_pagination)
{
    personnel_create_department("page_dept");
    char id[48];
    for (int i = 0; i < 5; i++) {
        personnel_create_staff("Paged", i % 2 ? "technician" : "cs_agent",
                               "page_dept", id);
    }
    json_t *query = json_pack("{s:s}", "department", "page_dept");
    size_t pages = 0;
    ck_assert_int_eq(s_walk_pages(query, "2", &pages), 5);
    ck_assert_int_eq(pages, 3);
    json_decref(query);
    query = json_pack("{s:s, s:s, s:s}", "department", "page_dept", "role",
                      "cs_agent", "status", "active");
    ck_assert_int_eq(s_walk_pages(query, "200", &pages), 3);
    json_decref(query);
    json_t *head = personnel_head();
    query = json_pack("{s:s, s:s}", "limit", "500", "colour", "red");
    json_t *reply = personnel_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(query);
    json_decref(head);
}
END_TEST

// A page of 200 long documents would pass the 64 KiB envelope: it ends
// early with a cursor and the walk still sees every member once.
START_TEST(test_personnel_list_page_size_bound)
{
    personnel_create_department("big_dept");
    char name[201];
    memset(name, 'n', 200);
    name[200] = '\0';
    char id[48];
    for (int i = 0; i < 150; i++) {
        personnel_create_staff(name, "cs_agent", "big_dept", id);
    }
    json_t *query = json_pack("{s:s}", "department", "big_dept");
    size_t pages = 0;
    ck_assert_int_eq(s_walk_pages(query, "200", &pages), 150);
    ck_assert_int_ge(pages, 2);
    json_decref(query);
}
END_TEST

Suite *
personnel_suite(void)
{
    Suite *suite = suite_create("personnel");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_bootstrap_given_token);
    tcase_add_test(core, test_personnel_token_issue_resolve_revoke);
    tcase_add_test(core, test_personnel_token_expired);
    tcase_add_test(core, test_personnel_token_suspended_staff);
    tcase_add_test(core, test_personnel_resolve_only_gateway);
    tcase_add_test(core, test_personnel_cs_agent_may_not_create_staff);
    tcase_add_test(core, test_personnel_unknown_field);
    tcase_add_test(core, test_personnel_idempotent_create);
    tcase_add_test(core, test_personnel_patch_if_match);
    tcase_add_test(core, test_personnel_list_pagination);
    tcase_add_test(core, test_personnel_list_page_size_bound);
    suite_add_tcase(suite, core);
    TCase *race = tcase_create("bootstrap_race");
    tcase_add_unchecked_fixture(race, personnel_stack_setup_race,
                                personnel_stack_teardown);
    tcase_set_timeout(race, 60);
    tcase_add_test(race, test_personnel_bootstrap_race_generated_token);
    suite_add_tcase(suite, race);
    return suite;
}
