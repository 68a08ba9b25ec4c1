// cm_field: body tables, types, limits, copies. Pure.
#include <string.h>

#include "cm_field.h"
#include "cm_problem.h"
#include "suites.h"

static int
s_check(const cm_field_t *fields, const char *body_text, json_t **problem)
{
    json_t *body = json_loads(body_text, 0, NULL);
    ck_assert_msg(body != NULL, "bad test body %s", body_text);
    *problem = NULL;
    bool fine = cm_field_check(fields, body, problem);
    json_decref(body);
    return fine;
}

// The message for field in problem's errors, or NULL.
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

static const cm_field_t s_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED, .to = "title"},
    {"text", CM_FIELD_TEXT, 0, .max = 10},
    {"code", CM_FIELD_CODE},
    {"kind", CM_FIELD_ENUM, 0, "a b c"},
    {"hours", CM_FIELD_INTEGER, 0, .min = 1, .max = 24},
    {"amount", CM_FIELD_MONEY},
    {"delta", CM_FIELD_MONEY, CM_FIELD_NEGATIVE},
    {"flag", CM_FIELD_BOOLEAN, 0, .to = "flag"},
    {"at", CM_FIELD_TIME},
    {"on", CM_FIELD_DATE},
    {"tags", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = 2},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

START_TEST(test_cm_field_accepts_a_good_body)
{
    json_t *problem = NULL;
    ck_assert(s_check(s_fields,
                      "{\"title\":\"Pump\",\"text\":\"line\\nline\","
                      "\"code\":\"A-1.b\",\"kind\":\"b\",\"hours\":24,"
                      "\"amount\":1,\"delta\":-5,\"flag\":false,"
                      "\"at\":\"2024-02-29T10:00:00Z\",\"on\":\"2024-02-29\","
                      "\"tags\":[1,2],\"note\":\"ok\"}",
                      &problem));
    ck_assert_ptr_null(problem);
}
END_TEST

START_TEST(test_cm_field_names_every_bad_member)
{
    json_t *problem = NULL;
    ck_assert(!s_check(s_fields,
                       "{\"text\":\"12345678901\",\"code\":\"a b\","
                       "\"kind\":\"z\",\"hours\":0,\"amount\":10.0,"
                       "\"delta\":0,\"flag\":1,\"at\":\"2027-02-30T00:00:00Z\","
                       "\"on\":\"0000-01-01\",\"tags\":[],\"bogus\":1}",
                       &problem));
    ck_assert_int_eq(cm_problem_status(problem), 400);
    ck_assert_str_eq(s_message(problem, "title"), "is required");
    ck_assert_str_eq(s_message(problem, "text"),
                     "must be at most 10 characters");
    ck_assert_ptr_nonnull(s_message(problem, "code"));
    ck_assert_str_eq(s_message(problem, "kind"), "must be one of: a, b, c");
    ck_assert_str_eq(s_message(problem, "hours"), "must be an integer 1..24");
    ck_assert_str_eq(s_message(problem, "amount"),
                     "must be an integer amount in fen");
    ck_assert_ptr_null(s_message(problem, "delta")); // any sign, 0 included
    ck_assert_str_eq(s_message(problem, "flag"), "must be true or false");
    ck_assert_ptr_nonnull(s_message(problem, "at"));
    ck_assert_str_eq(s_message(problem, "on"), "must be a date YYYY-MM-DD");
    ck_assert_str_eq(s_message(problem, "tags"), "must have at least one item");
    ck_assert_str_eq(s_message(problem, "bogus"), "is not allowed");
    json_decref(problem);
}
END_TEST

START_TEST(test_cm_field_lengths_count_characters)
{
    // 10 characters of 3 bytes each: fine at max 10; control bytes are not.
    json_t *problem = NULL;
    ck_assert(s_check(s_fields,
                      "{\"title\":\"x\",\"text\":\"\xe6\x9c\x8d\xe5\x8b\x99"
                      "\xe7\xab\x99\xe6\x9c\x8d\xe5\x8b\x99\xe7\xab\x99\xe6\x9c"
                      "\x8d\xe5\x8b\x99\xe7\xab\x99\xe6\x9c\x8d\"}",
                      &problem));
    ck_assert(!s_check(s_fields, "{\"title\":\"a\\u0001b\"}", &problem));
    ck_assert_str_eq(s_message(problem, "title"),
                     "must not hold control characters");
    json_decref(problem);
    ck_assert(!s_check(s_fields, "{\"title\":\"a\\nb\"}", &problem));
    json_decref(problem);
    ck_assert_uint_eq(cm_field_length("\xe6\x9c\x8d"
                                      "ab"),
                      3);
}
END_TEST

START_TEST(test_cm_field_money_is_positive_integer_fen)
{
    json_t *problem = NULL;
    ck_assert(!s_check(s_fields, "{\"title\":\"x\",\"amount\":0}", &problem));
    ck_assert_str_eq(s_message(problem, "amount"), "must be greater than 0");
    json_decref(problem);
    ck_assert(!s_check(s_fields, "{\"title\":\"x\",\"amount\":-1}", &problem));
    json_decref(problem);
    ck_assert(
        !s_check(s_fields, "{\"title\":\"x\",\"amount\":\"10\"}", &problem));
    json_decref(problem);
    ck_assert(
        s_check(s_fields, "{\"title\":\"x\",\"amount\":123456}", &problem));
}
END_TEST

START_TEST(test_cm_field_copy_writes_targets)
{
    json_t *body =
        json_pack("{s:s, s:b, s:i}", "title", "T", "flag", 1, "hours", 3);
    json_t *doc = json_object();
    cm_field_copy(s_fields, body, doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "title")), "T");
    ck_assert(json_is_true(json_object_get(doc, "flag")));
    ck_assert_ptr_null(json_object_get(doc, "hours")); // no `to`
    json_decref(doc);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_field_body_must_be_an_object)
{
    json_t *problem = NULL;
    json_t *array = json_array();
    ck_assert(!cm_field_check(s_fields, array, &problem));
    ck_assert_str_eq(s_message(problem, "body"), "must be a JSON object");
    json_decref(problem);
    json_decref(array);
}
END_TEST

Suite *
cm_field_suite(void)
{
    Suite *s = suite_create("cm_field");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cm_field_accepts_a_good_body);
    tcase_add_test(tc, test_cm_field_names_every_bad_member);
    tcase_add_test(tc, test_cm_field_lengths_count_characters);
    tcase_add_test(tc, test_cm_field_money_is_positive_integer_fen);
    tcase_add_test(tc, test_cm_field_copy_writes_targets);
    tcase_add_test(tc, test_cm_field_body_must_be_an_object);
    suite_add_tcase(s, tc);
    return s;
}
