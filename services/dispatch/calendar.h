// calendar — business calendars and business-time arithmetic (pure).
//
// A calendar is a fixed UTC offset in minutes (no daylight saving: the
// offset is part of the calendar, say +480 for UTC+8), working intervals per
// weekday, holidays (dates that are never working days) and make-up working
// days (dates, usually weekend days, that are working days with the
// make-up hours). Dates are local to the calendar.
//
// JSON form (GET/PUT /v1/calendars/{name}):
//   {"name":"default","utc_offset_minutes":480,
//    "hours":{"mon":["08:30-17:30"], ..., "sat":[], "sun":[]},
//    "makeup_hours":["08:30-17:30"],
//    "holidays":["2026-10-01"], "makeup_days":["2026-09-27"]}
// A missing weekday has no hours; missing makeup_hours uses Monday's.
#ifndef DISPATCH_CALENDAR_H
#define DISPATCH_CALENDAR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CALENDAR_DAY_MS        86400000LL
#define CALENDAR_MINUTE_MS     60000LL
#define CALENDAR_INTERVALS_MAX 4    // working intervals in one day
#define CALENDAR_DATES_MAX     128  // holidays, and make-up days
#define CALENDAR_SEARCH_DAYS   3660 // how far calendar_add looks ahead
#define CALENDAR_OFFSET_MAX    840  // |utc_offset_minutes| (UTC+14)
#define CALENDAR_DATE_MAX      11   // "YYYY-MM-DD" and NUL
#define CALENDAR_NAME_MAX      64   // calendar names

// One working interval, minutes after local midnight, start < end <= 1440.
typedef struct {
    int start_min; // first working minute
    int end_min;   // first minute after
} calendar_interval_t;

// A calendar; a plain value (copy it freely).
typedef struct {
    int offset_minutes;                                   // UTC offset
    calendar_interval_t hours[7][CALENDAR_INTERVALS_MAX]; // 0 = Sunday
    size_t hour_count[7];                                 // per weekday
    calendar_interval_t makeup[CALENDAR_INTERVALS_MAX];   // make-up hours
    size_t makeup_count;                                  // 0: Monday's
    int64_t holidays[CALENDAR_DATES_MAX];                 // local days
    size_t holiday_count;                                 // used
    int64_t makeup_days[CALENDAR_DATES_MAX];              // local days
    size_t makeup_day_count;                              // used
} calendar_t;

// The seeded default: UTC+8, Monday to Friday 08:30-17:30, no dates.
void calendar_default(calendar_t *self);

// Always open (24/7, UTC): business time equals wall time. Policies with
// business_time false use it.
void calendar_always_open(calendar_t *self);

// Parse and validate the JSON form into *self. Returns true, or false after
// appending one error per bad field to *problem_p (cm_validate style).
bool calendar_from_json(const json_t *json, calendar_t *self,
                        json_t **problem_p);

// The JSON form, with `name`. Caller owns the result.
json_t *calendar_to_json(const calendar_t *self, const char *name);

// True when the local day (days since 1970-01-01) has working hours.
bool calendar_is_working_day(const calendar_t *self, int64_t day);

// The wall time (epoch ms) at which `business_ms` of working time have passed
// after start_ms. business_ms 0 gives start_ms. -1 when the calendar has no
// working time within CALENDAR_SEARCH_DAYS or business_ms < 0.
int64_t calendar_add(const calendar_t *self, int64_t start_ms,
                     int64_t business_ms);

// Working time (ms) between two wall times; 0 when to_ms <= from_ms.
int64_t calendar_between(const calendar_t *self, int64_t from_ms,
                         int64_t to_ms);

// A deadline after a pause: moved later by the working time of the pause
// [pause_start_ms, pause_end_ms). -1 as calendar_add.
int64_t calendar_shift(const calendar_t *self, int64_t deadline_ms,
                       int64_t pause_start_ms, int64_t pause_end_ms);

// Parse "YYYY-MM-DD" into days since 1970-01-01. 0, or -1 on bad text.
int calendar_date_parse(const char *text, int64_t *day);

// Write a day as "YYYY-MM-DD" into buf (CALENDAR_DATE_MAX bytes). Returns buf.
const char *calendar_date_format(int64_t day, char *buf);

// Weekday of a day since 1970-01-01: 0 = Sunday .. 6 = Saturday.
int calendar_weekday(int64_t day);

#endif
