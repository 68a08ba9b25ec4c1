#include "control.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "events/finance.h"
#include "period.h"

#define S_DETAIL_MAX 200

json_t *
control_over_budget(const char *ref, int64_t available, int64_t requested)
{
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "budget line %s has %lld fen available, %lld requested", ref,
             (long long)available, (long long)requested);
    json_t *problem = cm_problem_new(422, "over_budget", detail);
    cm_problem_set(problem, "line", json_string(ref));
    cm_problem_set(problem, "available", json_integer(available));
    cm_problem_set(problem, "requested", json_integer(requested));
    return problem;
}

static json_t *
s_closed(const char *ref)
{
    json_t *problem = cm_problem_new(409, "fiscal_year_closed",
                                     "the fiscal year of this budget line is "
                                     "closed: no movement is allowed");
    cm_problem_set(problem, "line", json_string(ref));
    return problem;
}

static json_t *
s_read_failed(int rc, const char *ref)
{
    if (rc == CM_ENOTFOUND) {
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail,
                 "budget line %s does not exist or its budget is not "
                 "approved",
                 ref);
        json_t *problem = cm_problem_new(422, "unknown_budget_line", detail);
        cm_problem_set(problem, "line", json_string(ref));
        return problem;
    }
    return cm_problem_from_status(rc, NULL);
}

json_t *
control_check(cm_store_t *store, const char *ref, int64_t amount,
              json_t **figures)
{
    assert(store && ref);
    line_t line;
    int rc = line_read(store, ref, &line);
    if (rc != 0) {
        return s_read_failed(rc, ref);
    }
    const char *control = line_text(&line, "control");
    bool fits = amount <= line.available;
    bool stop = control && strcmp(control, "stop") == 0;
    bool warn = control && strcmp(control, "warn") == 0;
    json_t *problem = NULL;
    if (line.closed) {
        problem = s_closed(ref);
    } else if (!fits && stop) {
        problem = control_over_budget(ref, line.available, amount);
    }
    if (figures) {
        *figures = line_figures(&line);
        json_object_set_new(*figures, "requested", json_integer(amount));
        json_object_set_new(*figures, "fits", json_boolean(fits));
        json_object_set_new(*figures, "control",
                            json_string(control ? control : "stop"));
        if (!fits && warn) {
            json_object_set_new(*figures, "warning",
                                json_string("over budget: allowed because "
                                            "the line only warns"));
        }
    }
    line_clear(&line);
    return problem;
}

void
control_answer_limit(cm_ctx_t *ctx, int outcome, const char *ref,
                     int64_t requested)
{
    if (outcome != CM_COMMIT_LIMIT) {
        return;
    }
    int64_t value = 0;
    const char *field = cm_ctx_limit(ctx, &value);
    if (field && strcmp(field, LINE_FIELD_CLOSED) == 0) {
        cm_ctx_fail(ctx, s_closed(ref));
    } else if (field && strcmp(field, LINE_FIELD_AVAIL) == 0) {
        cm_ctx_fail(ctx, control_over_budget(ref, value, requested));
    }
}

void
control_warn_event(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *figures)
{
    if (!figures || !json_object_get(figures, "warning")) {
        return;
    }
    const char *ref = cm_doc_text(figures, "line");
    char subject[LINE_REF_MAX + 8];
    snprintf(subject, sizeof subject, "line/%s", ref);
    cm_ctx_event(ctx, commit, FINANCE_EVENT_BUDGET_OVERSPEND_WARNED, subject, 0,
                 json_deep_copy(figures));
}

// The event's data and the counter that lets it out once per period.
static void
s_threshold_commit(cm_ctx_t *ctx, const line_t *line, int64_t threshold,
                   const char *period)
{
    char key[CM_STORE_KEY_MAX];
    char field[PERIOD_KEY_MAX + 16];
    snprintf(field, sizeof field, "threshold:%s", period);
    cm_commit_t *commit = cm_commit_new(cm_ctx_owner(ctx));
    cm_commit_counter(commit, line_key(line->ref, key), field, 1,
                      CM_COUNTER_NO_MIN, 1);
    json_t *data = line_figures(line);
    json_object_set_new(data, "threshold_pct", json_integer(threshold));
    json_object_set_new(data, "period", json_string(period));
    json_object_set(data, "category", json_object_get(line->info, "category"));
    json_object_set(data, "department",
                    json_object_get(line->info, "department"));
    char subject[LINE_REF_MAX + 8];
    snprintf(subject, sizeof subject, "line/%s", line->ref);
    cm_ctx_event(ctx, commit, FINANCE_EVENT_BUDGET_THRESHOLD_REACHED, subject,
                 0, data);
    cm_commit_result_t result;
    if (cm_store_commit(cm_ctx_store(ctx), commit, &result) != 0) {
        cm_log_warn("budget.threshold.unwritten", "line", line->ref, NULL);
    } else if (result.outcome == CM_COMMIT_OK) {
        cm_log_info("budget.threshold.reached", "line", line->ref, "period",
                    period, NULL);
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
}

void
control_threshold(cm_ctx_t *ctx, const char *ref, int64_t now_ms)
{
    line_t line;
    if (line_read(cm_ctx_store(ctx), ref, &line) != 0) {
        return;
    }
    const json_t *pct = json_object_get(line.info, "threshold_pct");
    int64_t threshold = json_is_integer(pct) ? json_integer_value(pct)
                                             : CONTROL_THRESHOLD_DEFAULT;
    int64_t used = line.committed + line.actual;
    if (threshold > 0 && line.amount > 0
        && used * 100 >= threshold * line.amount) {
        char period[PERIOD_KEY_MAX];
        period_key(line_text(&line, "period"), now_ms, period);
        s_threshold_commit(ctx, &line, threshold, period);
    }
    line_clear(&line);
}
