// The work order tables: who may do what to a work order, and when.
// Permissions only (cm_workflow_apply); the effects (the assignee's
// department, history, events) run against Redis in the integration
// suites.
#include <check.h>
#include <string.h>

#include "../dispatch.h"
#include "../workorder.h"
#include "../workorder_flow.h"
#include "suites.h"

static json_t *doc; // an open work order of the technical department

static void
setup(void)
{
    doc = workorder_new("WO-1", "fix the pump", "technical", NULL, "normal",
                        WORKORDER_ORIGIN_REQUEST, NULL, 1000);
}

static void
teardown(void)
{
    json_decref(doc);
}

// An actor as the org view refreshes it: heads and oversees.
static json_t *
s_actor(const char *id, const char *role, const char *dept)
{
    bool head = strcmp(role, "dept_head") == 0;
    bool deputy = strcmp(role, "deputy_head") == 0;
    return json_pack("{s:s, s:s, s:s, s:[s*], s:[s*]}", "id", id, "role", role,
                     "department", dept, "heads", head ? dept : NULL,
                     "oversees", deputy ? "technical" : NULL);
}

// Apply action as actor to the table; returns the problem status (0:
// allowed, and the state and assignee move as the effect would).
static int
s_try(const char *action, json_t *actor, const char *assignee)
{
    json_t *body =
        assignee ? json_pack("{s:s}", "assignee", assignee) : json_object();
    cm_workflow_step_t step;
    json_t *problem = cm_workflow_apply(&workorder_flow, cm_doc_state(doc),
                                        action, actor, doc, body, &step);
    int status = problem ? (int)cm_doc_integer(problem, "status") : 0;
    if (!problem && assignee) {
        cm_doc_set_string(doc, "assignee", assignee);
    }
    if (!problem && step.next_state) {
        cm_doc_set_string(doc, "state", step.next_state);
    }
    json_decref(problem);
    json_decref(body);
    json_decref(actor);
    return status;
}

START_TEST(test_workorder_flow_tables_check)
{
    ck_assert_int_eq(workorder_flow_check(), 0);
    ck_assert(workorder_is_unfinished("in_progress"));
    ck_assert(!workorder_is_unfinished("done"));
}
END_TEST

START_TEST(test_workorder_flow_full_path)
{
    ck_assert_int_eq(
        s_try("assign", s_actor("ST-2", "dept_head", "technical"), "ST-5"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "assigned");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "assignee")),
                     "ST-5");
    ck_assert_int_eq(
        s_try("accept", s_actor("ST-5", "technician", "technical"), NULL), 0);
    ck_assert_int_eq(
        s_try("start", s_actor("ST-5", "technician", "technical"), NULL), 0);
    ck_assert_int_eq(
        s_try("complete", s_actor("ST-5", "technician", "technical"), NULL), 0);
    ck_assert_int_eq(
        s_try("verify", s_actor("ST-2", "dept_head", "technical"), NULL), 0);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "verified");
}
END_TEST

START_TEST(test_workorder_flow_forbidden)
{
    ck_assert_int_eq(
        s_try("assign", s_actor("ST-9", "dept_head", "logistics"), "ST-5"),
        403);
    ck_assert_int_eq(
        s_try("assign", s_actor("ST-5", "technician", "technical"), "ST-5"),
        403);
    ck_assert_int_eq(
        s_try("escalate", s_actor("ST-1", "station_head", "management"), NULL),
        403); // dispatch only, no superuser bypass
    ck_assert_int_eq(s_try("assign", s_actor("SYS-1", "system", ""), "ST-5"),
                     403); // a system account assigns nothing
    ck_assert_int_eq(
        s_try("assign", s_actor("ST-1", "station_head", "management"), "ST-5"),
        0); // superuser
    ck_assert_int_eq(
        s_try("accept", s_actor("ST-6", "technician", "technical"), NULL),
        403); // not the assignee
}
END_TEST

START_TEST(test_workorder_flow_deputy_only_where_overseeing)
{
    json_t *deputy = json_pack("{s:s, s:s, s:s, s:[s], s:[]}", "id", "ST-22",
                               "role", "deputy_head", "department",
                               "management", "oversees", "logistics", "heads");
    ck_assert_int_eq(s_try("assign", deputy, "ST-5"), 403);
    ck_assert_int_eq(
        s_try("assign", s_actor("ST-21", "deputy_head", "management"), "ST-5"),
        0); // the deputy overseeing technical
}
END_TEST

START_TEST(test_workorder_flow_conflict_lists_actions)
{
    json_t *actor = s_actor("ST-2", "dept_head", "technical");
    json_t *body = json_object();
    cm_workflow_step_t step;
    json_t *problem = cm_workflow_apply(&workorder_flow, "open", "verify",
                                        actor, doc, body, &step);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(cm_doc_integer(problem, "status"), 409);
    json_t *allowed = json_object_get(problem, "allowed_actions");
    ck_assert_int_eq(json_array_size(allowed), 1);
    ck_assert_str_eq(json_string_value(json_array_get(allowed, 0)), "assign");
    json_decref(problem);
    // Missing assignee: 400 naming it.
    problem = cm_workflow_apply(&workorder_flow, "open", "assign", actor, doc,
                                body, &step);
    ck_assert_int_eq(cm_doc_integer(problem, "status"), 400);
    json_decref(problem);
    json_decref(body);
    json_decref(actor);
}
END_TEST

START_TEST(test_workorder_flow_own_rows)
{
    json_t *self = dispatch_self_actor();
    ck_assert_int_eq(s_try("escalate", json_deep_copy(self), NULL), 400);
    ck_assert_int_eq(s_try("close", json_deep_copy(self), NULL), 0);
    ck_assert_str_eq(cm_doc_state(doc), "closed");
    ck_assert_int_eq(s_try("escalate", json_deep_copy(self), NULL),
                     409); // final
    ck_assert_int_eq(s_try("close", s_actor("SYS-1", "system", ""), NULL), 409);
    json_decref(self);
}
END_TEST

START_TEST(test_workorder_flow_who_creates)
{
    json_t *subject = json_pack("{s:s}", "department", "technical");
    struct {
        json_t *actor;
        int status;
    } cases[] = {
        {s_actor("ST-2", "dept_head", "technical"), 0},
        {s_actor("ST-21", "deputy_head", "management"), 0},
        {s_actor("ST-5", "technician", "technical"), 0},
        {s_actor("ST-1", "station_head", "management"), 0},
        {s_actor("ST-9", "dept_head", "logistics"), 403},
        {s_actor("ST-31", "logistics", "logistics"), 403},
        {s_actor("SYS-1", "system", ""), 403},
        {s_actor("ST-40", "auditor", "technical"), 403},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_workflow_step_t step;
        json_t *problem =
            cm_workflow_apply(&workorder_create_rules, "new", "create",
                              cases[i].actor, subject, NULL, &step);
        int status = problem ? (int)cm_doc_integer(problem, "status") : 0;
        ck_assert_msg(status == cases[i].status, "case %zu: %d", i, status);
        json_decref(problem);
        json_decref(cases[i].actor);
    }
    json_decref(subject);
}
END_TEST

Suite *
workorder_flow_suite(void)
{
    Suite *suite = suite_create("workorder_flow");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_workorder_flow_tables_check);
    tcase_add_test(core, test_workorder_flow_full_path);
    tcase_add_test(core, test_workorder_flow_forbidden);
    tcase_add_test(core, test_workorder_flow_deputy_only_where_overseeing);
    tcase_add_test(core, test_workorder_flow_conflict_lists_actions);
    tcase_add_test(core, test_workorder_flow_own_rows);
    tcase_add_test(core, test_workorder_flow_who_creates);
    suite_add_tcase(suite, core);
    return suite;
}
