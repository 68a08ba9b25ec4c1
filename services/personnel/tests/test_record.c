#include <check.h>
#include <string.h>

#include "access.h"
#include "listing.h"
#include "record.h"
#include "suites.h"

START_TEST(test_record_if_match_parse)
{
    int64_t version = 0;
    ck_assert_int_eq(record_parse_if_match("3", &version), 0);
    ck_assert_int_eq(version, 3);
    ck_assert_int_eq(record_parse_if_match("\"12\"", &version), 0);
    ck_assert_int_eq(version, 12);
    ck_assert_int_eq(record_parse_if_match("W/\"7\"", &version), 0);
    ck_assert_int_eq(version, 7);
    ck_assert_int_eq(record_parse_if_match("", &version), -1);
    ck_assert_int_eq(record_parse_if_match("\"\"", &version), -1);
    ck_assert_int_eq(record_parse_if_match("*", &version), -1);
    ck_assert_int_eq(record_parse_if_match("\"3", &version), -1);
    ck_assert_int_eq(record_parse_if_match(NULL, &version), -1);
}
END_TEST

START_TEST(test_record_history_and_view)
{
    json_t *doc = json_pack("{s:s}", "id", "ST-2");
    record_history_add(doc, "ST-1", "suspend", "absent", "2026-01-02T00:00Z");
    record_history_add(doc, "ST-1", "reinstate", NULL, "2026-01-03T00:00Z");
    json_t *history = json_object_get(doc, "history");
    ck_assert_int_eq(json_array_size(history), 2);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(history, 0), "note")),
        "absent");
    ck_assert(
        json_is_null(json_object_get(json_array_get(history, 1), "note")));
    ck_assert_str_eq(json_string_value(json_object_get(doc, "updated_at")),
                     "2026-01-03T00:00Z");
    json_t *view = record_present(doc, 5, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(view, "version")), 5);
    ck_assert(json_is_array(json_object_get(view, "actions")));
    ck_assert_ptr_null(json_object_get(doc, "version"));
    json_decref(view);
    json_decref(doc);
}
END_TEST

START_TEST(test_listing_parse)
{
    listing_t listing;
    ck_assert_ptr_null(listing_parse(NULL, NULL, &listing));
    ck_assert_int_eq(listing.limit, LISTING_LIMIT_DEFAULT);
    json_t *query =
        json_pack("{s:s, s:s, s:s, s:s}", "limit", "200", "cursor", "17:ST-3",
                  "with_total", "true", "role", "cs_agent");
    ck_assert_ptr_null(listing_parse(query, "department role", &listing));
    ck_assert_int_eq(listing.limit, 200);
    ck_assert_str_eq(listing.cursor, "17:ST-3");
    ck_assert(listing.with_total);
    json_decref(query);
    query = json_pack("{s:s, s:s, s:s, s:s}", "limit", "201", "colour", "red",
                      "sort", "name", "with_total", "yes");
    json_t *problem = listing_parse(query, "department", &listing);
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 4);
    json_decref(problem);
    json_decref(query);
    query = json_pack("{s:s}", "limit", "0");
    problem = listing_parse(query, NULL, &listing);
    ck_assert_ptr_nonnull(problem);
    json_decref(problem);
    json_decref(query);
}
END_TEST

START_TEST(test_access_rules)
{
    ck_assert(access_role_is_manager("station_head"));
    ck_assert(access_role_is_manager("deputy_head"));
    ck_assert(!access_role_is_manager("dept_head"));
    ck_assert(!access_role_is_manager(NULL));
    ck_assert(access_may_read_private("ST-2", "cs_agent", "ST-2"));
    ck_assert(!access_may_read_private("ST-3", "cs_agent", "ST-2"));
    ck_assert(access_may_read_private("ST-3", "auditor", "ST-2"));
    ck_assert(access_may_read_private("ST-3", "deputy_head", "ST-2"));
    ck_assert(!access_may_read_private("", "cs_agent", ""));
}
END_TEST

Suite *
record_suite(void)
{
    Suite *suite = suite_create("record");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_record_if_match_parse);
    tcase_add_test(core, test_record_history_and_view);
    tcase_add_test(core, test_listing_parse);
    tcase_add_test(core, test_access_rules);
    suite_add_tcase(suite, core);
    return suite;
}
