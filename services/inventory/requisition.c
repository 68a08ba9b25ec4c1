#include "requisition.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/inventory.h"
#include "inventory.h"
#include "item.h"
#include "plan.h"
#include "stock.h"

#define S_LINES_MAX  20
#define S_QTY_MAX    1000000LL
#define S_FIELD_MAX  64
#define S_PERIOD_MAX 40
#define S_DETAIL_MAX 256
#define S_USED       "used"
#define S_STAFF                                                                \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"

// ---- bodies

static bool
s_check_line(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"specification", CM_FIELD_TEXT, 0, .max = 1000},
        {"quantity", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
         .max = S_QTY_MAX},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    return cm_field_check_object(fields, value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"purpose", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_LINES_MAX, .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"purpose", CM_FIELD_TEXT, 0, .max = 1000, .to = "purpose"},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = S_LINES_MAX,
     .to = "lines", .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_amount(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"line", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"quantity", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
         .max = S_QTY_MAX},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    return cm_field_check_object(fields, value, field, problem_p);
}

// issue and return: which lines, how many (at most 8: one commit).
static const cm_field_t s_move_fields[] = {
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY, .max = 8,
     .check = s_check_amount},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};
static const cm_field_t s_reason_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    CM_FIELD_END,
};

// ---- lines and their items

// Number the lines L1… and give each its item's class, quota and location
// (read from the catalogue): NULL, or 400 naming an unknown item, or 503.
static json_t *
s_resolve_lines(cm_store_t *store, json_t *doc)
{
    json_t *lines = json_object_get(doc, "lines");
    json_t *problem = plan_check_items(store, lines, "lines");
    for (size_t i = 0; !problem && i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        json_t *item = NULL;
        int64_t version = 0;
        int rc = cm_doc_read(store, &item_type, cm_doc_text(line, "item"),
                             &item, &version);
        if (rc != 0) {
            problem = cm_problem_from_status(rc, NULL);
            break;
        }
        char id[32];
        snprintf(id, sizeof id, "L%zu", i + 1);
        json_object_set_new(line, "id", json_string(id));
        const char *copied[] = {"control_class", "quota", "quota_period",
                                "location", "name"};
        for (size_t k = 0; k < sizeof copied / sizeof copied[0]; k++) {
            const json_t *value = json_object_get(item, copied[k]);
            if (value) {
                json_object_set(line, copied[k], (json_t *)value);
            }
        }
        if (!json_object_get(line, "issued")) {
            json_object_set_new(line, "issued", json_integer(0));
            json_object_set_new(line, "returned", json_integer(0));
        }
        json_decref(item);
    }
    return problem;
}

// The document's item class for the approval matrix: normal unless a line
// is valuable or limited.
static const char *
s_class(const json_t *doc)
{
    const json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const char *cls =
            cm_doc_text(json_array_get(lines, i), "control_class");
        if (strcmp(cls, "normal") != 0) {
            return cls;
        }
    }
    return "normal";
}

// The period key of now for a quota: 2026-12, 2026-Q4 or 2026.
static const char *
s_period(char *buf, const char *period, int64_t now_ms)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms, at);
    int month = atoi(at + 5);
    if (strcmp(period, "month") == 0) {
        snprintf(buf, S_PERIOD_MAX, "%.7s", at);
    } else if (strcmp(period, "quarter") == 0) {
        snprintf(buf, S_PERIOD_MAX, "%.4s-Q%d", at, (month - 1) / 3 + 1);
    } else {
        snprintf(buf, S_PERIOD_MAX, "%.4s", at);
    }
    return buf;
}

static const char *
s_quota_key(char *buf, const json_t *line, const char *department,
            int64_t now_ms)
{
    char ref[CM_ID_MAX * 3], period[S_PERIOD_MAX];
    snprintf(ref, sizeof ref, "%s|%s|%s", cm_doc_text(line, "item"), department,
             s_period(period, cm_doc_text(line, "quota_period"), now_ms));
    return inventory_key(buf, "quota", ref);
}

static json_t *
s_quota_problem(const json_t *line, const char *field, int64_t used,
                int64_t wanted)
{
    int64_t quota = cm_doc_integer(line, "quota");
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "%s is limited to %" PRId64 " per %s per department; %" PRId64
             " used, %" PRId64 " asked",
             cm_doc_text(line, "item"), quota,
             cm_doc_text(line, "quota_period"), used, wanted);
    json_t *problem = cm_problem_new(422, "quota_exceeded", detail);
    cm_problem_set(problem, "field", json_string(field));
    cm_problem_set(problem, "quota", json_integer(quota));
    cm_problem_set(problem, "used", json_integer(used));
    cm_problem_set(problem, "remaining",
                   json_integer(quota > used ? quota - used : 0));
    return problem;
}

// Limited lines within the department's remaining quota (read; the issue's
// counter decides a race). NULL or 422.
static json_t *
s_check_quota(cm_store_t *store, const json_t *doc, int64_t now_ms)
{
    const json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "control_class"), "limited") != 0) {
            continue;
        }
        char key[CM_STORE_KEY_MAX];
        const char *keys[] = {
            s_quota_key(key, line, cm_doc_text(doc, "department"), now_ms)};
        const char *fields[] = {S_USED};
        int64_t used = 0;
        int rc = cm_store_counters(store, keys, 1, fields, 1, &used);
        if (rc != 0) {
            return cm_problem_from_status(rc, NULL);
        }
        int64_t wanted =
            cm_doc_integer(line, "quantity") - cm_doc_integer(line, "issued");
        if (used + wanted > cm_doc_integer(line, "quota")) {
            char field[S_FIELD_MAX];
            snprintf(field, sizeof field, "lines[%zu].quantity", i);
            return s_quota_problem(line, field, used, wanted);
        }
    }
    return NULL;
}

// ---- effects

static json_t *
s_update(cm_action_t *a)
{
    return s_resolve_lines(a->store, a->doc);
}

static json_t *
s_submit(cm_action_t *a)
{
    json_t *problem = s_resolve_lines(a->store, a->doc);
    problem = problem ? problem : s_check_quota(a->store, a->doc, a->now_ms);
    return problem ? problem
                   : cm_approval_submit(a, "requisition",
                                        cm_doc_text(a->doc, "department"), 0,
                                        s_class(a->doc), "pending", "approved");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    json_t *problem = s_resolve_lines(a->store, a->doc);
    problem = problem ? problem : s_check_quota(a->store, a->doc, a->now_ms);
    return problem ? problem
                   : cm_approval_resubmit(a, 0, "pending", "approved");
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = s_check_quota(a->store, a->doc, a->now_ms);
    return problem ? problem : cm_approval_approve(a, "pending", "approved");
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

// The requisition line a body line names, once: NULL after adding a 400.
static json_t *
s_named_line(cm_action_t *a, size_t i, json_t **problem_p)
{
    const json_t *moves = json_object_get(a->body, "lines");
    const char *id = cm_doc_text(json_array_get(moves, i), "line");
    json_t *lines = json_object_get(a->doc, "lines");
    json_t *line = NULL;
    for (size_t k = 0; k < json_array_size(lines); k++) {
        if (strcmp(cm_doc_text(json_array_get(lines, k), "id"), id) == 0) {
            line = json_array_get(lines, k);
        }
    }
    for (size_t j = 0; line && j < i; j++) {
        if (strcmp(cm_doc_text(json_array_get(moves, j), "line"), id) == 0) {
            line = NULL;
        }
    }
    if (!line) {
        char field[S_FIELD_MAX];
        snprintf(field, sizeof field, "lines[%zu].line", i);
        cm_validate_fail(problem_p, field,
                         "is not a line of this requisition, or named twice");
    }
    return line;
}

static void
s_ledger(cm_action_t *a, const json_t *line, const char *kind, int64_t quantity,
         int64_t number)
{
    char id[CM_ID_MAX], at[CM_TIME_TEXT_MAX];
    snprintf(id, sizeof id, "MV-%" PRId64, number);
    json_t *entry = json_pack(
        "{s:s, s:s, s:O, s:O, s:s, s:I, s:O, s:{s:O, s:O}}", "id", id, "at",
        cm_time_format(a->now_ms, at), "item", json_object_get(line, "item"),
        "location", json_object_get(line, "location"), "kind", kind, "quantity",
        (json_int_t)quantity, "reference", json_object_get(a->doc, "id"),
        "actor", "id", json_object_get(a->actor, "id"), "role",
        json_object_get(a->actor, "role"));
    stock_commit_entry(a->commit, entry, a->now_ms);
    json_decref(entry);
}

// The stock of line's item at its location is at least quantity: NULL or
// 422 insufficient_stock (a race is the commit's bound's).
static json_t *
s_check_stock(cm_action_t *a, const json_t *line, int64_t quantity)
{
    char key[CM_STORE_KEY_MAX], ref[CM_ID_MAX * 3];
    snprintf(ref, sizeof ref, "%s|%s", cm_doc_text(line, "item"),
             cm_doc_text(line, "location"));
    const char *keys[] = {inventory_key(key, "stock", ref)};
    const char *fields[] = {STOCK_FIELD_ON_HAND};
    int64_t balance = 0;
    int rc = cm_store_counters(a->store, keys, 1, fields, 1, &balance);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    if (balance >= quantity) {
        return NULL;
    }
    json_t *problem = cm_action_refuse(a, 422, "insufficient_stock",
                                       "not that much in stock");
    cm_problem_set(problem, "item", json_string(cm_doc_text(line, "item")));
    cm_problem_set(problem, "balance", json_integer(balance));
    cm_problem_set(problem, "shortfall", json_integer(quantity - balance));
    return problem;
}

// One issued line: rules, ledger entry, quota use.
static json_t *
s_issue_line(cm_action_t *a, size_t i, json_t *line, int64_t quantity)
{
    char field[S_FIELD_MAX];
    snprintf(field, sizeof field, "lines[%zu].quantity", i);
    int64_t left =
        cm_doc_integer(line, "quantity") - cm_doc_integer(line, "issued");
    if (quantity > left) {
        json_t *problem = cm_action_refuse(a, 422, "over_issue",
                                           "more than the line has left");
        cm_problem_set(problem, "field", json_string(field));
        cm_problem_set(problem, "left", json_integer(left));
        return problem;
    }
    json_t *problem = s_check_stock(a, line, quantity);
    int64_t number = 0;
    if (!problem
        && cm_store_next_id(a->store, INVENTORY_OWNER, "movement", &number)) {
        problem = cm_problem_from_status(CM_EUNAVAILABLE, NULL);
    }
    if (problem) {
        return problem;
    }
    s_ledger(a, line, "issue", -quantity, number);
    if (strcmp(cm_doc_text(line, "control_class"), "limited") == 0) {
        char key[CM_STORE_KEY_MAX];
        s_quota_key(key, line, cm_doc_text(a->doc, "department"), a->now_ms);
        cm_commit_counter(a->commit, key, S_USED, quantity, 0,
                          cm_doc_integer(line, "quota"));
    }
    json_object_set_new(
        line, "issued",
        json_integer(cm_doc_integer(line, "issued") + quantity));
    return NULL;
}

static bool
s_all_issued(const json_t *doc)
{
    const json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (cm_doc_integer(line, "issued") < cm_doc_integer(line, "quantity")) {
            return false;
        }
    }
    return true;
}

// A race the reads before the commit did not see: the commit's bounds
// refused (stock or quota).
static void
s_after_issue(cm_action_t *a, int outcome)
{
    int64_t value = 0;
    const char *field =
        outcome == CM_COMMIT_LIMIT ? cm_ctx_limit(a->ctx, &value) : NULL;
    if (!field) {
        return;
    }
    if (strcmp(field, S_USED) != 0) {
        stock_answer_limit(a->ctx, outcome);
        return;
    }
    json_t *problem = cm_problem_new(422, "quota_exceeded",
                                     "the department's quota would be passed");
    cm_problem_set(problem, "used", json_integer(value));
    cm_ctx_fail(a->ctx, problem);
}

static json_t *
s_issue(cm_action_t *a)
{
    const json_t *moves = json_object_get(a->body, "lines");
    json_t *problem = NULL;
    for (size_t i = 0; !problem && i < json_array_size(moves); i++) {
        json_t *line = s_named_line(a, i, &problem);
        if (line) {
            problem = s_issue_line(
                a, i, line,
                cm_doc_integer(json_array_get(moves, i), "quantity"));
        }
    }
    if (!problem) {
        a->after_commit = s_after_issue;
        a->next_state = s_all_issued(a->doc) ? "issued" : "partially_issued";
    }
    return problem;
}

static json_t *
s_return(cm_action_t *a)
{
    const json_t *moves = json_object_get(a->body, "lines");
    json_t *problem = NULL;
    a->after_commit = s_after_issue;
    for (size_t i = 0; !problem && i < json_array_size(moves); i++) {
        json_t *line = s_named_line(a, i, &problem);
        int64_t quantity = cm_doc_integer(json_array_get(moves, i), "quantity");
        int64_t out = line ? cm_doc_integer(line, "issued")
                                 - cm_doc_integer(line, "returned")
                           : 0;
        int64_t number = 0;
        if (line && quantity > out) {
            char field[S_FIELD_MAX];
            snprintf(field, sizeof field, "lines[%zu].quantity", i);
            problem = cm_action_refuse(a, 422, "over_return",
                                       "more than was issued and not returned");
            cm_problem_set(problem, "field", json_string(field));
            cm_problem_set(problem, "outstanding", json_integer(out));
        } else if (line
                   && cm_store_next_id(a->store, INVENTORY_OWNER, "movement",
                                       &number)
                          != 0) {
            problem = cm_problem_from_status(CM_EUNAVAILABLE, NULL);
        } else if (line) {
            s_ledger(a, line, "return", quantity, number);
            json_object_set_new(
                line, "returned",
                json_integer(cm_doc_integer(line, "returned") + quantity));
        }
    }
    return problem;
}

// ---- the process

#define S_OWN   (CM_WORKFLOW_ASSIGNEE | CM_WORKFLOW_STRICT)
#define S_K     INVENTORY_KEEPERS
#define S_GUARD inventory_keeper_guard

static const cm_workflow_row_t s_rows[] = {
    {"draft returned", "update", S_STAFF, S_OWN, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_REQUISITION_UPDATED, s_update_fields, s_update},
    {"draft", "submit", S_STAFF, S_OWN, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_REQUISITION_SUBMITTED, s_note_only, s_submit},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_REQUISITION_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_REQUISITION_RETURNED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_STAFF, S_OWN, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_REQUISITION_SUBMITTED, s_note_only, s_resubmit},
    {"draft pending returned", "cancel", S_STAFF, S_OWN, NULL, "cancelled",
     INVENTORY_EVENT_REQUISITION_CANCELLED, s_note_only, NULL},
    {"approved partially_issued", "issue", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_REQUISITION_ISSUED, s_move_fields, s_issue, S_GUARD},
    {"approved", "reject", S_K, 0, NULL, "rejected",
     INVENTORY_EVENT_REQUISITION_REJECTED, s_reason_fields, NULL, S_GUARD},
    {"partially_issued issued", "return", S_K, 0, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_REQUISITION_RETURNED_GOODS, s_move_fields, s_return,
     S_GUARD},
};

const cm_workflow_t requisition_workflow = {
    .name = "requisition",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "cancelled rejected",
    .superuser_role = "station_head",
    .assignee_field = "requested_by",
};

static const cm_filter_t s_filters[] = {
    {"department"},
    {"state", NULL,
     "draft pending returned approved partially_issued issued rejected "
     "cancelled"},
    {NULL},
};

const cm_doc_type_t requisition_type = {
    .owner = INVENTORY_OWNER,
    .kind = "requisition",
    .what = "requisition",
    .id_prefix = "RQ",
    .path = "/v1/requisitions",
    .filters = s_filters,
    .workflow = &requisition_workflow,
};

// ---- handlers

void
requisition_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    const char *department = cm_ctx_actor_department(ctx);
    if (!cm_validate_name_in(S_STAFF, cm_ctx_actor_role(ctx)) || !department
        || !*department) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "staff of a department request materials");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new("RQ-0", "draft", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    json_object_set_new(doc, "department", json_string(department));
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    problem = s_resolve_lines(cm_ctx_store(ctx), doc);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &requisition_type, id) == 0) {
        json_object_set_new(doc, "id", json_string(id));
        cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
        cm_doc_commit(commit, &requisition_type, NULL, doc, CM_VERSION_NEW,
                      now);
        cm_doc_event(ctx, commit, &requisition_type,
                     INVENTORY_EVENT_REQUISITION_CREATED, doc, 1, NULL);
        cm_doc_reply_commit(ctx, commit, &requisition_type, 201, doc, 1);
        cm_commit_destroy(&commit);
    }
    json_decref(doc);
}

void
requisition_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &requisition_type, NULL);
}

void
requisition_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &requisition_type);
}

void
requisition_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &requisition_type);
}

void
requisition_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &requisition_type);
}

void
requisition_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &requisition_type);
}
