#include <check.h>
#include <string.h>

#include "entry.h"
#include "suites.h"

static json_t *
s_parse(const char *text)
{
    json_t *value = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(value);
    return value;
}

static const char *
s_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(json_string_value(json_object_get(e, "field")), field)
            == 0) {
            return json_string_value(json_object_get(e, "message"));
        }
    }
    return NULL;
}

START_TEST(test_entry_balanced_lines_pass)
{
    json_t *lines = s_parse("[{\"account\":\"1002\",\"debit\":700},"
                            "{\"account\":\"6001\",\"credit\":500},"
                            "{\"account\":\"6301\",\"credit\":200}]");
    json_t *problem = NULL;
    int64_t total = 0;
    ck_assert(entry_check_lines(lines, &problem, &total));
    ck_assert_ptr_null(problem);
    ck_assert_int_eq(total, 700);
    json_decref(lines);
}
END_TEST

START_TEST(test_entry_unbalanced_is_refused)
{
    json_t *lines = s_parse("[{\"account\":\"1002\",\"debit\":700},"
                            "{\"account\":\"6001\",\"credit\":699}]");
    json_t *problem = NULL;
    int64_t total = 1;
    ck_assert(!entry_check_lines(lines, &problem, &total));
    ck_assert_str_eq(s_error_for(problem, "lines"),
                     "must balance: debits 700, credits 699");
    ck_assert_int_eq(total, 0);
    json_decref(problem);
    json_decref(lines);
}
END_TEST

START_TEST(test_entry_bad_lines_are_named)
{
    json_t *lines =
        s_parse("[{\"account\":\"1002\",\"debit\":7.5},{\"account\":\"6001\"},"
                "{\"account\":\"6001\",\"debit\":1,\"credit\":1},{\"debit\":2},"
                "{\"account\":\"1\",\"credit\":0,\"x\":1}, 7]");
    json_t *problem = NULL;
    int64_t total = 0;
    ck_assert(!entry_check_lines(lines, &problem, &total));
    ck_assert_ptr_nonnull(s_error_for(problem, "lines[0].debit"));
    ck_assert_str_eq(s_error_for(problem, "lines[1]"),
                     "must have exactly one of debit and credit");
    ck_assert_ptr_nonnull(s_error_for(problem, "lines[2]"));
    ck_assert_str_eq(s_error_for(problem, "lines[3].account"), "is required");
    ck_assert_ptr_nonnull(s_error_for(problem, "lines[4].credit"));
    ck_assert_str_eq(s_error_for(problem, "lines[4].x"), "is not allowed");
    ck_assert_str_eq(s_error_for(problem, "lines[5]"), "must be an object");
    json_decref(problem);
    json_decref(lines);
    problem = NULL;
    ck_assert(!entry_check_lines(NULL, &problem, &total));
    ck_assert_str_eq(s_error_for(problem, "lines"), "is required");
    json_decref(problem);
    problem = NULL;
    lines = s_parse("[{\"account\":\"1002\",\"debit\":7}]");
    ck_assert(!entry_check_lines(lines, &problem, &total));
    json_decref(problem);
    json_decref(lines);
}
END_TEST

START_TEST(test_entry_reverse_and_balance_side)
{
    json_t *lines = s_parse("[{\"account\":\"1002\",\"debit\":700,\"memo\":"
                            "\"m\"},{\"account\":\"6001\",\"credit\":700}]");
    json_t *reversed = entry_reverse_lines(lines);
    ck_assert_int_eq(entry_line_credit(json_array_get(reversed, 0)), 700);
    ck_assert_int_eq(entry_line_debit(json_array_get(reversed, 0)), 0);
    ck_assert_int_eq(entry_line_debit(json_array_get(reversed, 1)), 700);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(reversed, 0), "memo")),
        "m");
    json_t *problem = NULL;
    int64_t total = 0;
    ck_assert(entry_check_lines(reversed, &problem, &total));
    json_decref(reversed);
    json_decref(lines);
    ck_assert_int_eq(entry_balance_delta("asset", 10, 3), 7);
    ck_assert_int_eq(entry_balance_delta("expense", 10, 3), 7);
    ck_assert_int_eq(entry_balance_delta("income", 10, 3), -7);
    ck_assert_int_eq(entry_balance_delta("liability", 0, 5), 5);
    ck_assert_int_eq(entry_balance_delta("equity", 0, 5), 5);
}
END_TEST

Suite *
entry_suite(void)
{
    Suite *s = suite_create("entry");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_entry_balanced_lines_pass);
    tcase_add_test(tc, test_entry_unbalanced_is_refused);
    tcase_add_test(tc, test_entry_bad_lines_are_named);
    tcase_add_test(tc, test_entry_reverse_and_balance_side);
    suite_add_tcase(s, tc);
    return s;
}
