#include "cm_validate.h"

#include <stdio.h>
#include <string.h>

#include "cm_problem.h"
#include "suites.h"

// "field: message; field: message" of a problem's errors[], into buf.
static const char *
s_errors(const json_t *problem, char *buf, size_t size)
{
    const json_t *errors = json_object_get(problem, "errors");
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(errors) && used < size; i++) {
        const json_t *error = json_array_get(errors, i);
        used += (size_t)snprintf(
            buf + used, size - used, "%s%s: %s", i ? "; " : "",
            json_string_value(json_object_get(error, "field")),
            json_string_value(json_object_get(error, "message")));
    }
    return buf;
}

START_TEST(test_cm_validate_name_lists)
{
    const char *severities = "low medium  high critical";
    ck_assert(cm_validate_name_in(severities, "low"));
    ck_assert(cm_validate_name_in(severities, "high"));
    ck_assert(cm_validate_name_in(severities, "critical"));
    ck_assert(!cm_validate_name_in(severities, "lo"));
    ck_assert(!cm_validate_name_in(severities, "lower"));
    ck_assert(!cm_validate_name_in(severities, ""));
    ck_assert(!cm_validate_name_in(severities, "high critical"));
    ck_assert(!cm_validate_name_in(NULL, "low"));
    ck_assert(!cm_validate_name_in(severities, NULL));

    char name[CM_VALIDATE_NAME_MAX];
    char joined[128] = "";
    const char *rest = cm_validate_next_name(" a  bb ccc ", name, sizeof name);
    while (rest) {
        strncat(joined, name, sizeof joined - strlen(joined) - 2);
        strncat(joined, "|", sizeof joined - strlen(joined) - 1);
        rest = cm_validate_next_name(rest, name, sizeof name);
    }
    ck_assert_str_eq(joined, "a|bb|ccc|");
    ck_assert_ptr_null(cm_validate_next_name(NULL, name, sizeof name));
    ck_assert_ptr_null(cm_validate_next_name("   ", name, sizeof name));
    ck_assert_str_eq(name, "");
}
END_TEST

START_TEST(test_cm_validate_has_value)
{
    json_t *body = json_pack("{s:s, s:s, s:n, s:[], s:{}, s:i, s:b, s:[i]}",
                             "text", "x", "blank", " \t", "null", "empty",
                             "none", "zero", 0, "no", 0, "list", 1);
    ck_assert(cm_validate_has_value(body, "text"));
    ck_assert(!cm_validate_has_value(body, "blank"));
    ck_assert(!cm_validate_has_value(body, "null"));
    ck_assert(!cm_validate_has_value(body, "empty"));
    ck_assert(!cm_validate_has_value(body, "none"));
    ck_assert(cm_validate_has_value(body, "zero"));
    ck_assert(cm_validate_has_value(body, "no"));
    ck_assert(cm_validate_has_value(body, "list"));
    ck_assert(!cm_validate_has_value(body, "absent"));
    ck_assert(!cm_validate_has_value(NULL, "text"));
    json_decref(body);
}
END_TEST

START_TEST(test_cm_validate_good_body_makes_no_problem)
{
    json_t *body =
        json_pack("{s:b, s:i, s:s, s:s, s:n}", "satisfied", 1, "score", 5,
                  "severity", "critical", "comment", "", "note");
    json_t *problem = NULL;
    ck_assert(cm_validate_object(body, &problem));
    ck_assert(cm_validate_keys(body, "satisfied score severity comment note",
                               &problem));
    ck_assert(
        cm_validate_boolean(body, "satisfied", CM_VALIDATE_REQUIRED, &problem));
    ck_assert(cm_validate_integer(body, "score", 1, 5, CM_VALIDATE_REQUIRED,
                                  &problem));
    ck_assert(cm_validate_enum(body, "severity", "low medium high critical",
                               CM_VALIDATE_REQUIRED, &problem));
    // Optional: an empty string is a value; null and absent are no value.
    ck_assert(
        cm_validate_string(body, "comment", CM_VALIDATE_OPTIONAL, &problem));
    ck_assert(cm_validate_string(body, "note", CM_VALIDATE_OPTIONAL, &problem));
    ck_assert(cm_validate_integer(body, "rounds", 0, 10, CM_VALIDATE_OPTIONAL,
                                  &problem));
    ck_assert_ptr_null(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_validate_names_every_bad_field_at_once)
{
    json_t *body = json_pack("{s:s, s:i, s:s, s:f, s:i, s:s, s:i}", "satisfied",
                             "yes", "score", 6, "severity", "urgent", "rounds",
                             2.0, "colour", 1, "comment", "  ", "nature", 3);
    json_t *problem = NULL;
    ck_assert(!cm_validate_keys(
        body, "satisfied score severity rounds comment nature subject",
        &problem));
    ck_assert(!cm_validate_boolean(body, "satisfied", CM_VALIDATE_REQUIRED,
                                   &problem));
    ck_assert(!cm_validate_integer(body, "score", 1, 5, CM_VALIDATE_REQUIRED,
                                   &problem));
    ck_assert(!cm_validate_enum(body, "severity", "low medium high critical",
                                CM_VALIDATE_OPTIONAL, &problem));
    ck_assert(!cm_validate_integer(body, "rounds", 0, 10, CM_VALIDATE_OPTIONAL,
                                   &problem));
    ck_assert(
        !cm_validate_string(body, "comment", CM_VALIDATE_REQUIRED, &problem));
    ck_assert(!cm_validate_enum(body, "nature", "service quality",
                                CM_VALIDATE_REQUIRED, &problem));
    ck_assert(
        !cm_validate_string(body, "subject", CM_VALIDATE_REQUIRED, &problem));
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(cm_problem_status(problem), 400);
    ck_assert_str_eq(json_string_value(json_object_get(problem, "code")),
                     "validation_failed");
    char buf[1024];
    ck_assert_str_eq(s_errors(problem, buf, sizeof buf),
                     "colour: is not allowed; "
                     "satisfied: must be true or false; "
                     "score: must be an integer from 1 to 5; "
                     "severity: must be one of: low, medium, high, critical; "
                     "rounds: must be an integer from 0 to 10; "
                     "comment: is required; "
                     "nature: must be one of: service, quality; "
                     "subject: is required");
    json_decref(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_validate_body_must_be_an_object)
{
    json_t *array = json_array();
    json_t *problem = NULL;
    ck_assert(!cm_validate_object(array, &problem));
    ck_assert(!cm_validate_object(NULL, &problem));
    // Keys of a non-object: nothing to report twice.
    ck_assert(cm_validate_keys(array, "a", &problem));
    char buf[256];
    ck_assert_str_eq(s_errors(problem, buf, sizeof buf),
                     "body: must be a JSON object; "
                     "body: must be a JSON object");
    json_decref(problem);
    json_decref(array);
}
END_TEST

START_TEST(test_cm_validate_adds_to_an_existing_problem)
{
    json_t *problem = cm_problem_new(400, "validation_failed", NULL);
    ck_assert(
        !cm_validate_fail(&problem, "invoices", "must add up to the amount"));
    ck_assert(
        !cm_validate_boolean(NULL, "paid", CM_VALIDATE_REQUIRED, &problem));
    char buf[256];
    ck_assert_str_eq(s_errors(problem, buf, sizeof buf),
                     "invoices: must add up to the amount; paid: is required");
    json_decref(problem);
}
END_TEST

Suite *
cm_validate_suite(void)
{
    Suite *suite = suite_create("cm_validate");
    TCase *names = tcase_create("names");
    tcase_add_test(names, test_cm_validate_name_lists);
    tcase_add_test(names, test_cm_validate_has_value);
    suite_add_tcase(suite, names);
    TCase *body = tcase_create("body");
    tcase_add_test(body, test_cm_validate_good_body_makes_no_problem);
    tcase_add_test(body, test_cm_validate_names_every_bad_field_at_once);
    tcase_add_test(body, test_cm_validate_body_must_be_an_object);
    tcase_add_test(body, test_cm_validate_adds_to_an_existing_problem);
    suite_add_tcase(suite, body);
    return suite;
}
