#include <check.h>
#include <string.h>

#include "department.h"
#include "position.h"
#include "suites.h"

START_TEST(test_department_code)
{
    ck_assert(department_code_is_valid("customer_service"));
    ck_assert(department_code_is_valid("it2"));
    ck_assert(!department_code_is_valid("a"));
    ck_assert(!department_code_is_valid("Customer"));
    ck_assert(!department_code_is_valid("2nd"));
    ck_assert(!department_code_is_valid("a-b"));
    ck_assert(!department_code_is_valid("abcdefghijklmnopqrstuvwxyz0123456"));
    ck_assert(!department_code_is_valid(NULL));
}
END_TEST

START_TEST(test_department_validate)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s}", "code", "technical", "name",
                  "Technical", "head", "ST-3", "deputy", "ST-2");
    ck_assert_ptr_null(department_validate_create(body));
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s, s:s}", "code", "Tech!", "head", "Bob",
                     "parent", "X Y", "budget", "1");
    json_t *problem = department_validate_create(body);
    // budget, name, code, head, parent
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 5);
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:s, s:n}", "code", "other", "head");
    problem = department_validate_patch(body);
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 1);
    json_decref(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_department_mapping)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "code", "logistics", "name",
                             "Logistics", "deputy", "ST-2");
    json_t *actor =
        json_pack("{s:s, s:s}", "id", "ST-1", "role", "station_head");
    json_t *doc = department_new_doc(body, actor, 1767225600000);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "id")),
                     "logistics");
    ck_assert(json_is_null(json_object_get(doc, "head")));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "deputy")), "ST-2");
    ck_assert_int_eq(json_array_size(json_object_get(doc, "history")), 1);
    json_decref(actor);
    json_t *patch = json_pack("{s:s, s:n}", "head", "ST-4", "deputy");
    department_apply_patch(doc, patch);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "head")), "ST-4");
    ck_assert(json_is_null(json_object_get(doc, "deputy")));
    ck_assert_int_eq(cm_workflow_check(&department_workflow), 0);
    json_decref(patch);
    json_decref(doc);
    json_decref(body);
}
END_TEST

START_TEST(test_position_validate)
{
    json_t *body = json_pack("{s:s, s:s, s:i}", "title", "Agent", "department",
                             "customer_service", "grade", 3);
    ck_assert_ptr_null(position_validate_create(body));
    json_t *doc = position_new_doc(body, "POS-1", NULL, 1767225600000);
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "grade")), 3);
    json_decref(doc);
    json_decref(body);
    body = json_pack("{s:s, s:f}", "title", "", "grade", 3.0);
    json_t *problem = position_validate_create(body);
    // title blank, department missing, grade not an integer
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 3);
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:i}", "grade", 100);
    problem = position_validate_patch(body);
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 1);
    json_decref(problem);
    json_decref(body);
    ck_assert_int_eq(cm_workflow_check(&position_workflow), 0);
}
END_TEST

Suite *
department_suite(void)
{
    Suite *suite = suite_create("department");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_department_code);
    tcase_add_test(core, test_department_validate);
    tcase_add_test(core, test_department_mapping);
    tcase_add_test(core, test_position_validate);
    suite_add_tcase(suite, core);
    return suite;
}
