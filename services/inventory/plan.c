#include "plan.h"

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

#define S_LINES_MAX    50
#define S_QTY_MAX      1000000000LL
#define S_DAY_MS       86400000LL
#define S_PROPOSE_DAYS 14 // a proposed line is needed within

static bool
s_check_line(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"specification", CM_FIELD_TEXT, 0, .max = 1000},
        {"quantity", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
         .max = S_QTY_MAX},
        {"needed_by", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    return cm_field_check_object(fields, value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_LINES_MAX, .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"title", CM_FIELD_STRING, 0, .to = "title"},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = S_LINES_MAX,
     .to = "lines", .check = s_check_line},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

json_t *
plan_check_items(cm_store_t *store, const json_t *lines, const char *field)
{
    size_t n = json_array_size(lines);
    const char **ids = calloc(n + 1, sizeof *ids);
    json_t **docs = calloc(n + 1, sizeof *docs);
    int64_t *versions = calloc(n + 1, sizeof *versions);
    if (!ids || !docs || !versions) {
        abort(); // out of memory
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = cm_doc_text(json_array_get(lines, i), "item");
    }
    json_t *problem = NULL;
    int rc =
        n ? cm_doc_read_many(store, &item_type, ids, n, docs, versions) : 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && !docs[i]) {
            char path[64];
            snprintf(path, sizeof path, "%s[%zu].item", field, i);
            cm_validate_fail(&problem, path, "is not an item of the catalogue");
        }
        json_decref(docs[i]);
    }
    if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    }
    free(ids);
    free(docs);
    free(versions);
    return problem;
}

static json_t *
s_update(cm_action_t *a)
{
    return json_object_get(a->body, "lines") ? plan_check_items(
               a->store, json_object_get(a->doc, "lines"), "lines")
                                             : NULL;
}

static json_t *
s_submit(cm_action_t *a)
{
    return cm_approval_submit(a, "procurement_plan", INVENTORY_DEPARTMENT, 0,
                              NULL, "pending", "approved");
}

static json_t *
s_approve(cm_action_t *a)
{
    return cm_approval_approve(a, "pending", "approved");
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    return cm_approval_resubmit(a, 0, "pending", "approved");
}

#define S_OWN INVENTORY_KEEPERS

static const cm_workflow_row_t s_rows[] = {
    {"draft returned", "update", S_OWN, 0, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_PLAN_UPDATED, s_update_fields, s_update,
     inventory_keeper_guard},
    {"draft", "submit", S_OWN, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_PLAN_SUBMITTED, s_note_only, s_submit,
     inventory_keeper_guard},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_PLAN_APPROVED, cm_approval_approve_fields, s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_PLAN_REJECTED, cm_approval_reject_fields, s_reject},
    {"returned", "resubmit", S_OWN, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_PLAN_SUBMITTED, s_note_only, s_resubmit,
     inventory_keeper_guard},
    {"draft returned", "withdraw", S_OWN, 0, NULL, "withdrawn",
     INVENTORY_EVENT_PLAN_WITHDRAWN, s_note_only, NULL, inventory_keeper_guard},
};

const cm_workflow_t plan_workflow = {
    .name = "procurement_plan",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "withdrawn",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"state", NULL, "draft pending returned approved withdrawn"},
    {NULL},
};

const cm_doc_type_t plan_type = {
    .owner = INVENTORY_OWNER,
    .kind = "plan",
    .what = "procurement plan",
    .id_prefix = "PP",
    .path = "/v1/procurement-plans",
    .filters = s_filters,
    .workflow = &plan_workflow,
};

int
plan_propose(cm_commit_t *commit, const char *id, const json_t *item,
             const json_t *actor, int64_t now_ms)
{
    char date[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms + S_PROPOSE_DAYS * S_DAY_MS, date);
    date[10] = '\0';
    int64_t quantity = cm_doc_integer(item, "reorder_quantity");
    char title[CM_FIELD_STRING_MAX];
    snprintf(title, sizeof title, "Reorder %s", cm_doc_text(item, "id"));
    json_t *doc = cm_doc_new(id, "draft", actor, now_ms);
    json_object_set_new(doc, "title", json_string(title));
    json_object_set_new(doc, "department", json_string(INVENTORY_DEPARTMENT));
    json_object_set_new(doc, "proposed", json_true());
    json_object_set_new(doc, "lines",
                        json_pack("[{s:O, s:I, s:s}]", "item",
                                  json_object_get(item, "id"), "quantity",
                                  (json_int_t)(quantity > 0 ? quantity : 1),
                                  "needed_by", date));
    int rc =
        cm_doc_commit(commit, &plan_type, NULL, doc, CM_VERSION_NEW, now_ms);
    if (rc == 0) {
        rc = cm_doc_event_add(commit, &plan_type, INVENTORY_EVENT_PLAN_CREATED,
                              doc, 1, actor, NULL, NULL);
    }
    json_decref(doc);
    return rc == 0 ? 0 : -1;
}

// Another service's request for a draft plan (assets: the renewal of
// scrapped equipment): POST /internal/procurement-plans, over the broker.
static const cm_field_t s_request_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_LINES_MAX, .check = s_check_line},
    {"source", CM_FIELD_OBJECT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

void
plan_request(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (strcmp(cm_ctx_actor_role(ctx), "system") != 0) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "for other services");
        return;
    }
    if (!cm_field_check(s_request_fields, body, &problem)
        || (problem = plan_check_items(
                cm_ctx_store(ctx), json_object_get(body, "lines"), "lines"))) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &plan_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    const char *person = cm_doc_string(cm_ctx_actor(ctx), "on_behalf_of");
    json_t *doc = cm_doc_new(id, "draft", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_set_new(doc, "department", json_string(INVENTORY_DEPARTMENT));
    json_object_set_new(doc, "proposed", json_true());
    json_object_set_new(doc, "requested_by",
                        json_string(person ? person : cm_ctx_actor_id(ctx)));
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    cm_doc_commit(commit, &plan_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &plan_type, INVENTORY_EVENT_PLAN_CREATED, doc, 1,
                 NULL);
    cm_doc_reply_commit(ctx, commit, &plan_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
plan_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers draft plans");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)
        || (problem = plan_check_items(
                cm_ctx_store(ctx), json_object_get(body, "lines"), "lines"))) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &plan_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "draft", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    json_object_set_new(doc, "department", json_string(INVENTORY_DEPARTMENT));
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    cm_doc_commit(commit, &plan_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &plan_type, INVENTORY_EVENT_PLAN_CREATED, doc, 1,
                 NULL);
    cm_doc_reply_commit(ctx, commit, &plan_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
plan_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &plan_type, NULL);
}

void
plan_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &plan_type);
}

void
plan_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &plan_type);
}

void
plan_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &plan_type);
}

void
plan_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &plan_type);
}
