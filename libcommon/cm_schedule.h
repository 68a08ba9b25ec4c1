// cm_schedule — calendar arithmetic of schedules that fall due again and
// again: a rule "the nth (or last) weekday of every month", days counted
// from the civil calendar (UTC), and the body check of such a rule. Used by
// assets' maintenance plans and logistics' rounds. Pure: no clock, no
// locale, no timezone state.
//
// A calendar rule is the JSON object {"nth": 1..4 | -1, "weekday":
// "monday" … "sunday"}: the first to fourth, or the last (-1), such weekday
// of a month, at 00:00 UTC.
#ifndef LIBCOMMON_CM_SCHEDULE_H
#define LIBCOMMON_CM_SCHEDULE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CM_SCHEDULE_WEEKDAYS                                                   \
    "monday tuesday wednesday thursday friday saturday sunday"
#define CM_SCHEDULE_DAY_MS 86400000LL

// Days since 1970-01-01 of the civil date y-m-d (proleptic Gregorian;
// Howard Hinnant's days_from_civil). m 1..12, d 1..31.
int64_t cm_schedule_days_from_civil(int64_t y, int64_t m, int64_t d);

// The weekday (0 Monday … 6 Sunday) of a day counted from 1970-01-01.
int cm_schedule_weekday_of(int64_t days);

// The weekday index of a name of CM_SCHEDULE_WEEKDAYS, or -1.
int cm_schedule_weekday(const char *name);

// The day (since 1970-01-01) of the nth weekday (0 Monday … 6 Sunday) of
// month m of year y; nth 1..5 counts from the first, -1 is the last.
int64_t cm_schedule_nth_weekday(int64_t y, int64_t m, int nth, int weekday);

// The next due time (epoch ms) of a calendar rule {nth, weekday} strictly
// after after_ms: 00:00 UTC of the nth weekday (nth -1: the last) of a
// month. The rule must have passed cm_schedule_check_calendar.
int64_t cm_schedule_calendar_next(const json_t *calendar, int64_t after_ms);

// cm_field check (CM_FIELD_OBJECT .check) of a calendar rule: members nth
// (1 to 4, or -1) and weekday, nothing else; errors name "<field>.nth" and
// "<field>.weekday". True when valid.
bool cm_schedule_check_calendar(const json_t *value, const char *field,
                                json_t **problem_p);

#endif
