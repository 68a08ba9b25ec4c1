#include "item.h"

#include <string.h>

#include "check.h"
#include "cm_action.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/inventory.h"
#include "inventory.h"

#define S_CLASSES  "normal valuable limited"
#define S_PERIODS  "month quarter year"
#define S_QTY_MAX  1000000000LL // a quantity in the item's unit, at most
#define S_DAYS_MAX 36500        // a shelf life or check interval, at most

static const cm_field_t s_create_fields[] = {
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"specification", CM_FIELD_TEXT, 0, .max = 1000},
    {"unit", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 20},
    {"category", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"location", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"label", CM_FIELD_STRING, 0, .max = 60},
    {"control_class", CM_FIELD_ENUM, 0, .values = S_CLASSES},
    {"reorder_point", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX},
    {"reorder_quantity", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX},
    {"max_stock", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX},
    {"quota", CM_FIELD_INTEGER, 0, .min = 1, .max = S_QTY_MAX},
    {"quota_period", CM_FIELD_ENUM, 0, .values = S_PERIODS},
    {"shelf_life_days", CM_FIELD_INTEGER, 0, .min = 1, .max = S_DAYS_MAX},
    {"check_interval_days", CM_FIELD_INTEGER, 0, .min = 1, .max = S_DAYS_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"name", CM_FIELD_STRING, 0, .to = "name"},
    {"specification", CM_FIELD_TEXT, 0, .max = 1000, .to = "specification"},
    {"unit", CM_FIELD_STRING, 0, .max = 20, .to = "unit"},
    {"category", CM_FIELD_CODE, 0, .to = "category"},
    {"location", CM_FIELD_CODE, 0, .to = "location"},
    {"label", CM_FIELD_STRING, 0, .max = 60, .to = "label"},
    {"control_class", CM_FIELD_ENUM, 0, .values = S_CLASSES,
     .to = "control_class"},
    {"reorder_point", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX,
     .to = "reorder_point"},
    {"reorder_quantity", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX,
     .to = "reorder_quantity"},
    {"max_stock", CM_FIELD_INTEGER, 0, .min = 0, .max = S_QTY_MAX,
     .to = "max_stock"},
    {"quota", CM_FIELD_INTEGER, 0, .min = 1, .max = S_QTY_MAX, .to = "quota"},
    {"quota_period", CM_FIELD_ENUM, 0, .values = S_PERIODS,
     .to = "quota_period"},
    {"shelf_life_days", CM_FIELD_INTEGER, 0, .min = 1, .max = S_DAYS_MAX,
     .to = "shelf_life_days"},
    {"check_interval_days", CM_FIELD_INTEGER, 0, .min = 1, .max = S_DAYS_MAX,
     .to = "check_interval_days"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// The rules across members of an item (doc complete), into *problem_p.
static void
s_check_item(cm_ctx_t *ctx, const json_t *doc, json_t **problem_p)
{
    if (!inventory_is_location(ctx, cm_doc_string(doc, "location"))) {
        cm_validate_fail(problem_p, "location", "is not a storage location");
    }
    bool limited = strcmp(cm_doc_text(doc, "control_class"), "limited") == 0;
    bool has_quota = json_is_integer(json_object_get(doc, "quota"));
    bool has_period = json_is_string(json_object_get(doc, "quota_period"));
    if (limited && !has_quota) {
        cm_validate_fail(problem_p, "quota", "is required for a limited item");
    }
    if (limited && !has_period) {
        cm_validate_fail(problem_p, "quota_period",
                         "is required for a limited item");
    }
    if (!limited && (has_quota || has_period)) {
        cm_validate_fail(problem_p, has_quota ? "quota" : "quota_period",
                         "only a limited item has a quota");
    }
    int64_t max = cm_doc_integer(doc, "max_stock");
    if (max > 0 && max < cm_doc_integer(doc, "reorder_point")) {
        cm_validate_fail(problem_p, "max_stock",
                         "must not be below the reorder point");
    }
}

static json_t *
s_update(cm_action_t *a)
{
    // A null clears a member; defaults stay defined.
    if (json_is_null(json_object_get(a->doc, "control_class"))) {
        json_object_set_new(a->doc, "control_class", json_string("normal"));
    }
    const char *counts[] = {"reorder_point", "reorder_quantity", "max_stock"};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        if (json_is_null(json_object_get(a->doc, counts[i]))) {
            json_object_set_new(a->doc, counts[i], json_integer(0));
        }
    }
    const char *optional[] = {"quota",           "quota_period",
                              "specification",   "label",
                              "shelf_life_days", "check_interval_days"};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        if (json_is_null(json_object_get(a->doc, optional[i]))) {
            json_object_del(a->doc, optional[i]);
        }
    }
    json_t *problem = NULL;
    s_check_item(a->ctx, a->doc, &problem);
    return problem;
}

static const cm_workflow_row_t s_rows[] = {
    {"active", "update", INVENTORY_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_ITEM_UPDATED, s_update_fields, s_update,
     inventory_keeper_guard},
};

const cm_workflow_t item_workflow = {
    .name = "item",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"category"},
    {"location"},
    {"control_class", NULL, S_CLASSES},
    {NULL},
};

const cm_doc_type_t item_type = {
    .owner = INVENTORY_OWNER,
    .kind = "item",
    .what = "item",
    .id_prefix = "IT",
    .path = "/v1/items",
    .filters = s_filters,
    .workflow = &item_workflow,
    .indexes = check_item_indexes,
};

void
item_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers keep the catalogue");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *fields =
        json_pack("{s:s, s:i, s:i, s:i}", "control_class", "normal",
                  "reorder_point", 0, "reorder_quantity", 0, "max_stock", 0);
    json_object_update(fields, (json_t *)body);
    s_check_item(ctx, fields, &problem);
    if (problem) {
        json_decref(fields);
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &item_type, id) != 0) {
        json_decref(fields);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, fields);
    json_decref(fields);
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    cm_doc_commit(commit, &item_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &item_type, INVENTORY_EVENT_ITEM_CREATED, doc, 1,
                 NULL);
    cm_doc_reply_commit(ctx, commit, &item_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
item_list(cm_ctx_t *ctx)
{
    if (cm_ctx_query(ctx, "check_due")) {
        check_due_list(ctx);
        return;
    }
    cm_list_run(ctx, &item_type, NULL);
}

void
item_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &item_type);
}

void
item_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &item_type);
}

void
item_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &item_type);
}
