#include "round.h"

#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_schedule.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/logistics.h"
#include "logistics.h"
#include "round_record.h"

#define S_TIMERS       "rounds"
#define S_LEASE_MS     30000
#define S_KEEP         10 // requested due times a round keeps
#define S_PATH_MAX     64
#define S_TITLE_MAX    201
#define S_KEY_MAX      120
#define S_INTERVAL_MAX 366

static const char *
s_timer_key(char *buf)
{
    return logistics_key(buf, "timers", S_TIMERS);
}

// The due time after `from` of round.
static int64_t
s_next(const json_t *round, int64_t from)
{
    const json_t *calendar = json_object_get(round, "calendar");
    if (json_is_object(calendar)) {
        return cm_schedule_calendar_next(calendar, from);
    }
    return from + cm_doc_integer(round, "interval_days") * CM_SCHEDULE_DAY_MS;
}

// ---- checks shared by create and update

static const cm_field_t s_item_fields[] = {
    {"text", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"hazard_level", CM_FIELD_ENUM, 0, .values = ROUND_HAZARD_LEVELS},
    CM_FIELD_END,
};

static bool
s_check_item(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_item_fields, value, field, problem_p);
}

// A security item without a hazard level is a medium one; a hygiene item
// carries none.
static void
s_check_checklist(json_t *doc, json_t **problem_p)
{
    bool security = strcmp(cm_doc_text(doc, "kind"), "security") == 0;
    json_t *checklist = json_object_get(doc, "checklist");
    for (size_t i = 0; i < json_array_size(checklist); i++) {
        json_t *item = json_array_get(checklist, i);
        bool level = json_is_string(json_object_get(item, "hazard_level"));
        if (security && !level) {
            json_object_set_new(item, "hazard_level", json_string("medium"));
        } else if (!security && level) {
            char path[S_PATH_MAX];
            snprintf(path, sizeof path, "checklist[%zu].hazard_level", i);
            cm_validate_fail(problem_p, path,
                             "only items of a security round carry a hazard "
                             "level");
        }
    }
}

// The round's schedule, checklist, department and assignee make sense:
// NULL, or the problem (400, 422 or 503). Caller owns it.
static json_t *
s_check_round(cm_store_t *store, json_t *doc)
{
    json_t *problem = NULL;
    bool days = json_is_integer(json_object_get(doc, "interval_days"));
    if (days == json_is_object(json_object_get(doc, "calendar"))) {
        cm_validate_fail(&problem, "interval_days",
                         "give either interval_days or calendar");
    }
    s_check_checklist(doc, &problem);
    if (problem) {
        return problem;
    }
    int rc = cm_org_department_open(store, LOGISTICS_OWNER,
                                    cm_doc_text(doc, "department"));
    if (rc == CM_ENOTFOUND) {
        cm_validate_fail(&problem, "department",
                         "is not a department of the station");
        return problem;
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    const char *assignee = cm_doc_string(doc, "assignee");
    if (assignee && !cm_org_id_is_active(store, LOGISTICS_OWNER, assignee)) {
        problem = cm_problem_new(422, "validation_failed",
                                 "the assignee is not active staff");
        cm_problem_add_error(problem, "assignee", "is not active staff");
    }
    return problem;
}

// ---- the process

static const cm_field_t s_update_fields[] = {
    {"title", CM_FIELD_STRING, 0, .to = "title"},
    {"area", CM_FIELD_STRING, 0, .to = "area"},
    {"department", CM_FIELD_CODE, 0, .to = "department"},
    {"assignee", CM_FIELD_CODE, 0, .to = "assignee"},
    {"interval_days", CM_FIELD_INTEGER, 0, .min = 1, .max = S_INTERVAL_MAX,
     .to = "interval_days"},
    {"calendar", CM_FIELD_OBJECT, 0, .to = "calendar",
     .check = cm_schedule_check_calendar},
    {"next_due", CM_FIELD_TIME, 0, .to = "next_due"},
    {"checklist", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = ROUND_CHECKLIST_MAX,
     .to = "checklist", .check = s_check_item},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_resume_fields[] = {
    {"next_due", CM_FIELD_TIME, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_note_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};

// A PATCH: what may not be cleared, one schedule, the next due time.
static json_t *
s_update(cm_action_t *a)
{
    json_t *problem = NULL;
    const char *required[] = {"title",         "area",     "department",
                              "interval_days", "calendar", "checklist",
                              "next_due"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        json_t *value = json_object_get(a->body, required[i]);
        if (json_is_null(value)) {
            cm_validate_fail(&problem, required[i], "may not be cleared");
        }
    }
    bool days = json_object_get(a->body, "interval_days") != NULL;
    bool calendar = json_object_get(a->body, "calendar") != NULL;
    if (days && calendar) {
        cm_validate_fail(&problem, "interval_days",
                         "give either interval_days or calendar");
    }
    if (problem) {
        return problem;
    }
    if (json_is_null(json_object_get(a->doc, "assignee"))) {
        json_object_del(a->doc, "assignee");
    }
    if (days || calendar) {
        json_object_del(a->doc, days ? "calendar" : "interval_days");
        if (!json_object_get(a->body, "next_due")
            && strcmp(cm_doc_state(a->doc), "active") == 0) {
            cm_doc_set_time(a->doc, "next_due", s_next(a->doc, a->now_ms));
        }
    }
    return s_check_round(a->store, a->doc);
}

static json_t *
s_stop(cm_action_t *a)
{
    json_object_set_new(a->doc, "next_due", json_null());
    return NULL;
}

static json_t *
s_resume(cm_action_t *a)
{
    int64_t next = cm_doc_time(a->body, "next_due", 0);
    cm_doc_set_time(a->doc, "next_due",
                    next > 0 ? next : s_next(a->doc, a->now_ms));
    return NULL;
}

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"active stopped", "update", LOGISTICS_STAFF_ROLES, 0, NULL,
     CM_WORKFLOW_STAY, LOGISTICS_EVENT_ROUND_UPDATED, s_update_fields,
     s_update, logistics_staff_guard},
    {"active", "stop", LOGISTICS_STAFF_ROLES, 0, NULL, "stopped",
     LOGISTICS_EVENT_ROUND_STOPPED, s_note_fields, s_stop,
     logistics_staff_guard},
    {"stopped", "resume", LOGISTICS_STAFF_ROLES, 0, NULL, "active",
     LOGISTICS_EVENT_ROUND_RESUMED, s_resume_fields, s_resume,
     logistics_staff_guard},
};
// clang-format on

const cm_workflow_t round_workflow = {
    .name = "round",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

// The timer follows next_due in every commit of the round.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    (void)old;    // the timer is keyed by the round alone
    (void)now_ms; // the score is the due time
    char key[CM_STORE_KEY_MAX];
    s_timer_key(key);
    bool active = strcmp(cm_doc_state(doc), "active") == 0;
    cm_commit_timer(commit, key, cm_doc_text(doc, "id"),
                    active ? cm_doc_time(doc, "next_due", 0) : 0);
}

static const cm_filter_t s_filters[] = {
    {"kind", NULL, ROUND_KINDS},
    {"state", NULL, "active stopped"},
    {"department"},
    {"assignee"},
    {NULL},
};

const cm_doc_type_t round_type = {
    .owner = LOGISTICS_OWNER,
    .kind = "round",
    .what = "round",
    .id_prefix = "RD",
    .path = "/v1/rounds",
    .filters = s_filters,
    .workflow = &round_workflow,
    .list_omits = "requested checklist",
    .indexes = s_indexes,
};

// ---- handlers

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = ROUND_KINDS},
    {"area", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, 0},
    {"assignee", CM_FIELD_CODE, 0},
    {"interval_days", CM_FIELD_INTEGER, 0, .min = 1, .max = S_INTERVAL_MAX},
    {"calendar", CM_FIELD_OBJECT, 0, .check = cm_schedule_check_calendar},
    {"first_due", CM_FIELD_TIME, 0},
    {"checklist", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = ROUND_CHECKLIST_MAX, .check = s_check_item},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static json_t *
s_new(cm_ctx_t *ctx, const char *id, const json_t *body, int64_t now)
{
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    json_object_del(doc, "first_due");
    if (!json_object_get(doc, "department")) {
        json_object_set_new(doc, "department",
                            json_string(LOGISTICS_DEPARTMENT));
    }
    json_object_set_new(doc, "requested", json_array());
    json_object_set_new(doc, "occurrences", json_integer(0));
    return doc;
}

void
round_create(cm_ctx_t *ctx)
{
    if (!logistics_is_staff(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics staff schedule the rounds");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = s_new(ctx, "RD-0", body, now);
    problem = s_check_round(cm_ctx_store(ctx), doc);
    char id[CM_ID_MAX];
    if (problem || cm_doc_next_id(ctx, &round_type, id) != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        }
        json_decref(doc);
        return;
    }
    json_object_set_new(doc, "id", json_string(id));
    int64_t first = cm_doc_time(body, "first_due", 0);
    cm_doc_set_time(doc, "next_due", first > 0 ? first : s_next(doc, now));
    cm_commit_t *commit = cm_commit_new(LOGISTICS_OWNER);
    cm_doc_commit(commit, &round_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &round_type, LOGISTICS_EVENT_ROUND_CREATED, doc,
                 1, NULL);
    cm_doc_reply_commit(ctx, commit, &round_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
round_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &round_type, NULL);
}

void
round_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &round_type);
}

void
round_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &round_type);
}

void
round_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &round_type);
}

void
round_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &round_type);
}

// ---- due rounds (the tick)

// The work order dispatch opens for the round's due time: the record staff
// fill in is its source.
static json_t *
s_work_request(const json_t *round, const char *due, const char *record)
{
    char title[S_TITLE_MAX], key[S_KEY_MAX];
    bool security = strcmp(cm_doc_text(round, "kind"), "security") == 0;
    snprintf(title, sizeof title, "%s round %.60s: %.120s",
             security ? "Security" : "Hygiene", cm_doc_text(round, "area"),
             cm_doc_text(round, "title"));
    snprintf(key, sizeof key, "%s/%s", cm_doc_text(round, "id"), due);
    json_t *request = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "key", key, "department",
        cm_doc_text(round, "department"), "title", title, "kind", "round",
        "source", "type", "round_record", "id", record, "priority", "normal");
    if (cm_doc_string(round, "assignee")) {
        json_object_set(request, "assignee",
                        json_object_get(round, "assignee"));
    }
    return json_pack("{s:o, s:s, s:s}", "request", request, "due", due,
                     "record", record);
}

// Move round past its due time `due` (one occurrence for every due time
// missed meanwhile) and note the record opened for it.
static void
s_advance(json_t *round, const char *due_text, int64_t due, const char *record,
          int64_t now_ms)
{
    json_t *requested = json_object_get(round, "requested");
    if (!json_is_array(requested)) {
        requested = json_array();
        json_object_set_new(round, "requested", requested);
    }
    json_array_append_new(
        requested, json_pack("{s:s, s:s}", "due", due_text, "record", record));
    while (json_array_size(requested) > S_KEEP) {
        json_array_remove(requested, 0);
    }
    json_object_set_new(round, "occurrences",
                        json_integer(cm_doc_integer(round, "occurrences") + 1));
    json_object_set_new(round, "last_due", json_string(due_text));
    int64_t next = s_next(round, due);
    while (next <= now_ms) {
        next = s_next(round, next);
    }
    cm_doc_set_time(round, "next_due", next);
}

// The commit of one due round: the round moved on, its record opened, the
// work request and the record's event. 0 or a negative cm_status_t.
static int
s_commit_due(cm_store_t *store, json_t *round, int64_t version, int64_t due,
             int64_t now_ms)
{
    int64_t number = 0;
    int rc = cm_store_next_id(store, LOGISTICS_OWNER, round_record_type.kind,
                              &number);
    if (rc != 0) {
        return rc;
    }
    char record_id[CM_ID_MAX], at[CM_TIME_TEXT_MAX];
    cm_id_format(round_record_type.id_prefix, number, record_id);
    cm_time_format(due, at);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", LOGISTICS_OWNER, "role", LOGISTICS_OWNER);
    json_t *old = json_deep_copy(round);
    json_t *record = round_record_new(record_id, round, at, actor, now_ms);
    s_advance(round, at, due, record_id, now_ms);
    cm_doc_history_add(round, actor, "due", NULL, NULL, NULL,
                       json_pack("{s:s, s:s}", "due", at, "record", record_id),
                       now_ms);
    cm_commit_t *commit = cm_commit_new(LOGISTICS_OWNER);
    rc = cm_doc_commit(commit, &round_type, old, round, version, now_ms);
    rc = rc ? rc
            : cm_doc_commit(commit, &round_record_type, NULL, record,
                            CM_VERSION_NEW, now_ms);
    rc = rc ? rc
            : cm_doc_event_add(commit, &round_type,
                               LOGISTICS_EVENT_ROUND_WORK_REQUESTED, round,
                               version + 1, actor, NULL,
                               s_work_request(round, at, record_id));
    rc = rc ? rc
            : cm_doc_event_add(commit, &round_record_type,
                               LOGISTICS_EVENT_ROUND_RECORD_OPENED, record, 1,
                               actor, NULL, NULL);
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    if (rc == 0) {
        rc = cm_store_commit(store, commit, &result);
        rc = rc == 0 && result.outcome != CM_COMMIT_OK ? CM_ECONFLICT : rc;
    }
    if (rc == 0) {
        cm_log_info("round.due", "round", cm_doc_text(round, "id"), "record",
                    record_id, "due", at);
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(record);
    json_decref(old);
    json_decref(actor);
    return rc;
}

// Handle one leased round: open its occurrence, version-checked. A round
// that is no longer due settles its timer; a failed commit leaves the
// lease to fall due again.
static void
s_handle(cm_store_t *store, const char *id, int64_t now_ms, int64_t lease)
{
    char key[CM_STORE_KEY_MAX];
    s_timer_key(key);
    json_t *round = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &round_type, id, &round, &version);
    if (rc != 0) {
        if (rc == CM_ENOTFOUND) {
            (void)cm_store_timer_settle(store, key, id, lease, 0);
        }
        return;
    }
    int64_t due = cm_doc_time(round, "next_due", 0);
    bool active = strcmp(cm_doc_state(round), "active") == 0;
    if (!active || due <= 0 || due > now_ms) {
        (void)cm_store_timer_settle(store, key, id, lease, active ? due : 0);
    } else {
        (void)s_commit_due(store, round, version, due, now_ms);
    }
    json_decref(round);
}

size_t
round_tick(cm_store_t *store, int64_t now_ms, size_t limit)
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
