#include "count.h"

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
#include "stock.h"

#define S_FIELD_MAX  64
#define S_DETAIL_MAX 256
#define S_QTY_MAX    1000000000LL

static const cm_field_t s_create_fields[] = {
    {"location", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"category", CM_FIELD_CODE, 0},
    {"work_request", CM_FIELD_BOOLEAN, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_counted(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"counted", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
         .max = S_QTY_MAX},
        {"reason", CM_FIELD_TEXT, 0, .max = 1000},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    return cm_field_check_object(fields, value, field, problem_p);
}

static const cm_field_t s_record_fields[] = {
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = COUNT_ITEMS_MAX, .check = s_check_counted},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};
static const cm_field_t s_reason_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    CM_FIELD_END,
};

// ---- effects

// The count's line of item, or NULL. Borrowed.
static json_t *
s_line(json_t *doc, const char *item)
{
    json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "item"), item) == 0) {
            return line;
        }
    }
    return NULL;
}

static json_t *
s_record(cm_action_t *a)
{
    const json_t *counted = json_object_get(a->body, "lines");
    json_t *problem = NULL;
    for (size_t i = 0; i < json_array_size(counted); i++) {
        const json_t *in = json_array_get(counted, i);
        json_t *line = s_line(a->doc, cm_doc_text(in, "item"));
        if (!line) {
            char field[S_FIELD_MAX];
            snprintf(field, sizeof field, "lines[%zu].item", i);
            cm_validate_fail(&problem, field, "is not an item of this count");
            continue;
        }
        int64_t n = cm_doc_integer(in, "counted");
        json_object_set_new(line, "counted", json_integer(n));
        json_object_set_new(line, "variance",
                            json_integer(n - cm_doc_integer(line, "book")));
        const json_t *reason = json_object_get(in, "reason");
        if (json_is_string(reason)) {
            json_object_set(line, "reason", (json_t *)reason);
        }
    }
    if (!problem && strcmp(cm_doc_state(a->doc), "open") == 0) {
        a->next_state = "counted";
    } else if (!problem) {
        a->next_state = cm_doc_state(a->old);
    }
    return problem;
}

// Every line counted, every variance with a reason: NULL or a problem;
// *amount gets the sum of the absolute variances.
static json_t *
s_check_report(cm_action_t *a, int64_t *amount)
{
    json_t *problem = NULL;
    const json_t *lines = json_object_get(a->doc, "lines");
    *amount = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        char field[S_FIELD_MAX];
        int64_t variance = cm_doc_integer(line, "variance");
        const char *reason = cm_doc_string(line, "reason");
        if (!json_object_get(line, "counted")) {
            snprintf(field, sizeof field, "lines[%zu].counted", i);
            cm_validate_fail(&problem, field, "has not been counted");
        } else if (variance != 0 && (!reason || !*reason)) {
            snprintf(field, sizeof field, "lines[%zu].reason", i);
            cm_validate_fail(&problem, field,
                             "a surplus or shortage needs a reason");
        }
        *amount += variance < 0 ? -variance : variance;
    }
    return problem;
}

static json_t *
s_submit(cm_action_t *a)
{
    int64_t amount = 0;
    json_t *problem = s_check_report(a, &amount);
    json_object_set_new(a->doc, "variance_total", json_integer(amount));
    return problem ? problem
                   : cm_approval_submit(a, "stock_count", INVENTORY_DEPARTMENT,
                                        amount, NULL, "pending", "approved");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    int64_t amount = 0;
    json_t *problem = s_check_report(a, &amount);
    json_object_set_new(a->doc, "variance_total", json_integer(amount));
    return problem ? problem
                   : cm_approval_resubmit(a, amount, "pending", "approved");
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "approved");
    if (!problem && cm_approval_is_complete(a->doc)) {
        cm_action_event(a, INVENTORY_EVENT_COUNT_APPROVED, NULL);
    }
    return problem;
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

// The freeze of a count's scope, added to commit (sign +1 to open, -1 to
// close). On the location's freeze hash: `frozen` counts the open counts
// there (every ledger entry at the location is bounded by it at 0),
// `whole` is 1 while a count of the whole location is open; a category's
// own field `open:<category>` is 1 while a count of it is open. A whole
// count needs nothing else open; a category count needs no whole count
// and no other count of that category.
static void
s_freeze(cm_commit_t *commit, const json_t *doc, int sign)
{
    char key[CM_STORE_KEY_MAX], field[CM_STORE_KEY_MAX];
    const char *category = cm_doc_string(doc, "category");
    stock_freeze_key(key, cm_doc_text(doc, "location"));
    if (!category) {
        cm_commit_counter(commit, key, STOCK_FIELD_FROZEN, sign, 0, 1);
        cm_commit_counter(commit, key, "whole", sign, 0, 1);
        return;
    }
    snprintf(field, sizeof field, "open:%s", category);
    cm_commit_counter(commit, key, "whole", 0, 0, 0);
    cm_commit_counter(commit, key, field, sign, 0, 1);
    cm_commit_counter(commit, key, STOCK_FIELD_FROZEN, sign, 0,
                      CM_COUNTER_NO_MAX);
}

static void
s_unfreeze(cm_action_t *a)
{
    s_freeze(a->commit, a->doc, -1);
}

// Lift the freeze, then one adjustment entry per variance, in one commit.
static json_t *
s_post(cm_action_t *a)
{
    s_unfreeze(a); // first: the entries' bound on the freeze sees 0
    const json_t *lines = json_object_get(a->doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        int64_t variance = cm_doc_integer(line, "variance"), number = 0;
        if (variance == 0) {
            continue;
        }
        if (cm_store_next_id(a->store, INVENTORY_OWNER, "movement", &number)
            != 0) {
            return cm_problem_from_status(CM_EUNAVAILABLE, NULL);
        }
        char id[CM_ID_MAX], at[CM_TIME_TEXT_MAX];
        snprintf(id, sizeof id, "MV-%" PRId64, number);
        json_t *entry =
            json_pack("{s:s, s:s, s:O, s:O, s:s, s:I, s:O, s:O, s:{s:O, s:O}}",
                      "id", id, "at", cm_time_format(a->now_ms, at), "item",
                      json_object_get(line, "item"), "location",
                      json_object_get(a->doc, "location"), "kind", "adjustment",
                      "quantity", (json_int_t)variance, "reference",
                      json_object_get(a->doc, "id"), "reason",
                      json_object_get(line, "reason"), "actor", "id",
                      json_object_get(a->actor, "id"), "role",
                      json_object_get(a->actor, "role"));
        stock_commit_entry(a->commit, entry, a->now_ms);
        json_decref(entry);
    }
    return NULL;
}

static json_t *
s_cancel(cm_action_t *a)
{
    s_unfreeze(a);
    return NULL;
}

#define S_K     INVENTORY_KEEPERS
#define S_GUARD inventory_keeper_guard

static const cm_workflow_row_t s_rows[] = {
    {"open counted returned", "record", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_COUNT_RECORDED, s_record_fields, s_record, S_GUARD},
    {"counted", "submit", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_COUNT_SUBMITTED, s_note_only, s_submit, S_GUARD},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_COUNT_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_COUNT_RETURNED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_COUNT_SUBMITTED, s_note_only, s_resubmit, S_GUARD},
    {"approved", "post", S_K, 0, NULL, "posted", INVENTORY_EVENT_COUNT_POSTED,
     s_note_only, s_post, S_GUARD},
    {"open counted returned", "cancel", S_K, 0, NULL, "cancelled",
     INVENTORY_EVENT_COUNT_CANCELLED, s_reason_fields, s_cancel, S_GUARD},
};

const cm_workflow_t count_workflow = {
    .name = "stock_count",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "posted cancelled",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"location"},
    {"state", NULL, "open counted pending returned approved posted cancelled"},
    {NULL},
};

const cm_doc_type_t count_type = {
    .owner = INVENTORY_OWNER,
    .kind = "count",
    .what = "stock count",
    .id_prefix = "SC",
    .path = "/v1/stock-counts",
    .filters = s_filters,
    .workflow = &count_workflow,
    .history_keep = 10,
};

// ---- create

int
count_open_at(cm_store_t *store, const char *location, char *id)
{
    *id = '\0';
    char index[CM_STORE_KEY_MAX];
    cm_doc_index_key(&count_type, "location", location, index, sizeof index);
    cm_page_t page;
    int rc = cm_store_list(store, index, NULL, 20, false, &page);
    for (size_t i = 0; rc == 0 && i < page.count && !*id; i++) {
        json_t *doc = NULL;
        int64_t version = 0;
        if (cm_doc_read(store, &count_type, page.members[i], &doc, &version)
                == 0
            && !cm_workflow_is_final(&count_workflow, cm_doc_state(doc))) {
            snprintf(id, CM_ID_MAX, "%s", page.members[i]);
        }
        json_decref(doc);
    }
    if (rc == 0) {
        cm_page_clear(&page);
    }
    return rc;
}

// The count's lines: the book quantity at location of every item kept
// there (of category when given). 0, CM_EINVAL when there are too many, or
// a store status.
static int
s_snapshot(cm_store_t *store, const char *location, const char *category,
           json_t *lines)
{
    char index[CM_STORE_KEY_MAX];
    cm_doc_index_key(&item_type, "location", location, index, sizeof index);
    cm_page_t page;
    int rc = cm_store_list(store, index, NULL, CM_STORE_PAGE_MAX, false, &page);
    if (rc != 0) {
        return rc;
    }
    size_t n = page.count;
    json_t **docs = calloc(n + 1, sizeof *docs);
    int64_t *versions = calloc(n + 1, sizeof *versions);
    int64_t *books = calloc(n + 1, sizeof *books);
    char(*keys)[CM_STORE_KEY_MAX] = calloc(n + 1, sizeof *keys);
    const char **names = calloc(n + 1, sizeof *names);
    if (!docs || !versions || !books || !keys || !names) {
        abort(); // out of memory
    }
    for (size_t i = 0; i < n; i++) {
        char ref[CM_ID_MAX * 3];
        snprintf(ref, sizeof ref, "%s|%s", page.members[i], location);
        names[i] = inventory_key(keys[i], "stock", ref);
    }
    const char *fields[] = {STOCK_FIELD_ON_HAND};
    rc = n == 0 ? 0
                : cm_doc_read_many(store, &item_type,
                                   (const char *const *)page.members, n, docs,
                                   versions);
    rc = rc == 0 && n > 0 ? cm_store_counters(store, names, n, fields, 1, books)
                          : rc;
    for (size_t i = 0; i < n; i++) {
        bool in =
            rc == 0 && docs[i]
            && (!category
                || strcmp(cm_doc_text(docs[i], "category"), category) == 0);
        if (in) {
            json_array_append_new(
                lines, json_pack("{s:O, s:O, s:I}", "item",
                                 json_object_get(docs[i], "id"), "name",
                                 json_object_get(docs[i], "name"), "book",
                                 (json_int_t)books[i]));
        }
        json_decref(docs[i]);
    }
    rc = rc == 0 && json_array_size(lines) > COUNT_ITEMS_MAX ? CM_EINVAL : rc;
    cm_page_clear(&page);
    free(docs);
    free(versions);
    free(books);
    free(keys);
    free(names);
    return rc;
}

// The work request dispatch turns into a work order for the count.
static json_t *
s_work_request(const json_t *doc)
{
    char title[CM_FIELD_STRING_MAX];
    snprintf(title, sizeof title, "Stock count %s at %s",
             cm_doc_text(doc, "id"), cm_doc_text(doc, "location"));
    return json_pack("{s:{s:O, s:s, s:s, s:s, s:{s:s, s:O}}}", "request", "key",
                     json_object_get(doc, "id"), "department",
                     INVENTORY_DEPARTMENT, "title", title, "kind", "count",
                     "source", "type", "stock_count", "id",
                     json_object_get(doc, "id"));
}

// The new count's commit: the freeze (at most one open count per
// location), the document, its events; then the reply.
static void
s_open(cm_ctx_t *ctx, json_t *doc, int64_t now)
{
    const char *location = cm_doc_text(doc, "location");
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    s_freeze(commit, doc, 1);
    cm_doc_commit(commit, &count_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &count_type, INVENTORY_EVENT_COUNT_CREATED, doc,
                 1, NULL);
    if (json_is_true(json_object_get(doc, "work_request"))) {
        cm_doc_event(ctx, commit, &count_type,
                     INVENTORY_EVENT_COUNT_WORK_REQUESTED, doc, 1,
                     s_work_request(doc));
    }
    int outcome = cm_doc_reply_commit(ctx, commit, &count_type, 201, doc, 1);
    if (outcome == CM_COMMIT_LIMIT) {
        stock_answer_frozen(ctx, location);
    }
    cm_commit_destroy(&commit);
}

void
count_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers count stock");
        return;
    }
    if (cm_field_check(s_create_fields, body, &problem)
        && !inventory_is_location(ctx, cm_doc_string(body, "location"))) {
        cm_validate_fail(&problem, "location", "is not a storage location");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *lines = json_array();
    int rc = s_snapshot(cm_ctx_store(ctx), cm_doc_text(body, "location"),
                        cm_doc_string(body, "category"), lines);
    char id[CM_ID_MAX];
    if (rc == CM_EINVAL) {
        cm_ctx_fail(ctx, cm_problem_new(422, "count_too_large",
                                        "more items than one count covers: "
                                        "count a category at a time"));
    } else if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
    } else if (cm_doc_next_id(ctx, &count_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = cm_doc_new(id, "open", cm_ctx_actor(ctx), now);
        json_object_update(doc, (json_t *)body);
        json_object_del(doc, "note");
        json_object_set(doc, "lines", lines);
        json_object_set_new(doc, "department",
                            json_string(INVENTORY_DEPARTMENT));
        json_object_set_new(doc, "requested_by",
                            json_string(cm_ctx_actor_id(ctx)));
        s_open(ctx, doc, now);
        json_decref(doc);
    }
    json_decref(lines);
}

void
count_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &count_type, NULL);
}

void
count_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &count_type);
}

void
count_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &count_type);
}

void
count_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &count_type);
}
