// cm_summary: the dates of a summary's period.
#include "cm_summary.h"
#include "suites.h"

START_TEST(test_cm_summary_parse_date)
{
    int64_t ms = -1;
    ck_assert_int_eq(cm_summary_parse_date("1970-01-02", &ms), 0);
    ck_assert_int_eq(ms, CM_SUMMARY_DAY_MS);
    ck_assert_int_eq(cm_summary_parse_date("2024-02-29", &ms), 0);
    ck_assert_int_eq(ms % CM_SUMMARY_DAY_MS, 0);
    const char *bad[] = {
        "2026-02-30", "2026-13-01", "2026-1-01", "2026-01-01T00:00:00Z",
        "20260101",   "",           "nope"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(cm_summary_parse_date(bad[i], &ms) == -1, "%s", bad[i]);
    }
    ck_assert_int_eq(cm_summary_parse_date(NULL, &ms), -1);
}
END_TEST

Suite *
cm_summary_suite(void)
{
    Suite *s = suite_create("cm_summary");
    TCase *tc = tcase_create("dates");
    tcase_add_test(tc, test_cm_summary_parse_date);
    suite_add_tcase(s, tc);
    return s;
}
