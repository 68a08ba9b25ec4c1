#include <check.h>
#include <string.h>

#include "cm_doc.h"
#include "sanction.h"
#include "suites.h"

// The field of the i-th error of a problem.
static const char *
s_error_field(const json_t *problem, size_t i)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(problem, "errors"), i), "field"));
}

START_TEST(test_sanction_validate_ok)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:[s]}", "staff", "ST-7",
                             "kind", "fine", "reason", "late three times",
                             "amount", 20000, "evidence", "roster 2026-03");
    ck_assert_ptr_null(sanction_validate_create(body));
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s, s:s}", "staff", "ST-7", "kind",
                     "demotion", "reason", "negligence", "role", "technician");
    ck_assert_ptr_null(sanction_validate_create(body));
    json_decref(body);
}
END_TEST

START_TEST(test_sanction_validate_rules)
{
    // A fine without its amount; a warning with a role.
    json_t *body = json_pack("{s:s, s:s, s:s}", "staff", "ST-7", "kind", "fine",
                             "reason", "late");
    json_t *problem = sanction_validate_create(body);
    ck_assert_str_eq(s_error_field(problem, 0), "amount");
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s, s:s}", "staff", "ST-7", "kind", "warning",
                     "reason", "late", "role", "technician");
    problem = sanction_validate_create(body);
    ck_assert_str_eq(s_error_field(problem, 0), "role");
    json_decref(problem);
    json_decref(body);
    // A promotion to station head.
    body = json_pack("{s:s, s:s, s:s, s:s}", "staff", "ST-7", "kind",
                     "promotion", "reason", "great", "role", "station_head");
    problem = sanction_validate_create(body);
    ck_assert_str_eq(s_error_field(problem, 0), "role");
    json_decref(problem);
    json_decref(body);
    // Missing reason, unknown kind, bad staff id: every one named.
    body = json_pack("{s:s, s:s}", "staff", "bob", "kind", "medal");
    problem = sanction_validate_create(body);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     400);
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 3);
    json_decref(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_sanction_ranks)
{
    ck_assert_int_eq(sanction_role_rank("station_head"), 3);
    ck_assert_int_eq(sanction_role_rank("deputy_head"), 2);
    ck_assert_int_eq(sanction_role_rank("dept_head"), 1);
    ck_assert_int_eq(sanction_role_rank("technician"), 0);
    ck_assert_int_eq(sanction_role_rank("cs_agent"), 0);
    ck_assert_int_eq(sanction_role_rank(NULL), 0);
}
END_TEST

START_TEST(test_sanction_workflow_rows)
{
    ck_assert_int_eq(cm_workflow_check(&sanction_workflow), 0);
    // The person responds before the decision; the proposer submits.
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s}", "id", "SAN-1", "staff", "ST-7",
                  "requested_by", "ST-3", "department", "technical");
    json_t *person = json_pack("{s:s, s:s, s:s}", "id", "ST-7", "role",
                               "technician", "department", "technical");
    json_t *proposer =
        json_pack("{s:s, s:s, s:s, s:[s]}", "id", "ST-3", "role", "dept_head",
                  "department", "technical", "heads", "technical");
    json_t *actions =
        cm_workflow_actions(&sanction_workflow, "draft", person, doc);
    ck_assert_int_eq(json_array_size(actions), 1);
    ck_assert_str_eq(json_string_value(json_array_get(actions, 0)), "respond");
    json_decref(actions);
    actions = cm_workflow_actions(&sanction_workflow, "draft", proposer, doc);
    ck_assert_int_eq(json_array_size(actions), 2); // submit, withdraw
    json_decref(actions);
    actions =
        cm_workflow_actions(&sanction_workflow, "approved", proposer, doc);
    ck_assert_int_eq(json_array_size(actions), 0); // publish: not a head's
    json_decref(actions);
    json_decref(proposer);
    json_decref(person);
    json_decref(doc);
}
END_TEST

Suite *
sanction_suite(void)
{
    Suite *suite = suite_create("sanction");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_sanction_validate_ok);
    tcase_add_test(core, test_sanction_validate_rules);
    tcase_add_test(core, test_sanction_ranks);
    tcase_add_test(core, test_sanction_workflow_rows);
    suite_add_tcase(suite, core);
    return suite;
}
