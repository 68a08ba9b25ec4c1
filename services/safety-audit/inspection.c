// Inspections (inspection.h): opened by hand or by a due schedule, each
// with its dispatch work order; `record` opens a hazard per failed item in
// the same commit.
#include "inspection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/safety.h"
#include "hazard.h"
#include "safety.h"

#define S_DAY_MS     (24LL * 3600 * 1000)
#define S_TITLE_MAX  201
#define S_PATH_MAX   64
#define S_TICK_BATCH 10
#define S_CURSOR_MAX 48

// ---- record

static const cm_field_t s_result_fields[] = {
    {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"pass", CM_FIELD_BOOLEAN, CM_FIELD_REQUIRED},
    {"note", CM_FIELD_TEXT, 0},
    {"photo", CM_FIELD_STRING, 0},
    {"severity", CM_FIELD_ENUM, 0, .values = HAZARD_SEVERITIES},
    CM_FIELD_END,
};

static bool
s_check_result(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_result_fields, value, field, problem_p);
}

// The template item named id in doc, or NULL. Borrowed.
static const json_t *
s_item(const json_t *doc, const char *id)
{
    const json_t *items = json_object_get(doc, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        if (strcmp(cm_doc_text(json_array_get(items, i), "id"), id) == 0) {
            return json_array_get(items, i);
        }
    }
    return NULL;
}

// Every item exactly once; at most INSPECTION_FAILED_MAX failures.
static json_t *
s_check_results(const json_t *doc, const json_t *results, size_t *failed)
{
    json_t *problem = NULL, *seen = json_object();
    *failed = 0;
    for (size_t i = 0; i < json_array_size(results); i++) {
        const json_t *r = json_array_get(results, i);
        const char *item = cm_doc_text(r, "item");
        char path[S_PATH_MAX];
        snprintf(path, sizeof path, "results[%zu].item", i);
        if (!s_item(doc, item) || json_object_get(seen, item)) {
            cm_validate_fail(&problem, path,
                             "must name an item of the checklist, once");
        }
        json_object_set_new(seen, item, json_true());
        *failed += !json_is_true(json_object_get(r, "pass"));
    }
    if (!problem
        && json_object_size(seen)
               != json_array_size(json_object_get(doc, "items"))) {
        cm_validate_fail(&problem, "results",
                         "must give a result for every item");
    }
    json_decref(seen);
    return problem;
}

// A hazard for failed result r of the inspection, in the action's commit.
static int
s_hazard(cm_action_t *a, const json_t *r, char *id)
{
    const json_t *item = s_item(a->doc, cm_doc_text(r, "item"));
    char title[S_TITLE_MAX];
    snprintf(title, sizeof title, "%s %s: %.150s", cm_doc_text(a->doc, "id"),
             cm_doc_text(item, "id"), cm_doc_text(item, "text"));
    const char *note = cm_doc_string(r, "note");
    const char *severity = cm_doc_string(r, "severity");
    json_t *fields =
        json_pack("{s:s, s:s, s:O?, s:O, s:s}", "title", title, "description",
                  note ? note : cm_doc_text(item, "text"), "location",
                  json_object_get(a->doc, "location"), "department",
                  json_object_get(a->doc, "department"), "severity",
                  severity ? severity : "medium");
    json_t *source =
        json_pack("{s:s, s:s, s:s, s:O?}", "type", "inspection", "id",
                  cm_doc_text(a->doc, "id"), "item", cm_doc_text(item, "id"),
                  "photo", json_object_get(r, "photo"));
    int rc = hazard_open(a->store, a->commit, fields, source, a->actor, NULL,
                         a->now_ms, id);
    json_decref(source);
    json_decref(fields);
    return rc;
}

static json_t *
s_record(cm_action_t *a)
{
    const json_t *results = json_object_get(a->body, "results");
    size_t failed = 0;
    json_t *problem = s_check_results(a->doc, results, &failed);
    if (problem) {
        return problem;
    }
    if (failed > INSPECTION_FAILED_MAX) {
        return cm_action_refuse(a, 422, "too_many_failures",
                                "At most 14 failed items per record (each "
                                "opens a hazard in one commit).");
    }
    json_t *hazards = json_array();
    for (size_t i = 0; i < json_array_size(results); i++) {
        const json_t *r = json_array_get(results, i);
        if (!json_is_true(json_object_get(r, "pass"))) {
            char id[CM_ID_MAX];
            if (s_hazard(a, r, id) != 0) {
                json_decref(hazards);
                return cm_problem_new(503, "store_unavailable",
                                      "the hazard could not be opened; retry");
            }
            json_array_append_new(hazards, json_string(id));
        }
    }
    json_object_set(a->doc, "results", (json_t *)results);
    json_object_set_new(a->doc, "hazards", hazards);
    cm_doc_set_time(a->doc, "recorded_at", a->now_ms);
    return NULL;
}

static const cm_field_t s_record_fields[] = {
    {"results", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = INSPECTION_ITEMS_MAX, .check = s_check_result},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    {"open", "record", SAFETY_OFFICER, 0, NULL, "recorded",
     SAFETY_EVENT_INSPECTION_RECORDED, s_record_fields, s_record},
    {"open", "record", "dept_head", CM_WORKFLOW_HEAD, NULL, "recorded",
     SAFETY_EVENT_INSPECTION_RECORDED, s_record_fields, s_record},
    {"open", "record", SAFETY_STAFF_ROLES, CM_WORKFLOW_DEPARTMENT, NULL,
     "recorded", SAFETY_EVENT_INSPECTION_RECORDED, s_record_fields, s_record},
};

const cm_workflow_t inspection_workflow = {
    .name = "inspection",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "recorded",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"schedule"},   {"state", NULL, "open recorded"},
    {"department"}, {"area", NULL, INSPECTION_AREAS},
    {NULL},
};

const cm_doc_type_t inspection_type = {
    .owner = SAFETY_OWNER,
    .kind = "inspection",
    .what = "inspection",
    .id_prefix = "IN",
    .path = "/v1/inspections",
    .filters = s_filters,
    .workflow = &inspection_workflow,
};

// ---- opening inspections

// A new open inspection of template tpl for dept, due at due_ms.
static json_t *
s_new(const char *id, const json_t *tpl, const char *dept, const char *schedule,
      int64_t due_ms, const json_t *actor, int64_t now)
{
    json_t *doc = cm_doc_new(id, "open", actor, now);
    json_object_set_new(doc, "template", json_string(cm_doc_text(tpl, "id")));
    json_object_set(doc, "title", json_object_get(tpl, "title"));
    json_object_set(doc, "area", json_object_get(tpl, "area"));
    json_object_set(doc, "items", json_object_get(tpl, "items"));
    json_object_set_new(doc, "department", json_string(dept));
    cm_doc_set_string(doc, "schedule", schedule);
    cm_doc_set_time(doc, "due_at", due_ms);
    json_object_set_new(doc, "results", json_array());
    json_object_set_new(doc, "hazards", json_array());
    return doc;
}

// The work order dispatch opens for the inspection ({"request": …}).
static json_t *
s_request(const json_t *doc)
{
    char title[S_TITLE_MAX];
    snprintf(title, sizeof title, "Inspection %s: %.150s",
             cm_doc_text(doc, "id"), cm_doc_text(doc, "title"));
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:O, s:b}}",
                     "request", "key", cm_doc_text(doc, "id"), "department",
                     cm_doc_text(doc, "department"), "title", title, "kind",
                     "inspection", "source", "type", "inspection", "id",
                     cm_doc_text(doc, "id"), "due_at",
                     json_object_get(doc, "due_at"), "field_work", 1);
}

static const cm_field_t s_create_fields[] = {
    {"template", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"due_at", CM_FIELD_TIME, 0},
    CM_FIELD_END,
};

// The active template named by body, or NULL after answering.
static json_t *
s_template(cm_ctx_t *ctx, const json_t *body)
{
    json_t *tpl = NULL, *problem = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &template_type,
                         cm_doc_text(body, "template"), &tpl, &version);
    json_t *dept = cm_org_department(cm_ctx_store(ctx), SAFETY_OWNER,
                                     cm_doc_text(body, "department"));
    bool fine = rc == 0 && strcmp(cm_doc_state(tpl), "active") == 0 && dept;
    json_decref(dept);
    if (fine) {
        return tpl;
    }
    json_decref(tpl);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return NULL;
    }
    problem = cm_problem_new(422, "validation_failed",
                             "an active template and a known department are "
                             "needed");
    cm_validate_fail(&problem, rc == 0 && dept ? "department" : "template",
                     "is not an active template, or the department unknown");
    cm_ctx_fail(ctx, problem);
    return NULL;
}

void
inspection_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_validate_name_in("safety_officer station_head",
                             cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "safety officers and the station head open "
                           "inspections");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *tpl = s_template(ctx, body);
    char id[CM_ID_MAX];
    if (!tpl || cm_doc_next_id(ctx, &inspection_type, id) != 0) {
        json_decref(tpl);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc =
        s_new(id, tpl, cm_doc_text(body, "department"), NULL,
              cm_doc_time(body, "due_at", now), cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    cm_doc_commit(commit, &inspection_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &inspection_type, SAFETY_EVENT_INSPECTION_CREATED,
                 doc, 1, NULL);
    cm_doc_event(ctx, commit, &inspection_type,
                 SAFETY_EVENT_INSPECTION_WORK_REQUESTED, doc, 1,
                 s_request(doc));
    cm_doc_reply_commit(ctx, commit, &inspection_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
    json_decref(tpl);
}

void
inspection_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &inspection_type, NULL);
}

void
inspection_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &inspection_type);
}

void
inspection_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &inspection_type);
}

void
inspection_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &inspection_type);
}

// ---- schedules coming due (the tick)

static int64_t
s_period_ms(const char *frequency)
{
    static const struct {
        const char *name;
        int64_t days;
    } periods[] = {{"daily", 1},
                   {"weekly", 7},
                   {"monthly", 30},
                   {"quarterly", 91},
                   {"yearly", 365}};
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        if (strcmp(frequency, periods[i].name) == 0) {
            return periods[i].days * S_DAY_MS;
        }
    }
    return 365 * S_DAY_MS;
}

// The commit that opens the schedule's inspection (due at due) and moves
// the schedule to its next due date after now.
static cm_commit_t *
s_open_commit(cm_store_t *store, json_t *sched, int64_t version,
              const json_t *tpl, int64_t due, int64_t now)
{
    int64_t number = 0;
    if (cm_store_next_id(store, SAFETY_OWNER, inspection_type.kind, &number)
        != 0) {
        return NULL;
    }
    char id[CM_ID_MAX];
    cm_id_format(inspection_type.id_prefix, number, id);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", SAFETY_OWNER, "role", SAFETY_OWNER);
    json_t *doc = s_new(id, tpl, cm_doc_text(sched, "department"),
                        cm_doc_text(sched, "id"), due, actor, now);
    json_t *old = json_deep_copy(sched);
    int64_t next = due, period = s_period_ms(cm_doc_text(sched, "frequency"));
    while (next <= now) {
        next += period;
    }
    cm_doc_set_time(sched, "next_due", next);
    cm_doc_set_string(sched, "last_inspection", id);
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    cm_doc_commit(commit, &schedule_type, old, sched, version, now);
    cm_doc_commit(commit, &inspection_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event_add(commit, &inspection_type, SAFETY_EVENT_INSPECTION_CREATED,
                     doc, 1, actor, NULL, NULL);
    cm_doc_event_add(commit, &inspection_type,
                     SAFETY_EVENT_INSPECTION_WORK_REQUESTED, doc, 1, actor,
                     NULL, s_request(doc));
    json_decref(old);
    json_decref(doc);
    json_decref(actor);
    return commit;
}

// Open the inspection of schedule id, due at due: claimed once by the
// schedule's version.
static void
s_open_scheduled(cm_store_t *store, const char *id, int64_t due, int64_t now)
{
    json_t *sched = NULL, *tpl = NULL;
    int64_t version = 0, tpl_version = 0;
    if (cm_doc_read(store, &schedule_type, id, &sched, &version) != 0) {
        return;
    }
    bool current =
        strcmp(cm_doc_state(sched), "active") == 0
        && cm_doc_time(sched, "next_due", 0) == due
        && cm_doc_read(store, &template_type, cm_doc_text(sched, "template"),
                       &tpl, &tpl_version)
               == 0;
    cm_commit_t *commit =
        current ? s_open_commit(store, sched, version, tpl, due, now) : NULL;
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    if (commit && cm_store_commit(store, commit, &result) == 0
        && result.outcome == CM_COMMIT_OK) {
        cm_log_info("inspection.scheduled", "schedule", id, "inspection",
                    cm_doc_text(sched, "last_inspection"));
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(tpl);
    json_decref(sched);
}

void
inspection_tick(cm_store_t *store, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX], cursor[S_CURSOR_MAX];
    cm_store_key(key, sizeof key, SAFETY_OWNER, "timers",
                 "inspection_schedules");
    snprintf(cursor, sizeof cursor, "%lld:", (long long)now_ms + 1);
    cm_page_t page;
    if (cm_store_list(store, key, cursor, S_TICK_BATCH, false, &page) != 0) {
        return;
    }
    for (size_t i = 0; i < page.count; i++) {
        s_open_scheduled(store, page.members[i], page.scores[i], now_ms);
    }
    cm_page_clear(&page);
}
