#include "cm_schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_field.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_PATH_MAX 64

int64_t
cm_schedule_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
cm_schedule_weekday_of(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7); // 1970-01-01 was a Thursday
}

int
cm_schedule_weekday(const char *name)
{
    char word[CM_VALIDATE_NAME_MAX];
    const char *rest = CM_SCHEDULE_WEEKDAYS;
    for (int i = 0;
         name && (rest = cm_validate_next_name(rest, word, sizeof word)); i++) {
        if (strcmp(word, name) == 0) {
            return i;
        }
    }
    return -1;
}

int64_t
cm_schedule_nth_weekday(int64_t y, int64_t m, int nth, int weekday)
{
    if (nth > 0) {
        int64_t first = cm_schedule_days_from_civil(y, m, 1);
        int64_t offset = (weekday - cm_schedule_weekday_of(first) + 7) % 7;
        return first + offset + 7 * (int64_t)(nth - 1);
    }
    int64_t next_first = m == 12 ? cm_schedule_days_from_civil(y + 1, 1, 1)
                                 : cm_schedule_days_from_civil(y, m + 1, 1);
    int64_t last = next_first - 1;
    return last - (cm_schedule_weekday_of(last) - weekday + 7) % 7;
}

int64_t
cm_schedule_calendar_next(const json_t *calendar, int64_t after_ms)
{
    int nth = (int)cm_doc_integer(calendar, "nth");
    int weekday = cm_schedule_weekday(cm_doc_text(calendar, "weekday"));
    weekday = weekday < 0 ? 0 : weekday;
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(after_ms, at);
    int64_t y = atoll(at), m = atoll(at + 5);
    for (int i = 0; i < 3; i++) {
        int64_t ms =
            cm_schedule_nth_weekday(y, m, nth, weekday) * CM_SCHEDULE_DAY_MS;
        if (ms > after_ms) {
            return ms;
        }
        m = m == 12 ? 1 : m + 1;
        y += m == 1;
    }
    return after_ms + 31 * CM_SCHEDULE_DAY_MS; // not reached
}

static const cm_field_t s_calendar_fields[] = {
    {"nth", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = -1, .max = 4},
    {"weekday", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
     .values = CM_SCHEDULE_WEEKDAYS},
    CM_FIELD_END,
};

bool
cm_schedule_check_calendar(const json_t *value, const char *field,
                           json_t **problem_p)
{
    bool ok = cm_field_check_object(s_calendar_fields, value, field, problem_p);
    if (ok && cm_doc_integer(value, "nth") == 0) {
        char path[S_PATH_MAX];
        snprintf(path, sizeof path, "%s.nth", field);
        cm_validate_fail(problem_p, path, "is 1 to 4, or -1 for the last");
        ok = false;
    }
    return ok;
}
