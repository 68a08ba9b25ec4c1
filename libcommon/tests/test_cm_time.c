#include "cm_time.h"
#include "suites.h"

START_TEST(test_cm_time_format_and_parse_round_trip)
{
    char buf[CM_TIME_TEXT_MAX];
    ck_assert_str_eq(cm_time_format(0, buf), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(cm_time_format(1795767964123LL, buf),
                     "2026-11-27T08:26:04.123Z");
    int64_t ms = 0;
    ck_assert_int_eq(cm_time_parse("2026-11-27T08:26:04.123Z", &ms), 0);
    ck_assert_int_eq(ms, 1795767964123LL);
    ck_assert_int_eq(cm_time_parse("2026-11-27T16:26:04+08:00", &ms), 0);
    ck_assert_int_eq(ms, 1795767964000LL);
    ck_assert_int_eq(cm_time_parse("2024-02-29T00:00:00.5Z", &ms), 0);
    ck_assert_int_eq(ms % 1000, 500);
}
END_TEST

START_TEST(test_cm_time_parse_rejects_bad_text)
{
    int64_t ms = 0;
    const char *bad[] = {"",
                         "2026-11-27",
                         "2026-13-01T00:00:00Z",
                         "2026-11-27 08:26:04Z",
                         "2026-11-27T08:26:04",
                         "2026-11-27T08:26:04.Z",
                         "2026-11-27T25:00:00Z",
                         "2026-11-27T08:26:04Zjunk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(cm_time_parse(bad[i], &ms) == -1, "accepted %s", bad[i]);
    }
    ck_assert_int_eq(cm_time_parse(NULL, &ms), -1);
}
END_TEST

// Real calendar dates only, and nothing the lenient parser lets through.
START_TEST(test_cm_time_parse_strict_calendar)
{
    int64_t ms = 0;
    const char *good[] = {"2024-02-29T23:59:59Z", "0001-01-01T00:00:00Z",
                          "9999-12-31T23:59:59.999999Z",
                          "2026-11-27t16:26:04+08:00", "2000-02-29T00:00:00z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(cm_time_parse_strict(good[i], &ms) == 0, "refused %s",
                      good[i]);
    }
    ck_assert_int_eq(cm_time_parse_strict("2026-11-27T16:26:04+08:00", &ms), 0);
    ck_assert_int_eq(ms, 1795767964000LL);
    const char *bad[] = {
        "2027-02-30T00:00:00Z",      "0000-01-01T00:00:00Z",
        "2026-04-31T10:00:00Z",      "2100-02-29T00:00:00Z",
        "2026-1-01T00:00:00Z",       "2026-01-1T00:00:00Z",
        "2026-01-01T 1:00:00Z",      "+026-01-01T00:00:00Z",
        "2026-12-31T23:59:60Z",      "2026-01-01T00:00:00+0800",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00",       "2026-01-01T00:00:00Z "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(cm_time_parse_strict(bad[i], &ms) == -1, "accepted %s",
                      bad[i]);
    }
    ck_assert_int_eq(cm_time_parse_strict(NULL, &ms), -1);
}
END_TEST

START_TEST(test_cm_time_clocks_move_forward)
{
    int64_t a = cm_time_mono_ms();
    int64_t b = cm_time_mono_ms();
    ck_assert_int_ge(b, a);
    ck_assert_int_gt(cm_time_now_ms(), 1700000000000LL);
}
END_TEST

Suite *
cm_time_suite(void)
{
    Suite *suite = suite_create("cm_time");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_time_format_and_parse_round_trip);
    tcase_add_test(core, test_cm_time_parse_rejects_bad_text);
    tcase_add_test(core, test_cm_time_parse_strict_calendar);
    tcase_add_test(core, test_cm_time_clocks_move_forward);
    suite_add_tcase(suite, core);
    return suite;
}
