// cm_schedule: civil days, weekdays, the nth or last weekday of a month,
// the next due time of a calendar rule and the rule's body check.
#include <check.h>
#include <jansson.h>

#include "cm_schedule.h"
#include "cm_time.h"
#include "suites.h"

static void
s_expect(const char *rule, const char *after, const char *want)
{
    json_t *calendar = json_loads(rule, 0, NULL);
    int64_t at = 0;
    ck_assert_int_eq(cm_time_parse(after, &at), 0);
    char text[CM_TIME_TEXT_MAX];
    cm_time_format(cm_schedule_calendar_next(calendar, at), text);
    json_decref(calendar);
    ck_assert_str_eq(text, want);
}

START_TEST(test_cm_schedule_civil_days)
{
    ck_assert_int_eq(cm_schedule_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(cm_schedule_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(cm_schedule_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(cm_schedule_days_from_civil(2028, 2, 29) + 1,
                     cm_schedule_days_from_civil(2028, 3, 1));
    ck_assert_int_eq(cm_schedule_weekday_of(0), 3); // Thursday
    ck_assert_int_eq(cm_schedule_weekday_of(-1), 2);
    ck_assert_int_eq(
        cm_schedule_weekday_of(cm_schedule_days_from_civil(2026, 12, 7)), 0);
    ck_assert_int_eq(cm_schedule_weekday("monday"), 0);
    ck_assert_int_eq(cm_schedule_weekday("sunday"), 6);
    ck_assert_int_eq(cm_schedule_weekday("someday"), -1);
    ck_assert_int_eq(cm_schedule_weekday(NULL), -1);
}
END_TEST

START_TEST(test_cm_schedule_nth_weekday)
{
    // December 2026: Tuesday the 1st; first Monday the 7th, last Thursday
    // the 31st, last Sunday the 27th.
    ck_assert_int_eq(cm_schedule_nth_weekday(2026, 12, 1, 0),
                     cm_schedule_days_from_civil(2026, 12, 7));
    ck_assert_int_eq(cm_schedule_nth_weekday(2026, 12, 1, 1),
                     cm_schedule_days_from_civil(2026, 12, 1));
    ck_assert_int_eq(cm_schedule_nth_weekday(2026, 12, -1, 3),
                     cm_schedule_days_from_civil(2026, 12, 31));
    ck_assert_int_eq(cm_schedule_nth_weekday(2026, 12, -1, 6),
                     cm_schedule_days_from_civil(2026, 12, 27));
}
END_TEST

START_TEST(test_cm_schedule_calendar_next)
{
    const char *rule = "{\"nth\":1,\"weekday\":\"monday\"}";
    s_expect(rule, "2026-12-02T10:00:00Z", "2026-12-07T00:00:00.000Z");
    // On it (and after midnight): the next month's.
    s_expect(rule, "2026-12-07T00:00:00Z", "2027-01-04T00:00:00.000Z");
    s_expect(rule, "2026-12-07T08:00:00Z", "2027-01-04T00:00:00.000Z");
    s_expect("{\"nth\":-1,\"weekday\":\"friday\"}", "2026-12-02T00:00:00Z",
             "2026-12-25T00:00:00.000Z");
    s_expect("{\"nth\":-1,\"weekday\":\"sunday\"}", "2027-02-28T00:00:01Z",
             "2027-03-28T00:00:00.000Z");
    s_expect("{\"nth\":3,\"weekday\":\"wednesday\"}", "2027-12-31T00:00:00Z",
             "2028-01-19T00:00:00.000Z");
    s_expect("{\"nth\":4,\"weekday\":\"thursday\"}", "2028-02-01T00:00:00Z",
             "2028-02-24T00:00:00.000Z");
}
END_TEST

static bool
s_check(const char *text, json_t **problem)
{
    json_t *value = json_loads(text, 0, NULL);
    bool ok = cm_schedule_check_calendar(value, "calendar", problem);
    json_decref(value);
    return ok;
}

START_TEST(test_cm_schedule_check_calendar)
{
    json_t *problem = NULL;
    ck_assert(s_check("{\"nth\":-1,\"weekday\":\"friday\"}", &problem));
    ck_assert_ptr_null(problem);
    const char *bad[] = {
        "{\"nth\":0,\"weekday\":\"friday\"}",
        "{\"nth\":5,\"weekday\":\"friday\"}",
        "{\"nth\":1,\"weekday\":\"someday\"}",
        "{\"nth\":1}",
        "{\"nth\":1,\"weekday\":\"monday\",\"extra\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(!s_check(bad[i], &problem));
        ck_assert_ptr_nonnull(problem);
        json_decref(problem);
        problem = NULL;
    }
}
END_TEST

Suite *
cm_schedule_suite(void)
{
    Suite *s = suite_create("cm_schedule");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, test_cm_schedule_civil_days);
    tcase_add_test(tc, test_cm_schedule_nth_weekday);
    tcase_add_test(tc, test_cm_schedule_calendar_next);
    tcase_add_test(tc, test_cm_schedule_check_calendar);
    suite_add_tcase(s, tc);
    return s;
}
