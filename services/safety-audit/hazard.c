#include "hazard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_cloudevent.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/external.h"
#include "events/logistics.h"
#include "events/safety.h"
#include "safety.h"

#define S_DETAIL_MAX 256
#define S_TIMERS     "hazard_deadlines"
#define S_LEVEL_MAX  3
#define S_CURSOR_MAX 48
#define S_TICK_BATCH 20

static const char *
s_timer_key(char *buf)
{
    return cm_store_key(buf, CM_STORE_KEY_MAX, SAFETY_OWNER, "timers",
                        S_TIMERS);
}
#define S_WARDENS   "safety_officer station_head"
#define S_TITLE_MAX 201

json_t *
hazard_new(const char *id, const json_t *fields, const json_t *source,
           const json_t *actor, int64_t now_ms)
{
    json_t *doc = cm_doc_new(id, "reported", actor, now_ms);
    static const char *const copied[] = {"title", "description", "location",
                                         "department", "severity"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *value = json_object_get(fields, copied[i]);
        json_object_set(doc, copied[i], value ? value : json_null());
    }
    json_object_set(doc, "source", (json_t *)source);
    json_object_set_new(doc, "reported_by",
                        json_string(cm_doc_text(actor, "id")));
    static const char *const empty[] = {
        "owner",         "deadline",     "emergency_measure",
        "rectification", "rectified_by", "verification"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        json_object_set_new(doc, empty[i], json_null());
    }
    return doc;
}

// ---- the process

static json_t *
s_measure(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_object_set_new(a->doc, "emergency_measure",
                        json_pack("{s:O, s:s, s:s}", "measure",
                                  json_object_get(a->body, "measure"), "by",
                                  cm_doc_text(a->actor, "id"), "at", at));
    return NULL;
}

// The rectification work order dispatch opens for the hazard.
static json_t *
s_work_request(const json_t *doc)
{
    char title[S_TITLE_MAX];
    snprintf(title, sizeof title, "Rectify %s: %.150s", cm_doc_text(doc, "id"),
             cm_doc_text(doc, "title"));
    return json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:O, s:O, s:b}}", "request",
        "key", cm_doc_text(doc, "id"), "department",
        cm_doc_text(doc, "department"), "title", title, "kind", "rectification",
        "source", "type", "hazard", "id", cm_doc_text(doc, "id"), "priority",
        strcmp(cm_doc_text(doc, "severity"), "high") == 0 ? "urgent" : "high",
        "due_at", json_object_get(doc, "deadline"), "assignee",
        json_object_get(doc, "owner"), "field_work", 1);
}

// assign: a high hazard needs its emergency measure first; the owner is
// active staff of the hazard's department; dispatch gets the work.
static json_t *
s_assign(cm_action_t *a)
{
    if (strcmp(cm_doc_text(a->doc, "severity"), "high") == 0
        && !json_is_object(json_object_get(a->doc, "emergency_measure"))) {
        return cm_action_refuse(a, 409, "emergency_measure_required",
                                "A high hazard needs an emergency measure "
                                "recorded (record-measure) before anything "
                                "else.");
    }
    const char *owner = cm_doc_text(a->body, "owner");
    json_t *staff = cm_org_staff(a->store, SAFETY_OWNER, owner);
    bool fits = staff && cm_org_is_active(staff)
                && strcmp(cm_doc_text(staff, "department"),
                          cm_doc_text(a->doc, "department"))
                       == 0;
    json_decref(staff);
    if (!fits) {
        json_t *problem = cm_problem_new(422, "validation_failed",
                                         "the owner must be active staff of "
                                         "the hazard's department");
        cm_validate_fail(&problem, "owner",
                         "must be active staff of the hazard's department");
        return problem;
    }
    int64_t deadline = cm_doc_time(a->doc, "deadline", a->now_ms);
    cm_doc_set_time(a->doc, "deadline", deadline);
    json_object_set_new(a->doc, "escalation_level", json_integer(0));
    char key[CM_STORE_KEY_MAX];
    cm_commit_index_add(a->commit, s_timer_key(key), cm_doc_text(a->doc, "id"),
                        deadline);
    cm_action_event(a, SAFETY_EVENT_HAZARD_WORK_REQUESTED,
                    s_work_request(a->doc));
    return NULL;
}

static json_t *
s_rectify(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_object_set_new(a->doc, "rectification",
                        json_pack("{s:O, s:s, s:s}", "what",
                                  json_object_get(a->body, "what"), "by",
                                  cm_doc_text(a->actor, "id"), "at", at));
    cm_doc_set_string(a->doc, "rectified_by", cm_doc_text(a->actor, "id"));
    char key[CM_STORE_KEY_MAX];
    cm_commit_index_remove(a->commit, s_timer_key(key),
                           cm_doc_text(a->doc, "id"));
    return NULL;
}

static json_t *
s_verify(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_object_set_new(a->doc, "verification",
                        json_pack("{s:s, s:s, s:O?}", "by",
                                  cm_doc_text(a->actor, "id"), "at", at, "note",
                                  json_object_get(a->body, "note")));
    return NULL;
}

static const cm_field_t s_measure_fields[] = {
    {"measure", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_assign_fields[] = {
    {"owner", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "owner"},
    {"deadline", CM_FIELD_TIME, CM_FIELD_REQUIRED | CM_FIELD_FUTURE,
     .to = "deadline"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_rectify_fields[] = {
    {"what", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_note[] = {CM_FIELD_NOTE, CM_FIELD_END};

#define S_HEAD     CM_WORKFLOW_HEAD
#define S_OVERSEES CM_WORKFLOW_OVERSEES
#define S_OTHER    CM_WORKFLOW_NOT_REQUESTER // not the rectifier
#define S_OPEN     "reported assigned"

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {S_OPEN, "record-measure", SAFETY_OFFICER, 0, NULL, CM_WORKFLOW_STAY,
     SAFETY_EVENT_HAZARD_MEASURED, s_measure_fields, s_measure},
    {S_OPEN, "record-measure", "dept_head", S_HEAD, NULL, CM_WORKFLOW_STAY,
     SAFETY_EVENT_HAZARD_MEASURED, s_measure_fields, s_measure},
    {"reported", "assign", SAFETY_OFFICER, 0, NULL, "assigned",
     SAFETY_EVENT_HAZARD_ASSIGNED, s_assign_fields, s_assign},
    {"reported", "assign", "dept_head", S_HEAD, NULL, "assigned",
     SAFETY_EVENT_HAZARD_ASSIGNED, s_assign_fields, s_assign},
    {"reported", "assign", "deputy_head", S_OVERSEES, NULL, "assigned",
     SAFETY_EVENT_HAZARD_ASSIGNED, s_assign_fields, s_assign},
    {"assigned", "rectify", SAFETY_STAFF_ROLES,
     CM_WORKFLOW_ASSIGNEE | CM_WORKFLOW_STRICT, NULL, "rectified",
     SAFETY_EVENT_HAZARD_RECTIFIED, s_rectify_fields, s_rectify},
    {"rectified", "verify", SAFETY_OFFICER, S_OTHER, NULL, "verified",
     SAFETY_EVENT_HAZARD_VERIFIED, s_note, s_verify},
    {"rectified", "verify", "dept_head", S_HEAD | S_OTHER, NULL, "verified",
     SAFETY_EVENT_HAZARD_VERIFIED, s_note, s_verify},
    {"verified", "close", SAFETY_OFFICER, 0, NULL, "closed",
     SAFETY_EVENT_HAZARD_CLOSED, s_note, NULL},
};
// clang-format on

const cm_workflow_t hazard_workflow = {
    .name = "hazard",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
    .superuser_role = "station_head",
    .assignee_field = "owner",
    .requester_field = "rectified_by",
};

static const cm_filter_t s_filters[] = {
    {"owner"},
    {"state", NULL, "reported assigned rectified verified closed"},
    {"severity", NULL, HAZARD_SEVERITIES},
    {"department"},
    {NULL},
};

const cm_doc_type_t hazard_type = {
    .owner = SAFETY_OWNER,
    .kind = "hazard",
    .what = "hazard",
    .id_prefix = "HZ",
    .path = "/v1/hazards",
    .filters = s_filters,
    .workflow = &hazard_workflow,
};

// ---- opening hazards

int
hazard_open(cm_store_t *store, cm_commit_t *commit, const json_t *fields,
            const json_t *source, const json_t *actor,
            const char *correlation_id, int64_t now_ms, char *id)
{
    int64_t number = 0;
    int rc = cm_store_next_id(store, SAFETY_OWNER, hazard_type.kind, &number);
    if (rc != 0) {
        return rc;
    }
    cm_id_format(hazard_type.id_prefix, number, id);
    json_t *doc = hazard_new(id, fields, source, actor, now_ms);
    rc = cm_doc_commit(commit, &hazard_type, NULL, doc, CM_VERSION_NEW, now_ms);
    if (rc == 0) {
        rc =
            cm_doc_event_add(commit, &hazard_type, SAFETY_EVENT_HAZARD_REPORTED,
                             doc, 1, actor, correlation_id, NULL);
    }
    json_decref(doc);
    return rc == 0 ? 0 : CM_EINTERNAL;
}

// The alarm's severity as a hazard's (unknown: high, an alarm is urgent).
static const char *
s_alarm_severity(const json_t *data)
{
    const char *severity = cm_doc_text(data, "severity");
    if (strcmp(severity, "low") == 0 || strcmp(severity, "medium") == 0) {
        return severity;
    }
    return "high";
}

// The hazard fields of an alarm's data.
static json_t *
s_alarm_fields(const json_t *data, const char *department)
{
    char title[S_TITLE_MAX];
    const char *kind = cm_doc_string(data, "kind");
    const char *where = cm_doc_string(data, "location");
    where = where ? where : cm_doc_string(data, "zone");
    snprintf(title, sizeof title, "Alarm: %.80s%s%.80s", kind ? kind : "alarm",
             where ? " at " : "", where ? where : "");
    const char *dept = cm_doc_string(data, "department");
    const char *text = cm_doc_string(data, "description");
    return json_pack("{s:s, s:s, s:s?, s:s, s:s}", "title", title,
                     "description", text ? text : title, "location", where,
                     "department", dept && *dept ? dept : department,
                     "severity", s_alarm_severity(data));
}

int
hazard_on_ingest(cm_store_t *store, const json_t *envelope, cm_commit_t *commit,
                 const char *department)
{
    if (strcmp(cm_doc_text(envelope, "type"), EXTERNAL_EVENT_ALARM_RAISED)
        != 0) {
        return 0;
    }
    char identity[CM_CLOUDEVENT_IDENTITY_MAX], key[CM_STORE_KEY_MAX];
    cm_cloudevent_identity(cm_doc_text(envelope, "source"),
                           cm_doc_text(envelope, "id"), identity);
    cm_store_key(key, sizeof key, SAFETY_OWNER, "alarm", identity);
    cm_doc_t seen = {0};
    int rc = cm_store_get(store, key, &seen);
    cm_doc_clear(&seen);
    if (rc != CM_ENOTFOUND) {
        return rc; // 0: this alarm has its hazard already
    }
    json_t *data = json_object_get(envelope, "data");
    json_t *fields = s_alarm_fields(data, department);
    json_t *source = json_pack("{s:s, s:s, s:s}", "type", "alarm", "id",
                               cm_doc_text(envelope, "id"), "system",
                               cm_doc_text(envelope, "source"));
    json_t *actor =
        json_pack("{s:s, s:s}", "id", SAFETY_OWNER, "role", SAFETY_OWNER);
    char id[CM_ID_MAX];
    rc = hazard_open(store, commit, fields, source, actor,
                     cm_doc_string(envelope, "correlation_id"),
                     cm_time_now_ms(), id);
    if (rc == 0) {
        json_t *record = json_pack("{s:s}", "hazard", id);
        char *text = json_dumps(record, JSON_COMPACT);
        cm_commit_doc(commit, key, CM_VERSION_NEW, text);
        free(text);
        json_decref(record);
    }
    json_decref(actor);
    json_decref(source);
    json_decref(fields);
    return rc;
}

// The hazard fields of one failed item of a security round's record
// (data: the record's event data).
static json_t *
s_round_fields(const json_t *data, const json_t *item)
{
    char title[S_TITLE_MAX];
    snprintf(title, sizeof title, "Security round %.60s: %.120s",
             cm_doc_text(data, "area"), cm_doc_text(item, "text"));
    const char *note = cm_doc_string(item, "note");
    const char *level = cm_doc_text(item, "hazard_level");
    return json_pack("{s:s, s:s, s:O?, s:O, s:s}", "title", title,
                     "description", note ? note : cm_doc_text(item, "text"),
                     "location", json_object_get(data, "area"), "department",
                     json_object_get(data, "department"), "severity",
                     cm_validate_name_in(HAZARD_SEVERITIES, level) ? level
                                                                   : "medium");
}

// One failed item's hazard, unless its marker
// (sm:{safety-audit}:round_item:<record>|<item>) says it has one.
static int
s_round_item(cm_store_t *store, const json_t *envelope, const json_t *item,
             const json_t *actor, cm_commit_t *commit)
{
    const json_t *data = json_object_get(envelope, "data");
    char name[CM_ID_MAX + 24], key[CM_STORE_KEY_MAX], id[CM_ID_MAX];
    snprintf(name, sizeof name, "%s|%lld", cm_doc_text(data, "id"),
             (long long)cm_doc_integer(item, "item"));
    if (!cm_store_key(key, sizeof key, SAFETY_OWNER, "round_item", name)) {
        return 0; // not a record id: nothing to open
    }
    cm_doc_t seen = {0};
    int rc = cm_store_get(store, key, &seen);
    cm_doc_clear(&seen);
    if (rc != CM_ENOTFOUND) {
        return rc; // 0: this item has its hazard already
    }
    json_t *fields = s_round_fields(data, item);
    json_t *source = json_pack("{s:s, s:O, s:O}", "type", "round_record", "id",
                               json_object_get(data, "id"), "item",
                               json_object_get(item, "item"));
    rc = hazard_open(store, commit, fields, source, actor,
                     cm_doc_string(envelope, "correlation_id"),
                     cm_time_now_ms(), id);
    if (rc == 0) {
        json_t *record = json_pack("{s:s}", "hazard", id);
        char *text = json_dumps(record, JSON_COMPACT);
        cm_commit_doc(commit, key, CM_VERSION_NEW, text);
        free(text);
        json_decref(record);
        cm_log_info("hazard.from_round", "hazard", id, "record",
                    cm_doc_text(data, "id"));
    }
    json_decref(source);
    json_decref(fields);
    return rc;
}

int
hazard_on_round(cm_store_t *store, const json_t *envelope, cm_commit_t *commit)
{
    if (strcmp(cm_doc_text(envelope, "type"),
               LOGISTICS_EVENT_ROUND_RECORD_SECURITY_FAILED)
        != 0) {
        return 0;
    }
    const json_t *items =
        json_object_get(json_object_get(envelope, "data"), "items");
    json_t *actor =
        json_pack("{s:s, s:s}", "id", SAFETY_OWNER, "role", SAFETY_OWNER);
    int rc = 0;
    size_t n = json_array_size(items);
    if (n > LOGISTICS_ROUND_FAILED_PER_EVENT) { // not logistics' event
        cm_log_warn("hazard.round_items_dropped", "event",
                    cm_doc_text(envelope, "id"));
        n = LOGISTICS_ROUND_FAILED_PER_EVENT;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = s_round_item(store, envelope, json_array_get(items, i), actor,
                          commit);
    }
    json_decref(actor);
    return rc;
}

// ---- handlers

static const cm_field_t s_report_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"description", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"location", CM_FIELD_STRING, 0},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"severity", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = HAZARD_SEVERITIES},
    CM_FIELD_END,
};

void
hazard_create(cm_ctx_t *ctx)
{
    if (!cm_validate_name_in(SAFETY_STAFF_ROLES, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "staff report hazards");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_field_check(s_report_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *dept = cm_org_department(cm_ctx_store(ctx), SAFETY_OWNER,
                                     cm_doc_text(body, "department"));
    json_decref(dept);
    if (!dept) {
        problem =
            cm_problem_new(422, "validation_failed", "no such department");
        cm_validate_fail(&problem, "department", "is not a department");
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &hazard_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *source =
        json_pack("{s:s, s:s}", "type", "report", "id", cm_ctx_actor_id(ctx));
    json_t *doc = hazard_new(id, body, source, cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    cm_doc_commit(commit, &hazard_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &hazard_type, SAFETY_EVENT_HAZARD_REPORTED, doc,
                 1, NULL);
    cm_doc_reply_commit(ctx, commit, &hazard_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(source);
    json_decref(doc);
}

void
hazard_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &hazard_type, NULL);
}

void
hazard_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &hazard_type);
}

void
hazard_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &hazard_type);
}

void
hazard_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &hazard_type);
}

// ---- overdue rectification escalates (the tick)

// Escalate hazard id one level: its department's head, then the deputy
// head over it, then the station head; each step an event and a log line,
// the next after step_ms.
static void
s_escalate(cm_store_t *store, const char *id, int64_t due, int64_t step_ms,
           int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    if (cm_doc_read(store, &hazard_type, id, &doc, &version) != 0) {
        return;
    }
    char key[CM_STORE_KEY_MAX], to[CM_ORG_ID_MAX] = "";
    int level = (int)cm_doc_integer(doc, "escalation_level") + 1;
    bool current =
        strcmp(cm_doc_state(doc), "assigned") == 0 && level <= S_LEVEL_MAX;
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    if (current) {
        cm_org_escalation_target(store, SAFETY_OWNER,
                                 cm_doc_text(doc, "department"), level, to,
                                 sizeof to);
        json_t *old = json_deep_copy(doc);
        json_t *actor =
            json_pack("{s:s, s:s}", "id", SAFETY_OWNER, "role", SAFETY_OWNER);
        json_object_set_new(doc, "escalation_level", json_integer(level));
        cm_doc_history_add(
            doc, actor, "escalate", NULL, NULL, NULL,
            json_pack("{s:i, s:s}", "level", level, "escalated_to", to),
            now_ms);
        cm_doc_commit(commit, &hazard_type, old, doc, version, now_ms);
        cm_doc_event_add(
            commit, &hazard_type, SAFETY_EVENT_HAZARD_ESCALATED, doc,
            version + 1, actor, NULL,
            json_pack("{s:i, s:s}", "level", level, "escalated_to", to));
        json_decref(actor);
        json_decref(old);
    }
    if (current && level < S_LEVEL_MAX) {
        cm_commit_index_add(commit, s_timer_key(key), id, now_ms + step_ms);
    } else {
        cm_commit_index_remove(commit, s_timer_key(key), id);
    }
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    if (cm_store_commit(store, commit, &result) == 0
        && result.outcome == CM_COMMIT_OK && current) {
        cm_log_warn("hazard.escalated", "id", id, "level",
                    level == 1   ? "1"
                    : level == 2 ? "2"
                                 : "3",
                    "escalated_to", to);
    }
    (void)due; // the timer's score: the deadline or the last step
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
hazard_tick(cm_store_t *store, int64_t step_ms, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX], cursor[S_CURSOR_MAX];
    snprintf(cursor, sizeof cursor, "%lld:", (long long)now_ms + 1);
    cm_page_t page;
    if (cm_store_list(store, s_timer_key(key), cursor, S_TICK_BATCH, false,
                      &page)
        != 0) {
        return;
    }
    for (size_t i = 0; i < page.count; i++) {
        s_escalate(store, page.members[i], page.scores[i], step_ms, now_ms);
    }
    cm_page_clear(&page);
}
