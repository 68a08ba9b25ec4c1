#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "cm_workflow.h"
#include "learning.h"
#include "suites.h"

// The field of error i of a problem.
static const char *
s_field(const json_t *problem, size_t i)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(problem, "errors"), i), "field"));
}

START_TEST(test_learning_link)
{
    ck_assert(learning_link_is_valid("https://learn.example.org/a?b=1"));
    ck_assert(learning_link_is_valid("http://intranet:8080/book.pdf"));
    ck_assert(!learning_link_is_valid("ftp://example.org/a"));
    ck_assert(!learning_link_is_valid("https://"));
    ck_assert(!learning_link_is_valid("https:///path"));
    ck_assert(!learning_link_is_valid("https://a b.org/"));
    ck_assert(!learning_link_is_valid("https://a.org/\n"));
    ck_assert(!learning_link_is_valid("javascript:alert(1)"));
    ck_assert(!learning_link_is_valid(NULL));
}
END_TEST

START_TEST(test_learning_validate)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:s, s:[s,s], s:[s], s:i, s:s}", "title", "Pumps", "kind",
        "course", "link", "https://learn.example.org/pumps", "tags", "safety",
        "pumps", "roles", "technician", "hours", 4, "department", "technical");
    ck_assert_ptr_null(learning_validate_create(body));
    json_decref(body);
    // Required members, a bad kind, link, tag and role, one role twice.
    body = json_pack("{s:s, s:s, s:[s], s:[s,s]}", "kind", "video", "link",
                     "mailto:a@b", "tags", "Bad Tag", "roles", "technician",
                     "technician");
    json_t *problem = learning_validate_create(body);
    ck_assert_ptr_nonnull(problem);
    size_t n = json_array_size(json_object_get(problem, "errors"));
    bool seen_kind = false, seen_link = false, seen_roles = false;
    bool seen_tag = false, seen_title = false, seen_department = false;
    for (size_t i = 0; i < n; i++) {
        const char *field = s_field(problem, i);
        seen_kind |= strcmp(field, "kind") == 0;
        seen_link |= strcmp(field, "link") == 0;
        seen_roles |= strcmp(field, "roles") == 0;
        seen_tag |= strcmp(field, "tags[0]") == 0;
        seen_title |= strcmp(field, "title") == 0;
        seen_department |= strcmp(field, "department") == 0;
    }
    ck_assert(seen_kind && seen_link && seen_roles && seen_tag && seen_title
              && seen_department);
    json_decref(problem);
    json_decref(body);
    problem = learning_validate_create(NULL);
    ck_assert_str_eq(s_field(problem, 0), "body");
    json_decref(problem);
}
END_TEST

START_TEST(test_learning_workflow)
{
    ck_assert_int_eq(cm_workflow_check(&learning_workflow), 0);
}
END_TEST

Suite *
learning_suite(void)
{
    Suite *s = suite_create("learning");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_learning_link);
    tcase_add_test(tc, test_learning_validate);
    tcase_add_test(tc, test_learning_workflow);
    suite_add_tcase(s, tc);
    return s;
}
