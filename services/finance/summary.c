#include "summary.h"

#include <time.h>

#include "cm_doc.h"
#include "cm_status.h"
#include "cm_summary.h"
#include "report.h"

static const char *const s_figures[] = {"amount",    "committed", "actual",
                                        "available", "variance",  NULL};

void
summary_get(cm_ctx_t *ctx)
{
    cm_summary_t s;
    if (!cm_summary_begin(ctx, &s)) {
        return;
    }
    time_t last = (time_t)((s.to_ms - 1) / 1000);
    struct tm tm;
    gmtime_r(&last, &tm);
    long year = tm.tm_year + 1900L;
    json_t *totals = NULL;
    int rc =
        report_budget_totals(cm_ctx_store(ctx), year, s.department, &totals);
    cm_summary_period(&s, "budget", "year", json_integer(year));
    for (int f = 0; s_figures[f]; f++) {
        const json_t *value = json_object_get(totals, s_figures[f]);
        cm_summary_period(&s, "budget", s_figures[f],
                          value ? json_incref((json_t *)value) : NULL);
    }
    int64_t amount = cm_doc_integer(totals, "amount");
    int64_t used =
        cm_doc_integer(totals, "committed") + cm_doc_integer(totals, "actual");
    cm_summary_period(
        &s, "budget", "percent_used",
        amount > 0 ? json_real(
            (double)(int64_t)((double)used * 10000.0 / (double)amount) / 100.0)
                   : NULL);
    json_decref(totals);
    cm_summary_reply(ctx, &s, rc == CM_ENOTFOUND ? 0 : rc);
}
