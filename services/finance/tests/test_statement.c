#include <check.h>
#include <string.h>

#include "statement.h"
#include "suites.h"

static const char *
s_message(const json_t *problem, const char *field)
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

static const char *
s_member(const json_t *lines, size_t i, const char *member)
{
    return json_string_value(json_object_get(json_array_get(lines, i), member));
}

START_TEST(test_statement_csv_with_header_and_quotes)
{
    json_t *problem = NULL;
    json_t *lines = statement_parse_csv(
        "date,amount,reference,description\r\n"
        "2026-03-02,150000,INV-88,\"Refund, supplier \"\"A\"\"\"\r\n"
        "\n"
        "2026-03-03,-2500,,fee\n"
        "2026-03-04,+7\n",
        &problem);
    ck_assert_ptr_null(problem);
    ck_assert_int_eq(json_array_size(lines), 3);
    ck_assert_str_eq(s_member(lines, 0, "date"), "2026-03-02");
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(lines, 0), "amount")),
        150000);
    ck_assert_str_eq(s_member(lines, 0, "description"),
                     "Refund, supplier \"A\"");
    ck_assert_str_eq(s_member(lines, 1, "reference"), "");
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(lines, 1), "amount")),
        -2500);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(lines, 2), "amount")),
        7);
    json_decref(lines);
}
END_TEST

START_TEST(test_statement_csv_errors_name_the_line)
{
    struct {
        const char *csv;
        const char *message;
    } cases[] = {
        {"2026-03-02,12.5,X,Y\n", "line 1 amount must be a non-zero integer "
                                  "(fen)"},
        {"date,amount\n2026-02-30,5\n", "line 2 date must be YYYY-MM-DD"},
        {"2026-03-02,0\n", "line 1 amount must be a non-zero integer (fen)"},
        {"2026-03-02\n", "line 1 needs at least date and amount"},
        {"2026-03-02,5,a,b,c\n", "line 1 has more than 4 fields"},
        {"2026-03-02,5,\"open\n",
         "line 1 has a malformed quoted field or one too long"},
        {"date,amount,reference,description\n",
         "line 1 is missing: no statement lines"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *problem = NULL;
        json_t *lines = statement_parse_csv(cases[i].csv, &problem);
        ck_assert_msg(lines == NULL, "case %zu parsed", i);
        ck_assert_str_eq(s_message(problem, "csv"), cases[i].message);
        json_decref(problem);
    }
}
END_TEST

START_TEST(test_statement_json_lines_checked)
{
    json_t *lines = json_loads(
        "[{\"date\":\"2026-01-05\",\"amount\":-300,\"reference\":\"R\"},"
        "{\"date\":\"2026-01-45\",\"amount\":0,\"memo\":\"x\"}, 3]",
        0, NULL);
    json_t *problem = NULL;
    ck_assert(!statement_check_lines(lines, &problem));
    ck_assert_ptr_nonnull(s_message(problem, "lines[1].date"));
    ck_assert_str_eq(s_message(problem, "lines[1].amount"), "must not be 0");
    ck_assert_str_eq(s_message(problem, "lines[1].memo"), "is not allowed");
    ck_assert_str_eq(s_message(problem, "lines[2]"), "must be an object");
    ck_assert_ptr_null(s_message(problem, "lines[0].date"));
    json_decref(problem);
    json_decref(lines);
}
END_TEST

Suite *
statement_suite(void)
{
    Suite *s = suite_create("statement");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, test_statement_csv_with_header_and_quotes);
    tcase_add_test(tc, test_statement_csv_errors_name_the_line);
    tcase_add_test(tc, test_statement_json_lines_checked);
    suite_add_tcase(s, tc);
    return s;
}
