// Integration tests of personnel's delegations, the approval matrix it
// serves, and the operator's recovery of a lost station-head token.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "suites.h"
#include "test_personnel_stack.h"

#define S_DAY_MS (24LL * 3600 * 1000)

// A delegation body: to, starts and ends relative to now (ms), types (a
// JSON array text). Caller owns the result.
static json_t *
s_delegation(const char *to, int64_t starts_in, int64_t ends_in,
             const char *types)
{
    char starts[CM_TIME_TEXT_MAX], ends[CM_TIME_TEXT_MAX];
    int64_t now = cm_time_now_ms();
    cm_time_format(now + starts_in, starts);
    cm_time_format(now + ends_in, ends);
    json_t *document_types = json_loads(types, 0, NULL);
    ck_assert_ptr_nonnull(document_types);
    json_t *body = json_pack("{s:s, s:s, s:s, s:o, s:s}", "to", to, "starts_at",
                             starts, "ends_at", ends, "document_types",
                             document_types, "note", "annual leave");
    ck_assert_ptr_nonnull(body);
    return body;
}

// POST a delegation of `from` as actor: the reply (caller owns it).
static json_t *
s_delegate(const json_t *actor, const char *from, json_t *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/delegations", from);
    json_t *reply = personnel_call(actor, "POST", path, NULL, body, NULL);
    json_decref(body);
    return reply;
}

// The status of a delegation request; for 400/422 the first error's field
// must be `field` (NULL: not checked).
static void
s_expect(const json_t *actor, const char *from, json_t *body, int status,
         const char *field)
{
    json_t *reply = s_delegate(actor, from, body);
    ck_assert_msg(harness_mdp_status(reply) == status, "got %d %s",
                  harness_mdp_status(reply), harness_mdp_error_code(reply));
    if (field) {
        const json_t *errors =
            json_object_get(json_object_get(reply, "error"), "errors");
        ck_assert_str_eq(json_string_value(json_object_get(
                             json_array_get(errors, 0), "field")),
                         field);
    }
    json_decref(reply);
}

START_TEST(test_personnel_delegation_lifecycle)
{
    personnel_create_department("dl_fin");
    char from[PERSONNEL_TEST_ID_MAX], to[PERSONNEL_TEST_ID_MAX];
    personnel_create_staff("Fay", "finance", "dl_fin", from);
    personnel_create_staff("Gus", "finance", "dl_fin", to);
    json_t *fay = harness_mdp_actor(from, "finance", "dl_fin");
    json_t *gus = harness_mdp_actor(to, "finance", "dl_fin");
    json_t *reply = s_delegate(
        fay, from,
        s_delegation(to, -60000, 7 * S_DAY_MS, "[\"expense_claim\"]"));
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const char *id = harness_mdp_body_string(reply, "id");
    char path[192], location[128];
    snprintf(location, sizeof location, "/v1/staff/%s/delegations/%s", from,
             id);
    ck_assert_str_eq(personnel_header(reply, "Location"), location);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "active");
    ck_assert_str_eq(harness_mdp_body_string(reply, "to"), to);
    json_decref(reply);
    // The list is the delegator's; the delegate may not revoke it.
    snprintf(path, sizeof path, "/v1/staff/%s/delegations", from);
    reply = personnel_call(gus, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "items")),
                     1);
    json_decref(reply);
    snprintf(path, sizeof path, "%s/revoke", location);
    ck_assert_int_eq(personnel_status(gus, "POST", path, "{}"), 403);
    snprintf(path, sizeof path, "/v1/staff/%s/delegations/DL-1/revoke", to);
    ck_assert_int_eq(personnel_status(fay, "POST", path, "{}"), 404);
    snprintf(path, sizeof path, "%s/revoke", location);
    reply = personnel_call_if(fay, "POST", path, NULL, "\"1\"");
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "revoked");
    json_decref(reply);
    ck_assert_int_eq(personnel_status(fay, "POST", path, "{}"), 409);
    // Events carry what the org view reads.
    personnel_events_t events = {.secret = NULL};
    personnel_read_events(&events);
    const char *types[] = {"personnel.delegation.created",
                           "personnel.delegation.revoked"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *data = personnel_last_event(&events, types[i]);
        ck_assert_ptr_nonnull(data);
        const char *members[] = {
            "id",      "from",          "to", "state", "starts_at",
            "ends_at", "document_types"};
        for (size_t m = 0; m < sizeof members / sizeof members[0]; m++) {
            ck_assert_msg(json_object_get(data, members[m]) != NULL,
                          "%s lacks %s", types[i], members[m]);
        }
        ck_assert_str_eq(json_string_value(json_object_get(data, "state")),
                         i ? "revoked" : "active");
    }
    personnel_events_clear(&events);
    json_decref(gus);
    json_decref(fay);
}
END_TEST

START_TEST(test_personnel_delegation_rules)
{
    personnel_create_department("dr_fin");
    char from[PERSONNEL_TEST_ID_MAX], to[PERSONNEL_TEST_ID_MAX];
    char away[PERSONNEL_TEST_ID_MAX], path[128];
    personnel_create_staff("Flo", "finance", "dr_fin", from);
    personnel_create_staff("Gia", "finance", "dr_fin", to);
    personnel_create_staff("Hal", "finance", "dr_fin", away);
    json_t *head = personnel_head();
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", away);
    ck_assert_int_eq(
        personnel_status(head, "POST", path, "{\"reason\":\"away\"}"), 200);
    json_t *flo = harness_mdp_actor(from, "finance", "dr_fin");
    json_t *gia = harness_mdp_actor(to, "finance", "dr_fin");
    const char *claims = "[\"expense_claim\"]";
    int64_t week = 7 * S_DAY_MS;
    s_expect(flo, from, s_delegation(from, 0, week, claims), 422, "to");
    s_expect(flo, from, s_delegation(away, 0, week, claims), 422, "to");
    s_expect(flo, from, s_delegation("ST-9999", 0, week, claims), 422, "to");
    s_expect(flo, from, s_delegation(to, week, S_DAY_MS, claims), 422,
             "ends_at");
    s_expect(flo, from, s_delegation(to, -week, -S_DAY_MS, claims), 422,
             "ends_at");
    s_expect(flo, from, s_delegation(to, 0, 400 * S_DAY_MS, claims), 422,
             "ends_at");
    s_expect(flo, from, s_delegation(to, 0, week, "[\"lunch\"]"), 422,
             "document_types[0]");
    s_expect(flo, from, s_delegation(to, 0, week, "[\"*\",\"budget\"]"), 422,
             "document_types[0]");
    s_expect(flo, from, s_delegation(to, 0, week, "[]"), 400, "document_types");
    s_expect(flo, from, json_pack("{s:s}", "to", to), 400, NULL);
    // Someone else's approvals: only the person or the station head.
    s_expect(gia, from, s_delegation(to, 0, week, claims), 403, NULL);
    s_expect(head, from, s_delegation(to, 0, week, "[\"*\"]"), 201, NULL);
    s_expect(flo, from, s_delegation(to, 0, week, claims), 201, NULL);
    json_decref(gia);
    json_decref(flo);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_approval_rules)
{
    json_t *head = personnel_head();
    json_t *reply =
        personnel_call(head, "GET", "/v1/approval-rules", NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const json_t *rules =
        json_object_get(json_object_get(reply, "body"), "rules");
    ck_assert_int_gt(json_array_size(rules), 0);
    bool claims = false;
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const json_t *rule = json_array_get(rules, i);
        const char *document =
            json_string_value(json_object_get(rule, "document"));
        claims = claims || (document && strcmp(document, "expense_claim") == 0);
        ck_assert(json_is_array(json_object_get(rule, "steps")));
    }
    ck_assert(claims);
    json_decref(reply);
    ck_assert_int_eq(personnel_status(head, "POST", "/v1/approval-rules", "{}"),
                     405);
    json_decref(head);
}
END_TEST

// Run `personnel --recover-station-head-token` against the stack's Redis:
// its stdout into out (PERSONNEL_TEST_TOKEN_MAX bytes); the exit status.
static int
s_recover(char *out)
{
    char command[1024];
    snprintf(command, sizeof command,
             "SM_REDIS__PORT=%d '%s/personnel' --recover-station-head-token "
             "2>/dev/null",
             personnel_stack.redis.port, harness_bin_dir());
    FILE *pipe = popen(command, "r");
    ck_assert_ptr_nonnull(pipe);
    out[0] = '\0';
    char line[256];
    size_t lines = 0;
    while (fgets(line, sizeof line, pipe)) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(out, PERSONNEL_TEST_TOKEN_MAX, "%.79s", line);
        lines++;
    }
    int status = pclose(pipe);
    ck_assert_int_le(lines, 1); // the token, alone
    return status;
}

START_TEST(test_personnel_recover_station_head_token)
{
    // The station head lost every token (here: revoked the bootstrap one).
    json_t *head = personnel_head();
    ck_assert_int_eq(personnel_status(head, "POST",
                                      "/v1/staff/ST-1/tokens/TOK-1/revoke",
                                      "{\"reason\":\"lost\"}"),
                     200);
    ck_assert_int_eq(personnel_resolve_status(PERSONNEL_TEST_BOOT_TOKEN), 401);
    char token[PERSONNEL_TEST_TOKEN_MAX];
    ck_assert_int_eq(s_recover(token), 0);
    ck_assert(strncmp(token, "smt_", 4) == 0);
    ck_assert_int_eq(personnel_resolve_status(token), 200);
    // The issue is an ordinary event, by `recovery`, without the secret.
    personnel_events_t events = {.secret = token};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.token.issued");
    ck_assert_str_eq(json_string_value(json_object_get(data, "staff")), "ST-1");
    ck_assert(!events.leaked);
    personnel_events_clear(&events);
    // Each run prints a new token.
    char again[PERSONNEL_TEST_TOKEN_MAX];
    ck_assert_int_eq(s_recover(again), 0);
    ck_assert_str_ne(again, token);
    json_decref(head);
}
END_TEST

Suite *
personnel_delegation_suite(void)
{
    Suite *suite = suite_create("personnel_delegation");
    TCase *core = tcase_create("delegations");
    tcase_add_unchecked_fixture(core, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_delegation_lifecycle);
    tcase_add_test(core, test_personnel_delegation_rules);
    tcase_add_test(core, test_personnel_approval_rules);
    suite_add_tcase(suite, core);
    TCase *recovery = tcase_create("recovery");
    tcase_add_unchecked_fixture(recovery, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(recovery, 60);
    tcase_add_test(recovery, test_personnel_recover_station_head_token);
    suite_add_tcase(suite, recovery);
    return suite;
}
