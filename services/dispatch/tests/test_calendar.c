// Business time: working hours, nights, weekends, holidays, make-up days,
// pauses, and the JSON form.
#include <check.h>

#include "../calendar.h"
#include "suites.h"

#define S_HOUR_MS (60 * CALENDAR_MINUTE_MS)

static calendar_t cal; // the default calendar, fresh per test

static void
setup(void)
{
    calendar_default(&cal); // UTC+8, Mon-Fri 08:30-17:30
}

// Wall ms of a local date and time in the default calendar (UTC+8).
static int64_t
s_local(const char *date, int hour, int minute)
{
    int64_t day = 0;
    ck_assert_int_eq(calendar_date_parse(date, &day), 0);
    return day * CALENDAR_DAY_MS + (hour * 60 + minute) * CALENDAR_MINUTE_MS
           - 480 * CALENDAR_MINUTE_MS;
}

static void
s_add_date(int64_t *dates, size_t *count, const char *text)
{
    ck_assert_int_eq(calendar_date_parse(text, &dates[*count]), 0);
    (*count)++;
}

START_TEST(test_calendar_dates)
{
    int64_t day = -1;
    ck_assert_int_eq(calendar_date_parse("1970-01-01", &day), 0);
    ck_assert_int_eq(day, 0);
    ck_assert_int_eq(calendar_weekday(0), 4); // Thursday
    ck_assert_int_eq(calendar_date_parse("2026-09-26", &day), 0);
    ck_assert_int_eq(calendar_weekday(day), 6); // Saturday
    char text[CALENDAR_DATE_MAX];
    ck_assert_str_eq(calendar_date_format(day, text), "2026-09-26");
    ck_assert_int_eq(calendar_date_parse("2026-02-30", &day), -1);
    ck_assert_int_eq(calendar_date_parse("2026-9-26", &day), -1);
    ck_assert_int_eq(calendar_date_parse("1969-12-31", &day), 0);
    ck_assert_int_eq(day, -1);
    ck_assert_int_eq(calendar_weekday(day), 3);
}
END_TEST

START_TEST(test_calendar_within_day)
{
    int64_t start = s_local("2026-09-21", 9, 0); // Monday
    ck_assert_int_eq(calendar_add(&cal, start, S_HOUR_MS),
                     s_local("2026-09-21", 10, 0));
    ck_assert_int_eq(calendar_add(&cal, start, 0), start);
    ck_assert_int_eq(calendar_add(&cal, start, -1), -1);
    // The whole working day ends at closing time, not the next morning.
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-21", 8, 30), 9 * S_HOUR_MS),
        s_local("2026-09-21", 17, 30));
    // Before opening: the clock starts at 08:30.
    ck_assert_int_eq(calendar_add(&cal, s_local("2026-09-21", 7, 0),
                                  30 * CALENDAR_MINUTE_MS),
                     s_local("2026-09-21", 9, 0));
}
END_TEST

START_TEST(test_calendar_crosses_night)
{
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-21", 17, 0), S_HOUR_MS),
        s_local("2026-09-22", 9, 0));
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-21", 22, 0), S_HOUR_MS),
        s_local("2026-09-22", 9, 30));
}
END_TEST

START_TEST(test_calendar_crosses_weekend)
{
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-25", 17, 0), S_HOUR_MS),
        s_local("2026-09-28", 9, 0));
    // Three working days from Friday morning: Fri, Mon, Tue.
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-25", 8, 30), 27 * S_HOUR_MS),
        s_local("2026-09-29", 17, 30));
}
END_TEST

START_TEST(test_calendar_makeup_saturday_honoured)
{
    s_add_date(cal.makeup_days, &cal.makeup_day_count, "2026-09-26");
    ck_assert(calendar_is_working_day(&cal, cal.makeup_days[0]));
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-25", 17, 0), S_HOUR_MS),
        s_local("2026-09-26", 9, 0));
    // Make-up hours may differ from Monday's.
    cal.makeup[0] = (calendar_interval_t){9 * 60, 12 * 60};
    cal.makeup_count = 1;
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-25", 17, 0), 4 * S_HOUR_MS),
        s_local("2026-09-28", 9, 0));
}
END_TEST

START_TEST(test_calendar_holiday_skipped)
{
    s_add_date(cal.holidays, &cal.holiday_count, "2026-09-28"); // Monday
    ck_assert(!calendar_is_working_day(&cal, cal.holidays[0]));
    ck_assert_int_eq(
        calendar_add(&cal, s_local("2026-09-25", 17, 0), S_HOUR_MS),
        s_local("2026-09-29", 9, 0));
    ck_assert_int_eq(calendar_between(&cal, s_local("2026-09-25", 17, 0),
                                      s_local("2026-09-29", 9, 0)),
                     S_HOUR_MS);
}
END_TEST

START_TEST(test_calendar_between_and_pause)
{
    int64_t fri = s_local("2026-09-25", 17, 0);
    int64_t mon = s_local("2026-09-28", 9, 0);
    ck_assert_int_eq(calendar_between(&cal, fri, mon), S_HOUR_MS);
    ck_assert_int_eq(calendar_between(&cal, mon, fri), 0);
    // A pause over the weekend costs one business hour: the deadline on
    // Monday 10:00 moves to 11:00.
    ck_assert_int_eq(
        calendar_shift(&cal, s_local("2026-09-28", 10, 0), fri, mon),
        s_local("2026-09-28", 11, 0));
    // A pause entirely at night moves nothing.
    ck_assert_int_eq(calendar_shift(&cal, s_local("2026-09-22", 10, 0),
                                    s_local("2026-09-21", 18, 0),
                                    s_local("2026-09-22", 8, 0)),
                     s_local("2026-09-22", 10, 0));
    s_add_date(cal.makeup_days, &cal.makeup_day_count, "2026-09-26");
    ck_assert_int_eq(calendar_between(&cal, fri, mon), 10 * S_HOUR_MS);
}
END_TEST

START_TEST(test_calendar_always_open)
{
    calendar_t open;
    calendar_always_open(&open);
    int64_t start = s_local("2026-09-26", 3, 17);
    ck_assert_int_eq(calendar_add(&open, start, 2000), start + 2000);
    ck_assert_int_eq(calendar_add(&open, start, 3 * CALENDAR_DAY_MS),
                     start + 3 * CALENDAR_DAY_MS);
    ck_assert_int_eq(calendar_between(&open, start, start + 12345), 12345);
}
END_TEST

START_TEST(test_calendar_json_roundtrip)
{
    json_t *json = json_loads(
        "{\"utc_offset_minutes\":480,\"hours\":{\"mon\":[\"08:30-12:00\","
        "\"13:00-17:30\"],\"sat\":[]},\"holidays\":[\"2026-10-01\"],"
        "\"makeup_days\":[\"2026-09-27\"]}",
        0, NULL);
    json_t *problem = NULL;
    calendar_t parsed;
    ck_assert(calendar_from_json(json, &parsed, &problem));
    ck_assert_ptr_null(problem);
    ck_assert_int_eq(parsed.hour_count[1], 2);
    ck_assert_int_eq(parsed.hours[1][1].start_min, 13 * 60);
    ck_assert_int_eq(parsed.makeup_day_count, 1);
    json_t *back = calendar_to_json(&parsed, "default");
    ck_assert_str_eq(
        json_string_value(json_array_get(
            json_object_get(json_object_get(back, "hours"), "mon"), 1)),
        "13:00-17:30");
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(back, "holidays"), 0)),
        "2026-10-01");
    json_decref(back);
    json_decref(json);
}
END_TEST

START_TEST(test_calendar_json_errors)
{
    json_t *json = json_loads(
        "{\"utc_offset_minutes\":9999,\"hours\":{\"mon\":[\"12:00-08:00\"],"
        "\"xyz\":[]},\"holidays\":[\"2026-13-01\"],\"colour\":1}",
        0, NULL);
    json_t *problem = NULL;
    calendar_t parsed;
    ck_assert(!calendar_from_json(json, &parsed, &problem));
    ck_assert_ptr_nonnull(problem);
    // offset, colour, xyz, hours.mon, holidays
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 5);
    json_decref(problem);
    json_decref(json);
    json = json_loads("{\"utc_offset_minutes\":0,\"hours\":{}}", 0, NULL);
    problem = NULL;
    ck_assert(!calendar_from_json(json, &parsed, &problem)); // never open
    json_decref(problem);
    json_decref(json);
}
END_TEST

Suite *
calendar_suite(void)
{
    Suite *suite = suite_create("calendar");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, NULL);
    tcase_add_test(core, test_calendar_dates);
    tcase_add_test(core, test_calendar_within_day);
    tcase_add_test(core, test_calendar_crosses_night);
    tcase_add_test(core, test_calendar_crosses_weekend);
    tcase_add_test(core, test_calendar_makeup_saturday_honoured);
    tcase_add_test(core, test_calendar_holiday_skipped);
    tcase_add_test(core, test_calendar_between_and_pause);
    tcase_add_test(core, test_calendar_always_open);
    suite_add_tcase(suite, core);
    TCase *json = tcase_create("json");
    tcase_add_test(json, test_calendar_json_roundtrip);
    tcase_add_test(json, test_calendar_json_errors);
    suite_add_tcase(suite, json);
    return suite;
}
