#include "period.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
static int64_t
s_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
s_civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

int64_t
period_day(int64_t epoch_ms)
{
    int64_t day = epoch_ms / PERIOD_DAY_MS;
    return epoch_ms < 0 && epoch_ms % PERIOD_DAY_MS ? day - 1 : day;
}

int
period_day_year(int64_t day)
{
    int y, m, d;
    s_civil_from_days(day, &y, &m, &d);
    return y;
}

int
period_year(int64_t epoch_ms)
{
    return period_day_year(period_day(epoch_ms));
}

const char *
period_key(const char *split, int64_t epoch_ms, char *key)
{
    assert(key);
    int y, m, d;
    s_civil_from_days(period_day(epoch_ms), &y, &m, &d);
    if (split && strcmp(split, "monthly") == 0) {
        snprintf(key, PERIOD_KEY_MAX, "%04d-%02d", y, m);
    } else if (split && strcmp(split, "quarterly") == 0) {
        snprintf(key, PERIOD_KEY_MAX, "%04d-Q%d", y, (m - 1) / 3 + 1);
    } else {
        snprintf(key, PERIOD_KEY_MAX, "%04d", y);
    }
    return key;
}

bool
period_parse_day(const char *text, int64_t *day)
{
    assert(day);
    int y, m, d, used = 0;
    if (!text || strlen(text) != 10
        || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10
        || text[4] != '-' || text[7] != '-' || m < 1 || m > 12 || d < 1) {
        return false;
    }
    int64_t value = s_days_from_civil(y, m, d);
    int cy, cm, cd;
    s_civil_from_days(value, &cy, &cm, &cd);
    if (cy != y || cm != m || cd != d) {
        return false; // 2026-02-30
    }
    *day = value;
    return true;
}

const char *
period_format_day(int64_t day, char *text)
{
    int y, m, d;
    s_civil_from_days(day, &y, &m, &d);
    // Years of 0..9999 only (callers keep dates there): 10 characters.
    char full[32];
    snprintf(full, sizeof full, "%04d-%02d-%02d", y, m, d);
    snprintf(text, 11, "%.10s", full);
    return text;
}
