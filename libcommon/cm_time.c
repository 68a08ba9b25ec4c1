#include "cm_time.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MS_PER_SECOND 1000
#define NS_PER_MS     1000000L

int64_t
cm_time_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * MS_PER_SECOND + now.tv_nsec / NS_PER_MS;
}

int64_t
cm_time_mono_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * MS_PER_SECOND + now.tv_nsec / NS_PER_MS;
}

const char *
cm_time_format(int64_t epoch_ms, char *buf)
{
    assert(buf);
    int64_t ms = epoch_ms % MS_PER_SECOND;
    time_t seconds = (time_t)(epoch_ms / MS_PER_SECOND);
    if (ms < 0) {
        ms += MS_PER_SECOND;
        seconds -= 1;
    }
    struct tm tm;
    gmtime_r(&seconds, &tm);
    size_t n = strftime(buf, CM_TIME_TEXT_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, CM_TIME_TEXT_MAX - n, ".%03dZ", (int)ms);
    return buf;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
// days_from_civil), so parsing needs no timezone state.
static int64_t
s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
s_parse_fraction_and_zone(const char *p, int64_t *ms, int64_t *offset_min)
{
    *ms = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (isdigit((unsigned char)*p)) {
            if (digits < 3) {
                *ms = *ms * 10 + (*p - '0');
            }
            digits++;
            p++;
        }
        if (digits == 0) {
            return -1;
        }
        for (; digits < 3; digits++) {
            *ms *= 10;
        }
    }
    *offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        return p[1] == '\0' ? 0 : -1;
    }
    int hours, minutes;
    char sign;
    if (sscanf(p, "%c%2d:%2d", &sign, &hours, &minutes) != 3
        || (sign != '+' && sign != '-') || strlen(p) != 6 || hours > 23
        || minutes > 59) {
        return -1;
    }
    *offset_min = (int64_t)(sign == '-' ? -1 : 1) * (hours * 60 + minutes);
    return 0;
}

int
cm_time_parse(const char *text, int64_t *epoch_ms)
{
    assert(epoch_ms);
    if (!text || strlen(text) < 20) {
        return -1;
    }
    int y, mo, d, h, mi, s;
    char t;
    if (sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &s)
            != 7
        || (t != 'T' && t != 't') || mo < 1 || mo > 12 || d < 1 || d > 31
        || h > 23 || mi > 59 || s > 60 || text[4] != '-' || text[7] != '-'
        || text[13] != ':' || text[16] != ':') {
        return -1;
    }
    int64_t ms, offset_min;
    if (s_parse_fraction_and_zone(text + 19, &ms, &offset_min) != 0) {
        return -1;
    }
    int64_t days = s_days_from_civil(y, mo, d);
    int64_t seconds = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s
                      - offset_min * 60;
    *epoch_ms = seconds * MS_PER_SECOND + ms;
    return 0;
}

// Days in month m (1..12) of year y, proleptic Gregorian.
static int
s_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

// The `width` decimal digits at text, into *value. 0, or -1 when any of
// them is not a digit.
static int
s_digits(const char *text, int width, int *value)
{
    *value = 0;
    for (int i = 0; i < width; i++) {
        if (!isdigit((unsigned char)text[i])) {
            return -1;
        }
        *value = *value * 10 + (text[i] - '0');
    }
    return 0;
}

int
cm_time_parse_strict(const char *text, int64_t *epoch_ms)
{
    assert(epoch_ms);
    // "YYYY-MM-DDTHH:MM:SS": fixed positions, then fraction and zone.
    int y, mo, d, h, mi, s;
    if (!text || strlen(text) < 20 || s_digits(text, 4, &y)
        || s_digits(text + 5, 2, &mo) || s_digits(text + 8, 2, &d)
        || s_digits(text + 11, 2, &h) || s_digits(text + 14, 2, &mi)
        || s_digits(text + 17, 2, &s) || text[4] != '-' || text[7] != '-'
        || (text[10] != 'T' && text[10] != 't') || text[13] != ':'
        || text[16] != ':') {
        return -1;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > s_days_in_month(y, mo)
        || h > 23 || mi > 59 || s > 59) {
        return -1;
    }
    const char *zone = text + 19;
    if (*zone == '.') {
        zone++;
        while (isdigit((unsigned char)*zone)) {
            zone++;
        }
        if (zone == text + 20) {
            return -1; // a dot without digits
        }
    }
    if (*zone != 'Z' && *zone != 'z') {
        int zh, zm;
        if ((*zone != '+' && *zone != '-') || strlen(zone) != 6
            || s_digits(zone + 1, 2, &zh) || zone[3] != ':'
            || s_digits(zone + 4, 2, &zm) || zh > 23 || zm > 59) {
            return -1;
        }
    }
    // The text is well formed; the lenient parser does the arithmetic.
    return cm_time_parse(text, epoch_ms);
}
