#include <check.h>
#include <string.h>

#include "recruitment.h"
#include "suites.h"

START_TEST(test_recruitment_validate)
{
    json_t *body = json_pack("{s:s, s:i, s:s, s:{s:s, s:s}, s:s}", "position",
                             "POS-3", "headcount", 2, "conditions",
                             "certificate", "period", "start", "2027-01-01",
                             "end", "2027-03-31", "budget_line", "BU-1/L2");
    ck_assert_ptr_null(recruitment_validate_create(body));
    // End before start; headcount 0; a bad position.
    json_object_set_new(json_object_get(body, "period"), "end",
                        json_string("2026-12-31"));
    json_object_set_new(body, "headcount", json_integer(0));
    json_object_set_new(body, "position", json_string("P3"));
    json_object_set_new(body, "budget_line", json_string("BU-1.L2"));
    json_t *problem = recruitment_validate_create(body);
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 4);
    json_decref(problem);
    json_decref(body);
    const char *lines[] = {"BU-1/L", "BU-1/L02", "BU-1/L2x", "BU-1/", "L2"};
    body = json_pack("{s:s, s:i, s:s, s:{s:s, s:s}, s:s}", "position", "POS-3",
                     "headcount", 1, "conditions", "c", "period", "start",
                     "2027-01-01", "end", "2027-01-01", "budget_line",
                     "BU-12/L34");
    ck_assert_ptr_null(recruitment_validate_create(body));
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        json_object_set_new(body, "budget_line", json_string(lines[i]));
        problem = recruitment_validate_create(body);
        ck_assert_msg(problem != NULL, "%s accepted", lines[i]);
        json_decref(problem);
    }
    json_decref(body);
    problem = recruitment_validate_create(NULL);
    ck_assert_ptr_nonnull(problem);
    json_decref(problem);
    ck_assert_int_eq(cm_workflow_check(&recruitment_workflow), 0);
}
END_TEST

Suite *
recruitment_suite(void)
{
    Suite *suite = suite_create("recruitment");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_recruitment_validate);
    suite_add_tcase(suite, core);
    return suite;
}
