#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "cm_action.h"
#include "cm_call.h"
#include "cm_cloudevent.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "equipment.h"
#include "events/assets.h"
#include "events/external.h"
#include "maintenance.h"

#define S_TITLE_MAX 201
#define S_PATH_MAX  64
#define S_FILE_MAX  100 // faults a dossier lists (newest)
#define S_HOUR_MS   3600000.0
#define S_REPORTERS                                                            \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"
#define S_OUT_OF_USE "faulty under_repair awaiting_acceptance"

// ---- the process

static const cm_field_t s_part_fields[] = {
    {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"quantity", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 1000000},
    {"requisition", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static bool
s_check_part(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_part_fields, value, field, problem_p);
}

static const cm_field_t s_repair_fields[] = {
    {"cause", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"actions", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"parts", CM_FIELD_ARRAY, 0, .max = 20, .check = s_check_part},
    {"hours", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0, .max = 10000},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_accept_fields[] = {
    {"passed", CM_FIELD_BOOLEAN, CM_FIELD_REQUIRED},
    {"reason", CM_FIELD_TEXT, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_note_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};

// The answer to a failed equipment_move inside an action.
static json_t *
s_move_problem(cm_action_t *a, int rc, const char *state)
{
    if (rc == CM_ECONFLICT) {
        char detail[S_TITLE_MAX];
        snprintf(detail, sizeof detail, "The equipment is %s.", state);
        return cm_action_refuse(a, 409, "equipment_state", detail);
    }
    return cm_problem_from_status(rc == CM_ENOTFOUND ? CM_EINTERNAL : rc,
                                  "the equipment could not be read");
}

static json_t *
s_move(cm_action_t *a, const char *from, const char *to, const char *fault)
{
    equipment_move_t move = {.id = cm_doc_text(a->doc, "equipment"),
                             .from = from,
                             .to = to,
                             .fault = fault,
                             .action = a->name,
                             .note = cm_doc_string(a->body, "note")};
    char state[CM_VALIDATE_NAME_MAX] = "";
    int rc = equipment_move(a->ctx, a->store, a->commit, &move, a->actor, NULL,
                            a->now_ms, state);
    return rc == 0 ? NULL : s_move_problem(a, rc, state);
}

static json_t *
s_start_repair(cm_action_t *a)
{
    return s_move(a, "faulty", "under_repair", NULL);
}

// A part's requisition, read from inventory over the broker: it exists and
// issued the item. NULL, or the problem naming parts[i].requisition.
static json_t *
s_check_part_issued(cm_action_t *a, const json_t *part, size_t i)
{
    char path[S_TITLE_MAX], field[S_PATH_MAX];
    snprintf(path, sizeof path, "/v1/requisitions/%s",
             cm_doc_text(part, "requisition"));
    snprintf(field, sizeof field, "parts[%zu].requisition", i);
    cm_call_t call = {.service = "inventory", .method = "GET", .path = path};
    cm_call_result_t result = {0};
    if (cm_ctx_call(a->ctx, &call, &result) != 0) {
        return cm_problem_new(503, "inventory_unavailable",
                              "inventory did not answer; nothing was "
                              "written; retry");
    }
    bool issued = false;
    const json_t *lines = json_object_get(result.body, "lines");
    for (size_t k = 0; result.status == 200 && k < json_array_size(lines);
         k++) {
        const json_t *line = json_array_get(lines, k);
        issued =
            issued
            || (strcmp(cm_doc_text(line, "item"), cm_doc_text(part, "item"))
                    == 0
                && cm_doc_integer(line, "issued") > 0);
    }
    cm_call_result_clear(&result);
    if (issued) {
        return NULL;
    }
    json_t *problem = cm_problem_new(422, "validation_failed",
                                     "a part's requisition did not issue it");
    cm_validate_fail(&problem, field,
                     "must be a requisition that issued this item");
    return problem;
}

static json_t *
s_repair(cm_action_t *a)
{
    const json_t *parts = json_object_get(a->body, "parts");
    for (size_t i = 0; a->ctx && i < json_array_size(parts); i++) {
        json_t *problem = s_check_part_issued(a, json_array_get(parts, i), i);
        if (problem) {
            return problem;
        }
    }
    json_t *problem =
        s_move(a, "faulty under_repair", "awaiting_acceptance", NULL);
    if (problem) {
        return problem;
    }
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_t *repair = json_deep_copy(a->body);
    json_object_del(repair, "note");
    if (!json_object_get(repair, "parts")) {
        json_object_set_new(repair, "parts", json_array());
    }
    json_object_set_new(repair, "by", json_string(cm_doc_text(a->actor, "id")));
    json_object_set_new(repair, "at", json_string(at));
    json_array_append_new(json_object_get(a->doc, "repairs"), repair);
    cm_doc_set_string(a->doc, "repaired_by", cm_doc_text(a->actor, "id"));
    cm_doc_set_time(a->doc, "repaired_at", a->now_ms);
    return NULL;
}

static json_t *
s_accept(cm_action_t *a)
{
    bool passed = json_is_true(json_object_get(a->body, "passed"));
    const char *reason = cm_doc_string(a->body, "reason");
    if (!passed && (!reason || !*reason)) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "reason",
                         "is required when the acceptance fails");
        return problem;
    }
    json_t *problem =
        passed ? s_move(a, "awaiting_acceptance", "in_service", "")
               : s_move(a, "awaiting_acceptance", "under_repair", NULL);
    if (problem) {
        return problem;
    }
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_array_append_new(json_object_get(a->doc, "acceptances"),
                          json_pack("{s:b, s:s, s:s, s:s?}", "passed", passed,
                                    "by", cm_doc_text(a->actor, "id"), "at", at,
                                    "reason", reason));
    if (passed) {
        cm_doc_set_time(a->doc, "accepted_at", a->now_ms);
        a->next_state = "accepted";
        // The repair work order, if still open in dispatch, is done with.
        cm_action_event(a, ASSETS_EVENT_FAULT_WORK_CANCELLED,
                        json_pack("{s:{s:s}}", "request", "key",
                                  cm_doc_text(a->doc, "id")));
    } else {
        a->next_state = "repairing";
        json_object_del(a->doc, "repaired_at");
    }
    cm_action_event(
        a, passed ? ASSETS_EVENT_FAULT_ACCEPTED : ASSETS_EVENT_FAULT_REJECTED,
        json_pack("{s:b, s:s?}", "passed", passed, "reason", reason));
    return NULL;
}

#define S_KEEPERS ASSETS_KEEPERS
#define S_GUARD   assets_keeper_guard
#define S_OTHER   CM_WORKFLOW_NOT_REQUESTER // never the repairer

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"open", "start-repair", S_KEEPERS, 0, NULL, "repairing",
     ASSETS_EVENT_FAULT_REPAIR_STARTED, s_note_fields, s_start_repair,
     S_GUARD},
    {"open repairing", "repair", S_KEEPERS, 0, NULL, "repaired",
     ASSETS_EVENT_FAULT_REPAIRED, s_repair_fields, s_repair, S_GUARD},
    {"repaired", "accept", "dept_head", CM_WORKFLOW_HEAD | S_OTHER, NULL,
     CM_WORKFLOW_BY_CODE, NULL, s_accept_fields,
     s_accept, NULL},
    {"repaired", "accept", "deputy_head", CM_WORKFLOW_OVERSEES | S_OTHER, NULL,
     CM_WORKFLOW_BY_CODE, NULL, s_accept_fields,
     s_accept, NULL},
    {"repaired", "accept", S_REPORTERS, CM_WORKFLOW_DEPARTMENT | S_OTHER, NULL,
     CM_WORKFLOW_BY_CODE, NULL, s_accept_fields,
     s_accept, NULL},
};
// clang-format on

const cm_workflow_t fault_workflow = {
    .name = "fault",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "accepted duplicate unmatched",
    .superuser_role = "station_head",
    .requester_field = "repaired_by",
};

static const cm_filter_t s_filters[] = {
    {"equipment"},
    {"state", NULL, FAULT_STATES},
    {"department"},
    {NULL},
};

const cm_doc_type_t fault_type = {
    .owner = ASSETS_OWNER,
    .kind = "fault",
    .what = "fault",
    .id_prefix = "FT",
    .path = "/v1/faults",
    .filters = s_filters,
    .workflow = &fault_workflow,
    .list_omits = "repairs acceptances",
};

// ---- opening faults

// A new fault (not stored) of equipment (NULL when unknown), from fields
// (description, severity, code, occurred_at: copied). Caller owns it.
static json_t *
s_new(const char *id, const char *state, const json_t *equipment,
      const json_t *fields, const json_t *source, const json_t *actor,
      int64_t now_ms)
{
    json_t *doc = cm_doc_new(id, state, actor, now_ms);
    static const char *const copied[] = {"description", "severity", "code",
                                         "occurred_at"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *value = json_object_get(fields, copied[i]);
        if (json_is_string(value)) {
            json_object_set(doc, copied[i], value);
        }
    }
    if (!json_object_get(doc, "severity")) {
        json_object_set_new(doc, "severity", json_string("medium"));
    }
    if (equipment) {
        static const char *const of[] = {"equipment", "tag", "department"};
        static const char *const from[] = {"id", "tag", "department"};
        for (size_t i = 0; i < 3; i++) {
            json_object_set(doc, of[i], json_object_get(equipment, from[i]));
        }
    }
    json_object_set(doc, "source", (json_t *)source);
    json_object_set_new(doc, "reported_by",
                        json_string(cm_doc_text(actor, "id")));
    json_object_set_new(doc, "repairs", json_array());
    json_object_set_new(doc, "acceptances", json_array());
    return doc;
}

// The repair work order dispatch opens for the fault: {"request": …}.
static json_t *
s_work_request(const json_t *doc, const json_t *equipment)
{
    char title[S_TITLE_MAX];
    snprintf(title, sizeof title, "Repair %s %.60s: %.100s",
             cm_doc_text(equipment, "tag"), cm_doc_text(equipment, "name"),
             cm_doc_text(doc, "description"));
    const char *severity = cm_doc_text(doc, "severity");
    const char *priority = strcmp(severity, "high") == 0  ? "urgent"
                           : strcmp(severity, "low") == 0 ? "normal"
                                                          : "high";
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:b}}",
                     "request", "key", cm_doc_text(doc, "id"), "department",
                     assets_config()->technical_department, "title", title,
                     "kind", "repair", "source", "type", "fault", "id",
                     cm_doc_text(doc, "id"), "priority", priority, "field_work",
                     1);
}

static const cm_field_t s_report_fields[] = {
    {"equipment", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"description", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"severity", CM_FIELD_ENUM, 0, .values = "low medium high"},
    {"code", CM_FIELD_STRING, 0, .max = 60},
    {"occurred_at", CM_FIELD_TIME, 0},
    CM_FIELD_END,
};

// Staff may report a fault on equipment in service or idle: 409 when it is
// scrapped or has a fault open. NULL when it may be reported.
static json_t *
s_reportable(const json_t *equipment)
{
    const char *state = cm_doc_state(equipment);
    json_t *problem = NULL;
    if (cm_validate_name_in("scrapping scrapped", state)) {
        problem = cm_problem_new(409, "equipment_scrapped",
                                 "the equipment is scrapped or being "
                                 "scrapped");
        cm_problem_add_error(problem, "equipment", "is scrapped");
    } else if (cm_validate_name_in(S_OUT_OF_USE, state)) {
        problem = cm_problem_new(409, "fault_open",
                                 "the equipment has a fault open already");
        char message[S_TITLE_MAX];
        snprintf(message, sizeof message, "has fault %s open",
                 cm_doc_text(equipment, "open_fault"));
        cm_problem_add_error(problem, "equipment", message);
    }
    return problem;
}

static json_t *
s_report_problem(cm_ctx_t *ctx, const json_t *body, json_t **equipment,
                 int64_t *version, int64_t now)
{
    json_t *problem = NULL;
    if (!cm_field_check(s_report_fields, body, &problem)) {
        return problem;
    }
    int64_t at = 0;
    if (cm_doc_string(body, "occurred_at")
        && (cm_time_parse(cm_doc_string(body, "occurred_at"), &at) != 0
            || at > now)) {
        cm_validate_fail(&problem, "occurred_at", "must not be in the future");
        return problem;
    }
    int rc = cm_doc_read(cm_ctx_store(ctx), &equipment_type,
                         cm_doc_text(body, "equipment"), equipment, version);
    if (rc == CM_ENOTFOUND) {
        problem = cm_problem_new(422, "validation_failed", "no such equipment");
        cm_validate_fail(&problem, "equipment", "is not registered");
        return problem;
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    return s_reportable(*equipment);
}

void
fault_create(cm_ctx_t *ctx)
{
    if (!cm_validate_name_in(S_REPORTERS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "staff report faults");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *equipment = NULL;
    int64_t version = 0, now = cm_time_now_ms();
    json_t *problem = s_report_problem(ctx, body, &equipment, &version, now);
    char id[CM_ID_MAX], state[CM_VALIDATE_NAME_MAX];
    if (problem || cm_doc_next_id(ctx, &fault_type, id) != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        }
        json_decref(equipment);
        return;
    }
    json_t *source =
        json_pack("{s:s, s:s}", "type", "report", "id", cm_ctx_actor_id(ctx));
    json_t *doc =
        s_new(id, "open", equipment, body, source, cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(ASSETS_OWNER);
    cm_doc_commit(commit, &fault_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &fault_type, ASSETS_EVENT_FAULT_REPORTED, doc, 1,
                 NULL);
    cm_doc_event(ctx, commit, &fault_type, ASSETS_EVENT_FAULT_WORK_REQUESTED,
                 doc, 1, s_work_request(doc, equipment));
    equipment_move_t move = {.id = cm_doc_text(equipment, "id"),
                             .from = "in_service idle",
                             .to = "faulty",
                             .fault = id,
                             .action = "fault"};
    int rc = equipment_move(ctx, cm_ctx_store(ctx), commit, &move, NULL, NULL,
                            now, state);
    if (rc == 0) {
        cm_doc_reply_commit(ctx, commit, &fault_type, 201, doc, 1);
    } else {
        cm_ctx_fail_status(ctx, rc == CM_ECONFLICT ? CM_ECONFLICT : rc,
                           "the equipment changed meanwhile: try again");
    }
    cm_commit_destroy(&commit);
    json_decref(source);
    json_decref(doc);
    json_decref(equipment);
}

// ---- faults from other systems

// The state of a fault an event reports on equipment (NULL: unknown):
// open, duplicate (a fault is open: *of names it) or unmatched.
static const char *
s_event_state(const json_t *equipment, const char **of)
{
    *of = NULL;
    if (!equipment
        || cm_validate_name_in("scrapping scrapped", cm_doc_state(equipment))) {
        return "unmatched";
    }
    if (cm_validate_name_in(S_OUT_OF_USE, cm_doc_state(equipment))) {
        *of = cm_doc_string(equipment, "open_fault");
        return "duplicate";
    }
    return "open";
}

// The fault of an event into commit: the document, its events and, when it
// is open, the equipment's move and the work request.
static int
s_open_from_event(cm_store_t *store, cm_commit_t *commit,
                  const json_t *envelope, const json_t *equipment,
                  const char *id, const char *ref)
{
    json_t *data = json_object_get(envelope, "data");
    const char *of = NULL, *state = s_event_state(equipment, &of);
    const char *correlation = cm_doc_string(envelope, "correlation_id");
    int64_t now = cm_time_now_ms();
    json_t *source =
        json_pack("{s:s, s:s, s:s, s:s?}", "type", "event", "id",
                  cm_doc_text(envelope, "id"), "system",
                  cm_doc_text(envelope, "source"), "equipment", ref);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", ASSETS_SELF, "role", ASSETS_SELF);
    json_t *fields = json_deep_copy(data);
    if (!json_is_string(json_object_get(fields, "description"))) {
        json_object_set_new(fields, "description",
                            json_string("reported by another system"));
    }
    const char *severity = cm_doc_text(data, "severity");
    if (!cm_validate_name_in("low medium high", severity)) {
        json_object_set_new(fields, "severity", json_string("high"));
    }
    json_t *doc = s_new(id, state, equipment, fields, source, actor, now);
    if (of) {
        json_object_set_new(doc, "duplicate_of", json_string(of));
    }
    int rc = cm_doc_commit(commit, &fault_type, NULL, doc, CM_VERSION_NEW, now);
    rc = rc ? rc
            : cm_doc_event_add(commit, &fault_type, ASSETS_EVENT_FAULT_REPORTED,
                               doc, 1, actor, correlation, NULL);
    if (rc == 0 && strcmp(state, "open") == 0) {
        rc = cm_doc_event_add(commit, &fault_type,
                              ASSETS_EVENT_FAULT_WORK_REQUESTED, doc, 1, actor,
                              correlation, s_work_request(doc, equipment));
        equipment_move_t move = {.id = cm_doc_text(equipment, "id"),
                                 .from = "in_service idle",
                                 .to = "faulty",
                                 .fault = id,
                                 .action = "fault"};
        char was[CM_VALIDATE_NAME_MAX];
        rc = rc ? rc
                : equipment_move(NULL, store, commit, &move, actor, correlation,
                                 now, was);
    }
    json_decref(doc);
    json_decref(fields);
    json_decref(actor);
    json_decref(source);
    return rc;
}

// The tag or serial an event names: data.tag, data.serial or
// data.equipment. Borrowed; NULL when none.
static const char *
s_event_ref(const json_t *data)
{
    static const char *const members[] = {"tag", "serial", "equipment"};
    for (size_t i = 0; i < 3; i++) {
        const char *value = cm_doc_string(data, members[i]);
        if (value && *value) {
            return value;
        }
    }
    return NULL;
}

int
fault_on_ingest(cm_store_t *store, const json_t *envelope, cm_commit_t *commit)
{
    if (strcmp(cm_doc_text(envelope, "type"), EXTERNAL_EVENT_EQUIPMENT_FAULT)
        != 0) {
        return 0;
    }
    char identity[CM_CLOUDEVENT_IDENTITY_MAX], key[CM_STORE_KEY_MAX];
    cm_cloudevent_identity(cm_doc_text(envelope, "source"),
                           cm_doc_text(envelope, "id"), identity);
    assets_key(key, "faultevent", identity);
    cm_doc_t seen = {0};
    int rc = cm_store_get(store, key, &seen);
    cm_doc_clear(&seen);
    if (rc != CM_ENOTFOUND) {
        return rc; // 0: this event has its fault already
    }
    const char *ref = s_event_ref(json_object_get(envelope, "data"));
    char equipment_id[CM_ID_MAX] = "", id[CM_ID_MAX];
    rc = equipment_find(store, ref, equipment_id);
    json_t *equipment = NULL;
    if (rc == 0) {
        int64_t version = 0;
        rc = cm_doc_read(store, &equipment_type, equipment_id, &equipment,
                         &version);
    }
    int64_t number = 0;
    rc = rc == CM_ENOTFOUND ? 0 : rc;
    rc = rc ? rc : cm_store_next_id(store, ASSETS_OWNER, "fault", &number);
    if (rc == 0) {
        cm_id_format(fault_type.id_prefix, number, id);
        rc = s_open_from_event(store, commit, envelope, equipment, id, ref);
    }
    if (rc == 0) {
        json_t *record = json_pack("{s:s}", "fault", id);
        char *text = json_dumps(record, JSON_COMPACT);
        cm_commit_doc(commit, key, CM_VERSION_NEW, text);
        free(text);
        json_decref(record);
        if (!equipment) {
            cm_log_warn("fault.unknown_equipment", "fault", id, "equipment",
                        ref ? ref : "");
        }
    }
    json_decref(equipment);
    return rc;
}

// ---- handlers

void
fault_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &fault_type, NULL);
}

void
fault_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &fault_type);
}

void
fault_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &fault_type);
}

void
fault_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &fault_type);
}

// ---- the dossier

// A real failure of the equipment (not a duplicate or an unknown tag).
static bool
s_counts(const json_t *fault)
{
    return cm_validate_name_in("open repairing repaired accepted",
                               cm_doc_state(fault));
}

// The figures of the dossier over faults (the equipment's, newest first)
// from since_ms to now_ms into file.
static void
s_figures(json_t *file, const json_t *faults, int64_t since_ms, int64_t now_ms)
{
    int64_t down_ms = 0, repair_ms = 0, failures = 0, repaired = 0;
    for (size_t i = 0; i < json_array_size(faults); i++) {
        const json_t *fault = json_array_get(faults, i);
        if (!s_counts(fault)) {
            continue;
        }
        int64_t from = cm_doc_time(fault, "created_at", now_ms);
        int64_t to = cm_doc_time(fault, "accepted_at", now_ms);
        failures++;
        down_ms += to - from;
        if (json_object_get(fault, "accepted_at")) {
            repaired++;
            repair_ms += to - from;
        }
    }
    int64_t up_ms = now_ms - since_ms - down_ms;
    json_object_set_new(file, "failures", json_integer(failures));
    json_object_set_new(file, "downtime_hours",
                        json_real((double)down_ms / S_HOUR_MS));
    json_object_set_new(file, "mtbf_hours",
                        failures ? json_real((double)(up_ms > 0 ? up_ms : 0)
                                             / S_HOUR_MS / (double)failures)
                                 : json_null());
    json_object_set_new(
        file, "mttr_hours",
        repaired ? json_real((double)repair_ms / S_HOUR_MS / (double)repaired)
                 : json_null());
}

// The equipment's documents of type (its faults, its maintenance records;
// at most S_FILE_MAX, newest first) without their history. Caller owns the
// array; NULL after answering.
static json_t *
s_docs_of(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id)
{
    char key[CM_STORE_KEY_MAX];
    cm_doc_index_key(type, "equipment", id, key, sizeof key);
    cm_page_t page;
    int rc =
        cm_store_list(cm_ctx_store(ctx), key, NULL, S_FILE_MAX, false, &page);
    json_t **docs =
        rc == 0 && page.count ? calloc(page.count, sizeof *docs) : NULL;
    int64_t *versions = docs ? calloc(page.count, sizeof *versions) : NULL;
    if (rc == 0 && page.count) {
        rc = docs && versions
                 ? cm_doc_read_many(cm_ctx_store(ctx), type,
                                    (const char *const *)page.members,
                                    page.count, docs, versions)
                 : CM_EINTERNAL;
    }
    json_t *faults = rc == 0 ? json_array() : NULL;
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        if (docs[i]) {
            json_object_del(docs[i], "history");
            json_array_append_new(faults, docs[i]);
        }
    }
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
    } else {
        cm_page_clear(&page);
    }
    free(versions);
    free(docs);
    return faults;
}

void
fault_file(cm_ctx_t *ctx)
{
    const char *id = cm_ctx_param(ctx, "id");
    int64_t version = 0;
    json_t *equipment = cm_doc_load(ctx, &equipment_type, id, &version);
    json_t *faults = equipment ? s_docs_of(ctx, &fault_type, id) : NULL;
    json_t *records = faults ? s_docs_of(ctx, &record_type, id) : NULL;
    if (!records) {
        json_decref(faults);
        json_decref(equipment);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *file = json_pack("{s:s, s:O, s:O, s:O, s:O, s:o, s:o}", "equipment",
                             id, "tag", json_object_get(equipment, "tag"),
                             "name", json_object_get(equipment, "name"),
                             "state", json_object_get(equipment, "state"),
                             "since", json_object_get(equipment, "created_at"),
                             "faults", faults, "maintenance", records);
    s_figures(file, faults, cm_doc_time(equipment, "created_at", now), now);
    cm_ctx_reply(ctx, 200, file);
    json_decref(equipment);
}
