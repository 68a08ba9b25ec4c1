// period — fiscal years and the periods a budget line is split into, as
// text keys ("2026", "2026-Q1", "2026-03"), and calendar days as numbers.
// Pure.
#ifndef FINANCE_PERIOD_H
#define FINANCE_PERIOD_H

#include <stdbool.h>
#include <stdint.h>

#define PERIOD_KEY_MAX    32 // "2026-Q1" and NUL, with room
#define PERIOD_SPLITS     "monthly quarterly yearly"
#define PERIOD_DAY_MS     (24LL * 3600 * 1000)
#define PERIOD_YEAR_FIRST 2000 // fiscal years accepted
#define PERIOD_YEAR_LAST  2100

// The key of the period of `split` holding epoch ms into key
// (PERIOD_KEY_MAX bytes). Returns key; an unknown split counts as yearly.
const char *period_key(const char *split, int64_t epoch_ms, char *key);

// The calendar year (UTC) of epoch ms.
int period_year(int64_t epoch_ms);

// Parse "YYYY-MM-DD" (a real date) into days since 1970-01-01. True when
// valid.
bool period_parse_day(const char *text, int64_t *day);

// The day number of epoch ms (UTC).
int64_t period_day(int64_t epoch_ms);

// The year of a day number.
int period_day_year(int64_t day);

// "YYYY-MM-DD" of a day number into text (11 bytes). Returns text.
const char *period_format_day(int64_t day, char *text);

#endif
