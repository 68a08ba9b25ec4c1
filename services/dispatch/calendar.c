#include "calendar.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_validate.h"

#define S_DEFAULT_OFFSET 480 // UTC+8, the station's local time
#define S_DEFAULT_START  (8 * 60 + 30)
#define S_DEFAULT_END    (17 * 60 + 30)
#define S_DAY_MINUTES    1440
#define S_INTERVAL_TEXT  32 // "HH:MM-HH:MM" and NUL, with room

static const char *const s_weekdays[7] = {"sun", "mon", "tue", "wed",
                                          "thu", "fri", "sat"};

static int64_t
s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Howard Hinnant's days_from_civil.
static int64_t
s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = s_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
s_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = s_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int
calendar_weekday(int64_t day)
{
    int64_t w = (day + 4) % 7; // 1970-01-01 was a Thursday
    return (int)(w < 0 ? w + 7 : w);
}

int
calendar_date_parse(const char *text, int64_t *day)
{
    int y = 0, m = 0, d = 0, used = 0;
    if (!text || strlen(text) != 10
        || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10
        || text[4] != '-' || text[7] != '-' || m < 1 || m > 12 || d < 1
        || d > 31) {
        return -1;
    }
    int64_t days = s_days_from_civil(y, m, d);
    int64_t yy;
    int mm, dd;
    s_civil_from_days(days, &yy, &mm, &dd);
    if (mm != m || dd != d) {
        return -1; // 2026-02-30
    }
    *day = days;
    return 0;
}

const char *
calendar_date_format(int64_t day, char *buf)
{
    int64_t y;
    int m, d;
    s_civil_from_days(day, &y, &m, &d);
    snprintf(buf, CALENDAR_DATE_MAX, "%04d-%02d-%02d", (int)y, m, d);
    return buf;
}

void
calendar_default(calendar_t *self)
{
    assert(self);
    memset(self, 0, sizeof *self);
    self->offset_minutes = S_DEFAULT_OFFSET;
    for (int w = 1; w <= 5; w++) {
        self->hours[w][0] =
            (calendar_interval_t){S_DEFAULT_START, S_DEFAULT_END};
        self->hour_count[w] = 1;
    }
}

void
calendar_always_open(calendar_t *self)
{
    assert(self);
    memset(self, 0, sizeof *self);
    for (int w = 0; w < 7; w++) {
        self->hours[w][0] = (calendar_interval_t){0, S_DAY_MINUTES};
        self->hour_count[w] = 1;
    }
}

static bool
s_date_in(const int64_t *dates, size_t count, int64_t day)
{
    for (size_t i = 0; i < count; i++) {
        if (dates[i] == day) {
            return true;
        }
    }
    return false;
}

// The working intervals of a local day; sets *count.
static const calendar_interval_t *
s_day_intervals(const calendar_t *self, int64_t day, size_t *count)
{
    if (s_date_in(self->holidays, self->holiday_count, day)) {
        *count = 0;
        return NULL;
    }
    if (s_date_in(self->makeup_days, self->makeup_day_count, day)) {
        if (self->makeup_count) {
            *count = self->makeup_count;
            return self->makeup;
        }
        *count = self->hour_count[1];
        return self->hours[1];
    }
    int w = calendar_weekday(day);
    *count = self->hour_count[w];
    return self->hours[w];
}

bool
calendar_is_working_day(const calendar_t *self, int64_t day)
{
    assert(self);
    size_t count = 0;
    (void)s_day_intervals(self, day, &count); // only the count matters
    return count > 0;
}

int64_t
calendar_add(const calendar_t *self, int64_t start_ms, int64_t business_ms)
{
    assert(self);
    if (business_ms < 0) {
        return -1;
    }
    if (business_ms == 0) {
        return start_ms;
    }
    int64_t offset_ms = self->offset_minutes * CALENDAR_MINUTE_MS;
    int64_t local = start_ms + offset_ms;
    int64_t day = s_floor_div(local, CALENDAR_DAY_MS);
    int64_t at = local - day * CALENDAR_DAY_MS; // ms into the day
    int64_t remaining = business_ms;
    for (int i = 0; i < CALENDAR_SEARCH_DAYS; i++, day++, at = 0) {
        size_t count = 0;
        const calendar_interval_t *iv = s_day_intervals(self, day, &count);
        for (size_t k = 0; k < count; k++) {
            int64_t end = iv[k].end_min * CALENDAR_MINUTE_MS;
            int64_t from = iv[k].start_min * CALENDAR_MINUTE_MS;
            from = from > at ? from : at;
            if (end <= from) {
                continue;
            }
            if (remaining <= end - from) {
                return day * CALENDAR_DAY_MS + from + remaining - offset_ms;
            }
            remaining -= end - from;
        }
    }
    return -1;
}

// Working ms of local `day` within [from, to) ms into that day.
static int64_t
s_day_overlap(const calendar_t *self, int64_t day, int64_t from, int64_t to)
{
    size_t count = 0;
    const calendar_interval_t *iv = s_day_intervals(self, day, &count);
    int64_t sum = 0;
    for (size_t k = 0; k < count; k++) {
        int64_t a = iv[k].start_min * CALENDAR_MINUTE_MS;
        int64_t b = iv[k].end_min * CALENDAR_MINUTE_MS;
        a = a > from ? a : from;
        b = b < to ? b : to;
        sum += b > a ? b - a : 0;
    }
    return sum;
}

int64_t
calendar_between(const calendar_t *self, int64_t from_ms, int64_t to_ms)
{
    assert(self);
    if (to_ms <= from_ms) {
        return 0;
    }
    int64_t offset_ms = self->offset_minutes * CALENDAR_MINUTE_MS;
    int64_t from = from_ms + offset_ms, to = to_ms + offset_ms;
    int64_t first = s_floor_div(from, CALENDAR_DAY_MS);
    int64_t last = s_floor_div(to, CALENDAR_DAY_MS);
    int64_t sum = 0;
    for (int64_t day = first; day <= last; day++) {
        int64_t base = day * CALENDAR_DAY_MS;
        int64_t a = day == first ? from - base : 0;
        int64_t b = day == last ? to - base : CALENDAR_DAY_MS;
        sum += s_day_overlap(self, day, a, b);
    }
    return sum;
}

int64_t
calendar_shift(const calendar_t *self, int64_t deadline_ms,
               int64_t pause_start_ms, int64_t pause_end_ms)
{
    int64_t paused = calendar_between(self, pause_start_ms, pause_end_ms);
    return calendar_add(self, deadline_ms, paused);
}

// ---- JSON

static int
s_parse_hhmm(const char *text, int *minutes)
{
    int h = 0, m = 0;
    if (strlen(text) != 5 || text[2] != ':'
        || sscanf(text, "%2d:%2d", &h, &m) != 2 || m < 0 || m > 59 || h < 0
        || h > 24 || (h == 24 && m != 0)) {
        return -1;
    }
    *minutes = h * 60 + m;
    return 0;
}

// "HH:MM-HH:MM" → interval. 0 or -1.
static int
s_parse_interval(const char *text, calendar_interval_t *iv)
{
    char start[6], end[6];
    if (!text || strlen(text) != 11 || text[5] != '-') {
        return -1;
    }
    memcpy(start, text, 5);
    start[5] = '\0';
    memcpy(end, text + 6, 5);
    end[5] = '\0';
    if (s_parse_hhmm(start, &iv->start_min) || s_parse_hhmm(end, &iv->end_min)
        || iv->start_min >= iv->end_min) {
        return -1;
    }
    return 0;
}

// An array of intervals, ascending and not overlapping.
static bool
s_parse_intervals(const json_t *array, const char *field,
                  calendar_interval_t *out, size_t *count, json_t **problem_p)
{
    *count = 0;
    if (!json_is_array(array)
        || json_array_size(array) > CALENDAR_INTERVALS_MAX) {
        return cm_validate_fail(
            problem_p, field, "must be an array of at most 4 \"HH:MM-HH:MM\"");
    }
    size_t i;
    const json_t *item;
    json_array_foreach(array, i, item)
    {
        calendar_interval_t iv;
        if (s_parse_interval(json_string_value(item), &iv) != 0
            || (i > 0 && iv.start_min < out[i - 1].end_min)) {
            *count = 0;
            return cm_validate_fail(problem_p, field,
                                    "intervals must be \"HH:MM-HH:MM\", "
                                    "ascending, not overlapping");
        }
        out[i] = iv;
        *count = i + 1;
    }
    return true;
}

static bool
s_parse_dates(const json_t *array, const char *field, int64_t *out,
              size_t *count, json_t **problem_p)
{
    *count = 0;
    if (!array) {
        return true;
    }
    if (!json_is_array(array) || json_array_size(array) > CALENDAR_DATES_MAX) {
        return cm_validate_fail(problem_p, field,
                                "must be an array of at most 128 dates");
    }
    size_t i;
    const json_t *item;
    json_array_foreach(array, i, item)
    {
        if (calendar_date_parse(json_string_value(item), &out[i]) != 0) {
            *count = 0;
            return cm_validate_fail(problem_p, field,
                                    "dates must be \"YYYY-MM-DD\"");
        }
        *count = i + 1;
    }
    return true;
}

static bool
s_parse_week(const json_t *hours, calendar_t *self, json_t **problem_p)
{
    if (!json_is_object(hours)) {
        return cm_validate_fail(problem_p, "hours",
                                "must be an object of weekdays (mon..sun)");
    }
    bool ok = cm_validate_keys(hours, "mon tue wed thu fri sat sun", problem_p);
    for (int w = 0; w < 7; w++) {
        const json_t *day = json_object_get(hours, s_weekdays[w]);
        char field[32];
        snprintf(field, sizeof field, "hours.%s", s_weekdays[w]);
        if (day
            && !s_parse_intervals(day, field, self->hours[w],
                                  &self->hour_count[w], problem_p)) {
            ok = false;
        }
    }
    return ok;
}

static bool
s_has_working_time(const calendar_t *self)
{
    for (int w = 0; w < 7; w++) {
        if (self->hour_count[w]) {
            return true;
        }
    }
    return self->makeup_day_count > 0 && self->makeup_count > 0;
}

bool
calendar_from_json(const json_t *json, calendar_t *self, json_t **problem_p)
{
    assert(self && problem_p);
    memset(self, 0, sizeof *self);
    if (!cm_validate_object(json, problem_p)) {
        return false;
    }
    bool ok = cm_validate_keys(json,
                               "name utc_offset_minutes hours makeup_hours "
                               "holidays makeup_days",
                               problem_p);
    ok &= cm_validate_integer(json, "utc_offset_minutes", -CALENDAR_OFFSET_MAX,
                              CALENDAR_OFFSET_MAX, CM_VALIDATE_REQUIRED,
                              problem_p);
    self->offset_minutes =
        (int)json_integer_value(json_object_get(json, "utc_offset_minutes"));
    ok &= s_parse_week(json_object_get(json, "hours"), self, problem_p);
    const json_t *makeup = json_object_get(json, "makeup_hours");
    if (makeup && !json_is_null(makeup)) {
        ok &= s_parse_intervals(makeup, "makeup_hours", self->makeup,
                                &self->makeup_count, problem_p);
    }
    ok &= s_parse_dates(json_object_get(json, "holidays"), "holidays",
                        self->holidays, &self->holiday_count, problem_p);
    ok &= s_parse_dates(json_object_get(json, "makeup_days"), "makeup_days",
                        self->makeup_days, &self->makeup_day_count, problem_p);
    if (ok && !s_has_working_time(self)) {
        ok = cm_validate_fail(problem_p, "hours", "has no working time");
    }
    return ok;
}

static json_t *
s_intervals_to_json(const calendar_interval_t *iv, size_t count)
{
    json_t *array = json_array();
    assert(array);
    for (size_t i = 0; i < count; i++) {
        char text[S_INTERVAL_TEXT];
        snprintf(text, sizeof text, "%02d:%02d-%02d:%02d", iv[i].start_min / 60,
                 iv[i].start_min % 60, iv[i].end_min / 60, iv[i].end_min % 60);
        json_array_append_new(array, json_string(text));
    }
    return array;
}

static json_t *
s_dates_to_json(const int64_t *days, size_t count)
{
    json_t *array = json_array();
    assert(array);
    for (size_t i = 0; i < count; i++) {
        char text[CALENDAR_DATE_MAX];
        json_array_append_new(array,
                              json_string(calendar_date_format(days[i], text)));
    }
    return array;
}

json_t *
calendar_to_json(const calendar_t *self, const char *name)
{
    assert(self && name);
    json_t *hours = json_object();
    assert(hours);
    for (int w = 1; w <= 7; w++) {
        int d = w % 7; // mon..sat, then sun
        json_object_set_new(
            hours, s_weekdays[d],
            s_intervals_to_json(self->hours[d], self->hour_count[d]));
    }
    json_t *json = json_pack(
        "{s:s, s:i, s:o, s:o, s:o, s:o}", "name", name, "utc_offset_minutes",
        self->offset_minutes, "hours", hours, "makeup_hours",
        s_intervals_to_json(self->makeup, self->makeup_count), "holidays",
        s_dates_to_json(self->holidays, self->holiday_count), "makeup_days",
        s_dates_to_json(self->makeup_days, self->makeup_day_count));
    assert(json);
    return json;
}
