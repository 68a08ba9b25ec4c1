#include "summary.h"

#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_summary.h"
#include "cm_validate.h"
#include "sla_report.h"
#include "workorder.h"

static int
s_sla(cm_ctx_t *ctx, cm_summary_t *s)
{
    json_t *rows = NULL;
    int rc = sla_report_rows(cm_ctx_store(ctx), s->from_ms, s->to_ms - 1, NULL,
                             NULL, s->department, &rows);
    if (rc != 0) {
        return rc;
    }
    int64_t stopped = 0, on_time = 0, breached = 0, escalated = 0;
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        stopped += cm_doc_integer(row, "count");
        on_time += cm_doc_integer(row, "on_time");
        breached += cm_doc_integer(row, "breached");
        escalated += cm_doc_integer(row, "escalated");
        char name[64];
        snprintf(name, sizeof name, "%s_stopped", cm_doc_text(row, "target"));
        cm_summary_period(s, "sla", name,
                          json_integer(cm_doc_integer(row, "count")));
        snprintf(name, sizeof name, "%s_breached", cm_doc_text(row, "target"));
        cm_summary_period(s, "sla", name,
                          json_integer(cm_doc_integer(row, "breached")));
    }
    json_decref(rows);
    cm_summary_period(s, "sla", "stopped", json_integer(stopped));
    cm_summary_period(s, "sla", "on_time", json_integer(on_time));
    cm_summary_period(s, "sla", "breached", json_integer(breached));
    cm_summary_period(s, "sla", "escalated", json_integer(escalated));
    cm_summary_period(
        s, "sla", "compliance",
        stopped ? json_real(
            (double)(int64_t)((double)on_time * 10000.0 / (double)stopped + 0.5)
            / 100.0)
                : NULL);
    return 0;
}

// Work orders in state (updated in the period when from_ms >= 0) of the
// summary's department (its queue index), or of all.
static int
s_count(cm_ctx_t *ctx, const cm_summary_t *s, const char *state,
        int64_t from_ms, int64_t *count)
{
    char index[CM_STORE_KEY_MAX], queue[CM_STORE_KEY_MAX];
    if (!cm_doc_index_key(&workorder_type, "state", state, index, sizeof index)
        || (s->department
            && !cm_doc_index_key(&workorder_type, "queue", s->department, queue,
                                 sizeof queue))) {
        return CM_EINVAL;
    }
    return cm_summary_count(cm_ctx_store(ctx), index,
                            s->department ? queue : NULL, from_ms, s->to_ms,
                            count);
}

static int
s_work_orders(cm_ctx_t *ctx, cm_summary_t *s)
{
    int64_t closed = 0;
    int rc = s_count(ctx, s, "closed", s->from_ms, &closed);
    cm_summary_period(s, "work_orders", "closed", json_integer(closed));
    int64_t unfinished = 0;
    char state[32];
    const char *names = WORKORDER_UNFINISHED;
    while (rc == 0
           && (names = cm_validate_next_name(names, state, sizeof state))) {
        int64_t n = 0;
        rc = s_count(ctx, s, state, -1, &n);
        unfinished += n;
        cm_summary_now(s, "work_orders", state, json_integer(n));
    }
    cm_summary_now(s, "work_orders", "unfinished", json_integer(unfinished));
    return rc;
}

void
summary_get(cm_ctx_t *ctx)
{
    cm_summary_t s;
    if (!cm_summary_begin(ctx, &s)) {
        return;
    }
    int rc = s_sla(ctx, &s);
    rc = rc == 0 ? s_work_orders(ctx, &s) : rc;
    cm_summary_reply(ctx, &s, rc);
}
