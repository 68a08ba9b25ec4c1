#include "round_record.h"

#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/logistics.h"
#include "logistics.h"
#include "round.h"

#define S_PATH_MAX  64
#define S_TITLE_MAX 201
#define S_KEY_MAX   120
#define S_ITEMS_MAX 64 // the failed items' numbers in a follow-up's title

json_t *
round_record_new(const char *id, const json_t *round, const char *due,
                 const json_t *actor, int64_t now_ms)
{
    json_t *doc = cm_doc_new(id, "open", actor, now_ms);
    static const char *const copied[] = {"kind", "area", "title", "department"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_object_set(doc, copied[i], json_object_get(round, copied[i]));
    }
    json_object_set(doc, "round", json_object_get(round, "id"));
    json_t *assignee = json_object_get(round, "assignee");
    json_object_set_new(doc, "assignee",
                        assignee ? json_incref(assignee) : json_null());
    json_object_set_new(doc, "due", json_string(due));
    const json_t *checklist = json_object_get(round, "checklist");
    json_t *items = json_array();
    for (size_t i = 0; i < json_array_size(checklist); i++) {
        json_t *item = json_deep_copy(json_array_get(checklist, i));
        json_object_set_new(item, "item", json_integer((json_int_t)i + 1));
        json_object_set_new(item, "result", json_null());
        json_array_append_new(items, item);
    }
    json_object_set_new(doc, "items", items);
    json_object_set_new(doc, "recorded", json_integer(0));
    json_object_set_new(doc, "failed", json_integer(0));
    return doc;
}

// ---- the process

static const cm_field_t s_result_fields[] = {
    {"item", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
     .max = ROUND_CHECKLIST_MAX},
    {"result", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = "ok failed"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_result(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_result_fields, value, field, problem_p);
}

static const cm_field_t s_record_fields[] = {
    {"results", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = ROUND_CHECKLIST_MAX, .check = s_check_result},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// The round's assignee records; so do the logistics staff.
static bool
s_recorder_guard(const json_t *actor, const json_t *doc)
{
    const char *assignee = cm_doc_string(doc, "assignee");
    const char *id = cm_doc_string(actor, "id");
    return logistics_staff_guard(actor, doc)
           || (assignee && id && strcmp(assignee, id) == 0);
}

// Every result names an item of the checklist once, a failed one has a
// note: NULL, or the problem (400; 409 item_recorded for an item that has
// its result already).
static json_t *
s_check_results(cm_action_t *a, const json_t *results)
{
    const json_t *items = json_object_get(a->doc, "items");
    size_t n = json_array_size(items);
    bool seen[ROUND_CHECKLIST_MAX + 1] = {false};
    json_t *problem = NULL;
    char path[S_PATH_MAX], recorded[S_PATH_MAX] = "";
    for (size_t i = 0; i < json_array_size(results); i++) {
        const json_t *r = json_array_get(results, i);
        int64_t item = cm_doc_integer(r, "item");
        snprintf(path, sizeof path, "results[%zu].item", i);
        if (item < 1 || (size_t)item > n || seen[item]) {
            cm_validate_fail(&problem, path,
                             "must name a checklist item, once");
            continue;
        }
        seen[item] = true;
        if (!json_is_null(
                json_object_get(json_array_get(items, item - 1), "result"))) {
            snprintf(recorded, sizeof recorded, "%s", path);
        }
        if (strcmp(cm_doc_text(r, "result"), "failed") == 0
            && !cm_doc_string(r, "note")) {
            snprintf(path, sizeof path, "results[%zu].note", i);
            cm_validate_fail(&problem, path,
                             "is required when the item failed");
        }
    }
    if (!problem && *recorded) {
        problem = cm_action_refuse(a, 409, "item_recorded",
                                   "That item has its result already.");
        cm_problem_set(problem, "field", json_string(recorded));
    }
    return problem;
}

// The follow-up work order of the hygiene items failed in one action.
static json_t *
s_follow_up(const json_t *doc, const json_t *failed)
{
    char title[S_TITLE_MAX], key[S_KEY_MAX], numbers[S_ITEMS_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(failed) && used < sizeof numbers;
         i++) {
        int n = snprintf(
            numbers + used, sizeof numbers - used, "%s%lld", i ? ", " : "",
            (long long)json_integer_value(json_array_get(failed, i)));
        used += n > 0 ? (size_t)n : 0;
    }
    snprintf(title, sizeof title, "Hygiene follow-up %.60s: items %.60s",
             cm_doc_text(doc, "area"), numbers);
    snprintf(key, sizeof key, "%s/followup/%lld", cm_doc_text(doc, "id"),
             (long long)json_integer_value(json_array_get(failed, 0)));
    json_t *request =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:O}, s:s}", "key", key,
                  "department", cm_doc_text(doc, "department"), "title", title,
                  "kind", "round", "source", "type", "round_record", "id",
                  json_object_get(doc, "id"), "priority", "normal");
    if (cm_doc_string(doc, "assignee")) {
        json_object_set(request, "assignee", json_object_get(doc, "assignee"));
    }
    return json_pack("{s:o, s:O}", "request", request, "items", failed);
}

// Write one result on its item; a failed one goes to the security or the
// hygiene list.
static void
s_apply(cm_action_t *a, const json_t *r, json_t *applied, json_t *security,
        json_t *hygiene)
{
    json_t *items = json_object_get(a->doc, "items");
    int64_t n = cm_doc_integer(r, "item");
    json_t *item = json_array_get(items, (size_t)n - 1);
    char at[CM_TIME_TEXT_MAX];
    json_object_set(item, "result", json_object_get(r, "result"));
    json_t *note = json_object_get(r, "note");
    json_object_set_new(item, "note", note ? json_incref(note) : json_null());
    json_object_set(item, "by", json_object_get(a->actor, "id"));
    json_object_set_new(item, "at", json_string(cm_time_format(a->now_ms, at)));
    json_array_append(applied, item);
    if (strcmp(cm_doc_text(r, "result"), "failed") != 0) {
        return;
    }
    if (strcmp(cm_doc_text(a->doc, "kind"), "security") == 0) {
        json_array_append_new(
            security, json_pack("{s:I, s:O, s:O, s:O}", "item", (json_int_t)n,
                                "text", json_object_get(item, "text"), "note",
                                json_object_get(item, "note"), "hazard_level",
                                json_object_get(item, "hazard_level")));
    } else {
        json_array_append_new(hygiene, json_integer(n));
    }
}

static json_t *
s_record(cm_action_t *a)
{
    const json_t *results = json_object_get(a->body, "results");
    json_t *problem = s_check_results(a, results);
    if (problem) {
        return problem;
    }
    json_t *applied = json_array(), *security = json_array();
    json_t *hygiene = json_array();
    for (size_t i = 0; i < json_array_size(results); i++) {
        s_apply(a, json_array_get(results, i), applied, security, hygiene);
    }
    const json_t *items = json_object_get(a->doc, "items");
    json_int_t recorded = 0, failed = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *result = cm_doc_string(json_array_get(items, i), "result");
        recorded += result != NULL;
        failed += result && strcmp(result, "failed") == 0;
    }
    json_object_set_new(a->doc, "recorded", json_integer(recorded));
    json_object_set_new(a->doc, "failed", json_integer(failed));
    a->next_state =
        (size_t)recorded == json_array_size(items) ? "completed" : "open";
    json_object_set_new(a->event_data, "results", applied);
    for (size_t i = 0; i < json_array_size(security);
         i += LOGISTICS_ROUND_FAILED_PER_EVENT) {
        json_t *chunk = json_array();
        for (size_t j = i; j < json_array_size(security)
                           && j < i + LOGISTICS_ROUND_FAILED_PER_EVENT;
             j++) {
            json_array_append(chunk, json_array_get(security, j));
        }
        cm_action_event(a, LOGISTICS_EVENT_ROUND_RECORD_SECURITY_FAILED,
                        json_pack("{s:o}", "items", chunk));
    }
    if (json_array_size(hygiene) > 0) {
        cm_action_event(a, LOGISTICS_EVENT_ROUND_RECORD_WORK_REQUESTED,
                        s_follow_up(a->doc, hygiene));
    }
    json_decref(security);
    json_decref(hygiene);
    return NULL;
}

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"open", "record", LOGISTICS_ANY_STAFF, 0, NULL, CM_WORKFLOW_BY_CODE,
     LOGISTICS_EVENT_ROUND_RECORD_RECORDED, s_record_fields, s_record,
     s_recorder_guard},
};
// clang-format on

const cm_workflow_t round_record_workflow = {
    .name = "round_record",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "completed",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"round"},
    {"assignee"},
    {"state", NULL, "open completed"},
    {"kind", NULL, ROUND_KINDS},
    {NULL},
};

const cm_doc_type_t round_record_type = {
    .owner = LOGISTICS_OWNER,
    .kind = "round_record",
    .what = "round record",
    .id_prefix = "RR",
    .path = "/v1/round-records",
    .filters = s_filters,
    .workflow = &round_record_workflow,
    .list_omits = "items",
};

// ---- handlers

void
round_record_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &round_record_type, NULL);
}

void
round_record_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &round_record_type);
}

void
round_record_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &round_record_type);
}

void
round_record_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &round_record_type);
}
