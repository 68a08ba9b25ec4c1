#include <check.h>
#include <string.h>

#include "evaluation.h"
#include "suites.h"

START_TEST(test_evaluation_rater_and_final_scores)
{
    json_t *indicators =
        json_pack("[{s:s, s:i}, {s:s, s:i}]", "name", "performance", "weight",
                  60, "name", "attitude", "weight", 40);
    json_t *scores = json_pack("{s:i, s:i}", "performance", 90, "attitude", 70);
    ck_assert(evaluation_rater_score(indicators, scores) == 82.0);
    json_t *partial = json_pack("{s:i}", "performance", 90);
    ck_assert(evaluation_rater_score(indicators, partial) < 0);
    // Supervisor 82, peers 70 and 80 (75), self 90, no customer: the
    // customer's weight is left out.
    json_t *weights = json_pack("{s:i, s:i, s:i, s:i}", "supervisor", 40,
                                "peer", 20, "self", 10, "customer", 30);
    json_t *all = json_pack("{s:{s:f}, s:[{s:f}, {s:f}], s:{s:f}, s:n}",
                            "supervisor", "score", 82.0, "peers", "score", 70.0,
                            "score", 80.0, "self", "score", 90.0, "customer");
    // (82*40 + 75*20 + 90*10) / 70 = 81.14
    ck_assert(evaluation_final_score(weights, all) == 81.14);
    json_object_set_new(all, "customer", json_pack("{s:f}", "score", 60.0));
    // (3280 + 1500 + 900 + 1800) / 100 = 74.8
    ck_assert(evaluation_final_score(weights, all) == 74.8);
    json_t *none = json_pack("{s:n, s:[], s:n, s:n}", "supervisor", "peers",
                             "self", "customer");
    ck_assert(evaluation_final_score(weights, none) < 0);
    ck_assert_str_eq(evaluation_grade(90), "A");
    ck_assert_str_eq(evaluation_grade(89.99), "B");
    ck_assert_str_eq(evaluation_grade(74.8), "C");
    ck_assert_str_eq(evaluation_grade(59), "D");
    json_decref(none);
    json_decref(all);
    json_decref(weights);
    json_decref(partial);
    json_decref(scores);
    json_decref(indicators);
}
END_TEST

START_TEST(test_evaluation_validate_cycle)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:{s:s, s:s}, s:[{s:s, s:i}, {s:s, s:i}], "
        "s:{s:i, s:i, s:i, s:i}}",
        "title", "Q1", "department", "technical", "period", "start",
        "2027-01-01", "end", "2027-03-31", "indicators", "name", "performance",
        "weight", 60, "name", "attitude", "weight", 40, "rater_weights",
        "supervisor", 50, "peer", 20, "self", 10, "customer", 20);
    ck_assert_ptr_null(evaluation_validate_cycle(body));
    // Weights that do not add up; an indicator twice.
    json_object_set_new(json_object_get(body, "rater_weights"), "self",
                        json_integer(20));
    json_object_set_new(json_array_get(json_object_get(body, "indicators"), 1),
                        "name", json_string("performance"));
    json_t *problem = evaluation_validate_cycle(body);
    ck_assert_ptr_nonnull(problem);
    // rater_weights (cm_field), then indicators[1].name: the first pass
    // stops at the field errors.
    ck_assert_int_ge(json_array_size(json_object_get(problem, "errors")), 1);
    json_decref(problem);
    json_object_set_new(json_object_get(body, "rater_weights"), "self",
                        json_integer(10));
    problem = evaluation_validate_cycle(body);
    // indicators[1].name twice, and 60 + 40 still 100.
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 1);
    json_decref(problem);
    json_decref(body);
}
END_TEST

Suite *
evaluation_suite(void)
{
    Suite *suite = suite_create("evaluation");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_evaluation_rater_and_final_scores);
    tcase_add_test(core, test_evaluation_validate_cycle);
    suite_add_tcase(suite, core);
    return suite;
}
