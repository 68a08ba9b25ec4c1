// The tokens of case search (case_words.h): ASCII words lower-cased and cut,
// CJK characters one by one, everything else a separator; a case's token
// set and the word index moves a PATCH makes.
#include <check.h>
#include <string.h>

#include "case_words.h"
#include "suites.h"

static bool
s_has(const json_t *set, const char *token)
{
    return json_object_get(set, token) != NULL;
}

START_TEST(test_case_words_tokens)
{
    json_t *set = json_object();
    case_words_add(set, "Pump-42 broke; 水压低！ Café ＡＢ", 100);
    ck_assert(s_has(set, "pump"));
    ck_assert(s_has(set, "42"));
    ck_assert(s_has(set, "broke"));
    ck_assert(s_has(set, "水"));
    ck_assert(s_has(set, "压"));
    ck_assert(s_has(set, "低"));
    ck_assert(s_has(set, "caf")); // other scripts separate words
    ck_assert(!s_has(set, "Pump"));
    ck_assert(!s_has(set, "！"));
    ck_assert_uint_eq(json_object_size(set), 7);
    json_decref(set);

    // Long words are cut; the set stops at its maximum.
    set = json_object();
    case_words_add(set, "abcdefghijklmnopqrstuvwxyz0123456789 x y z", 2);
    ck_assert(s_has(set, "abcdefghijklmnopqrstuvwxyz012345"));
    ck_assert_uint_eq(json_object_size(set), 2);
    json_decref(set);

    // Nothing to index.
    set = json_object();
    case_words_add(set, "!!! --- ...", 10);
    case_words_add(set, NULL, 10);
    ck_assert_uint_eq(json_object_size(set), 0);
    json_decref(set);
}
END_TEST

START_TEST(test_case_words_of_a_case)
{
    json_t *doc = json_pack("{s:s, s:s, s:s}", "id", "CS-1", "subject",
                            "Lamp broken", "description", "Corridor LAMP");
    json_t *set = case_words_of(doc);
    ck_assert_uint_eq(json_object_size(set), 3);
    ck_assert(s_has(set, "lamp") && s_has(set, "corridor"));
    json_decref(set);
    json_decref(doc);
    char key[CM_STORE_KEY_MAX];
    ck_assert_str_eq(case_words_prefix("lamp", key),
                     "sm:{intake}:idx:case_word:lamp:");
    ck_assert_str_eq(case_words_key("lamp", 8191, key),
                     "sm:{intake}:idx:case_word:lamp:0");
    ck_assert_str_eq(case_words_key("lamp", 8192, key),
                     "sm:{intake}:idx:case_word:lamp:1");
    ck_assert_ptr_null(case_words_key("lamp", 0, key));
}
END_TEST

Suite *
case_words_suite(void)
{
    Suite *suite = suite_create("case_words");
    TCase *tc = tcase_create("tokens");
    tcase_add_test(tc, test_case_words_tokens);
    tcase_add_test(tc, test_case_words_of_a_case);
    suite_add_tcase(suite, tc);
    return suite;
}
