#include "cm_problem.h"
#include "suites.h"

START_TEST(test_cm_problem_render)
{
    json_t *problem = cm_problem_new(400, "validation_failed", "bad fields");
    cm_problem_add_error(problem, "severity", "is required");
    cm_problem_add_error(problem, "score", "must be 1..5");
    cm_problem_set(problem, "allowed_actions", json_pack("[s]", "forward"));
    ck_assert_int_eq(cm_problem_status(problem), 400);
    json_t *out = cm_problem_render(problem, "/v1/cases/CS-1");
    ck_assert_str_eq(json_string_value(json_object_get(out, "type")),
                     CM_PROBLEM_TYPE_BASE "validation_failed");
    ck_assert_str_eq(json_string_value(json_object_get(out, "title")),
                     "Bad Request");
    ck_assert_str_eq(json_string_value(json_object_get(out, "instance")),
                     "/v1/cases/CS-1");
    ck_assert_int_eq(json_array_size(json_object_get(out, "errors")), 2);
    ck_assert_int_eq(json_array_size(json_object_get(out, "allowed_actions")),
                     1);
    json_decref(out);
    json_decref(problem);
}
END_TEST

START_TEST(test_cm_problem_defaults_and_malformed)
{
    json_t *problem = cm_problem_from_status(CM_ENOTFOUND, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(problem, "code")),
                     "not_found");
    json_t *out = cm_problem_render(problem, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(out, "detail")),
                     "Not Found");
    json_decref(out);
    json_decref(problem);
    // A malformed error object (from a buggy peer) still renders as a 500.
    json_t *junk = json_pack("{s:s}", "status", "oops");
    ck_assert_int_eq(cm_problem_status(junk), 500);
    out = cm_problem_render(junk, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(out, "status")), 500);
    json_decref(out);
    json_decref(junk);
    ck_assert_int_eq(cm_status_http(CM_EUNAVAILABLE), 503);
    ck_assert_int_eq(cm_status_from_http(412), CM_EPRECONDITION);
}
END_TEST

Suite *
cm_problem_suite(void)
{
    Suite *suite = suite_create("cm_problem");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_problem_render);
    tcase_add_test(core, test_cm_problem_defaults_and_malformed);
    suite_add_tcase(suite, core);
    return suite;
}
