// Inspection templates and schedules (inspection.h).
#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/safety.h"
#include "inspection.h"
#include "safety.h"

#define S_AUTHORS "safety_officer station_head"

static const cm_field_t s_item_fields[] = {
    {"text", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static bool
s_check_item(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_item_fields, value, field, problem_p);
}

static const cm_field_t s_template_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"area", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = INSPECTION_AREAS},
    {"items", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = INSPECTION_ITEMS_MAX, .check = s_check_item},
    CM_FIELD_END,
};

static const cm_field_t s_reason[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_workflow_row_t s_template_rows[] = {
    {"active", "retire", SAFETY_OFFICER, 0, NULL, "retired",
     SAFETY_EVENT_INSPECTION_TEMPLATE_RETIRED, s_reason, NULL},
};

const cm_workflow_t template_workflow = {
    .name = "inspection_template",
    .rows = s_template_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_template_rows),
    .final_states = "retired",
    .superuser_role = "station_head",
};

static const cm_filter_t s_template_filters[] = {
    {"state", NULL, "active retired"},
    {"area", NULL, INSPECTION_AREAS},
    {NULL},
};

const cm_doc_type_t template_type = {
    .owner = SAFETY_OWNER,
    .kind = "inspection_template",
    .what = "inspection template",
    .id_prefix = "IT",
    .path = "/v1/inspection-templates",
    .filters = s_template_filters,
    .workflow = &template_workflow,
};

// Number the items I1, I2, … so results can name them.
static json_t *
s_numbered(const json_t *items)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        char id[32];
        snprintf(id, sizeof id, "I%zu", i + 1);
        json_array_append_new(
            out, json_pack("{s:s, s:O}", "id", id, "text",
                           json_object_get(json_array_get(items, i), "text")));
    }
    return out;
}

// A new document of type from body (checked), created by the caller.
static void
s_create(cm_ctx_t *ctx, const cm_doc_type_t *type, json_t *doc,
         const char *event, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    cm_doc_commit(commit, type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, type, event, doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, type, 201, doc, 1);
    cm_commit_destroy(&commit);
}

static bool
s_author(cm_ctx_t *ctx)
{
    if (cm_validate_name_in(S_AUTHORS, cm_ctx_actor_role(ctx))) {
        return true;
    }
    cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                       "safety officers and the station head plan "
                       "inspections");
    return false;
}

void
template_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    char id[CM_ID_MAX];
    if (!s_author(ctx)) {
        return;
    }
    if (!cm_field_check(s_template_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &template_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_set_new(doc, "items",
                        s_numbered(json_object_get(body, "items")));
    s_create(ctx, &template_type, doc, SAFETY_EVENT_INSPECTION_TEMPLATE_CREATED,
             now);
    json_decref(doc);
}

void
template_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &template_type, NULL);
}

void
template_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &template_type);
}

void
template_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &template_type);
}

void
template_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &template_type);
}

// ---- schedules

static const cm_field_t s_schedule_fields[] = {
    {"template", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"frequency", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
     .values = INSPECTION_FREQUENCIES},
    {"next_due", CM_FIELD_TIME, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_workflow_row_t s_schedule_rows[] = {
    {"active", "stop", SAFETY_OFFICER, 0, NULL, "stopped",
     SAFETY_EVENT_INSPECTION_SCHEDULE_STOPPED, s_reason, NULL},
};

const cm_workflow_t schedule_workflow = {
    .name = "inspection_schedule",
    .rows = s_schedule_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_schedule_rows),
    .final_states = "stopped",
    .superuser_role = "station_head",
};

// Active schedules are timers at their next due date.
static void
s_schedule_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
                   int64_t now_ms)
{
    (void)old;    // the timer follows the document's state and due date
    (void)now_ms; // the due date is the score
    char key[CM_STORE_KEY_MAX];
    cm_store_key(key, sizeof key, SAFETY_OWNER, "timers",
                 "inspection_schedules");
    bool active = strcmp(cm_doc_state(doc), "active") == 0;
    cm_commit_timer(commit, key, cm_doc_text(doc, "id"),
                    active ? cm_doc_time(doc, "next_due", 0) : 0);
}

static const cm_filter_t s_schedule_filters[] = {
    {"state", NULL, "active stopped"},
    {"department"},
    {"template"},
    {NULL},
};

const cm_doc_type_t schedule_type = {
    .owner = SAFETY_OWNER,
    .kind = "inspection_schedule",
    .what = "inspection schedule",
    .id_prefix = "IS",
    .path = "/v1/inspection-schedules",
    .filters = s_schedule_filters,
    .workflow = &schedule_workflow,
    .indexes = s_schedule_indexes,
};

// The template (active) and the department (known) of a schedule body.
static json_t *
s_check_schedule(cm_ctx_t *ctx, const json_t *body)
{
    json_t *problem = NULL;
    json_t *tpl = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &template_type,
                         cm_doc_text(body, "template"), &tpl, &version);
    bool active = rc == 0 && strcmp(cm_doc_state(tpl), "active") == 0;
    json_decref(tpl);
    json_t *dept = cm_org_department(cm_ctx_store(ctx), SAFETY_OWNER,
                                     cm_doc_text(body, "department"));
    json_decref(dept);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return cm_problem_from_status(rc, NULL);
    }
    if (!active || !dept) {
        problem = cm_problem_new(422, "validation_failed",
                                 "an active template and a known department "
                                 "are needed");
        if (!active) {
            cm_validate_fail(&problem, "template", "is not an active template");
        }
        if (!dept) {
            cm_validate_fail(&problem, "department", "is not a department");
        }
    }
    return problem;
}

void
schedule_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    char id[CM_ID_MAX];
    if (!s_author(ctx)) {
        return;
    }
    if (!cm_field_check(s_schedule_fields, body, &problem)
        || (problem = s_check_schedule(ctx, body))) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &schedule_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    cm_doc_set_time(doc, "next_due", cm_doc_time(body, "next_due", now));
    json_object_set_new(doc, "last_inspection", json_null());
    s_create(ctx, &schedule_type, doc, SAFETY_EVENT_INSPECTION_SCHEDULE_CREATED,
             now);
    json_decref(doc);
}

void
schedule_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &schedule_type, NULL);
}

void
schedule_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &schedule_type);
}

void
schedule_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &schedule_type);
}

void
schedule_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &schedule_type);
}
