#include "budget.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "control.h"
#include "events/finance.h"
#include "finance.h"
#include "nested.h"
#include "period.h"

#define S_INDEX_KIND "lineindex"
#define S_PAIR_MAX   (2 * CM_FIELD_CODE_MAX + 2)

static const cm_field_t s_line_fields[] = {
    {"id", CM_FIELD_CODE, 0},
    {"category", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"period", CM_FIELD_ENUM, 0, PERIOD_SPLITS},
    {"control", CM_FIELD_ENUM, 0, LINE_CONTROLS},
    {"threshold_pct", CM_FIELD_INTEGER, 0, .min = 1, .max = 100},
    {"account", CM_FIELD_CODE, 0, .max = 16},
    {"note", CM_FIELD_STRING, 0},
    CM_FIELD_END,
};

static bool
s_check_line(const json_t *value, const char *field, json_t **problem_p)
{
    return nested_check(s_line_fields, value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"year", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = PERIOD_YEAR_FIRST,
     .max = PERIOD_YEAR_LAST},
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = BUDGET_LINES_MAX, .check = s_check_line},
    {"note", CM_FIELD_TEXT, 0},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"title", CM_FIELD_STRING, 0, .to = "title"},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = BUDGET_LINES_MAX,
     .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

// ---- lines

// Number the lines L1.., fill defaults, total them. NULL, or a 400 naming a
// category × department given twice.
static json_t *
s_normalize(json_t *doc, const json_t *lines)
{
    json_t *out = json_array();
    json_t *seen = json_object();
    json_t *problem = NULL;
    int64_t total = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_deep_copy(json_array_get(lines, i));
        char id[CM_ID_MAX], pair[S_PAIR_MAX];
        snprintf(id, sizeof id, "L%zu", i + 1);
        snprintf(pair, sizeof pair, "%s|%s", cm_doc_text(line, "category"),
                 cm_doc_text(line, "department"));
        if (json_object_get(seen, pair)) {
            char path[32];
            snprintf(path, sizeof path, "lines[%zu]", i);
            cm_validate_fail(&problem, path,
                             "repeats a category and department");
        }
        json_object_set_new(seen, pair, json_true());
        json_object_set_new(line, "id", json_string(id));
        const char *defaults[][2] = {
            {"period", "yearly"}, {"control", "stop"}, {"account", "6602"}};
        for (size_t d = 0; d < 3; d++) {
            if (!json_object_get(line, defaults[d][0])) {
                json_object_set_new(line, defaults[d][0],
                                    json_string(defaults[d][1]));
            }
        }
        if (!json_object_get(line, "threshold_pct")) {
            json_object_set_new(line, "threshold_pct",
                                json_integer(CONTROL_THRESHOLD_DEFAULT));
        }
        total += cm_doc_integer(line, "amount");
        json_array_append_new(out, line);
    }
    json_object_set_new(doc, "lines", out);
    json_object_set_new(doc, "total", json_integer(total));
    json_decref(seen);
    return problem;
}

static const char *
s_index_key(int year, char *buf)
{
    char id[16];
    snprintf(id, sizeof id, "%d", year);
    return finance_key(buf, S_INDEX_KIND, id);
}

int
budget_find_line(cm_store_t *store, int year, const char *category,
                 const char *department, char *ref)
{
    char key[CM_STORE_KEY_MAX], pair[S_PAIR_MAX];
    cm_doc_t stored;
    int rc = cm_store_get(store, s_index_key(year, key), &stored);
    if (rc != 0) {
        return rc;
    }
    json_t *index = json_loads(stored.json, 0, NULL);
    cm_doc_clear(&stored);
    snprintf(pair, sizeof pair, "%s|%s", category, department);
    const char *found = json_string_value(
        json_object_get(json_object_get(index, "lines"), pair));
    rc = found ? 0 : CM_ENOTFOUND;
    if (found) {
        snprintf(ref, LINE_REF_MAX, "%s", found);
    }
    json_decref(index);
    return rc;
}

// ---- effects

static json_t *
s_update(cm_action_t *a)
{
    const json_t *lines = json_object_get(a->body, "lines");
    return lines ? s_normalize(a->doc, lines) : NULL;
}

static json_t *
s_submit(cm_action_t *a)
{
    return cm_approval_submit(a, "budget", FINANCE_DEPARTMENT,
                              cm_doc_integer(a->doc, "total"), NULL, "pending",
                              "approved");
}

// The fiscal year's index of lines (written once: one approved budget per
// year) and the opening movement of every line.
static void
s_open_lines(cm_action_t *a)
{
    const char *id = cm_doc_text(a->doc, "id");
    int year = (int)cm_doc_integer(a->doc, "year");
    json_t *index = json_pack("{s:s, s:{}}", "budget", id, "lines");
    const json_t *lines = json_object_get(a->doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *info = json_deep_copy(json_array_get(lines, i));
        json_object_set_new(info, "year", json_integer(year));
        char ref[LINE_REF_MAX], pair[S_PAIR_MAX];
        snprintf(ref, sizeof ref, "%s/%s", id, cm_doc_text(info, "id"));
        snprintf(pair, sizeof pair, "%s|%s", cm_doc_text(info, "category"),
                 cm_doc_text(info, "department"));
        json_object_set_new(json_object_get(index, "lines"), pair,
                            json_string(ref));
        line_commit_open(a->commit, ref, info, cm_doc_integer(info, "amount"),
                         id, cm_doc_text(a->actor, "id"), a->now_ms);
        json_decref(info);
    }
    char key[CM_STORE_KEY_MAX];
    char *text = json_dumps(index, JSON_COMPACT);
    cm_commit_doc(a->commit, s_index_key(year, key), CM_VERSION_NEW, text);
    free(text);
    json_decref(index);
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "approved");
    if (problem || !cm_approval_is_complete(a->doc)) {
        return problem;
    }
    char key[CM_STORE_KEY_MAX];
    cm_doc_t stored;
    int year = (int)cm_doc_integer(a->doc, "year");
    if (cm_store_get(a->store, s_index_key(year, key), &stored) == 0) {
        cm_doc_clear(&stored);
        return cm_action_refuse(a, 409, "budget_exists_for_year",
                                "the fiscal year already has an approved "
                                "budget: adjust or supplement it");
    }
    s_open_lines(a);
    cm_action_event(a, FINANCE_EVENT_BUDGET_APPROVED, NULL);
    return NULL;
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    return cm_approval_resubmit(a, cm_doc_integer(a->doc, "total"), "pending",
                                "approved");
}

static json_t *
s_close(cm_action_t *a)
{
    char key[CM_STORE_KEY_MAX];
    cm_commit_counter(a->commit,
                      line_year_key((int)cm_doc_integer(a->doc, "year"), key),
                      LINE_FIELD_CLOSED, 1, CM_COUNTER_NO_MIN, 1);
    cm_doc_set_time(a->doc, "closed_at", a->now_ms);
    return NULL;
}

#define S_KEEP FINANCE_KEEPERS

static const cm_workflow_row_t s_rows[] = {
    {"draft returned", "update", S_KEEP, 0, NULL, CM_WORKFLOW_STAY,
     FINANCE_EVENT_BUDGET_UPDATED, s_update_fields, s_update,
     .guard = finance_keeper_guard},
    {"draft", "submit", S_KEEP, 0, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_BUDGET_SUBMITTED, s_note_only, s_submit,
     .guard = finance_keeper_guard},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_BUDGET_STEP_APPROVED, cm_approval_approve_fields, s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_BUDGET_REJECTED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_KEEP, 0, NULL, CM_WORKFLOW_BY_CODE,
     FINANCE_EVENT_BUDGET_RESUBMITTED, s_note_only, s_resubmit,
     .guard = finance_keeper_guard},
    {"approved", "close", "dept_head", CM_WORKFLOW_HEAD, "note", "closed",
     FINANCE_EVENT_BUDGET_CLOSED, s_note_only, s_close},
};

const cm_workflow_t budget_workflow = {
    .name = "budget",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"year", "fiscal_year", NULL},
    {"state", NULL, "draft pending returned approved closed"},
    {NULL},
};

static json_t *
s_list_item(const json_t *doc)
{
    return json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(doc, "id"),
        "state", json_object_get(doc, "state"), "year",
        json_object_get(doc, "year"), "title", json_object_get(doc, "title"),
        "total", json_object_get(doc, "total"), "updated_at",
        json_object_get(doc, "updated_at"));
}

// Approved budgets show every line's execution figures.
static void
s_decorate(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    const char *state = cm_doc_state(doc);
    if (strcmp(state, "approved") != 0 && strcmp(state, "closed") != 0) {
        return;
    }
    json_t *lines = json_object_get(view, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        char ref[LINE_REF_MAX];
        snprintf(ref, sizeof ref, "%s/%s", cm_doc_text(doc, "id"),
                 cm_doc_text(line, "id"));
        line_t figures;
        // Not opened yet (the reply of the approval itself): no figures.
        if (line_read(cm_ctx_store(ctx), ref, &figures) == 0
            && (figures.amount || figures.committed || figures.actual)) {
            json_object_set_new(line, "execution", line_figures(&figures));
        }
        line_clear(&figures);
    }
}

const cm_doc_type_t budget_type = {
    .owner = FINANCE_OWNER,
    .kind = "budget",
    .what = "budget",
    .id_prefix = "BU",
    .path = "/v1/budgets",
    .filters = s_filters,
    .workflow = &budget_workflow,
    .list_item = s_list_item,
    .decorate = s_decorate,
};

// ---- handlers

void
budget_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!finance_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "only finance drafts the budget");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX], year[16];
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new("BU-0", "draft", cm_ctx_actor(ctx), now);
    snprintf(year, sizeof year, "%lld",
             (long long)cm_doc_integer(body, "year"));
    json_object_set(doc, "year", json_object_get(body, "year"));
    json_object_set_new(doc, "fiscal_year", json_string(year));
    json_object_set(doc, "title", json_object_get(body, "title"));
    json_object_set_new(doc, "department", json_string(FINANCE_DEPARTMENT));
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    problem = s_normalize(doc, json_object_get(body, "lines"));
    if (problem || cm_doc_next_id(ctx, &budget_type, id) != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        }
        json_decref(doc);
        return;
    }
    json_object_set_new(doc, "id", json_string(id));
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    cm_doc_commit(commit, &budget_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &budget_type, FINANCE_EVENT_BUDGET_CREATED, doc,
                 1, NULL);
    cm_doc_reply_commit(ctx, commit, &budget_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
budget_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &budget_type, NULL);
}

void
budget_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &budget_type);
}

void
budget_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &budget_type);
}

void
budget_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &budget_type);
}

void
budget_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &budget_type);
}
