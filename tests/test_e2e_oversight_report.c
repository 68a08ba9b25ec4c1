// End-to-end: the station report (suite e2e, tests/e2e_steps.h). The
// station head reads the period's summary across services; a complaint
// recorded at the desk shows in it at once; the deputy head overseeing
// technical reads technical's and not another department's; CSV too.
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cm_time.h"
#include "e2e_steps.h"

static void
s_period(char *path, size_t size, const char *department)
{
    char tomorrow[16];
    time_t t = (time_t)(cm_time_now_ms() / 1000 + 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    snprintf(path, size, "/v1/reports/station?from=%s&to=%s%s%s",
             e2e_stack.today, tomorrow, department ? "&department=" : "",
             department ? department : "");
}

static json_int_t
s_value(const json_t *report, const char *section, const char *figure)
{
    const json_t *s =
        json_object_get(json_object_get(report, "sections"), section);
    ck_assert(json_is_true(json_object_get(s, "available")));
    const json_t *value = json_object_get(
        json_object_get(json_object_get(s, "figures"), figure), "value");
    ck_assert_msg(json_is_integer(value), "%s.%s", section, figure);
    return json_integer_value(value);
}

START_TEST(test_e2e_station_report_read_by_the_heads)
{
    char path[192];
    s_period(path, sizeof path, NULL);
    json_t *before = e2e_expect(200, E2E_HEAD, "GET", path, NULL);
    ck_assert(json_is_true(json_object_get(before, "complete")));
    char id[48];
    e2e_record("complaint", "Station report complaint", id);
    json_t *after = e2e_expect(200, E2E_HEAD, "GET", path, NULL);
    ck_assert_int_eq(s_value(after, "cases", "complaint_opened"),
                     s_value(before, "cases", "complaint_opened") + 1);
    ck_assert_int_eq(s_value(after, "cases", "opened"),
                     s_value(before, "cases", "opened") + 1);
    json_decref(before);
    json_decref(after);
    // The deputy head over technical reads technical's report only.
    int deputy = e2e_deputy_of("technical");
    s_period(path, sizeof path, "technical");
    json_t *report = e2e_expect(200, deputy, "GET", path, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(report, "department")),
                     "technical");
    json_decref(report);
    s_period(path, sizeof path, "logistics");
    json_decref(e2e_expect(403, deputy, "GET", path, NULL));
    json_decref(e2e_expect(403, S_TECH_HEAD, "GET", path, NULL));
    json_decref(e2e_expect(403, S_AUDITOR, "GET", path, NULL));
    // As CSV for the station head.
    char text[16384], type[64];
    s_period(path, sizeof path, NULL);
    ck_assert_int_eq(e2e_http_text(E2E_HEAD, "GET", path,
                                   "Accept: text/csv\r\n", text, sizeof text,
                                   type),
                     200);
    ck_assert_ptr_nonnull(strstr(type, "text/csv"));
    ck_assert_ptr_nonnull(strstr(
        text, "section,service,available,figure,as_of,value,previous,change"));
    ck_assert_ptr_nonnull(strstr(text, "cases,intake,true,complaint_opened"));
}
END_TEST

void
e2e_add_oversight_report(TCase *tc)
{
    tcase_add_test(tc, test_e2e_station_report_read_by_the_heads);
}
