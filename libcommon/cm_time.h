// cm_time — wall-clock and monotonic time in milliseconds, RFC 3339 text.
#ifndef LIBCOMMON_CM_TIME_H
#define LIBCOMMON_CM_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Buffer size for cm_time_format: "2026-11-27T08:26:04.123Z" plus NUL.
#define CM_TIME_TEXT_MAX 32

// Milliseconds since the Unix epoch (UTC wall clock).
int64_t cm_time_now_ms(void);

// Milliseconds from an arbitrary fixed point; never goes backwards. Use it for
// deadlines and durations inside one process.
int64_t cm_time_mono_ms(void);

// Write `epoch_ms` as UTC RFC 3339 with milliseconds into buf (at least
// CM_TIME_TEXT_MAX bytes). Returns buf.
const char *cm_time_format(int64_t epoch_ms, char *buf);

// Parse RFC 3339 ("2026-11-27T08:26:04Z", fractional seconds and a numeric
// offset allowed) into epoch milliseconds. Returns 0, or -1 on bad text.
int cm_time_parse(const char *text, int64_t *epoch_ms);

// cm_time_parse for input from other systems: exactly RFC 3339 date-time
// ("YYYY-MM-DDTHH:MM:SS", optional fraction, "Z" or "+HH:MM"), every field
// two or four digits, and a real calendar date: year 0001..9999, the day
// within its month (2027-02-30 and 0000-01-01 are refused), second 00..59
// (a leap second has no epoch millisecond). Returns 0, or -1 on bad text.
int cm_time_parse_strict(const char *text, int64_t *epoch_ms);

#endif
