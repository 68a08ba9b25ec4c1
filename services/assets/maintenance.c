#include "maintenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_schedule.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "equipment.h"
#include "events/assets.h"

#define S_KEEP       10 // requested due times and records a plan keeps
#define S_SKIPS_KEEP 20
#define S_LEASE_MS   30000
#define S_TITLE_MAX  201
#define S_KEY_MAX    120
#define S_PATH_MAX   64
#define S_CHECKLIST  30

static const char *
s_timer_key(char *buf)
{
    return cm_store_key(buf, CM_STORE_KEY_MAX, ASSETS_OWNER, "timers",
                        MAINTENANCE_TIMERS);
}

// The due time after `from` of plan.
static int64_t
s_next(const json_t *plan, int64_t from)
{
    const json_t *calendar = json_object_get(plan, "calendar");
    if (json_is_object(calendar)) {
        return cm_schedule_calendar_next(calendar, from);
    }
    return from
           + cm_doc_integer(plan, "interval_days") * assets_config()->day_ms;
}

// ---- the process

static const cm_field_t s_result_fields[] = {
    {"item", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = S_CHECKLIST},
    {"result", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
     .values = "done not_done defect"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_result(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_result_fields, value, field, problem_p);
}

static const cm_field_t s_complete_fields[] = {
    {"due", CM_FIELD_TIME, CM_FIELD_REQUIRED},
    {"results", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_CHECKLIST, .check = s_check_result},
    {"notes", CM_FIELD_TEXT, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_note_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};

// The requested occurrence of plan at due (RFC 3339), or NULL. Borrowed.
static json_t *
s_occurrence(const json_t *plan, const char *due)
{
    int64_t want = 0, at = 0;
    if (cm_time_parse(due, &want) != 0) {
        return NULL;
    }
    json_t *requested = json_object_get(plan, "requested");
    for (size_t i = 0; i < json_array_size(requested); i++) {
        json_t *entry = json_array_get(requested, i);
        if (cm_time_parse(cm_doc_text(entry, "due"), &at) == 0 && at == want) {
            return entry;
        }
    }
    return NULL;
}

// Every checklist item once: the results with each item's task, or NULL
// after filling *problem_p.
static json_t *
s_results(const json_t *plan, const json_t *results, json_t **problem_p)
{
    const json_t *checklist = json_object_get(plan, "checklist");
    size_t n = json_array_size(checklist);
    bool seen[S_CHECKLIST + 1] = {false};
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(results); i++) {
        const json_t *r = json_array_get(results, i);
        int64_t item = cm_doc_integer(r, "item");
        char path[S_PATH_MAX];
        snprintf(path, sizeof path, "results[%zu].item", i);
        if (item < 1 || (size_t)item > n || seen[item]) {
            cm_validate_fail(problem_p, path,
                             "must name a checklist item, once");
            continue;
        }
        seen[item] = true;
        json_t *entry = json_deep_copy(r);
        json_object_set(
            entry, "task",
            json_object_get(json_array_get(checklist, item - 1), "task"));
        json_array_append_new(out, entry);
    }
    for (size_t item = 1; item <= n && !*problem_p; item++) {
        if (!seen[item]) {
            cm_validate_fail(problem_p, "results",
                             "must give every checklist item a result");
        }
    }
    if (*problem_p) {
        json_decref(out);
        return NULL;
    }
    return out;
}

// Keep the last `keep` entries of array member `member` after appending.
static void
s_append(json_t *doc, const char *member, json_t *entry, size_t keep)
{
    json_t *list = json_object_get(doc, member);
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(doc, member, list);
    }
    json_array_append_new(list, entry);
    while (json_array_size(list) > keep) {
        json_array_remove(list, 0);
    }
}

static const char *s_due(json_t *plan, const json_t *equipment, int64_t due,
                         int64_t now_ms, json_t **extra);

// A due time that has come but that the tick has not handled yet is
// requested by the completion itself, in its commit (version-checked on the
// plan, as the tick's). The occurrence, or NULL.
static json_t *
s_request_now(cm_action_t *a, const char *due)
{
    int64_t at = 0;
    int64_t next = cm_doc_time(a->doc, "next_due", 0);
    if (cm_time_parse(due, &at) != 0 || at != next || at > a->now_ms) {
        return NULL;
    }
    json_t *equipment = NULL, *extra = NULL;
    int64_t version = 0;
    (void)cm_doc_read(a->store, &equipment_type,
                      cm_doc_text(a->doc, "equipment"), &equipment, &version);
    const char *type = s_due(a->doc, equipment, at, a->now_ms, &extra);
    json_decref(equipment);
    if (strcmp(type, ASSETS_EVENT_MAINTENANCE_WORK_REQUESTED) != 0) {
        json_decref(extra);
        return NULL; // skipped: the equipment is out of service
    }
    cm_action_event(a, type, extra);
    return s_occurrence(a->doc, due);
}

static json_t *
s_complete(cm_action_t *a)
{
    const char *due = cm_doc_text(a->body, "due");
    json_t *occurrence = s_occurrence(a->doc, due), *problem = NULL;
    if (!occurrence) {
        occurrence = s_request_now(a, due);
    }
    if (!occurrence) {
        problem = cm_problem_new(422, "validation_failed",
                                 "no work was requested for that due time");
        cm_validate_fail(&problem, "due", "is not a requested due time");
        return problem;
    }
    if (json_object_get(occurrence, "record")) {
        return cm_action_refuse(a, 409, "completed_already",
                                "That due time is completed already.");
    }
    json_t *results =
        s_results(a->doc, json_object_get(a->body, "results"), &problem);
    int64_t number = 0;
    if (!results) {
        return problem;
    }
    if (cm_store_next_id(a->store, ASSETS_OWNER, record_type.kind, &number)
        != 0) {
        json_decref(results);
        return cm_problem_from_status(CM_EUNAVAILABLE, NULL);
    }
    char id[CM_ID_MAX];
    cm_id_format(record_type.id_prefix, number, id);
    json_t *record = cm_doc_new(id, "recorded", a->actor, a->now_ms);
    json_object_set(record, "plan", json_object_get(a->doc, "id"));
    json_object_set(record, "equipment", json_object_get(a->doc, "equipment"));
    json_object_set(record, "title", json_object_get(a->doc, "title"));
    json_object_set_new(record, "due", json_string(due));
    json_object_set_new(record, "results", results);
    json_object_set(record, "notes", json_object_get(a->body, "notes"));
    json_object_set_new(record, "by", json_string(cm_doc_text(a->actor, "id")));
    cm_doc_commit(a->commit, &record_type, NULL, record, CM_VERSION_NEW,
                  a->now_ms);
    json_decref(record);
    json_object_set_new(occurrence, "record", json_string(id));
    cm_doc_set_time(a->doc, "last_completed_at", a->now_ms);
    if (strcmp(cm_doc_text(a->doc, "basis"), "completion") == 0) {
        cm_doc_set_time(a->doc, "next_due", s_next(a->doc, a->now_ms));
    }
    json_object_set_new(a->event_data, "record", json_string(id));
    return NULL;
}

// stop: nothing falls due any more, and the work orders of due times not
// completed (the last CM_ACTION_EVENTS_MAX) are withdrawn from dispatch.
static json_t *
s_stop(cm_action_t *a)
{
    json_object_set_new(a->doc, "next_due", json_null());
    const json_t *requested = json_object_get(a->doc, "requested");
    size_t n = json_array_size(requested), sent = 0;
    for (size_t i = n; i > 0 && sent < CM_ACTION_EVENTS_MAX; i--) {
        const json_t *entry = json_array_get(requested, i - 1);
        if (json_object_get(entry, "record")) {
            continue;
        }
        char key[S_KEY_MAX];
        snprintf(key, sizeof key, "%s/%s", cm_doc_text(a->doc, "id"),
                 cm_doc_text(entry, "due"));
        cm_action_event(a, ASSETS_EVENT_MAINTENANCE_WORK_CANCELLED,
                        json_pack("{s:{s:s}}", "request", "key", key));
        sent++;
    }
    return NULL;
}

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"active stopped", "complete", ASSETS_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_MAINTENANCE_COMPLETED, s_complete_fields, s_complete,
     assets_keeper_guard},
    {"active", "stop", ASSETS_KEEPERS, 0, NULL, "stopped",
     ASSETS_EVENT_MAINTENANCE_STOPPED, s_note_fields, s_stop,
     assets_keeper_guard},
};
// clang-format on

const cm_workflow_t maintenance_workflow = {
    .name = "maintenance_plan",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "stopped",
    .superuser_role = "station_head",
};

// The timer follows next_due in every commit of the plan.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    (void)old;    // the timer is keyed by the plan alone
    (void)now_ms; // the score is the due time
    char key[CM_STORE_KEY_MAX];
    s_timer_key(key);
    bool active = strcmp(cm_doc_state(doc), "active") == 0;
    cm_commit_timer(commit, key, cm_doc_text(doc, "id"),
                    active ? cm_doc_time(doc, "next_due", 0) : 0);
}

static const cm_filter_t s_filters[] = {
    {"equipment"},
    {"state", NULL, "active stopped"},
    {NULL},
};

const cm_doc_type_t maintenance_type = {
    .owner = ASSETS_OWNER,
    .kind = "maintenance",
    .what = "maintenance plan",
    .id_prefix = "MP",
    .path = "/v1/maintenance-plans",
    .filters = s_filters,
    .workflow = &maintenance_workflow,
    .list_omits = "requested skipped checklist",
    .indexes = s_indexes,
};

static const cm_filter_t s_record_filters[] = {
    {"equipment"},
    {NULL},
};

const cm_doc_type_t record_type = {
    .owner = ASSETS_OWNER,
    .kind = "mrecord",
    .what = "maintenance record",
    .id_prefix = "MR",
    .path = "/v1/maintenance-plans",
    .filters = s_record_filters,
};

// ---- creating plans

static const cm_field_t s_task_fields[] = {
    {"task", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = MAINTENANCE_TASKS},
    {"text", CM_FIELD_STRING, 0},
    CM_FIELD_END,
};

static bool
s_check_task(const json_t *value, const char *field, json_t **problem_p)
{
    bool ok = cm_field_check_object(s_task_fields, value, field, problem_p);
    if (ok && strcmp(cm_doc_text(value, "task"), "other") == 0
        && !cm_doc_string(value, "text")) {
        char path[S_PATH_MAX];
        snprintf(path, sizeof path, "%s.text", field);
        cm_validate_fail(problem_p, path, "is required for a free item");
        ok = false;
    }
    return ok;
}

static const cm_field_t s_create_fields[] = {
    {"equipment", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"interval_days", CM_FIELD_INTEGER, 0, .min = 1, .max = 3660},
    {"calendar", CM_FIELD_OBJECT, 0, .check = cm_schedule_check_calendar},
    {"basis", CM_FIELD_ENUM, 0, .values = "due_date completion"},
    {"first_due", CM_FIELD_TIME, 0},
    {"checklist", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = S_CHECKLIST, .check = s_check_task},
    {"department", CM_FIELD_CODE, 0},
    {"skill", CM_FIELD_CODE, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static json_t *
s_check_create(cm_ctx_t *ctx, const json_t *body, json_t **equipment)
{
    json_t *problem = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)) {
        return problem;
    }
    bool days = json_object_get(body, "interval_days") != NULL;
    if (days == (json_object_get(body, "calendar") != NULL)) {
        cm_validate_fail(&problem, "interval_days",
                         "give either interval_days or calendar");
        return problem;
    }
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &equipment_type,
                         cm_doc_text(body, "equipment"), equipment, &version);
    if (rc == CM_ENOTFOUND) {
        problem = cm_problem_new(422, "validation_failed", "no such equipment");
        cm_validate_fail(&problem, "equipment", "is not registered");
    } else if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    } else if (cm_validate_name_in("scrapping scrapped",
                                   cm_doc_state(*equipment))) {
        problem = cm_problem_new(409, "equipment_scrapped",
                                 "the equipment is scrapped or being "
                                 "scrapped");
        cm_problem_add_error(problem, "equipment", "is scrapped");
    }
    return problem;
}

static json_t *
s_new(cm_ctx_t *ctx, const char *id, const json_t *body,
      const json_t *equipment, int64_t now)
{
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    json_object_del(doc, "first_due");
    json_object_set(doc, "tag", json_object_get(equipment, "tag"));
    if (!json_object_get(doc, "basis")) {
        json_object_set_new(doc, "basis", json_string("due_date"));
    }
    if (!json_object_get(doc, "department")) {
        json_object_set_new(doc, "department",
                            json_string(assets_config()->technical_department));
    }
    int64_t first = cm_doc_time(body, "first_due", 0);
    cm_doc_set_time(doc, "next_due", first > 0 ? first : s_next(doc, now));
    json_object_set_new(doc, "requested", json_array());
    json_object_set_new(doc, "skipped", json_array());
    json_object_set_new(doc, "occurrences", json_integer(0));
    return doc;
}

void
maintenance_create(cm_ctx_t *ctx)
{
    if (!assets_keeper_guard(cm_ctx_actor(ctx), NULL)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the technical department plans maintenance");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *equipment = NULL;
    json_t *problem = s_check_create(ctx, body, &equipment);
    char id[CM_ID_MAX];
    if (problem || cm_doc_next_id(ctx, &maintenance_type, id) != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        }
        json_decref(equipment);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = s_new(ctx, id, body, equipment, now);
    cm_commit_t *commit = cm_commit_new(ASSETS_OWNER);
    cm_doc_commit(commit, &maintenance_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &maintenance_type,
                 ASSETS_EVENT_MAINTENANCE_CREATED, doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, &maintenance_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
    json_decref(equipment);
}

void
maintenance_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &maintenance_type, NULL);
}

void
maintenance_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &maintenance_type);
}

void
maintenance_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &maintenance_type);
}

void
maintenance_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &maintenance_type);
}

// ---- due plans (the tick)

// The maintenance work order dispatch opens for the plan's due time.
static json_t *
s_work_request(const json_t *plan, const char *due)
{
    char title[S_TITLE_MAX], key[S_KEY_MAX];
    snprintf(title, sizeof title, "Maintenance %.60s: %.120s",
             cm_doc_text(plan, "tag"), cm_doc_text(plan, "title"));
    snprintf(key, sizeof key, "%s/%s", cm_doc_text(plan, "id"), due);
    json_t *request = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:b}", "key", key,
        "department", cm_doc_text(plan, "department"), "title", title, "kind",
        "maintenance", "source", "type", "maintenance_plan", "id",
        cm_doc_text(plan, "id"), "priority", "normal", "field_work", 1);
    if (cm_doc_string(plan, "skill")) {
        json_object_set(request, "skill", json_object_get(plan, "skill"));
    }
    return json_pack("{s:o, s:s}", "request", request, "due", due);
}

// Request (or skip) plan's due time `due` and move it to its next one, in
// commit. Returns the event type published.
static const char *
s_due(json_t *plan, const json_t *equipment, int64_t due, int64_t now_ms,
      json_t **extra)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(due, at);
    bool in_service =
        equipment && strcmp(cm_doc_state(equipment), "in_service") == 0;
    const char *type;
    if (in_service) {
        *extra = s_work_request(plan, at);
        s_append(plan, "requested", json_pack("{s:s}", "due", at), S_KEEP);
        json_object_set_new(
            plan, "occurrences",
            json_integer(cm_doc_integer(plan, "occurrences") + 1));
        json_object_set_new(plan, "last_due", json_string(at));
        type = ASSETS_EVENT_MAINTENANCE_WORK_REQUESTED;
    } else {
        const char *state = equipment ? cm_doc_state(equipment) : "unknown";
        *extra = json_pack("{s:s, s:s}", "due", at, "equipment_state", state);
        s_append(plan, "skipped", json_deep_copy(*extra), S_SKIPS_KEEP);
        type = ASSETS_EVENT_MAINTENANCE_SKIPPED;
    }
    bool after_completion =
        strcmp(cm_doc_text(plan, "basis"), "completion") == 0 && in_service;
    int64_t next = s_next(plan, due);
    while (next <= now_ms) {
        next = s_next(plan, next); // due times missed meanwhile: one request
    }
    if (after_completion) {
        json_object_set_new(plan, "next_due", json_null());
    } else {
        cm_doc_set_time(plan, "next_due", next);
    }
    return type;
}

// Handle one leased plan: request or skip its due time, version-checked.
static void
s_handle(cm_store_t *store, const char *id, int64_t now_ms, int64_t lease)
{
    char key[CM_STORE_KEY_MAX];
    s_timer_key(key);
    json_t *plan = NULL, *equipment = NULL, *extra = NULL;
    int64_t version = 0, equipment_version = 0;
    if (cm_doc_read(store, &maintenance_type, id, &plan, &version) != 0) {
        return; // gone or Redis trouble: the lease falls due again
    }
    int64_t due = cm_doc_time(plan, "next_due", 0);
    if (strcmp(cm_doc_state(plan), "active") != 0 || due <= 0 || due > now_ms) {
        (void)cm_store_timer_settle(
            store, key, id, lease,
            strcmp(cm_doc_state(plan), "active") == 0 ? due : 0);
        json_decref(plan);
        return;
    }
    (void)cm_doc_read(store, &equipment_type, cm_doc_text(plan, "equipment"),
                      &equipment, &equipment_version);
    json_t *old = json_deep_copy(plan);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", ASSETS_SELF, "role", ASSETS_SELF);
    const char *type = s_due(plan, equipment, due, now_ms, &extra);
    cm_doc_history_add(
        plan, actor,
        strcmp(type, ASSETS_EVENT_MAINTENANCE_SKIPPED) == 0 ? "skip" : "due",
        NULL, NULL, NULL, json_deep_copy(extra), now_ms);
    cm_commit_t *commit = cm_commit_new(ASSETS_OWNER);
    cm_doc_commit(commit, &maintenance_type, old, plan, version, now_ms);
    cm_doc_event_add(commit, &maintenance_type, type, plan, version + 1, actor,
                     NULL, extra);
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    if (cm_store_commit(store, commit, &result) == 0
        && result.outcome == CM_COMMIT_OK) {
        cm_log_info("maintenance.due", "plan", id, "event", type);
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(actor);
    json_decref(old);
    json_decref(equipment);
    json_decref(plan);
}

size_t
maintenance_tick(cm_store_t *store, int64_t now_ms, size_t limit)
{
    char key[CM_STORE_KEY_MAX];
    char **members = NULL;
    size_t count = 0;
    if (cm_store_timer_claim(store, s_timer_key(key), now_ms, S_LEASE_MS, limit,
                             &members, &count)
        != 0) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        s_handle(store, members[i], now_ms, now_ms + S_LEASE_MS);
    }
    cm_store_strings_free(&members, count);
    return count;
}
