#include "supplier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/inventory.h"
#include "inventory.h"

#define S_DAY_MS       86400000LL
#define S_QUALS_MAX    20 // qualification documents of one supplier
#define S_EVALS_KEEP   20 // evaluations kept in the document
#define S_LEASE_MS     30000
#define S_BATCH        50
#define S_DETAIL_MAX   256
#define S_TIMERS       "qualifications"
#define S_HEAD         (CM_WORKFLOW_HEAD)
#define S_EXPIRY_FIELD "qualifications"

// ---- bodies

static bool
s_check_qualification(const json_t *value, const char *field,
                      json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"kind", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 100},
        {"number", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 100},
        {"valid_until", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    return cm_field_check_object(fields, value, field, problem_p);
}

static bool
s_check_category(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t code = {"category", CM_FIELD_CODE,
                                    CM_FIELD_REQUIRED};
    return cm_field_check_value(&code, value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"contact", CM_FIELD_STRING, 0},
    {"phone", CM_FIELD_STRING, 0, .max = 40},
    {"address", CM_FIELD_STRING, 0},
    {"categories", CM_FIELD_ARRAY, 0, .max = 20, .check = s_check_category},
    {"qualifications", CM_FIELD_ARRAY, 0, .max = S_QUALS_MAX,
     .check = s_check_qualification},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"name", CM_FIELD_STRING, 0, .to = "name"},
    {"contact", CM_FIELD_STRING, 0, .to = "contact"},
    {"phone", CM_FIELD_STRING, 0, .max = 40, .to = "phone"},
    {"address", CM_FIELD_STRING, 0, .to = "address"},
    {"categories", CM_FIELD_ARRAY, 0, .max = 20, .to = "categories",
     .check = s_check_category},
    {"qualifications", CM_FIELD_ARRAY, 0, .max = S_QUALS_MAX,
     .to = "qualifications", .check = s_check_qualification},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_evaluate_fields[] = {
    {"qualification", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 5},
    {"reputation", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 5},
    {"quality", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 5},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_reason_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

// ---- qualification dates

// The end (epoch ms) of the day a qualification document is valid until;
// 0 when unreadable.
static int64_t
s_valid_end(const json_t *qualification)
{
    char text[40];
    int64_t ms = 0;
    snprintf(text, sizeof text, "%sT00:00:00.000Z",
             cm_doc_text(qualification, "valid_until"));
    return cm_time_parse(text, &ms) == 0 ? ms + S_DAY_MS : 0;
}

// The earliest end of the supplier's qualification documents (0: none),
// and the index of the first document past it at now_ms (-1: none).
static int64_t
s_first_end(const json_t *doc, int64_t now_ms, int *expired)
{
    const json_t *quals = json_object_get(doc, "qualifications");
    int64_t first = 0;
    *expired = -1;
    for (size_t i = 0; i < json_array_size(quals); i++) {
        int64_t end = s_valid_end(json_array_get(quals, i));
        if (end <= now_ms && *expired < 0) {
            *expired = (int)i;
        }
        first = first == 0 || end < first ? end : first;
    }
    return first;
}

static const char *
s_timers_key(char *buf)
{
    return inventory_key(buf, "timers", S_TIMERS);
}

// A qualified supplier needs documents, none of them past its date: NULL,
// or 422 naming the document.
static json_t *
s_require_valid(cm_action_t *a)
{
    int expired = -1;
    s_first_end(a->doc, a->now_ms, &expired);
    if (json_array_size(json_object_get(a->doc, "qualifications")) == 0) {
        json_t *problem = cm_action_refuse(
            a, 422, "qualification_missing",
            "a supplier is qualified on its qualification documents");
        cm_problem_set(problem, "field", json_string("qualifications"));
        return problem;
    }
    if (expired >= 0) {
        char field[64];
        snprintf(field, sizeof field, "qualifications[%d].valid_until",
                 expired);
        json_t *problem = cm_action_refuse(a, 422, "qualification_expired",
                                           "a qualification document has "
                                           "passed its date");
        cm_problem_set(problem, "field", json_string(field));
        return problem;
    }
    return NULL;
}

// Watch the earliest date of a qualified supplier's documents.
static void
s_watch(cm_commit_t *commit, const json_t *doc, int64_t now_ms)
{
    int expired = -1;
    int64_t end = s_first_end(doc, now_ms, &expired);
    if (end > 0) {
        char key[CM_STORE_KEY_MAX];
        cm_commit_index_add(commit, s_timers_key(key), cm_doc_text(doc, "id"),
                            end);
    }
}

// ---- effects

static json_t *
s_update(cm_action_t *a)
{
    if (strcmp(cm_doc_state(a->doc), "qualified") == 0) {
        s_watch(a->commit, a->doc, a->now_ms); // a past date: the tick acts
    }
    return NULL;
}

static json_t *
s_qualify(cm_action_t *a)
{
    json_t *problem = s_require_valid(a);
    if (!problem) {
        s_watch(a->commit, a->doc, a->now_ms);
    }
    return problem;
}

static void
s_suspension(cm_action_t *a, const char *cause)
{
    char at[CM_TIME_TEXT_MAX];
    json_object_set_new(a->doc, "suspension",
                        json_pack("{s:s, s:s}", "cause", cause, "at",
                                  cm_time_format(a->now_ms, at)));
    if (a->event_data) {
        json_object_set_new(a->event_data, "cause", json_string(cause));
    }
}

static json_t *
s_evaluate(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    json_t *evaluation =
        json_pack("{s:O, s:O, s:O, s:s, s:{s:O, s:O}}", "qualification",
                  json_object_get(a->body, "qualification"), "reputation",
                  json_object_get(a->body, "reputation"), "quality",
                  json_object_get(a->body, "quality"), "at",
                  cm_time_format(a->now_ms, at), "by", "id",
                  json_object_get(a->actor, "id"), "role",
                  json_object_get(a->actor, "role"));
    json_t *list = json_object_get(a->doc, "evaluations");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(a->doc, "evaluations", list);
    }
    json_array_append(list, evaluation);
    while (json_array_size(list) > S_EVALS_KEEP) {
        json_array_remove(list, 0);
    }
    json_object_set_new(a->doc, "last_evaluation", evaluation);
    int64_t floor = inventory_of(a->ctx)->quality_floor;
    bool qualified = strcmp(cm_doc_state(a->doc), "qualified") == 0;
    a->next_state = cm_doc_state(a->old);
    if (qualified && cm_doc_integer(a->body, "quality") < floor) {
        a->next_state = "suspended";
        s_suspension(a, "quality_below_floor");
        cm_action_event(a, INVENTORY_EVENT_SUPPLIER_SUSPENDED,
                        json_pack("{s:s, s:I}", "cause", "quality_below_floor",
                                  "quality_floor", (json_int_t)floor));
    }
    return NULL;
}

static json_t *
s_suspend(cm_action_t *a)
{
    s_suspension(a, "decision");
    json_object_set(json_object_get(a->doc, "suspension"), "reason",
                    json_object_get(a->body, "reason"));
    return NULL;
}

static json_t *
s_reinstate(cm_action_t *a)
{
    json_t *problem = s_require_valid(a);
    if (!problem) {
        json_object_del(a->doc, "suspension");
        s_watch(a->commit, a->doc, a->now_ms);
    }
    return problem;
}

static json_t *
s_expire(cm_action_t *a)
{
    s_suspension(a, "qualification_expired");
    return NULL;
}

#define S_ALL "candidate qualified suspended"

static const cm_workflow_row_t s_rows[] = {
    {S_ALL, "update", INVENTORY_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_SUPPLIER_UPDATED, s_update_fields, s_update,
     inventory_keeper_guard},
    {"candidate", "qualify", "dept_head", S_HEAD, NULL, "qualified",
     INVENTORY_EVENT_SUPPLIER_QUALIFIED, s_note_only, s_qualify},
    {"candidate qualified", "evaluate", INVENTORY_KEEPERS, 0, NULL,
     CM_WORKFLOW_BY_CODE, INVENTORY_EVENT_SUPPLIER_EVALUATED, s_evaluate_fields,
     s_evaluate, inventory_keeper_guard},
    {"qualified", "suspend", "dept_head", S_HEAD, NULL, "suspended",
     INVENTORY_EVENT_SUPPLIER_SUSPENDED, s_reason_fields, s_suspend},
    {"suspended", "reinstate", "dept_head", S_HEAD, NULL, "qualified",
     INVENTORY_EVENT_SUPPLIER_REINSTATED, s_note_only, s_reinstate},
    {"qualified", "expire", SUPPLIER_SELF_ROLE, CM_WORKFLOW_STRICT, NULL,
     "suspended", INVENTORY_EVENT_SUPPLIER_SUSPENDED, s_note_only, s_expire},
};

const cm_workflow_t supplier_workflow = {
    .name = "supplier",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"state", NULL, S_ALL},
    {NULL},
};

// The quantities rejected at receipts of this supplier's orders (a counter
// beside the document, order.c).
static void
s_decorate(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    char key[CM_STORE_KEY_MAX];
    const char *keys[] = {
        cm_doc_key(&supplier_type, cm_doc_text(doc, "id"), key, sizeof key)};
    const char *fields[] = {SUPPLIER_FIELD_REJECTED};
    int64_t rejected = 0;
    if (keys[0]
        && cm_store_counters(cm_ctx_store(ctx), keys, 1, fields, 1, &rejected)
               == 0) {
        json_object_set_new(view, SUPPLIER_FIELD_REJECTED,
                            json_integer(rejected));
    }
}

const cm_doc_type_t supplier_type = {
    .owner = INVENTORY_OWNER,
    .kind = "supplier",
    .what = "supplier",
    .id_prefix = "SU",
    .path = "/v1/suppliers",
    .filters = s_filters,
    .workflow = &supplier_workflow,
    .decorate = s_decorate,
};

// ---- the gate of orders

json_t *
supplier_require_qualified(cm_store_t *store, const char *id, const char *field)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &supplier_type, id, &doc, &version);
    json_t *problem = NULL;
    if (rc == CM_ENOTFOUND) {
        cm_validate_fail(&problem, field, "is not a supplier");
    } else if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    } else if (strcmp(cm_doc_state(doc), "qualified") != 0) {
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail,
                 "supplier %s is %s: only a qualified supplier receives "
                 "orders",
                 id, cm_doc_state(doc));
        problem = cm_problem_new(422, "supplier_not_qualified", detail);
        cm_problem_set(problem, "supplier", json_string(id));
        cm_problem_set(problem, "supplier_state",
                       json_string(cm_doc_state(doc)));
    }
    json_decref(doc);
    return problem;
}

// ---- expiry (the tick)

static json_t *
s_self_actor(void)
{
    return json_pack("{s:s, s:s}", "id", INVENTORY_OWNER, "role",
                     SUPPLIER_SELF_ROLE);
}

// Suspend one supplier whose document passed its date. The next due time
// of its timer (0: none).
static int64_t
s_expire_one(cm_store_t *store, const char *id, int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    if (cm_doc_read(store, &supplier_type, id, &doc, &version) != 0) {
        return 0; // gone, or Redis away: the lease brings it back
    }
    int expired = -1;
    int64_t end = s_first_end(doc, now_ms, &expired);
    bool qualified = strcmp(cm_doc_state(doc), "qualified") == 0;
    if (!qualified || expired < 0) {
        json_decref(doc);
        return qualified ? end : 0; // renewed: watch the new date
    }
    json_t *old = json_deep_copy(doc), *actor = s_self_actor();
    json_t *events = json_array();
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    cm_action_own_t own = {.type = &supplier_type,
                           .action = "expire",
                           .actor = actor,
                           .store = store,
                           .commit = commit,
                           .version = version,
                           .now_ms = now_ms};
    json_t *problem = cm_action_apply(&own, doc, events);
    int rc = problem ? -1
                     : cm_doc_commit(commit, &supplier_type, old, doc, version,
                                     now_ms);
    for (size_t i = 0; rc == 0 && i < json_array_size(events); i++) {
        const json_t *event = json_array_get(events, i);
        json_t *extra = json_pack("{s:s}", "cause", "qualification_expired");
        rc =
            cm_doc_event_add(commit, &supplier_type, cm_doc_text(event, "type"),
                             doc, version + 1, actor, NULL, extra);
    }
    char timers[CM_STORE_KEY_MAX];
    cm_commit_index_remove(commit, s_timers_key(timers), id);
    cm_commit_result_t result;
    if (rc == 0 && cm_store_commit(store, commit, &result) == 0) {
        if (result.outcome == CM_COMMIT_OK) {
            cm_log_notice("inventory.supplier.expired", "supplier", id);
        }
        cm_commit_result_clear(&result);
    }
    json_decref(problem);
    cm_commit_destroy(&commit);
    json_decref(events);
    json_decref(actor);
    json_decref(old);
    json_decref(doc);
    return 0;
}

void
supplier_expire(cm_store_t *store, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    char **due = NULL;
    size_t count = 0;
    s_timers_key(key);
    if (cm_store_timer_claim(store, key, now_ms, S_LEASE_MS, S_BATCH, &due,
                             &count)
        != 0) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int64_t next = s_expire_one(store, due[i], now_ms);
        cm_store_timer_settle(store, key, due[i], now_ms + S_LEASE_MS, next);
    }
    cm_store_strings_free(&due, count);
}

// ---- handlers

void
supplier_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers record suppliers");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &supplier_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "candidate", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_set_new(doc, "department", json_string(INVENTORY_DEPARTMENT));
    if (!json_object_get(doc, "qualifications")) {
        json_object_set_new(doc, "qualifications", json_array());
    }
    json_object_set_new(doc, "evaluations", json_array());
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    cm_doc_commit(commit, &supplier_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &supplier_type, INVENTORY_EVENT_SUPPLIER_CREATED,
                 doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, &supplier_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
supplier_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &supplier_type, NULL);
}

void
supplier_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &supplier_type);
}

void
supplier_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &supplier_type);
}

void
supplier_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &supplier_type);
}

void
supplier_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &supplier_type);
}
