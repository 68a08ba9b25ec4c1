// The workflow tables of the three processes and the action body rules.
#include <check.h>
#include <string.h>

#include "case_flow.h"
#include "cm_problem.h"
#include "suites.h"

static json_t *
s_actor(const char *id, const char *role, const char *department)
{
    return json_pack("{s:s, s:s, s:s}", "id", id, "role", role, "department",
                     department);
}

// Apply and return the HTTP status (0 when allowed); *next gets the state.
static int
s_apply(const char *kind, const char *state, const char *action,
        const json_t *actor, const json_t *doc, const json_t *body,
        const char **next)
{
    cm_workflow_step_t step;
    json_t *problem = cm_workflow_apply(case_flow_for_kind(kind), state, action,
                                        actor, doc, body, &step);
    int status = problem ? cm_problem_status(problem) : 0;
    json_decref(problem);
    if (next) {
        *next = step.next_state;
    }
    return status;
}

START_TEST(test_case_flow_tables_are_valid)
{
    ck_assert_int_eq(case_flow_check(), 0);
    ck_assert_ptr_nonnull(case_flow_for_kind("inquiry"));
    ck_assert_ptr_nonnull(case_flow_for_kind("complaint"));
    ck_assert_ptr_nonnull(case_flow_for_kind("tech_support"));
    ck_assert_ptr_null(case_flow_for_kind("gossip"));
}
END_TEST

START_TEST(test_case_flow_inquiry_path)
{
    json_t *agent = s_actor("ST-2", "cs_agent", "customer_service");
    json_t *finance = s_actor("ST-6", "finance", "finance");
    json_t *doc = json_pack("{s:s}", "department", "finance");
    json_t *body = json_pack("{s:s, s:s, s:s}", "department", "finance",
                             "reply_by", "x", "answer", "y");
    const char *next = NULL;
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "forward", agent, doc, body, &next), 0);
    ck_assert_str_eq(next, "forwarded");
    ck_assert_int_eq(
        s_apply("inquiry", "forwarded", "reply", finance, doc, body, &next), 0);
    ck_assert_str_eq(next, "replied");
    // The department's staff only: an agent is not in finance.
    ck_assert_int_eq(
        s_apply("inquiry", "forwarded", "reply", agent, doc, body, NULL), 403);
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "relay", agent, doc, body, NULL), 409);
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "fly", agent, doc, body, NULL), 404);
    ck_assert_str_eq(case_flow_confirm_next("inquiry", "relayed", false),
                     "forwarded");
    ck_assert_str_eq(case_flow_confirm_next("inquiry", "answered", true),
                     "closed");
    json_decref(agent);
    json_decref(finance);
    json_decref(doc);
    json_decref(body);
}
END_TEST

START_TEST(test_case_flow_tech_support_guards)
{
    json_t *tech = s_actor("ST-4", "technician", "technical");
    json_t *other = s_actor("ST-5", "technician", "technical");
    json_t *head = s_actor("ST-1", "station_head", "management");
    json_t *auditor = s_actor("ST-9", "auditor", "audit");
    json_t *doc =
        json_pack("{s:s, s:s}", "assignee", "ST-4", "department", "technical");
    json_t *body = json_pack("{s:s, s:s}", "diagnosis", "a", "solution", "b");
    ck_assert_int_eq(
        s_apply("tech_support", "assigned", "diagnose", tech, doc, body, NULL),
        0);
    ck_assert_int_eq(
        s_apply("tech_support", "assigned", "diagnose", other, doc, body, NULL),
        403);
    ck_assert_int_eq(
        s_apply("tech_support", "assigned", "diagnose", head, doc, body, NULL),
        0);
    ck_assert_int_eq(s_apply("tech_support", "assigned", "diagnose", auditor,
                             doc, body, NULL),
                     403);
    // Summary fields are both required; close is never direct.
    ck_assert_int_eq(s_apply("tech_support", "confirmed", "summarize", tech,
                             doc, body, NULL),
                     400);
    ck_assert_int_eq(
        s_apply("tech_support", "confirmed", "close", tech, doc, body, NULL),
        409);
    json_t *actions = cm_workflow_actions(case_flow_for_kind("tech_support"),
                                          "confirmed", tech, doc);
    ck_assert_int_eq(json_array_size(actions), 1);
    ck_assert_str_eq(json_string_value(json_array_get(actions, 0)),
                     "summarize");
    json_decref(actions);
    ck_assert_str_eq(case_flow_confirm_next("tech_support", "reported", false),
                     "assigned");
    json_t *all[] = {tech, other, head, auditor, doc, body};
    for (size_t i = 0; i < 6; i++) {
        json_decref(all[i]);
    }
}
END_TEST

START_TEST(test_case_flow_complaint_and_finals)
{
    json_t *agent = s_actor("ST-2", "cs_agent", "customer_service");
    json_t *body = json_pack("{s:s, s:s}", "reason", "r", "outcome", "o");
    const char *next = NULL;
    ck_assert_int_eq(s_apply("complaint", "resolved", "return-visit", agent,
                             NULL, body, &next),
                     0);
    ck_assert_str_eq(next, "closed");
    ck_assert_int_eq(
        s_apply("complaint", "closed", "reopen", agent, NULL, body, &next), 0);
    ck_assert_str_eq(next, "recorded");
    ck_assert_int_eq(
        s_apply("complaint", "cancelled", "reopen", agent, NULL, body, NULL),
        409);
    ck_assert_int_eq(
        s_apply("complaint", "closed", "cancel", agent, NULL, body, NULL), 409);
    ck_assert_str_eq(case_flow_confirm_next("complaint", "presented", true),
                     "resolved");
    ck_assert(case_flow_awaits_customer("presented"));
    ck_assert(!case_flow_awaits_customer("forwarded"));
    json_decref(agent);
    json_decref(body);
}
END_TEST

static int
s_errors(json_t *problem)
{
    int n = (int)json_array_size(json_object_get(problem, "errors"));
    json_decref(problem);
    return n;
}

START_TEST(test_case_flow_body_rules)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "department", "Bad Dept",
                             "reply_by", "2020-01-01T00:00:00Z", "x", "y");
    ck_assert_int_eq(
        s_errors(case_flow_check_body("forward", body, 1700000000000LL)), 3);
    json_decref(body);
    body = json_pack("{s:s, s:s}", "department", "finance", "reply_by",
                     "2999-01-01T00:00:00Z");
    ck_assert_ptr_null(case_flow_check_body("forward", body, 1));
    json_decref(body);
    body = json_pack("{s:s, s:i}", "satisfied", "yes", "score", 9);
    ck_assert_int_eq(s_errors(case_flow_check_body("confirm", body, 1)), 2);
    json_decref(body);
    body =
        json_pack("{s:s, s:{s:i}}", "outcome", "ok", "new_issue", "subject", 3);
    json_t *problem = case_flow_check_body("return-visit", body, 1);
    json_t *error = json_array_get(json_object_get(problem, "errors"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(error, "field")),
                     "new_issue.subject");
    json_decref(problem);
    json_decref(body);
    ck_assert_ptr_null(case_flow_check_body("relay", NULL, 1));
}
END_TEST

Suite *
case_flow_suite(void)
{
    Suite *suite = suite_create("case_flow");
    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, test_case_flow_tables_are_valid);
    tcase_add_test(tables, test_case_flow_inquiry_path);
    tcase_add_test(tables, test_case_flow_tech_support_guards);
    tcase_add_test(tables, test_case_flow_complaint_and_finals);
    suite_add_tcase(suite, tables);
    TCase *bodies = tcase_create("bodies");
    tcase_add_test(bodies, test_case_flow_body_rules);
    suite_add_tcase(suite, bodies);
    return suite;
}
