#include "summary.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_summary.h"
#include "satisfaction.h"
#include "volume.h"

static const char *const s_kinds[] = {"inquiry", "complaint", "tech_support",
                                      "suggestion", NULL};

// Cases of the days [from, to) from the volume report.
static int
s_cases(cm_ctx_t *ctx, cm_summary_t *s)
{
    int64_t first = s->from_ms / CM_SUMMARY_DAY_MS;
    int64_t last = s->to_ms / CM_SUMMARY_DAY_MS - 1;
    json_t *rows = json_array();
    json_t *report = NULL;
    int rc = volume_report(cm_ctx_store(ctx), first, last, s->department,
                           &report, rows);
    json_decref(rows);
    if (rc != 0) {
        return rc;
    }
    int64_t opened = 0, closed = 0, reopened = 0;
    int64_t kind_opened[4] = {0}, kind_closed[4] = {0};
    size_t i;
    const json_t *day;
    json_array_foreach(json_object_get(report, "days"), i, day)
    {
        opened += cm_doc_integer(day, "opened");
        closed += cm_doc_integer(day, "closed");
        reopened += cm_doc_integer(day, "reopened");
        for (int k = 0; s_kinds[k]; k++) {
            const json_t *kind =
                json_object_get(json_object_get(day, "kinds"), s_kinds[k]);
            kind_opened[k] += cm_doc_integer(kind, "opened");
            kind_closed[k] += cm_doc_integer(kind, "closed");
        }
    }
    const json_t *end =
        json_array_get(json_object_get(report, "days"),
                       json_array_size(json_object_get(report, "days")) - 1);
    cm_summary_period(s, "cases", "opened", json_integer(opened));
    cm_summary_period(s, "cases", "closed", json_integer(closed));
    cm_summary_period(s, "cases", "reopened", json_integer(reopened));
    cm_summary_period(s, "cases", "backlog",
                      json_integer(cm_doc_integer(end, "backlog")));
    for (int k = 0; s_kinds[k]; k++) {
        char name[48];
        snprintf(name, sizeof name, "%s_opened", s_kinds[k]);
        cm_summary_period(s, "cases", name, json_integer(kind_opened[k]));
        snprintf(name, sizeof name, "%s_closed", s_kinds[k]);
        cm_summary_period(s, "cases", name, json_integer(kind_closed[k]));
    }
    json_decref(report);
    return 0;
}

static int
s_satisfaction(cm_ctx_t *ctx, cm_summary_t *s)
{
    satisfaction_totals_t totals = {0};
    int rc = satisfaction_period(cm_ctx_store(ctx), s->from_ms, s->to_ms - 1,
                                 s->department, &totals);
    json_decref(totals.cases);
    if (rc != 0) {
        return rc;
    }
    cm_summary_period(s, "satisfaction", "confirms",
                      json_integer(totals.count));
    cm_summary_period(s, "satisfaction", "satisfied",
                      json_integer(totals.satisfied));
    cm_summary_period(s, "satisfaction", "unsatisfied",
                      json_integer(totals.unsatisfied));
    cm_summary_period(s, "satisfaction", "average_score",
                      totals.count ? json_real(
                          (double)(int64_t)((double)totals.score_sum * 100.0
                                                / (double)totals.count
                                            + 0.5)
                          / 100.0)
                                   : NULL);
    return 0;
}

void
summary_get(cm_ctx_t *ctx)
{
    cm_summary_t s;
    if (!cm_summary_begin(ctx, &s)) {
        return;
    }
    int rc = s_cases(ctx, &s);
    rc = rc == 0 ? s_satisfaction(ctx, &s) : rc;
    cm_summary_reply(ctx, &s, rc);
}
