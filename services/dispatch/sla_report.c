#include "sla_report.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_csv.h"
#include "cm_doc.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "roster.h"
#include "sla_policy.h"
#include "workorder.h"

#define S_READ_BATCH 200
#define S_QUERY_KEYS "from to kind severity department"

static const cm_doc_type_t s_clock_type = {
    .owner = DISPATCH_OWNER,
    .kind = "clock",
    .what = "clock",
};

const char *
sla_report_done_key(char *key)
{
    return cm_store_key(key, CM_STORE_KEY_MAX, DISPATCH_OWNER, "idx",
                        SLA_REPORT_DONE);
}

// One target's figures.
typedef struct {
    int64_t count, on_time, breached, escalated;
    int64_t *elapsed; // count entries
} s_figures_t;

static bool
s_in(const json_t *array, const char *value)
{
    size_t i;
    const json_t *item;
    json_array_foreach(array, i, item)
    {
        if (json_is_string(item)
            && strcmp(json_string_value(item), value) == 0) {
            return true;
        }
    }
    return false;
}

// Who may read which department's figures; the department to report on
// into *department (NULL: all). False after answering 403.
static bool
s_scope(cm_ctx_t *ctx, const char **department)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *role = cm_doc_text(actor, "role");
    if (strcmp(role, "station_head") == 0 || strcmp(role, "auditor") == 0) {
        return true;
    }
    const json_t *own = json_object_get(
        actor, strcmp(role, "deputy_head") == 0 ? "oversees" : "heads");
    bool manager =
        strcmp(role, "deputy_head") == 0 || strcmp(role, "dept_head") == 0;
    if (manager && !*department && json_array_size(own) > 0) {
        *department = json_string_value(json_array_get(own, 0));
    }
    if (!manager || !*department || !s_in(own, *department)) {
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "SLA figures are for the station "
                                        "head, auditors and the heads of the "
                                        "departments concerned."));
        return false;
    }
    return true;
}

static int
s_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static json_t *
s_percentile(int64_t *values, int64_t n, int percent)
{
    if (n == 0) {
        return json_null();
    }
    int64_t rank = (n * percent + 99) / 100; // nearest rank
    return json_integer(values[(rank > 0 ? rank : 1) - 1]);
}

// Add one stopped clock to its target's figures when the filters take it.
static void
s_add(const json_t *clock, const char *kind, const char *severity,
      const char *department, s_figures_t *figures)
{
    if (strcmp(cm_doc_state(clock), "stopped") != 0
        || (kind && strcmp(cm_doc_text(clock, "kind"), kind) != 0)
        || (severity && strcmp(cm_doc_text(clock, "severity"), severity) != 0)
        || (department
            && strcmp(cm_doc_text(clock, "department"), department) != 0)) {
        return;
    }
    int target = -1;
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        target = strcmp(cm_doc_text(clock, "target"), sla_target_name(t)) == 0
                     ? t
                     : target;
    }
    if (target < 0) {
        return;
    }
    s_figures_t *f = &figures[target];
    int64_t stopped = cm_doc_time(clock, "stopped_at", 0);
    int64_t level = cm_doc_integer(clock, "level");
    bool late = level > 0 || stopped > cm_doc_integer(clock, "deadline_ms");
    f->elapsed[f->count] = stopped - cm_doc_time(clock, "started_at", stopped);
    f->count++;
    f->on_time += !late;
    f->breached += late;
    f->escalated += level >= 2;
}

// Read the clocks of ids (a Redis array reply) into figures. 0 or a status.
static int
s_read(cm_store_t *store, const redisReply *ids, const char *kind,
       const char *severity, const char *department, s_figures_t *figures)
{
    for (size_t from = 0; from < ids->elements; from += S_READ_BATCH) {
        size_t left = ids->elements - from;
        size_t n = left < S_READ_BATCH ? left : S_READ_BATCH;
        const char *batch[S_READ_BATCH];
        json_t *docs[S_READ_BATCH];
        int64_t versions[S_READ_BATCH];
        // cppcheck-suppress knownConditionTrueFalse ; 2.10 misreads n
        for (size_t i = 0; i < n; i++) {
            batch[i] = ids->element[from + i]->str;
        }
        int rc =
            cm_doc_read_many(store, &s_clock_type, batch, n, docs, versions);
        if (rc != 0) {
            return rc;
        }
        // cppcheck-suppress knownConditionTrueFalse ; 2.10 misreads n
        for (size_t i = 0; i < n; i++) {
            if (docs[i]) {
                s_add(docs[i], kind, severity, department, figures);
            }
            json_decref(docs[i]);
        }
    }
    return 0;
}

static json_t *
s_rows(s_figures_t *figures)
{
    json_t *rows = json_array();
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        s_figures_t *f = &figures[t];
        qsort(f->elapsed, (size_t)f->count, sizeof f->elapsed[0], s_compare);
        json_array_append_new(
            rows, json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "target",
                            sla_target_name(t), "count", (json_int_t)f->count,
                            "on_time", (json_int_t)f->on_time, "breached",
                            (json_int_t)f->breached, "escalated",
                            (json_int_t)f->escalated, "median_ms",
                            s_percentile(f->elapsed, f->count, 50), "p90_ms",
                            s_percentile(f->elapsed, f->count, 90)));
    }
    return rows;
}

static void
s_answer(cm_ctx_t *ctx, json_t *report)
{
    if (!cm_ctx_accepts(ctx, "text/csv")) {
        cm_ctx_reply(ctx, 200, report);
        return;
    }
    static const char *const columns[] = {
        "target",    "count",      "on_time", "breached", "escalated",
        "median_ms", "p90_ms",     "from",    "to",       "kind",
        "severity",  "department", NULL};
    json_t *rows = json_object_get(report, "targets");
    size_t i;
    json_t *row;
    const char *copied[] = {"from", "to", "kind", "severity", "department"};
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; c < 5; c++) {
            json_object_set(row, copied[c], json_object_get(report, copied[c]));
        }
    }
    char *csv = cm_csv_rows(columns, rows);
    json_decref(report);
    if (!csv) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the report has no CSV");
        return;
    }
    cm_ctx_reply_media(ctx, 200, CM_CSV_MEDIA_TYPE, csv);
}

int
sla_report_rows(cm_store_t *store, int64_t from_ms, int64_t to_ms,
                const char *kind, const char *severity, const char *department,
                json_t **rows_out)
{
    *rows_out = NULL;
    char key[CM_STORE_KEY_MAX], min[24], max[24], limit[24];
    sla_report_done_key(key);
    snprintf(min, sizeof min, "%lld", (long long)from_ms);
    snprintf(max, sizeof max, "%lld", (long long)to_ms);
    snprintf(limit, sizeof limit, "%d", SLA_REPORT_MAX + 1);
    redisReply *ids = cm_redis_cmd(cm_store_redis(store), "ZRANGEBYSCORE", key,
                                   min, max, "LIMIT", "0", limit);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        if (ids) {
            freeReplyObject(ids);
        }
        return CM_EUNAVAILABLE;
    }
    if (ids->elements > SLA_REPORT_MAX) {
        freeReplyObject(ids);
        return CM_EBUSINESS;
    }
    s_figures_t figures[SLA_TARGET_COUNT];
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        memset(&figures[t], 0, sizeof figures[t]);
        figures[t].elapsed =
            calloc(ids->elements + 1, sizeof figures[t].elapsed[0]);
        assert(figures[t].elapsed);
    }
    int rc = s_read(store, ids, kind, severity, department, figures);
    freeReplyObject(ids);
    *rows_out = rc == 0 ? s_rows(figures) : NULL;
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        free(figures[t].elapsed);
    }
    return rc;
}

void
sla_report_get(cm_ctx_t *ctx)
{
    json_t *problem = NULL;
    json_t *query = cm_ctx_query_object(ctx);
    if (query) {
        cm_validate_keys(query, S_QUERY_KEYS, &problem);
    }
    int64_t to_ms = cm_time_now_ms();
    const char *to = cm_ctx_query(ctx, "to");
    if (to && cm_time_parse(to, &to_ms) != 0) {
        cm_validate_fail(&problem, "to", "must be an RFC 3339 time");
    }
    int64_t from_ms = to_ms - SLA_REPORT_SPAN_MS;
    const char *from = cm_ctx_query(ctx, "from");
    if (from && cm_time_parse(from, &from_ms) != 0) {
        cm_validate_fail(&problem, "from", "must be an RFC 3339 time");
    } else if (from_ms > to_ms) {
        cm_validate_fail(&problem, "from", "must not be after to");
    }
    const char *kind = cm_ctx_query(ctx, "kind");
    if (kind && !cm_validate_name_in(SLA_KINDS, kind)) {
        cm_validate_fail(&problem, "kind", "is not a case kind");
    }
    const char *severity = cm_ctx_query(ctx, "severity");
    const char *department = cm_ctx_query(ctx, "department");
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (!s_scope(ctx, &department)) {
        return;
    }
    json_t *rows = NULL;
    int rc = sla_report_rows(cm_ctx_store(ctx), from_ms, to_ms, kind, severity,
                             department, &rows);
    if (rc == CM_EBUSINESS) {
        problem = cm_problem_new(422, "period_too_large",
                                 "More clocks stopped in this period than "
                                 "one report reads; narrow it.");
        cm_problem_add_error(problem, "from", "narrow the period");
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, "the clocks are unreadable");
        return;
    }
    char from_text[CM_TIME_TEXT_MAX], to_text[CM_TIME_TEXT_MAX];
    json_t *report =
        json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:o}", "from",
                  cm_time_format(from_ms, from_text), "to",
                  cm_time_format(to_ms, to_text), "kind", kind, "severity",
                  severity, "department", department, "targets", rows);
    const char *optional[] = {"kind", "severity", "department"};
    for (size_t i = 0; i < 3; i++) {
        if (!json_object_get(report, optional[i])) {
            json_object_set_new(report, optional[i], json_null());
        }
    }
    s_answer(ctx, report);
}

static int
s_compare_load(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t lx = json_integer_value(json_object_get(x, "open"));
    json_int_t ly = json_integer_value(json_object_get(y, "open"));
    if (lx != ly) {
        return lx > ly ? -1 : 1;
    }
    return strcmp(cm_doc_text(x, "staff"), cm_doc_text(y, "staff"));
}

void
sla_report_workload(cm_ctx_t *ctx)
{
    json_t *problem = NULL;
    json_t *query = cm_ctx_query_object(ctx);
    if (query) {
        cm_validate_keys(query, "department", &problem);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const char *department = cm_ctx_query(ctx, "department");
    if (!s_scope(ctx, &department)) {
        return;
    }
    if (!department) {
        problem = cm_problem_new(400, "validation_failed", "which department");
        cm_problem_add_error(problem, "department", "is required");
        cm_ctx_fail(ctx, problem);
        return;
    }
    cm_store_t *store = cm_ctx_store(ctx);
    json_t *members =
        cm_org_department_staff(store, DISPATCH_OWNER, department);
    json_t *on_duty = roster_on_duty(store, department, cm_time_now_ms());
    if (!members || !on_duty) {
        json_decref(members);
        json_decref(on_duty);
        cm_ctx_fail_status(ctx, CM_EUNAVAILABLE, "the org view is unreadable");
        return;
    }
    size_t n = json_array_size(members);
    json_t **rows = calloc(n + 1, sizeof *rows);
    assert(rows);
    size_t i;
    json_t *member;
    bool unreadable = false;
    json_array_foreach(members, i, member)
    {
        const char *id = json_string_value(member);
        int64_t open = workorder_load_of(store, id);
        unreadable = unreadable || open < 0;
        rows[i] = json_pack("{s:s, s:I, s:b}", "staff", id, "open",
                            (json_int_t)(open > 0 ? open : 0), "on_duty",
                            s_in(on_duty, id));
    }
    if (unreadable) {
        for (i = 0; i < n; i++) {
            json_decref(rows[i]);
        }
        free(rows);
        json_decref(members);
        json_decref(on_duty);
        cm_ctx_fail_status(ctx, CM_EUNAVAILABLE,
                           "the work orders are unreadable");
        return;
    }
    qsort(rows, n, sizeof *rows, s_compare_load);
    json_t *people = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(people, rows[i]);
    }
    free(rows);
    json_decref(members);
    json_decref(on_duty);
    if (cm_ctx_accepts(ctx, "text/csv")) {
        static const char *const columns[] = {"staff", "open", "on_duty", NULL};
        char *csv = cm_csv_rows(columns, people);
        json_decref(people);
        if (csv) {
            cm_ctx_reply_media(ctx, 200, CM_CSV_MEDIA_TYPE, csv);
        } else {
            cm_ctx_fail_status(ctx, CM_EINTERNAL, "the report has no CSV");
        }
        return;
    }
    cm_ctx_reply(
        ctx, 200,
        json_pack("{s:s, s:o}", "department", department, "people", people));
}
