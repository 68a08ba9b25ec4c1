// Integration tests of personnel's authority rules: If-Match on every
// write, the caller's current status and role read at the service, the
// station head's record and tokens, department heads and deputies, one
// station head.
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "test_personnel_stack.h"

// ---- helpers

static json_t *
s_body(const char *text)
{
    json_t *body = json_loads(text, 0, NULL);
    ck_assert_msg(body != NULL, "bad test body %s", text);
    return body;
}

// The status of method path (body text may be NULL) with If-Match.
static int
s_status_if(const json_t *actor, const char *method, const char *path,
            const char *body_text, const char *if_match)
{
    json_t *body = body_text ? s_body(body_text) : NULL;
    json_t *reply = personnel_call_if(actor, method, path, body, if_match);
    int status = harness_mdp_status(reply);
    json_decref(reply);
    json_decref(body);
    return status;
}

// GET path as the station head: the reply body (caller owns it).
static json_t *
s_get(const char *path)
{
    json_t *head = personnel_head();
    json_t *reply = personnel_call(head, "GET", path, NULL, NULL, NULL);
    ck_assert_msg(harness_mdp_status(reply) == 200, "GET %s: %d", path,
                  harness_mdp_status(reply));
    json_t *body = json_incref(json_object_get(reply, "body"));
    json_decref(reply);
    json_decref(head);
    return body;
}

// The string member of GET path, copied into out (64 bytes; "" for null).
static void
s_member(const char *path, const char *member, char *out)
{
    json_t *body = s_get(path);
    const char *text = json_string_value(json_object_get(body, member));
    snprintf(out, 64, "%s", text ? text : "");
    json_decref(body);
}

// An actor for staff id as the gateway would send it.
static json_t *
s_actor(const char *id, const char *role, const char *department)
{
    return harness_mdp_actor(id, role, department);
}

// A deputy head (in management) overseeing department code; writes its id.
static void
s_deputy_over(const char *code, char *id)
{
    personnel_create_staff("Deputy", "deputy_head", "management", id);
    char body[128];
    snprintf(body, sizeof body, "{\"deputy\":\"%s\"}", id);
    ck_assert_int_eq(personnel_patch_department(code, body), 200);
}

// ---- If-Match on every write (header, not query)

START_TEST(test_personnel_if_match_department)
{
    personnel_create_department("ifm_dept");
    json_t *head = personnel_head();
    const char *path = "/v1/departments/ifm_dept";
    ck_assert_int_eq(
        s_status_if(head, "PATCH", path, "{\"name\":\"Stale\"}", "\"999\""),
        412);
    ck_assert_int_eq(
        s_status_if(head, "PATCH", path, "{\"name\":\"Bad\"}", "\"abc\""), 400);
    char name[64];
    s_member(path, "name", name);
    ck_assert_str_eq(name, "ifm_dept");
    ck_assert_int_eq(
        s_status_if(head, "PATCH", path, "{\"name\":\"Fresh\"}", "\"1\""), 200);
    s_member(path, "name", name);
    ck_assert_str_eq(name, "Fresh");
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_if_match_staff)
{
    personnel_create_department("ifs_dept");
    char id[PERSONNEL_TEST_ID_MAX], path[128], action[128];
    personnel_create_staff("Ina", "technician", "ifs_dept", id);
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    snprintf(action, sizeof action, "/v1/staff/%s/suspend", id);
    json_t *head = personnel_head();
    const char *rename = "{\"name\":\"Renamed\"}";
    const char *suspend = "{\"reason\":\"audit\"}";
    ck_assert_int_eq(s_status_if(head, "PATCH", path, rename, "\"0\""), 412);
    ck_assert_int_eq(s_status_if(head, "PATCH", path, rename, "W/\"999\""),
                     412);
    ck_assert_int_eq(s_status_if(head, "PATCH", path, rename, "\"abc\""), 400);
    ck_assert_int_eq(s_status_if(head, "POST", action, suspend, "\"0\""), 412);
    ck_assert_int_eq(s_status_if(head, "POST", action, suspend, "W/\"999\""),
                     412);
    ck_assert_int_eq(s_status_if(head, "POST", action, suspend, "\"abc\""),
                     400);
    char text[64];
    s_member(path, "name", text);
    ck_assert_str_eq(text, "Ina");
    s_member(path, "status", text);
    ck_assert_str_eq(text, "active");
    ck_assert_int_eq(s_status_if(head, "POST", action, suspend, "W/\"1\""),
                     200);
    s_member(path, "status", text);
    ck_assert_str_eq(text, "suspended");
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_if_match_token_and_position)
{
    personnel_create_department("ift_dept");
    char id[PERSONNEL_TEST_ID_MAX], token_id[PERSONNEL_TEST_ID_MAX];
    char secret[PERSONNEL_TEST_TOKEN_MAX], path[160];
    personnel_create_staff("Tia", "cs_agent", "ift_dept", id);
    personnel_issue_token(id, NULL, secret, token_id);
    json_t *head = personnel_head();
    snprintf(path, sizeof path, "/v1/staff/%s/tokens/%s/revoke", id, token_id);
    ck_assert_int_eq(s_status_if(head, "POST", path, NULL, "\"7\""), 412);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens/%s", id, token_id);
    ck_assert_int_eq(s_status_if(head, "DELETE", path, NULL, "\"7\""), 412);
    ck_assert_int_eq(personnel_resolve_status(secret), 200);
    json_t *body = s_body("{\"title\":\"Agent\",\"department\":\"ift_dept\","
                          "\"grade\":2}");
    json_t *reply =
        personnel_call(head, "POST", "/v1/positions", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(path, sizeof path, "/v1/positions/%s",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    json_decref(body);
    ck_assert_int_eq(
        s_status_if(head, "PATCH", path, "{\"grade\":3}", "\"999\""), 412);
    json_decref(head);
}
END_TEST

// ---- the caller's current status and role, read at the service

START_TEST(test_personnel_suspended_deputy_is_refused)
{
    personnel_create_department("sd_dept");
    char deputy_id[PERSONNEL_TEST_ID_MAX], worker[PERSONNEL_TEST_ID_MAX];
    s_deputy_over("sd_dept", deputy_id);
    personnel_create_staff("Worker", "cs_agent", "sd_dept", worker);
    // The token the gateway cached still says deputy_head, active.
    json_t *deputy = s_actor(deputy_id, "deputy_head", "management");
    const char *hire = "{\"name\":\"Hire\",\"role\":\"cs_agent\","
                       "\"department\":\"sd_dept\"}";
    ck_assert_int_eq(personnel_status(deputy, "POST", "/v1/staff", hire), 201);
    json_t *head = personnel_head();
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", deputy_id);
    ck_assert_int_eq(
        personnel_status(head, "POST", path, "{\"reason\":\"inquiry\"}"), 200);
    // Its next writes are refused at once, whatever the gateway cached.
    json_t *body = s_body(hire);
    json_t *reply =
        personnel_call(deputy, "POST", "/v1/staff", NULL, body, NULL);
    json_decref(body);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    ck_assert_str_eq(harness_mdp_error_code(reply), "account_inactive");
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", worker);
    ck_assert_int_eq(personnel_status(deputy, "POST", path, "{}"), 403);
    ck_assert_int_eq(personnel_status(head, "GET", path, NULL), 200);
    json_t *list = s_get(path);
    ck_assert_int_eq(json_array_size(json_object_get(list, "items")), 0);
    json_decref(list);
    // The suspension is published for the gateway's cache and the org views.
    personnel_events_t events = {.secret = NULL};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.staff.suspended");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(json_string_value(json_object_get(data, "id")), deputy_id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "status")),
                     "suspended");
    ck_assert_str_eq(json_string_value(json_object_get(data, "role")),
                     "deputy_head");
    personnel_events_clear(&events);
    json_decref(head);
    json_decref(deputy);
}
END_TEST

// A demoted deputy acts with its current role at once; the demotion and
// the suspension publish what the gateway invalidates its cache on.
START_TEST(test_personnel_demoted_deputy_uses_current_role)
{
    personnel_create_department("dm_dept");
    char deputy_id[PERSONNEL_TEST_ID_MAX];
    s_deputy_over("dm_dept", deputy_id);
    json_t *head = personnel_head();
    ck_assert_int_eq(
        personnel_sanction_role(deputy_id, "demotion", "cs_agent", "reorg"),
        200);
    json_t *deputy = s_actor(deputy_id, "deputy_head", "management");
    const char *hire = "{\"name\":\"Hire\",\"role\":\"cs_agent\","
                       "\"department\":\"dm_dept\"}";
    json_t *body = s_body(hire);
    json_t *reply =
        personnel_call(deputy, "POST", "/v1/staff", NULL, body, NULL);
    json_decref(body);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    ck_assert_str_eq(harness_mdp_error_code(reply), "forbidden");
    json_decref(reply);
    // The department no longer names a deputy who is not one.
    char text[64];
    s_member("/v1/departments/dm_dept", "deputy", text);
    ck_assert_str_eq(text, "");
    personnel_events_t events = {.secret = NULL};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.staff.role_changed");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(json_string_value(json_object_get(data, "id")), deputy_id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "role")),
                     "cs_agent");
    ck_assert_str_eq(json_string_value(json_object_get(data, "previous_role")),
                     "deputy_head");
    ck_assert_ptr_nonnull(json_object_get(data, "department"));
    ck_assert_ptr_nonnull(json_object_get(data, "status"));
    ck_assert_ptr_nonnull(json_object_get(data, "name"));
    personnel_events_clear(&events);
    json_decref(deputy);
    json_decref(head);
}
END_TEST

// ---- the station head's record and tokens

START_TEST(test_personnel_deputy_cannot_touch_station_head)
{
    char deputy_id[PERSONNEL_TEST_ID_MAX];
    // Even a deputy overseeing management (the station head's department).
    s_deputy_over("management", deputy_id);
    json_t *deputy = s_actor(deputy_id, "deputy_head", "management");
    ck_assert_int_eq(
        personnel_status(deputy, "GET", "/v1/staff/ST-1/tokens", NULL), 403);
    ck_assert_int_eq(
        personnel_status(deputy, "GET", "/v1/staff/ST-1/tokens/TOK-1", NULL),
        403);
    ck_assert_int_eq(personnel_status(deputy, "POST",
                                      "/v1/staff/ST-1/tokens/TOK-1/revoke",
                                      "{}"),
                     403);
    ck_assert_int_eq(
        personnel_status(deputy, "DELETE", "/v1/staff/ST-1/tokens/TOK-1", NULL),
        403);
    ck_assert_int_eq(
        personnel_status(deputy, "POST", "/v1/staff/ST-1/tokens", "{}"), 403);
    ck_assert_int_eq(personnel_status(deputy, "POST", "/v1/staff/ST-1/suspend",
                                      "{\"reason\":\"coup\"}"),
                     403);
    ck_assert_int_eq(personnel_status(deputy, "PATCH", "/v1/staff/ST-1",
                                      "{\"name\":\"Former head\"}"),
                     403);
    ck_assert_int_eq(personnel_resolve_status(PERSONNEL_TEST_BOOT_TOKEN), 200);
    // Its view of the station head offers nothing to do.
    json_t *reply =
        personnel_call(deputy, "GET", "/v1/staff/ST-1", NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "actions")),
                     0);
    json_decref(reply);
    json_decref(deputy);
}
END_TEST

// ---- department heads and deputies, one station head

// PATCH department code as the station head with body text: the reply
// (caller owns it).
static json_t *
s_patch_department(const char *code, const char *body_text)
{
    json_t *head = personnel_head();
    json_t *body = s_body(body_text);
    char path[128];
    snprintf(path, sizeof path, "/v1/departments/%s", code);
    json_t *reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    json_decref(body);
    json_decref(head);
    return reply;
}

// The field the first error of a reply names, or "".
static const char *
s_error_field(const json_t *reply)
{
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    const char *field =
        json_string_value(json_object_get(json_array_get(errors, 0), "field"));
    return field ? field : "";
}

// PATCH code with `"<field>":"<id>"` must be refused 422 naming field.
static void
s_expect_refused_post(const char *code, const char *field, const char *id)
{
    char body[128];
    snprintf(body, sizeof body, "{\"%s\":\"%s\"}", field, id);
    json_t *reply = s_patch_department(code, body);
    ck_assert_msg(harness_mdp_status(reply) == 422, "%s=%s: %d", field, id,
                  harness_mdp_status(reply));
    ck_assert_str_eq(harness_mdp_error_code(reply), "org_rule_violated");
    ck_assert_str_eq(s_error_field(reply), field);
    json_decref(reply);
}

START_TEST(test_personnel_department_posts)
{
    personnel_create_department("hr_dept");
    personnel_create_department("hr_other");
    char agent[PERSONNEL_TEST_ID_MAX], head_id[PERSONNEL_TEST_ID_MAX];
    char foreign[PERSONNEL_TEST_ID_MAX], deputy[PERSONNEL_TEST_ID_MAX];
    char away[PERSONNEL_TEST_ID_MAX];
    personnel_create_staff("Agent", "cs_agent", "hr_dept", agent);
    personnel_create_staff("Head", "dept_head", "hr_dept", head_id);
    personnel_create_staff("Other head", "dept_head", "hr_other", foreign);
    personnel_create_staff("Deputy", "deputy_head", "management", deputy);
    personnel_create_staff("Away", "dept_head", "hr_dept", away);
    json_t *head = personnel_head();
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", away);
    ck_assert_int_eq(
        personnel_status(head, "POST", path, "{\"reason\":\"leave\"}"), 200);
    s_expect_refused_post("hr_dept", "head", agent);   // not a dept_head
    s_expect_refused_post("hr_dept", "head", foreign); // another department
    s_expect_refused_post("hr_dept", "head", deputy);
    s_expect_refused_post("hr_dept", "head", away); // suspended
    s_expect_refused_post("hr_dept", "head", "ST-9999");
    s_expect_refused_post("hr_dept", "deputy", agent);
    s_expect_refused_post("hr_dept", "deputy", head_id);
    char body[128];
    snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}", head_id,
             deputy);
    ck_assert_int_eq(personnel_patch_department("hr_dept", body), 200);
    // A new department is held to the same rule, and nothing is written.
    snprintf(body, sizeof body,
             "{\"code\":\"hr_new\",\"name\":\"New\",\"head\":\"%s\"}", agent);
    json_t *create = s_body(body);
    json_t *reply =
        personnel_call(head, "POST", "/v1/departments", NULL, create, NULL);
    json_decref(create);
    ck_assert_int_eq(harness_mdp_status(reply), 422);
    ck_assert_str_eq(s_error_field(reply), "head");
    json_decref(reply);
    ck_assert_int_eq(
        personnel_status(head, "GET", "/v1/departments/hr_new", NULL), 404);
    // The department's event carries what the org view needs.
    personnel_events_t events = {.secret = NULL};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.department.updated");
    ck_assert_str_eq(json_string_value(json_object_get(data, "code")),
                     "hr_dept");
    ck_assert_str_eq(json_string_value(json_object_get(data, "head")), head_id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "deputy")),
                     deputy);
    ck_assert_ptr_nonnull(json_object_get(data, "name"));
    personnel_events_clear(&events);
    json_decref(head);
}
END_TEST

// A head who stops qualifying is cleared from the post in the same commit.
START_TEST(test_personnel_posts_released)
{
    personnel_create_department("rel_dept");
    personnel_create_department("rel_next");
    char first[PERSONNEL_TEST_ID_MAX], second[PERSONNEL_TEST_ID_MAX];
    personnel_create_staff("First", "dept_head", "rel_dept", first);
    personnel_create_staff("Second", "dept_head", "rel_dept", second);
    char body[128], path[128], text[64];
    snprintf(body, sizeof body, "{\"head\":\"%s\"}", first);
    ck_assert_int_eq(personnel_patch_department("rel_dept", body), 200);
    json_t *head = personnel_head();
    ck_assert_int_eq(
        personnel_sanction_role(first, "demotion", "technician", "asked"), 200);
    s_member("/v1/departments/rel_dept", "head", text);
    ck_assert_str_eq(text, "");
    snprintf(body, sizeof body, "{\"head\":\"%s\"}", second);
    ck_assert_int_eq(personnel_patch_department("rel_dept", body), 200);
    snprintf(path, sizeof path, "/v1/staff/%s", second);
    ck_assert_int_eq(
        personnel_status(head, "PATCH", path, "{\"department\":\"rel_next\"}"),
        200);
    s_member("/v1/departments/rel_dept", "head", text);
    ck_assert_str_eq(text, "");
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_one_station_head)
{
    personnel_create_department("sh_dept");
    json_t *head = personnel_head();
    json_t *body = s_body("{\"name\":\"Second head\",\"role\":\"station_head\","
                          "\"department\":\"management\"}");
    json_t *reply = personnel_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    ck_assert_str_eq(harness_mdp_error_code(reply), "station_head_exists");
    json_decref(reply);
    json_decref(body);
    char id[PERSONNEL_TEST_ID_MAX], path[128];
    personnel_create_staff("Climber", "cs_agent", "sh_dept", id);
    snprintf(path, sizeof path, "/v1/staff/%s/change-role", id);
    body = s_body("{\"role\":\"station_head\",\"reason\":\"coup\"}");
    reply = personnel_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    ck_assert_str_eq(harness_mdp_error_code(reply), "station_head_exists");
    json_decref(reply);
    json_decref(body);
    json_t *query =
        json_pack("{s:s, s:s}", "role", "station_head", "status", "active");
    reply = personnel_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "items")),
                     1);
    json_decref(reply);
    json_decref(query);
    json_decref(head);
}
END_TEST

// Deputies act only in the departments assigned to them.
START_TEST(test_personnel_deputy_only_oversees)
{
    personnel_create_department("ov_a");
    personnel_create_department("ov_b");
    char deputy_id[PERSONNEL_TEST_ID_MAX], in_a[PERSONNEL_TEST_ID_MAX];
    char in_b[PERSONNEL_TEST_ID_MAX], path[128];
    s_deputy_over("ov_a", deputy_id);
    personnel_create_staff("In A", "cs_agent", "ov_a", in_a);
    personnel_create_staff("In B", "cs_agent", "ov_b", in_b);
    json_t *deputy = s_actor(deputy_id, "deputy_head", "management");
    ck_assert_int_eq(personnel_status(deputy, "POST", "/v1/staff",
                                      "{\"name\":\"N\",\"role\":\"cs_agent\","
                                      "\"department\":\"ov_a\"}"),
                     201);
    ck_assert_int_eq(personnel_status(deputy, "POST", "/v1/staff",
                                      "{\"name\":\"N\",\"role\":\"cs_agent\","
                                      "\"department\":\"ov_b\"}"),
                     403);
    ck_assert_int_eq(
        personnel_status(deputy, "POST", "/v1/staff",
                         "{\"name\":\"N\",\"role\":\"deputy_head\","
                         "\"department\":\"ov_a\"}"),
        403);
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", in_b);
    ck_assert_int_eq(
        personnel_status(deputy, "POST", path, "{\"reason\":\"x\"}"), 403);
    snprintf(path, sizeof path, "/v1/staff/%s", in_a);
    ck_assert_int_eq(
        personnel_status(deputy, "PATCH", path, "{\"department\":\"ov_b\"}"),
        403);
    ck_assert_int_eq(
        personnel_status(deputy, "PATCH", path, "{\"name\":\"Renamed\"}"), 200);
    ck_assert_int_eq(personnel_status(deputy, "PATCH", "/v1/departments/ov_b",
                                      "{\"name\":\"B\"}"),
                     403);
    ck_assert_int_eq(personnel_status(deputy, "PATCH", "/v1/departments/ov_a",
                                      "{\"name\":\"A\"}"),
                     200);
    ck_assert_int_eq(personnel_status(deputy, "PATCH", "/v1/departments/ov_a",
                                      "{\"deputy\":null}"),
                     403);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", in_b);
    ck_assert_int_eq(personnel_status(deputy, "POST", path, "{}"), 403);
    ck_assert_int_eq(personnel_status(deputy, "GET", path, NULL), 403);
    json_decref(deputy);
}
END_TEST

// "The head of this department" is the department's `head`: it edits its
// department's positions, not another's.
START_TEST(test_personnel_head_edits_own_positions)
{
    personnel_create_department("ph_dept");
    personnel_create_department("ph_other");
    char head_id[PERSONNEL_TEST_ID_MAX], body[160], mine[64], theirs[64];
    personnel_create_staff("Head", "dept_head", "ph_dept", head_id);
    snprintf(body, sizeof body, "{\"head\":\"%s\"}", head_id);
    ck_assert_int_eq(personnel_patch_department("ph_dept", body), 200);
    json_t *head = personnel_head();
    const char *departments[] = {"ph_dept", "ph_other"};
    char *paths[] = {mine, theirs};
    for (size_t i = 0; i < 2; i++) {
        snprintf(body, sizeof body,
                 "{\"title\":\"Clerk\",\"department\":\"%s\",\"grade\":1}",
                 departments[i]);
        json_t *create = s_body(body);
        json_t *reply =
            personnel_call(head, "POST", "/v1/positions", NULL, create, NULL);
        json_decref(create);
        ck_assert_int_eq(harness_mdp_status(reply), 201);
        snprintf(paths[i], 64, "/v1/positions/%s",
                 harness_mdp_body_string(reply, "id"));
        json_decref(reply);
    }
    json_t *dept_head = s_actor(head_id, "dept_head", "ph_dept");
    ck_assert_int_eq(
        personnel_status(dept_head, "PATCH", mine, "{\"grade\":2}"), 200);
    ck_assert_int_eq(
        personnel_status(dept_head, "PATCH", theirs, "{\"grade\":2}"), 403);
    json_decref(dept_head);
    json_decref(head);
}
END_TEST

Suite *
personnel_org_suite(void)
{
    Suite *suite = suite_create("personnel_org");
    TCase *core = tcase_create("authority");
    tcase_add_unchecked_fixture(core, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_if_match_department);
    tcase_add_test(core, test_personnel_if_match_staff);
    tcase_add_test(core, test_personnel_if_match_token_and_position);
    tcase_add_test(core, test_personnel_suspended_deputy_is_refused);
    tcase_add_test(core, test_personnel_demoted_deputy_uses_current_role);
    tcase_add_test(core, test_personnel_deputy_cannot_touch_station_head);
    suite_add_tcase(suite, core);
    TCase *rules = tcase_create("org_rules");
    tcase_add_unchecked_fixture(rules, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(rules, 60);
    tcase_add_test(rules, test_personnel_department_posts);
    tcase_add_test(rules, test_personnel_posts_released);
    tcase_add_test(rules, test_personnel_one_station_head);
    tcase_add_test(rules, test_personnel_deputy_only_oversees);
    tcase_add_test(rules, test_personnel_head_edits_own_positions);
    suite_add_tcase(suite, rules);
    return suite;
}
