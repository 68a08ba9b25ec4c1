// The workflow tables of the three processes: roles, guards (the desk, the
// department's head, the deputy overseeing it, the assignee) and the body
// each action takes.
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_flow.h"
#include "cm_problem.h"
#include "suites.h"

// An actor; desk and the org view's lists as intake_refresh_actor sets
// them.
static json_t *
s_actor(const char *id, const char *role, const char *department)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:[], s:[]}", "id", id, "role", role,
                     "department", department, "desk",
                     strcmp(department, "customer_service") == 0, "heads",
                     "oversees");
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
    ck_assert_ptr_nonnull(case_flow_for_kind("suggestion"));
    ck_assert_ptr_null(case_flow_for_kind("gossip"));
}
END_TEST

START_TEST(test_case_flow_inquiry_path)
{
    json_t *agent = s_actor("ST-2", "cs_agent", "customer_service");
    json_t *finance = s_actor("ST-6", "finance", "finance");
    json_t *colleague = s_actor("ST-16", "finance", "finance");
    // Dispatch assigned the case's work order to ST-6.
    json_t *doc =
        json_pack("{s:s, s:s}", "department", "finance", "assignee", "ST-6");
    json_t *forward = json_pack("{s:s, s:s}", "department", "finance",
                                "reply_by", "2999-01-01T00:00:00Z");
    json_t *reply = json_pack("{s:s}", "answer", "y");
    const char *next = NULL;
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "forward", agent, doc, forward, &next),
        0);
    ck_assert_str_eq(next, "forwarded");
    ck_assert_int_eq(
        s_apply("inquiry", "forwarded", "reply", finance, doc, reply, &next),
        0);
    ck_assert_str_eq(next, "replied");
    // The assignee or the head, not another of the department's staff.
    ck_assert_int_eq(
        s_apply("inquiry", "forwarded", "reply", colleague, doc, reply, NULL),
        403);
    // The department's staff only: an agent is not in finance.
    ck_assert_int_eq(
        s_apply("inquiry", "forwarded", "reply", agent, doc, reply, NULL), 403);
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "relay", agent, doc, NULL, NULL), 409);
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "fly", agent, doc, NULL, NULL), 404);
    ck_assert_str_eq(case_flow_confirm_next("inquiry", "relayed", false),
                     "forwarded");
    ck_assert_str_eq(case_flow_confirm_next("inquiry", "answered", true),
                     "closed");
    json_t *all[] = {agent, finance, colleague, doc, forward, reply};
    for (size_t i = 0; i < 6; i++) {
        json_decref(all[i]);
    }
}
END_TEST

// Agent actions belong to the desk: a cs_agent placed elsewhere may not
// answer, forward or cancel; a deputy overseeing the desk may.
START_TEST(test_case_flow_desk_guard)
{
    json_t *away = s_actor("ST-7", "cs_agent", "logistics");
    json_t *deputy = s_actor("ST-5", "deputy_head", "management");
    json_object_set_new(deputy, "desk", json_true());
    json_t *answer = json_pack("{s:s}", "answer", "open 8-17");
    json_t *cancel = json_pack("{s:s}", "reason", "duplicate");
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "answer", away, NULL, answer, NULL),
        403);
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "cancel", away, NULL, cancel, NULL),
        403);
    ck_assert_int_eq(
        s_apply("inquiry", "recorded", "answer", deputy, NULL, answer, NULL),
        0);
    json_t *actions = cm_workflow_actions(case_flow_for_kind("inquiry"),
                                          "recorded", away, NULL);
    ck_assert_int_eq(json_array_size(actions), 0);
    json_decref(actions);
    json_t *all[] = {away, deputy, answer, cancel};
    for (size_t i = 0; i < 4; i++) {
        json_decref(all[i]);
    }
}
END_TEST

// Assigning a technician is for the head of the case's department (the
// org view's `heads`) or the deputy head overseeing it.
START_TEST(test_case_flow_assign_by_head)
{
    json_t *doc = json_pack("{s:s}", "department", "technical");
    json_t *body = json_pack("{s:s}", "technician", "ST-4");
    json_t *named = s_actor("ST-3", "dept_head", "technical");
    json_array_append_new(json_object_get(named, "heads"),
                          json_string("technical"));
    json_t *unnamed = s_actor("ST-8", "dept_head", "technical");
    json_t *deputy = s_actor("ST-5", "deputy_head", "management");
    json_t *other_deputy = s_actor("ST-9", "deputy_head", "management");
    json_array_append_new(json_object_get(deputy, "oversees"),
                          json_string("technical"));
    const char *kind = "tech_support";
    ck_assert_int_eq(s_apply(kind, "triaged", "assign", named, doc, body, NULL),
                     0);
    ck_assert_int_eq(
        s_apply(kind, "triaged", "assign", unnamed, doc, body, NULL), 403);
    ck_assert_int_eq(
        s_apply(kind, "triaged", "assign", deputy, doc, body, NULL), 0);
    ck_assert_int_eq(
        s_apply(kind, "triaged", "assign", other_deputy, doc, body, NULL), 403);
    json_t *all[] = {doc, body, named, unnamed, deputy, other_deputy};
    for (size_t i = 0; i < 6; i++) {
        json_decref(all[i]);
    }
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
    const char *kind = "tech_support";
    ck_assert_int_eq(
        s_apply(kind, "assigned", "diagnose", tech, doc, body, NULL), 0);
    ck_assert_int_eq(
        s_apply(kind, "assigned", "diagnose", other, doc, body, NULL), 403);
    ck_assert_int_eq(
        s_apply(kind, "assigned", "diagnose", head, doc, body, NULL), 0);
    ck_assert_int_eq(
        s_apply(kind, "assigned", "diagnose", auditor, doc, body, NULL), 403);
    // Summary fields are both required; close is never direct.
    ck_assert_int_eq(
        s_apply(kind, "confirmed", "summarize", tech, doc, body, NULL), 400);
    ck_assert_int_eq(s_apply(kind, "confirmed", "close", tech, doc, body, NULL),
                     409);
    json_t *actions =
        cm_workflow_actions(case_flow_for_kind(kind), "confirmed", tech, doc);
    ck_assert_int_eq(json_array_size(actions), 2);
    ck_assert_str_eq(json_string_value(json_array_get(actions, 0)),
                     "summarize");
    ck_assert_str_eq(json_string_value(json_array_get(actions, 1)), "note");
    json_decref(actions);
    ck_assert_str_eq(case_flow_confirm_next(kind, "reported", false),
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
    json_t *visit = json_pack("{s:s}", "outcome", "o");
    json_t *reason = json_pack("{s:s}", "reason", "r");
    const char *next = NULL;
    ck_assert_int_eq(s_apply("complaint", "resolved", "return-visit", agent,
                             NULL, visit, &next),
                     0);
    ck_assert_str_eq(next, "closed");
    ck_assert_int_eq(
        s_apply("complaint", "closed", "reopen", agent, NULL, reason, &next),
        0);
    ck_assert_str_eq(next, "recorded");
    ck_assert_int_eq(
        s_apply("complaint", "cancelled", "reopen", agent, NULL, reason, NULL),
        409);
    ck_assert_int_eq(
        s_apply("complaint", "closed", "cancel", agent, NULL, reason, NULL),
        409);
    ck_assert_str_eq(case_flow_confirm_next("complaint", "presented", true),
                     "resolved");
    ck_assert(case_flow_awaits_customer("presented"));
    ck_assert(!case_flow_awaits_customer("forwarded"));
    json_decref(agent);
    json_decref(visit);
    json_decref(reason);
}
END_TEST

// The 400 of an action, with the number of errors and the message of one
// field (NULL: not checked).
static void
s_expect_errors(const char *kind, const char *state, const char *action,
                const char *body_text, int count, const char *field,
                const char *message)
{
    json_t *agent = s_actor("ST-2", "cs_agent", "customer_service");
    json_t *body = body_text ? json_loads(body_text, 0, NULL) : NULL;
    ck_assert(!body_text || body);
    cm_workflow_step_t step;
    json_t *problem = cm_workflow_apply(case_flow_for_kind(kind), state, action,
                                        agent, NULL, body, &step);
    ck_assert_int_eq(cm_problem_status(problem), 400);
    const json_t *errors = json_object_get(problem, "errors");
    ck_assert_int_eq(json_array_size(errors), count);
    for (size_t i = 0; field && i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(cm_doc_text(e, "field"), field) == 0) {
            ck_assert_str_eq(cm_doc_text(e, "message"), message);
            field = NULL;
        }
    }
    ck_assert_msg(!field, "no error for %s", field);
    json_decref(problem);
    json_decref(body);
    json_decref(agent);
}

START_TEST(test_case_flow_body_rules)
{
    s_expect_errors("inquiry", "recorded", "forward",
                    "{\"department\":\"Bad Dept\",\"reply_by\":"
                    "\"2020-01-01T00:00:00Z\",\"x\":\"y\"}",
                    3, "reply_by", "must be in the future");
    s_expect_errors("inquiry", "answered", "confirm",
                    "{\"satisfied\":\"yes\",\"score\":9}", 2, "score",
                    "must be an integer 1..5");
    s_expect_errors("complaint", "resolved", "return-visit",
                    "{\"outcome\":\"ok\",\"new_issue\":{\"subject\":3}}", 1,
                    "new_issue.subject", "must be a string");
    s_expect_errors("inquiry", "recorded", "answer", "{\"answer\":\"  \"}", 1,
                    "answer", "is required");
    cm_workflow_step_t step;
    json_t *agent = s_actor("ST-2", "cs_agent", "customer_service");
    ck_assert_ptr_null(cm_workflow_apply(case_flow_for_kind("inquiry"),
                                         "replied", "relay", agent, NULL, NULL,
                                         &step));
    json_decref(agent);
}
END_TEST

// Every free text has its maximum: one character more is a 400 naming it.
START_TEST(test_case_flow_text_maxima)
{
    char *text = malloc(CASE_TEXT_MAX + 2);
    memset(text, 'a', CASE_TEXT_MAX + 1);
    text[CASE_TEXT_MAX + 1] = '\0';
    json_t *body = json_pack("{s:s}", "answer", text);
    char *body_text = json_dumps(body, 0);
    s_expect_errors("inquiry", "recorded", "answer", body_text, 1, "answer",
                    "must be at most 1000 characters");
    free(body_text);
    json_decref(body);
    text[CASE_SHORT_MAX + 1] = '\0';
    body = json_pack("{s:s}", "reason", text);
    body_text = json_dumps(body, 0);
    s_expect_errors("inquiry", "recorded", "cancel", body_text, 1, "reason",
                    "must be at most 500 characters");
    free(body_text);
    json_decref(body);
    free(text);
}
END_TEST

Suite *
case_flow_suite(void)
{
    Suite *suite = suite_create("case_flow");
    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, test_case_flow_tables_are_valid);
    tcase_add_test(tables, test_case_flow_inquiry_path);
    tcase_add_test(tables, test_case_flow_desk_guard);
    tcase_add_test(tables, test_case_flow_assign_by_head);
    tcase_add_test(tables, test_case_flow_tech_support_guards);
    tcase_add_test(tables, test_case_flow_complaint_and_finals);
    suite_add_tcase(suite, tables);
    TCase *bodies = tcase_create("bodies");
    tcase_add_test(bodies, test_case_flow_body_rules);
    tcase_add_test(bodies, test_case_flow_text_maxima);
    suite_add_tcase(suite, bodies);
    return suite;
}
