#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "cm_doc.h"
#include "cm_problem.h"
#include "cm_validate.h"
#include "finance.h"
#include "line.h"
#include "period.h"

#define S_FIGURES 4

static const char *const s_fields[S_FIGURES] = {"amount", "committed", "actual",
                                                LINE_FIELD_AVAIL};

// The query: year required, department optional. False after answering.
static bool
s_query(cm_ctx_t *ctx, long *year)
{
    json_t *problem = NULL;
    const char *text = cm_ctx_query(ctx, "year");
    char *end = NULL;
    *year = text ? strtol(text, &end, 10) : 0;
    if (!text) {
        cm_validate_fail(&problem, "year", "is required");
    } else if (*end || *year < PERIOD_YEAR_FIRST || *year > PERIOD_YEAR_LAST) {
        cm_validate_fail(&problem, "year", "must be a year 2000..2100");
    }
    const json_t *query = cm_ctx_query_object(ctx);
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)query, key, value)
    {
        if (strcmp(key, "year") != 0 && strcmp(key, "department") != 0) {
            cm_validate_fail(&problem, key, "is not allowed");
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    return true;
}

static json_t *
s_row(const json_t *line, const char *budget, const int64_t *v)
{
    int64_t used = v[1] + v[2];
    double percent = v[0] > 0 ? 100.0 * (double)used / (double)v[0] : 0.0;
    char ref[LINE_REF_MAX];
    snprintf(ref, sizeof ref, "%s/%s", budget, cm_doc_text(line, "id"));
    return json_pack("{s:s, s:O, s:O, s:O, s:O, s:I, s:I, s:I, s:I, s:I, "
                     "s:f}",
                     "line", ref, "category", json_object_get(line, "category"),
                     "department", json_object_get(line, "department"),
                     "period", json_object_get(line, "period"), "control",
                     json_object_get(line, "control"), "amount",
                     (json_int_t)v[0], "committed", (json_int_t)v[1], "actual",
                     (json_int_t)v[2], "available", (json_int_t)v[3],
                     "variance", (json_int_t)(v[0] - v[2]), "percent_used",
                     (double)(int64_t)(percent * 100) / 100);
}

// Rows of the lines of budget doc (department NULL: all), with totals.
static json_t *
s_rows(cm_store_t *store, const json_t *doc, const char *department, int *rc)
{
    const json_t *lines = json_object_get(doc, "lines");
    const char *budget = cm_doc_text(doc, "id");
    size_t n = json_array_size(lines);
    char(*keys)[CM_STORE_KEY_MAX] = calloc(n + 1, sizeof *keys);
    const char **names = calloc(n + 1, sizeof *names);
    int64_t *values = calloc((n + 1) * S_FIGURES, sizeof *values);
    for (size_t i = 0; i < n; i++) {
        char ref[LINE_REF_MAX];
        snprintf(ref, sizeof ref, "%s/%s", budget,
                 cm_doc_text(json_array_get(lines, i), "id"));
        names[i] = line_key(ref, keys[i]);
    }
    *rc = cm_store_counters(store, names, n, s_fields, S_FIGURES, values);
    json_t *rows = json_array();
    int64_t totals[S_FIGURES] = {0, 0, 0, 0};
    for (size_t i = 0; *rc == 0 && i < n; i++) {
        const json_t *line = json_array_get(lines, i);
        if (department
            && strcmp(cm_doc_text(line, "department"), department) != 0) {
            continue;
        }
        json_array_append_new(rows,
                              s_row(line, budget, values + i * S_FIGURES));
        for (int f = 0; f < S_FIGURES; f++) {
            totals[f] += values[i * S_FIGURES + f];
        }
    }
    json_t *report = json_pack(
        "{s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "lines", rows, "totals", "amount",
        (json_int_t)totals[0], "committed", (json_int_t)totals[1], "actual",
        (json_int_t)totals[2], "available", (json_int_t)totals[3], "variance",
        (json_int_t)(totals[0] - totals[2]));
    free(values);
    free(names);
    free(keys);
    return report;
}

// The approved budget of year (via its line index): 0 with *doc, or a
// status (CM_ENOTFOUND: none approved).
static int
s_budget_of(cm_store_t *store, long year, json_t **doc)
{
    char key[CM_STORE_KEY_MAX], id[16];
    snprintf(id, sizeof id, "%ld", year);
    cm_doc_t stored;
    int rc = cm_store_get(store, finance_key(key, "lineindex", id), &stored);
    if (rc != 0) {
        return rc;
    }
    json_t *index = json_loads(stored.json, 0, NULL);
    cm_doc_clear(&stored);
    int64_t version = 0;
    rc = cm_doc_read(store, &budget_type, cm_doc_text(index, "budget"), doc,
                     &version);
    json_decref(index);
    return rc;
}

void
report_budget(cm_ctx_t *ctx)
{
    long year = 0;
    if (!cm_validate_name_in(FINANCE_READERS " dept_head",
                             cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "finance, management and auditors read reports");
        return;
    }
    if (!s_query(ctx, &year)) {
        return;
    }
    json_t *doc = NULL;
    int rc = s_budget_of(cm_ctx_store(ctx), year, &doc);
    if (rc != 0) {
        char detail[64];
        snprintf(detail, sizeof detail, "no approved budget for %ld", year);
        cm_ctx_fail_status(ctx, rc, rc == CM_ENOTFOUND ? detail : NULL);
        return;
    }
    const char *department = cm_ctx_query(ctx, "department");
    json_t *report = s_rows(cm_ctx_store(ctx), doc, department, &rc);
    if (rc != 0) {
        json_decref(report);
        cm_ctx_fail_status(ctx, rc, NULL);
    } else {
        json_object_set_new(report, "year", json_integer(year));
        json_object_set(report, "budget", json_object_get(doc, "id"));
        json_object_set(report, "state", json_object_get(doc, "state"));
        json_object_set_new(report, "department",
                            department ? json_string(department) : json_null());
        cm_ctx_reply(ctx, 200, report);
    }
    json_decref(doc);
}

int
report_budget_totals(cm_store_t *store, long year, const char *department,
                     json_t **totals)
{
    *totals = NULL;
    json_t *doc = NULL;
    int rc = s_budget_of(store, year, &doc);
    if (rc != 0) {
        return rc;
    }
    json_t *report = s_rows(store, doc, department, &rc);
    json_decref(doc);
    if (rc == 0) {
        *totals = json_incref(json_object_get(report, "totals"));
    }
    json_decref(report);
    return rc;
}
