// Budget line routes: a line's figures, its movements, the check that
// recomputes every line from its movements (budget.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "cm_problem.h"
#include "cm_stream.h"
#include "cm_validate.h"
#include "finance.h"

#define S_PAGE_DEFAULT 100

// The line named by the path, read; false after answering.
static bool
s_load(cm_ctx_t *ctx, line_t *line)
{
    char ref[LINE_REF_MAX];
    snprintf(ref, sizeof ref, "%s/%s", cm_ctx_param(ctx, "id"),
             cm_ctx_param(ctx, "line"));
    int rc = line_read(cm_ctx_store(ctx), ref, line);
    if (rc == 0) {
        return true;
    }
    char detail[LINE_REF_MAX + 64];
    snprintf(detail, sizeof detail,
             "budget line %s is not part of an approved budget", ref);
    cm_ctx_fail_status(ctx, rc, rc == CM_ENOTFOUND ? detail : NULL);
    return false;
}

void
budget_line_get(cm_ctx_t *ctx)
{
    line_t line;
    if (!s_load(ctx, &line)) {
        return;
    }
    json_t *view = json_deep_copy(line.info);
    json_object_set_new(view, "ref", json_string(line.ref));
    json_object_set_new(view, "execution", line_figures(&line));
    json_object_set_new(view, "fiscal_year_closed",
                        json_boolean(line.closed != 0));
    line_clear(&line);
    cm_ctx_reply(ctx, 200, view);
}

// limit and cursor of a stream page: 0, or -1 after answering 400.
static int
s_page_query(cm_ctx_t *ctx, size_t *limit, const char **cursor)
{
    json_t *problem = NULL;
    const char *text = cm_ctx_query(ctx, "limit");
    *cursor = cm_ctx_query(ctx, "cursor");
    *limit = S_PAGE_DEFAULT;
    if (text) {
        char *end = NULL;
        long value = strtol(text, &end, 10);
        if (*end || value < 1 || value > CM_STREAM_PAGE_MAX) {
            cm_validate_fail(&problem, "limit", "must be an integer 1..1000");
        }
        *limit = (size_t)value;
    }
    if (*cursor && !cm_stream_id_is_valid(*cursor)) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return 0;
}

void
budget_movements(cm_ctx_t *ctx)
{
    size_t limit;
    const char *cursor;
    line_t line;
    if (s_page_query(ctx, &limit, &cursor) != 0 || !s_load(ctx, &line)) {
        return;
    }
    char key[CM_STORE_KEY_MAX];
    cm_stream_page_t page;
    int rc =
        cm_stream_read(cm_ctx_store(ctx), line_movements_key(line.ref, key),
                       cursor, NULL, NULL, limit, false, &page);
    if (rc != 0) {
        line_clear(&line);
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    json_t *reply = json_pack(
        "{s:s, s:O, s:o, s:s?}", "line", line.ref, "items", page.entries,
        "execution", line_figures(&line), "next_cursor", page.next_cursor);
    if (!page.next_cursor) {
        json_object_set_new(reply, "next_cursor", json_null());
    }
    cm_stream_page_clear(&page);
    line_clear(&line);
    cm_ctx_reply(ctx, 200, reply);
}

// Verify every line of a budget; NULL after answering a failure.
static json_t *
s_verify_lines(cm_ctx_t *ctx, const json_t *doc, bool *consistent)
{
    json_t *reports = json_array();
    const json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        char ref[LINE_REF_MAX];
        snprintf(ref, sizeof ref, "%s/%s", cm_doc_text(doc, "id"),
                 cm_doc_text(json_array_get(lines, i), "id"));
        line_t line;
        json_t *report = NULL;
        int rc = line_read(cm_ctx_store(ctx), ref, &line);
        if (rc == 0) {
            rc = line_verify(cm_ctx_store(ctx), &line, &report);
            line_clear(&line);
        }
        if (rc != 0) {
            cm_ctx_fail_status(ctx, rc, NULL);
            json_decref(reports);
            return NULL;
        }
        *consistent =
            *consistent && json_is_true(json_object_get(report, "consistent"));
        json_array_append_new(reports, report);
    }
    return reports;
}

void
budget_verify(cm_ctx_t *ctx)
{
    if (!finance_is_keeper(ctx)
        && strcmp(cm_ctx_actor_role(ctx), "auditor") != 0) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "finance and auditors verify budgets");
        return;
    }
    int64_t version = 0;
    json_t *doc =
        cm_doc_load(ctx, &budget_type, cm_ctx_param(ctx, "id"), &version);
    if (!doc) {
        return;
    }
    const char *state = cm_doc_state(doc);
    if (strcmp(state, "approved") != 0 && strcmp(state, "closed") != 0) {
        json_t *problem = cm_problem_new(409, "invalid_transition",
                                         "only an approved budget has "
                                         "movements to verify");
        cm_problem_set(problem, "state", json_string(state));
        cm_ctx_fail(ctx, problem);
        json_decref(doc);
        return;
    }
    bool consistent = true;
    json_t *lines = s_verify_lines(ctx, doc, &consistent);
    if (lines) {
        cm_ctx_reply(ctx, 200,
                     json_pack("{s:O, s:o, s:b}", "budget",
                               json_object_get(doc, "id"), "lines", lines,
                               "consistent", consistent));
    }
    json_decref(doc);
}
