// SLA clocks in memory: deadlines, pauses, stops, escalation steps.
#include <check.h>

#include "../clock.h"
#include "../escalation.h"
#include "suites.h"

#define S_NOW 1790000000000LL

static json_t *summary; // a complaint case summary

static void
setup(void)
{
    summary = json_pack("{s:s, s:s, s:s, s:n}", "id", "CS-7", "kind",
                        "complaint", "severity", "high", "department");
}

static void
teardown(void)
{
    json_decref(summary);
}

static sla_terms_t
s_terms(bool business_time)
{
    sla_terms_t terms = {.business_time = business_time,
                         .calendar = "default",
                         .duration_ms = {2000, 4000, 10000}};
    return terms;
}

static int64_t
s_int(const json_t *clock, const char *field)
{
    return json_integer_value(json_object_get(clock, field));
}

START_TEST(test_clock_new_and_due)
{
    calendar_t open;
    calendar_always_open(&open);
    sla_terms_t terms = s_terms(false);
    json_t *clock = clock_new(summary, SLA_RESOLUTION, &terms, &open,
                              "customer_service", S_NOW);
    ck_assert_str_eq(json_string_value(json_object_get(clock, "id")),
                     "CS-7:resolution");
    ck_assert_str_eq(json_string_value(json_object_get(clock, "department")),
                     "customer_service");
    ck_assert_int_eq(s_int(clock, "deadline_ms"), S_NOW + 10000);
    ck_assert_int_eq(clock_due(clock), S_NOW + 10000);
    ck_assert(clock_stop(clock, "stopped", S_NOW + 1));
    ck_assert_int_eq(clock_due(clock), 0);
    ck_assert(!clock_stop(clock, "stopped", S_NOW + 2));
    json_decref(clock);
}
END_TEST

START_TEST(test_clock_pause_arithmetic)
{
    calendar_t open;
    calendar_always_open(&open);
    sla_terms_t terms = s_terms(false);
    json_t *clock = clock_new(summary, SLA_RESOLUTION, &terms, &open,
                              "customer_service", S_NOW);
    ck_assert(clock_pause(clock, S_NOW + 1000));
    ck_assert(!clock_pause(clock, S_NOW + 1500));
    ck_assert_int_eq(clock_due(clock), 0); // no timer while paused
    ck_assert(clock_resume(clock, &open, S_NOW + 6000));
    ck_assert_int_eq(s_int(clock, "deadline_ms"), S_NOW + 15000);
    json_t *pause = json_array_get(json_object_get(clock, "pauses"), 0);
    ck_assert_int_eq(s_int(pause, "duration_ms"), 5000);
    ck_assert_int_eq(clock_due(clock), S_NOW + 15000);
    ck_assert(!clock_resume(clock, &open, S_NOW + 7000));
    json_decref(clock);
}
END_TEST

START_TEST(test_clock_pause_in_business_time)
{
    calendar_t cal;
    calendar_default(&cal); // UTC+8, Mon-Fri 08:30-17:30
    int64_t day = 0;
    ck_assert_int_eq(calendar_date_parse("2026-09-25", &day), 0); // Friday
    int64_t fri_1700 = day * CALENDAR_DAY_MS + (17 * 60 - 480) * 60000LL;
    int64_t mon_0900 = fri_1700 + 3 * CALENDAR_DAY_MS - 8 * 3600000LL;
    sla_terms_t terms = s_terms(true);
    terms.duration_ms[SLA_RESOLUTION] = 2 * 3600000LL;
    json_t *clock = clock_new(summary, SLA_RESOLUTION, &terms, &cal,
                              "technical", fri_1700 - 3600000LL);
    // Started Fri 16:00 with 2 business hours (1.5 on Friday): Mon 09:00.
    ck_assert_int_eq(s_int(clock, "deadline_ms"), mon_0900);
    ck_assert(clock_pause(clock, fri_1700));
    ck_assert(clock_resume(clock, &cal, mon_0900));
    // The pause cost 1 business hour (Fri 17:00-17:30, Mon 08:30-09:00).
    ck_assert_int_eq(s_int(clock, "deadline_ms"), mon_0900 + 3600000LL);
    json_decref(clock);
}
END_TEST

START_TEST(test_clock_promised_deadline_and_steps)
{
    calendar_t open;
    calendar_always_open(&open);
    sla_terms_t terms = s_terms(false);
    json_t *clock = clock_new(summary, SLA_FIRST_RESPONSE, &terms, &open,
                              "customer_service", S_NOW);
    ck_assert(clock_set_deadline(clock, S_NOW + 60000, S_NOW));
    ck_assert_int_eq(clock_due(clock), S_NOW + 60000);
    ck_assert_int_eq(escalation_next_due(clock, &open, 0, S_NOW), S_NOW + 2000);
    ck_assert_int_eq(escalation_next_due(clock, &open, 500, S_NOW),
                     S_NOW + 500);
    ck_assert(clock_set_member(clock, "workorder_id", "WO-3"));
    ck_assert(!clock_set_member(clock, "workorder_id", "WO-3"));
    json_decref(clock);
}
END_TEST

Suite *
clock_suite(void)
{
    Suite *suite = suite_create("clock");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_clock_new_and_due);
    tcase_add_test(core, test_clock_pause_arithmetic);
    tcase_add_test(core, test_clock_pause_in_business_time);
    tcase_add_test(core, test_clock_promised_deadline_and_steps);
    suite_add_tcase(suite, core);
    return suite;
}
