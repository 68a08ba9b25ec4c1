#include "satisfaction.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case.h"
#include "cm_csv.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "intake.h"

#define S_QUERY_KEYS "from to department staff"

// Whose work the customer judged: the assignee, else the last handler.
static const char *
s_staff(const json_t *doc)
{
    const char *assignee = cm_doc_string(doc, "assignee");
    return assignee ? assignee : cm_doc_string(doc, "handled_by");
}

json_t *
satisfaction_entry(const json_t *doc, const json_t *body, const json_t *actor,
                   int64_t now_ms)
{
    assert(doc && body);
    char at[CM_TIME_TEXT_MAX];
    json_t *entry = json_pack(
        "{s:O?, s:I, s:b, s:O?, s:O?, s:s?, s:s?, s:O?, s:O?, s:s}", "case",
        json_object_get(doc, "id"), "round",
        (json_int_t)cm_doc_integer(doc, "round"), "satisfied",
        json_is_true(json_object_get(body, "satisfied")), "score",
        json_object_get(body, "score"), "comment",
        json_object_get(body, "comment"), "department",
        cm_doc_string(doc, "department"), "staff", s_staff(doc), "kind",
        json_object_get(doc, "kind"), "by", json_object_get(actor, "id"), "at",
        cm_time_format(now_ms, at));
    assert(entry);
    return entry;
}

static void
s_index_add(cm_commit_t *commit, const char *field, const char *value,
            const char *member, int64_t now_ms)
{
    char suffix[CM_STORE_KEY_MAX];
    char key[CM_STORE_KEY_MAX];
    if (value) {
        snprintf(suffix, sizeof suffix, "%s:%s", field, value);
    } else {
        snprintf(suffix, sizeof suffix, "%s", field);
    }
    if (cm_store_key(key, sizeof key, CASE_OWNER, "idx", suffix)) {
        cm_commit_index_add(commit, key, member, now_ms);
    }
}

void
satisfaction_commit(cm_commit_t *commit, const json_t *entry, int64_t now_ms)
{
    assert(commit && entry);
    char ledger[CM_STORE_KEY_MAX];
    const char *built = cm_store_key(ledger, sizeof ledger, CASE_OWNER,
                                     "ledger", "satisfaction");
    assert(built);
    char *full = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
    assert(full);
    cm_commit_ledger(commit, ledger, full);
    free(full);
    json_t *compact = json_deep_copy(entry);
    assert(compact);
    json_object_del(compact, "comment");
    json_object_del(compact, "by");
    json_object_del(compact, "at");
    char *member = json_dumps(compact, JSON_COMPACT | JSON_SORT_KEYS);
    assert(member);
    const char *department = cm_doc_string(entry, "department");
    const char *staff = cm_doc_string(entry, "staff");
    s_index_add(commit, "satisfaction", NULL, member, now_ms);
    if (department) {
        s_index_add(commit, "satisfaction_department", department, member,
                    now_ms);
    }
    if (staff) {
        s_index_add(commit, "satisfaction_staff", staff, member, now_ms);
    }
    free(member);
    json_decref(compact);
}

static bool
s_matches(const json_t *entry, const char *member, const char *wanted)
{
    return !wanted
           || (cm_doc_string(entry, member)
               && strcmp(cm_doc_string(entry, member), wanted) == 0);
}

int
satisfaction_fold(satisfaction_totals_t *totals, const char *member,
                  const char *department, const char *staff)
{
    assert(totals && member);
    json_t *entry = json_loads(member, 0, NULL);
    const char *id = cm_doc_string(entry, "case");
    if (!id || !json_is_boolean(json_object_get(entry, "satisfied"))) {
        json_decref(entry);
        return -1;
    }
    if (s_matches(entry, "department", department)
        && s_matches(entry, "staff", staff)) {
        bool satisfied = json_is_true(json_object_get(entry, "satisfied"));
        totals->count++;
        totals->satisfied += satisfied ? 1 : 0;
        totals->unsatisfied += satisfied ? 0 : 1;
        totals->score_sum += cm_doc_integer(entry, "score");
        if (!totals->cases) {
            totals->cases = json_object();
        }
        json_object_set_new(totals->cases, id, json_true());
    }
    json_decref(entry);
    return 0;
}

json_t *
satisfaction_report(const satisfaction_totals_t *totals, int64_t from_ms,
                    int64_t to_ms, const char *department, const char *staff)
{
    char from[CM_TIME_TEXT_MAX];
    char to[CM_TIME_TEXT_MAX];
    double average =
        totals->count ? (double)totals->score_sum / (double)totals->count : 0.0;
    json_t *report = json_pack(
        "{s:s, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I}", "from",
        cm_time_format(from_ms, from), "to", cm_time_format(to_ms, to),
        "department", department, "staff", staff, "count",
        (json_int_t)totals->count, "satisfied", (json_int_t)totals->satisfied,
        "unsatisfied", (json_int_t)totals->unsatisfied, "unsatisfied_rounds",
        (json_int_t)totals->unsatisfied, "cases",
        (json_int_t)json_object_size(totals->cases));
    assert(report);
    json_object_set_new(report, "average_score",
                        totals->count ? json_real(
                            (double)(int64_t)(average * 100 + 0.5) / 100.0)
                                      : json_null());
    return report;
}

// Parse from/to (RFC 3339); defaults: to = now, from = to - 30 days.
static json_t *
s_parse_range(cm_ctx_t *ctx, int64_t *from_ms, int64_t *to_ms)
{
    json_t *problem = NULL;
    json_t *query = cm_ctx_query_object(ctx);
    if (query) {
        cm_validate_keys(query, S_QUERY_KEYS, &problem);
    }
    const char *from = cm_ctx_query(ctx, "from");
    const char *to = cm_ctx_query(ctx, "to");
    *to_ms = cm_time_now_ms();
    if (to && cm_time_parse(to, to_ms) != 0) {
        cm_validate_fail(&problem, "to", "must be an RFC 3339 time");
    }
    *from_ms = *to_ms - SATISFACTION_DEFAULT_SPAN;
    if (from && cm_time_parse(from, from_ms) != 0) {
        cm_validate_fail(&problem, "from", "must be an RFC 3339 time");
    } else if (*from_ms > *to_ms) {
        cm_validate_fail(&problem, "from", "must not be after to");
    }
    return problem;
}

// Read the index newest first from to_ms down to from_ms into totals.
static int
s_scan(cm_store_t *store, const char *index, int64_t from_ms, int64_t to_ms,
       const char *department, const char *staff, satisfaction_totals_t *totals)
{
    char cursor[64];
    snprintf(cursor, sizeof cursor, "%" PRId64 ":", to_ms + 1);
    char *next = strdup(cursor);
    assert(next);
    int rc = 0;
    bool done = false;
    while (next && !done && rc == 0) {
        cm_page_t page;
        rc = cm_store_list(store, index, next, SATISFACTION_PAGE, false, &page);
        free(next);
        next = NULL;
        for (size_t i = 0; rc == 0 && i < page.count && !done; i++) {
            done = page.scores[i] < from_ms;
            if (!done) {
                (void)satisfaction_fold(totals, page.members[i], department,
                                        staff); // foreign members skipped
            }
        }
        if (rc == 0 && page.next_cursor) {
            next = strdup(page.next_cursor);
        }
        cm_page_clear(&page);
    }
    free(next);
    return rc;
}

void
satisfaction_get_report(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_REPORT)) {
        return;
    }
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    const char *department = cm_ctx_query(ctx, "department");
    const char *staff = cm_ctx_query(ctx, "staff");
    json_t *problem = s_parse_range(ctx, &from_ms, &to_ms);
    if (!problem) {
        problem = access_report_scope(ctx, &department);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char index[CM_STORE_KEY_MAX];
    char suffix[CM_STORE_KEY_MAX];
    snprintf(suffix, sizeof suffix, "%s%s%s",
             staff        ? "satisfaction_staff:"
             : department ? "satisfaction_department:"
                          : "satisfaction",
             staff        ? staff
             : department ? department
                          : "",
             "");
    if (!cm_store_key(index, sizeof index, CASE_OWNER, "idx", suffix)) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "filter too long");
        return;
    }
    satisfaction_totals_t totals = {0};
    int rc = s_scan(cm_ctx_store(ctx), index, from_ms, to_ms, department, staff,
                    &totals);
    if (rc) {
        json_decref(totals.cases);
        cm_ctx_fail_status(ctx, rc, "the satisfaction index is unreadable");
        return;
    }
    json_t *report =
        satisfaction_report(&totals, from_ms, to_ms, department, staff);
    json_decref(totals.cases);
    if (cm_ctx_accepts(ctx, "text/csv")) {
        static const char *const columns[] = {
            "from",      "to",          "department", "staff",         "count",
            "satisfied", "unsatisfied", "cases",      "average_score", NULL};
        json_t *rows = json_pack("[o]", report);
        char *csv = cm_csv_rows(columns, rows);
        json_decref(rows);
        if (csv) {
            cm_ctx_reply_media(ctx, 200, CM_CSV_MEDIA_TYPE, csv);
        } else {
            cm_ctx_fail_status(ctx, CM_EINTERNAL, "the report has no CSV");
        }
        return;
    }
    cm_ctx_reply(ctx, 200, report);
}

// POST /internal/satisfaction: the same figures for another service
// (personnel's evaluations), asked through cm_call. Only service callers
// (role system with `service`); the body names staff and the period.
void
satisfaction_internal(cm_ctx_t *ctx)
{
    const json_t *actor = cm_ctx_actor(ctx);
    if (strcmp(cm_ctx_actor_role(ctx), "system") != 0
        || !json_is_string(json_object_get(actor, "service"))) {
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "Internal figures are for services."));
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    const char *staff = cm_doc_string(body, "staff");
    const char *from = cm_doc_string(body, "from");
    const char *to = cm_doc_string(body, "to");
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    json_t *problem = NULL;
    if (!staff || !*staff) {
        cm_validate_fail(&problem, "staff", "is required");
    }
    if (!from || cm_time_parse(from, &from_ms) != 0) {
        cm_validate_fail(&problem, "from", "must be an RFC 3339 time");
    }
    if (!to || cm_time_parse(to, &to_ms) != 0) {
        cm_validate_fail(&problem, "to", "must be an RFC 3339 time");
    }
    char index[CM_STORE_KEY_MAX];
    char suffix[CM_STORE_KEY_MAX];
    snprintf(suffix, sizeof suffix, "satisfaction_staff:%s",
             staff ? staff : "");
    if (!problem
        && !cm_store_key(index, sizeof index, CASE_OWNER, "idx", suffix)) {
        cm_validate_fail(&problem, "staff", "is too long");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    satisfaction_totals_t totals = {0};
    int rc =
        s_scan(cm_ctx_store(ctx), index, from_ms, to_ms, NULL, staff, &totals);
    if (rc) {
        json_decref(totals.cases);
        cm_ctx_fail_status(ctx, rc, "the satisfaction index is unreadable");
        return;
    }
    cm_ctx_reply(ctx, 200,
                 satisfaction_report(&totals, from_ms, to_ms, NULL, staff));
    json_decref(totals.cases);
}

int
satisfaction_period(cm_store_t *store, int64_t from_ms, int64_t to_ms,
                    const char *department, satisfaction_totals_t *totals)
{
    assert(store && totals);
    char index[CM_STORE_KEY_MAX];
    char suffix[CM_STORE_KEY_MAX];
    snprintf(suffix, sizeof suffix, "%s%s",
             department ? "satisfaction_department:" : "satisfaction",
             department ? department : "");
    if (!cm_store_key(index, sizeof index, CASE_OWNER, "idx", suffix)) {
        return CM_EINVAL;
    }
    return s_scan(store, index, from_ms, to_ms, department, NULL, totals);
}
