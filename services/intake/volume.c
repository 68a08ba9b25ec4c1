#include "volume.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "case.h"
#include "cm_csv.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "intake.h"

#define S_QUERY_KEYS "from to department"
#define S_DATE_MAX   40 // "YYYY-MM-DD", room for any int year
#define S_BUCKET_MAX 160
#define S_NO_DEPT    "-"
#define S_KIND_COUNT 4

static const char *const s_kinds[S_KIND_COUNT] = {"inquiry", "complaint",
                                                  "tech_support", "suggestion"};

// ---- counters in the case's commit

static bool
s_is_open(const json_t *doc)
{
    const char *state = cm_doc_state(doc);
    return strcmp(state, "closed") != 0 && strcmp(state, "cancelled") != 0;
}

// "<department>|<kind>" of doc into buf. False when it does not fit.
static bool
s_bucket(const json_t *doc, char *buf, size_t size)
{
    const char *dept = cm_doc_string(doc, "department");
    int n = snprintf(buf, size, "%s|%s", dept && *dept ? dept : S_NO_DEPT,
                     cm_doc_text(doc, "kind"));
    return n > 0 && (size_t)n < size;
}

// True when two buckets name the same department.
static bool
s_same_department(const char *a, const char *b)
{
    size_t n = strcspn(a, "|");
    return n == strcspn(b, "|") && strncmp(a, b, n) == 0;
}

static void
s_day_text(int64_t day, char *buf)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, S_DATE_MAX, "%04d-%02d-%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday);
}

static int64_t
s_day_of(int64_t ms)
{
    return ms >= 0 ? ms / INTAKE_DAY_MS : (ms + 1) / INTAKE_DAY_MS - 1;
}

static const char *
s_day_key(int64_t day, char *key)
{
    char suffix[S_DATE_MAX + 8];
    char date[S_DATE_MAX];
    s_day_text(day, date);
    snprintf(suffix, sizeof suffix, "day:%s", date);
    return cm_store_key(key, CM_STORE_KEY_MAX, CASE_OWNER, "volume", suffix);
}

static const char *
s_open_key(char *key)
{
    return cm_store_key(key, CM_STORE_KEY_MAX, CASE_OWNER, "volume", "open");
}

static void
s_count(cm_commit_t *commit, const char *key, const char *bucket,
        const char *what, int64_t delta)
{
    char field[S_BUCKET_MAX + 16];
    snprintf(field, sizeof field, "%s%s%s", bucket, what ? "|" : "",
             what ? what : "");
    cm_commit_counter(commit, key, field, delta, CM_COUNTER_NO_MIN,
                      CM_COUNTER_NO_MAX);
}

void
volume_commit(cm_commit_t *commit, const json_t *old, const json_t *doc,
              int64_t now_ms)
{
    assert(commit && doc);
    char day[CM_STORE_KEY_MAX];
    char open[CM_STORE_KEY_MAX];
    char before[S_BUCKET_MAX];
    char after[S_BUCKET_MAX];
    if (!s_day_key(s_day_of(now_ms), day) || !s_open_key(open)
        || !s_bucket(doc, after, sizeof after)
        || (old && !s_bucket(old, before, sizeof before))) {
        return; // a department code longer than any the org view holds
    }
    bool was_open = old && s_is_open(old);
    bool is_open = s_is_open(doc);
    if (!old) {
        s_count(commit, day, after, "opened", 1);
    } else if (was_open && !is_open) {
        s_count(commit, day, after, "closed", 1);
    } else if (!was_open && is_open) {
        s_count(commit, day, after, "reopened", 1);
    }
    if (was_open && is_open && !s_same_department(before, after)
        && strncmp(after, S_NO_DEPT "|", 2) != 0) {
        s_count(commit, day, after, "received", 1);
    }
    if (was_open == is_open && (!was_open || strcmp(before, after) == 0)) {
        return; // the backlog did not move
    }
    if (was_open) {
        s_count(commit, day, before, "net", -1);
        s_count(commit, open, before, NULL, -1);
    }
    if (is_open) {
        s_count(commit, day, after, "net", 1);
        s_count(commit, open, after, NULL, 1);
    }
}

// ---- the report

// Figures of one day (or now), per kind and in all.
typedef struct {
    int64_t opened[S_KIND_COUNT];
    int64_t closed[S_KIND_COUNT];
    int64_t reopened[S_KIND_COUNT];
    int64_t net[S_KIND_COUNT];
    int64_t received[S_KIND_COUNT];
    int64_t open[S_KIND_COUNT]; // the open hash: open cases now
} s_figures_t;

static int
s_kind_index(const char *kind, size_t len)
{
    for (int i = 0; i < S_KIND_COUNT; i++) {
        if (strlen(s_kinds[i]) == len && strncmp(s_kinds[i], kind, len) == 0) {
            return i;
        }
    }
    return -1;
}

// Fold field = value of a volume hash into f when its department matches
// (NULL: any). Fields are "<dept>|<kind>[|<what>]".
static void
s_fold(s_figures_t *f, const char *field, int64_t value, const char *department)
{
    const char *bar = strchr(field, '|');
    if (!bar) {
        return;
    }
    if (department
        && (strlen(department) != (size_t)(bar - field)
            || strncmp(field, department, (size_t)(bar - field)) != 0)) {
        return;
    }
    const char *kind = bar + 1;
    const char *what = strchr(kind, '|');
    int k = s_kind_index(kind, what ? (size_t)(what - kind) : strlen(kind));
    if (k < 0) {
        return;
    }
    int64_t *slot = !what                               ? &f->open[k]
                    : strcmp(what + 1, "opened") == 0   ? &f->opened[k]
                    : strcmp(what + 1, "closed") == 0   ? &f->closed[k]
                    : strcmp(what + 1, "reopened") == 0 ? &f->reopened[k]
                    : strcmp(what + 1, "net") == 0      ? &f->net[k]
                    : strcmp(what + 1, "received") == 0 ? &f->received[k]
                                                        : NULL;
    if (slot) {
        *slot += value;
    }
}

static int
s_fold_reply(s_figures_t *f, const redisReply *reply, const char *department)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 != 0) {
        return CM_EINTERNAL;
    }
    for (size_t i = 0; i + 1 < reply->elements; i += 2) {
        int64_t value = 0;
        if (reply->element[i]->type != REDIS_REPLY_STRING
            || cm_redis_reply_int(reply->element[i + 1], &value) != 0) {
            return CM_EINTERNAL;
        }
        s_fold(f, reply->element[i]->str, value, department);
    }
    return 0;
}

// Read the open hash into *now and days[0..count) (day first + i), one
// pipelined round trip. 0 or a status.
static int
s_read(cm_store_t *store, int64_t first, size_t count, const char *department,
       s_figures_t *now, s_figures_t *days)
{
    cm_redis_t *redis = cm_store_redis(store);
    char key[CM_STORE_KEY_MAX];
    const char *argv[] = {"HGETALL", s_open_key(key)};
    int rc = cm_redis_append(redis, 2, argv, NULL);
    size_t sent = rc == 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        argv[1] = s_day_key(first + (int64_t)i, key);
        rc = cm_redis_append(redis, 2, argv, NULL);
        sent += rc == 0;
    }
    for (size_t i = 0; i < sent; i++) {
        redisReply *reply = cm_redis_read(redis);
        if (!reply) {
            return CM_EUNAVAILABLE;
        }
        int folded =
            s_fold_reply(i == 0 ? now : &days[i - 1], reply, department);
        rc = rc ? rc : folded;
        freeReplyObject(reply);
    }
    return rc;
}

// A date YYYY-MM-DD as a day number. 0, or -1 when it is not one.
static int
s_parse_day(const char *text, int64_t *day)
{
    int y = 0;
    int m = 0;
    int d = 0;
    char rest = 0;
    if (strlen(text) != 10
        || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3) {
        return -1;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    char back[S_DATE_MAX];
    *day = (int64_t)t / 86400;
    s_day_text(*day, back);
    return strcmp(back, text) == 0 ? 0 : -1;
}

static json_t *
s_parse_range(cm_ctx_t *ctx, int64_t today, int64_t *from, int64_t *to)
{
    json_t *problem = NULL;
    json_t *query = cm_ctx_query_object(ctx);
    if (query) {
        cm_validate_keys(query, S_QUERY_KEYS, &problem);
    }
    const char *from_text = cm_ctx_query(ctx, "from");
    const char *to_text = cm_ctx_query(ctx, "to");
    *to = today;
    if (to_text && s_parse_day(to_text, to) != 0) {
        cm_validate_fail(&problem, "to", "must be a date YYYY-MM-DD");
    }
    *from = *to - (VOLUME_SPAN_DEFAULT - 1);
    if (from_text && s_parse_day(from_text, from) != 0) {
        cm_validate_fail(&problem, "from", "must be a date YYYY-MM-DD");
    } else if (*from > *to) {
        cm_validate_fail(&problem, "from", "must not be after to");
    } else if (*to - *from >= VOLUME_SPAN_MAX) {
        cm_validate_fail(&problem, "from",
                         "must be at most 366 days before to");
    } else if (today - *from > VOLUME_HISTORY_MAX) {
        cm_validate_fail(&problem, "from", "must be within ten years");
    }
    return problem;
}

static json_int_t
s_sum(const int64_t *values)
{
    json_int_t sum = 0;
    for (int k = 0; k < S_KIND_COUNT; k++) {
        sum += values[k];
    }
    return sum;
}

// The JSON report and the CSV rows (one per day, flat).
static json_t *
s_report(int64_t from, int64_t to, const char *department,
         const s_figures_t *days, const int64_t (*backlog)[S_KIND_COUNT],
         json_t *rows)
{
    json_t *list = json_array();
    json_int_t total_opened = 0;
    json_int_t total_closed = 0;
    for (int64_t day = from; day <= to; day++) {
        const s_figures_t *f = &days[day - from];
        const int64_t *open = backlog[day - from];
        char date[S_DATE_MAX];
        s_day_text(day, date);
        json_t *kinds = json_object();
        json_t *row =
            json_pack("{s:s, s:I, s:I, s:I, s:I}", "date", date, "opened",
                      s_sum(f->opened), "closed", s_sum(f->closed), "reopened",
                      s_sum(f->reopened), "backlog", s_sum(open));
        for (int k = 0; k < S_KIND_COUNT; k++) {
            json_object_set_new(kinds, s_kinds[k],
                                json_pack("{s:I, s:I, s:I}", "opened",
                                          (json_int_t)f->opened[k], "closed",
                                          (json_int_t)f->closed[k], "backlog",
                                          (json_int_t)open[k]));
            const char *whats[] = {"opened", "closed", "backlog"};
            const int64_t values[] = {f->opened[k], f->closed[k], open[k]};
            for (int w = 0; w < 3; w++) {
                char column[48];
                snprintf(column, sizeof column, "%s_%s", s_kinds[k], whats[w]);
                json_object_set_new(row, column, json_integer(values[w]));
            }
        }
        json_t *trimmed = json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:o}", "date", date, "opened",
            s_sum(f->opened), "closed", s_sum(f->closed), "reopened",
            s_sum(f->reopened), "backlog", s_sum(open), "kinds", kinds);
        json_array_append_new(list, trimmed);
        json_array_append_new(rows, row);
        total_opened += s_sum(f->opened);
        total_closed += s_sum(f->closed);
    }
    char from_text[S_DATE_MAX];
    char to_text[S_DATE_MAX];
    s_day_text(from, from_text);
    s_day_text(to, to_text);
    return json_pack("{s:s, s:s, s:s?, s:o, s:{s:I, s:I}}", "from", from_text,
                     "to", to_text, "department", department, "days", list,
                     "totals", "opened", total_opened, "closed", total_closed);
}

static void
s_reply_csv(cm_ctx_t *ctx, const json_t *rows)
{
    static const char *const columns[] = {"date",
                                          "opened",
                                          "closed",
                                          "reopened",
                                          "backlog",
                                          "inquiry_opened",
                                          "inquiry_closed",
                                          "inquiry_backlog",
                                          "complaint_opened",
                                          "complaint_closed",
                                          "complaint_backlog",
                                          "tech_support_opened",
                                          "tech_support_closed",
                                          "tech_support_backlog",
                                          "suggestion_opened",
                                          "suggestion_closed",
                                          "suggestion_backlog",
                                          NULL};
    char *csv = cm_csv_rows(columns, rows);
    if (csv) {
        cm_ctx_reply_media(ctx, 200, CM_CSV_MEDIA_TYPE, csv);
    } else {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the report has no CSV");
    }
}

void
volume_get_report(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_REPORT)) {
        return;
    }
    int64_t today = s_day_of(cm_time_now_ms());
    int64_t from = 0;
    int64_t to = 0;
    const char *department = cm_ctx_query(ctx, "department");
    json_t *problem = s_parse_range(ctx, today, &from, &to);
    if (!problem) {
        problem = access_report_scope(ctx, &department);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *rows = json_array();
    json_t *report = NULL;
    int rc =
        volume_report(cm_ctx_store(ctx), from, to, department, &report, rows);
    if (rc) {
        cm_ctx_fail_status(ctx, rc, "the volume counters are unreadable");
    } else if (cm_ctx_accepts(ctx, "text/csv")) {
        s_reply_csv(ctx, rows);
        json_decref(report);
    } else {
        cm_ctx_reply(ctx, 200, report);
    }
    json_decref(rows);
}

int
volume_report(cm_store_t *store, int64_t from, int64_t to,
              const char *department, json_t **report, json_t *rows)
{
    assert(store && report && rows && from <= to);
    *report = NULL;
    int64_t today = s_day_of(cm_time_now_ms());
    // Every day from `from` to the later of `to` and today: the backlog of
    // a day is the open cases now less the net changes after it.
    int64_t last = to > today ? to : today;
    size_t count = (size_t)(last - from + 1);
    s_figures_t now = {0};
    s_figures_t *days = calloc(count, sizeof *days);
    int64_t(*backlog)[S_KIND_COUNT] = calloc(count, sizeof *backlog);
    assert(days && backlog);
    int rc = s_read(store, from, count, department, &now, days);
    if (rc == 0) {
        int64_t running[S_KIND_COUNT];
        memcpy(running, now.open, sizeof running);
        for (size_t i = count; i-- > 0;) {
            memcpy(backlog[i], running, sizeof running);
            for (int k = 0; k < S_KIND_COUNT; k++) {
                running[k] -= days[i].net[k];
                // A department's intake: recorded for it or forwarded to it.
                days[i].opened[k] += department ? days[i].received[k] : 0;
            }
        }
        *report = s_report(from, to, department, days,
                           (const int64_t(*)[S_KIND_COUNT])backlog, rows);
    }
    free(days);
    free(backlog);
    return rc;
}
