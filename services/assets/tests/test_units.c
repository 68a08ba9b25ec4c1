// The pure parts of assets: calendar rules of maintenance plans (the nth or
// last weekday of a month, strictly after a time) and the process tables.
#include <check.h>
#include <jansson.h>

#include "cm_schedule.h"
#include "cm_time.h"
#include "cm_workflow.h"
#include "equipment.h"
#include "fault.h"
#include "maintenance.h"
#include "scrap.h"
#include "suites.h"

static int64_t
s_next(const char *rule, const char *after)
{
    json_t *calendar = json_loads(rule, 0, NULL);
    int64_t at = 0;
    ck_assert_int_eq(cm_time_parse(after, &at), 0);
    int64_t next = cm_schedule_calendar_next(calendar, at);
    json_decref(calendar);
    return next;
}

static void
s_expect(const char *rule, const char *after, const char *want)
{
    char text[CM_TIME_TEXT_MAX];
    cm_time_format(s_next(rule, after), text);
    ck_assert_str_eq(text, want);
}

START_TEST(test_assets_calendar_first_monday)
{
    const char *rule = "{\"nth\":1,\"weekday\":\"monday\"}";
    // 2026-12-07 is the first Monday of December 2026.
    s_expect(rule, "2026-12-02T10:00:00Z", "2026-12-07T00:00:00.000Z");
    // On it (and after midnight): the next month's, 2027-01-04.
    s_expect(rule, "2026-12-07T00:00:00Z", "2027-01-04T00:00:00.000Z");
    s_expect(rule, "2026-12-07T08:00:00Z", "2027-01-04T00:00:00.000Z");
}
END_TEST

START_TEST(test_assets_calendar_last_and_third)
{
    s_expect("{\"nth\":-1,\"weekday\":\"friday\"}", "2026-12-02T00:00:00Z",
             "2026-12-25T00:00:00.000Z");
    s_expect("{\"nth\":-1,\"weekday\":\"sunday\"}", "2027-02-28T00:00:01Z",
             "2027-03-28T00:00:00.000Z");
    s_expect("{\"nth\":3,\"weekday\":\"wednesday\"}", "2027-12-31T00:00:00Z",
             "2028-01-19T00:00:00.000Z");
    // A leap year's February: the 4th Thursday of 2028-02 is the 24th.
    s_expect("{\"nth\":4,\"weekday\":\"thursday\"}", "2028-02-01T00:00:00Z",
             "2028-02-24T00:00:00.000Z");
}
END_TEST

START_TEST(test_assets_tables_check)
{
    ck_assert_int_eq(cm_workflow_check(&equipment_workflow), 0);
    ck_assert_int_eq(cm_workflow_check(&fault_workflow), 0);
    ck_assert_int_eq(cm_workflow_check(&scrap_workflow), 0);
    ck_assert_int_eq(cm_workflow_check(&maintenance_workflow), 0);
}
END_TEST

Suite *
assets_units_suite(void)
{
    Suite *s = suite_create("assets_units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, test_assets_calendar_first_monday);
    tcase_add_test(tc, test_assets_calendar_last_and_third);
    tcase_add_test(tc, test_assets_tables_check);
    suite_add_tcase(s, tc);
    return s;
}
