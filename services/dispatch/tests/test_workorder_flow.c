// The dispatch tables: who may do what to a work order, and when.
#include <check.h>
#include <string.h>

#include "../workorder.h"
#include "../workorder_flow.h"
#include "suites.h"

static json_t *doc; // an open work order of the technical department

static void
setup(void)
{
    doc = workorder_new("WO-1", "fix the pump", "technical", NULL, "normal",
                        "ST-1", 1000);
}

static void
teardown(void)
{
    json_decref(doc);
}

static json_t *
s_actor(const char *id, const char *role, const char *dept)
{
    return json_pack("{s:s, s:s, s:s}", "id", id, "role", role, "department",
                     dept);
}

// Apply action as actor; returns the problem status (0: allowed).
static int
s_try(const char *action, json_t *actor, const char *assignee)
{
    json_t *body =
        assignee ? json_pack("{s:s}", "assignee", assignee) : json_object();
    cm_workflow_step_t step;
    json_t *problem =
        workorder_transition(doc, action, actor, body, 2000, &step);
    int status =
        problem ? (int)json_integer_value(json_object_get(problem, "status"))
                : 0;
    json_decref(problem);
    json_decref(body);
    json_decref(actor);
    return status;
}

START_TEST(test_workorder_flow_tables_check)
{
    ck_assert_int_eq(workorder_flow_check_all(), 0);
    ck_assert(workorder_state_is_unfinished("in_progress"));
    ck_assert(!workorder_state_is_unfinished("done"));
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
    // create + five transitions
    ck_assert_int_eq(json_array_size(json_object_get(doc, "history")), 6);
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
        403); // system only, no superuser bypass
    ck_assert_int_eq(
        s_try("assign", s_actor("ST-1", "station_head", "management"), "ST-5"),
        0); // superuser
    ck_assert_int_eq(
        s_try("accept", s_actor("ST-6", "technician", "technical"), NULL),
        403); // not the assignee
}
END_TEST

START_TEST(test_workorder_flow_conflict_lists_actions)
{
    json_t *actor = s_actor("ST-2", "dept_head", "technical");
    json_t *body = json_object();
    cm_workflow_step_t step;
    json_t *problem =
        workorder_transition(doc, "verify", actor, body, 2000, &step);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     409);
    json_t *allowed = json_object_get(problem, "allowed_actions");
    ck_assert_int_eq(json_array_size(allowed), 1);
    ck_assert_str_eq(json_string_value(json_array_get(allowed, 0)), "assign");
    json_decref(problem);
    // Missing assignee: 400 naming it.
    problem = workorder_transition(doc, "assign", actor, body, 2000, &step);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     400);
    json_decref(problem);
    json_decref(body);
    json_decref(actor);
}
END_TEST

START_TEST(test_workorder_flow_system_rows)
{
    ck_assert_int_eq(s_try("escalate", s_actor("dispatch", "system", ""), NULL),
                     0);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "open");
    ck_assert_int_eq(s_try("close", s_actor("dispatch", "system", ""), NULL),
                     0);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "closed");
    ck_assert_int_eq(s_try("escalate", s_actor("dispatch", "system", ""), NULL),
                     409); // final
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
    tcase_add_test(core, test_workorder_flow_conflict_lists_actions);
    tcase_add_test(core, test_workorder_flow_system_rows);
    suite_add_tcase(suite, core);
    return suite;
}
