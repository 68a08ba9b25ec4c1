// cm_log — one JSON object per line on stdout (docs/architecture.md §11).
//
// Every line carries ts, level, svc, replica, event and, when the calling
// thread has one set, correlation_id; then the caller's fields. Fields are
// (key, value) string pairs ended by NULL. A key starting with '#' marks a
// numeric value, written without quotes (the '#' is dropped):
//
//     cm_log_info("http.access", "method", "GET", "#status", CM_LOG_INT(200));
//
// LOG_FORMAT=text prints the same fields as one readable line; LOG_LEVEL
// (debug|info|notice|warn|error) sets the threshold. Lines stay under
// CM_LOG_LINE_MAX bytes: long values are cut.
#ifndef LIBCOMMON_CM_LOG_H
#define LIBCOMMON_CM_LOG_H

#include <stdbool.h>
#include <stdio.h>

#define CM_LOG_LINE_MAX  16384
#define CM_LOG_VALUE_MAX 2048

typedef enum {
    CM_LOG_DEBUG,
    CM_LOG_INFO,
    CM_LOG_NOTICE,
    CM_LOG_WARN,
    CM_LOG_ERROR
} cm_log_level_t;

// Set the service name and replica id used on every line (replica NULL or
// "": "<host>-<pid>") and read LOG_FORMAT and LOG_LEVEL from the environment.
// Call once from main before threads.
void cm_log_init(const char *svc, const char *replica);

// Set the threshold; lines below it are skipped before any formatting.
void cm_log_set_level(cm_log_level_t level);

// Parse a level name; returns -1 for an unknown name.
int cm_log_level_parse(const char *name);

// Choose JSON (true, the default) or text lines.
void cm_log_set_json(bool json);

// Write lines to this stream instead of stdout (tests). Borrowed: valid until
// replaced; NULL restores stdout.
void cm_log_set_stream(FILE *stream);

// True when a line at this level would be written.
bool cm_log_enabled(cm_log_level_t level);

// Set the calling thread's correlation id (copied; NULL or "" clears it).
// Every line this thread writes carries it until cleared.
void cm_log_set_correlation(const char *correlation_id);

// The calling thread's correlation id, or NULL. Borrowed: valid until the
// next cm_log_set_correlation on this thread.
const char *cm_log_correlation(void);

// Write one line. Use the level macros instead, which skip disabled levels.
void cm_log_emit(cm_log_level_t level, const char *event, ...);

// Hold back this thread's lines below warn until cm_log_release, and write
// them then in as few write(2) calls as whole lines allow (at most 4 KiB
// each, so a pipe shared with other processes never splits a line). A line
// at warn or above goes out at once, after the lines held before it; a full
// buffer (32 KiB) goes out too. A worker holds its batch's lines.
void cm_log_hold(void);
void cm_log_release(void);

// Format an integer into buf (at least 24 bytes); returns buf.
const char *cm_log_format_int(char *buf, long long value);

// A numeric field value, for '#' keys. The buffer lives in the caller's block.
#define CM_LOG_INT(v) cm_log_format_int((char[24]){0}, (long long)(v))

// An expression, not a block, so a log line adds no nesting level.
#define CM_LOG_AT(level, ...)                                                  \
    (cm_log_enabled(level)                                                     \
         ? cm_log_emit(level, __VA_ARGS__, (const char *)NULL)                 \
         : (void)0)

#define cm_log_debug(...)  CM_LOG_AT(CM_LOG_DEBUG, __VA_ARGS__)
#define cm_log_info(...)   CM_LOG_AT(CM_LOG_INFO, __VA_ARGS__)
#define cm_log_notice(...) CM_LOG_AT(CM_LOG_NOTICE, __VA_ARGS__)
#define cm_log_warn(...)   CM_LOG_AT(CM_LOG_WARN, __VA_ARGS__)
#define cm_log_error(...)  CM_LOG_AT(CM_LOG_ERROR, __VA_ARGS__)

#endif
