#include "training.h"

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
#include "safety.h"

#define S_ORGANISERS "safety_officer station_head"
#define S_READERS    "safety_officer station_head auditor deputy_head dept_head"
#define S_PATH_MAX   64

static bool
s_check_code(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t code = {"staff", CM_FIELD_CODE, CM_FIELD_REQUIRED};
    return cm_field_check_value(&code, value, field, problem_p);
}

static const cm_field_t s_result_fields[] = {
    {"staff", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"attended", CM_FIELD_BOOLEAN, CM_FIELD_REQUIRED},
    {"assessment", CM_FIELD_ENUM, 0, .values = "pass fail"},
    {"score", CM_FIELD_INTEGER, 0, .min = 0, .max = 100},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_result(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_result_fields, value, field, problem_p);
}

static bool
s_listed(const json_t *array, const char *id)
{
    for (size_t i = 0; id && i < json_array_size(array); i++) {
        const char *item = json_string_value(json_array_get(array, i));
        if (item && strcmp(item, id) == 0) {
            return true;
        }
    }
    return false;
}

// record: every result names an attendee, once; an absent attendee has no
// assessment.
static json_t *
s_record(cm_action_t *a)
{
    const json_t *results = json_object_get(a->body, "results");
    const json_t *attendees = json_object_get(a->doc, "attendees");
    json_t *problem = NULL, *seen = json_array();
    for (size_t i = 0; i < json_array_size(results); i++) {
        const json_t *r = json_array_get(results, i);
        const char *staff = cm_doc_text(r, "staff");
        char path[S_PATH_MAX];
        snprintf(path, sizeof path, "results[%zu].staff", i);
        if (!s_listed(attendees, staff) || s_listed(seen, staff)) {
            cm_validate_fail(&problem, path, "must be an attendee, named once");
        } else if (!json_is_true(json_object_get(r, "attended"))
                   && json_object_get(r, "assessment")) {
            snprintf(path, sizeof path, "results[%zu].assessment", i);
            cm_validate_fail(&problem, path, "is for attendees who attended");
        }
        json_array_append_new(seen, json_string(staff));
    }
    json_decref(seen);
    if (!problem) {
        json_object_set(a->doc, "results", (json_t *)results);
        cm_doc_set_time(a->doc, "held_at", a->now_ms);
    }
    return problem;
}

static const cm_field_t s_record_fields[] = {
    {"results", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .check = s_check_result},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_cancel_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    {"planned", "record", SAFETY_OFFICER, 0, NULL, "held",
     SAFETY_EVENT_TRAINING_RECORDED, s_record_fields, s_record},
    {"planned", "record", SAFETY_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "held", SAFETY_EVENT_TRAINING_RECORDED, s_record_fields, s_record},
    {"planned", "cancel", SAFETY_OFFICER, 0, NULL, "cancelled",
     SAFETY_EVENT_TRAINING_CANCELLED, s_cancel_fields, NULL},
};

const cm_workflow_t training_workflow = {
    .name = "safety_training",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "held cancelled",
    .superuser_role = "station_head",
    .assignee_field = "trainer",
};

// Need-to-know (attendance and results are personal): safety officers,
// the station head, auditors, heads and deputies, the trainer, attendees.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const char *id = cm_ctx_actor_id(ctx);
    return cm_validate_name_in(S_READERS, cm_ctx_actor_role(ctx))
           || strcmp(cm_doc_text(doc, "trainer"), id) == 0
           || s_listed(json_object_get(doc, "attendees"), id);
}

static const cm_filter_t s_filters[] = {
    {"state", NULL, "planned held cancelled"},
    {"topic", NULL, TRAINING_TOPICS},
    {"trainer"},
    {NULL},
};

const cm_doc_type_t training_type = {
    .owner = SAFETY_OWNER,
    .kind = "training",
    .what = "safety training",
    .id_prefix = "TR",
    .path = "/v1/safety-trainings",
    .filters = s_filters,
    .workflow = &training_workflow,
    .may_read = s_may_read,
};

static const cm_field_t s_create_fields[] = {
    {"topic", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = TRAINING_TOPICS},
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"date", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"trainer", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"attendees", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .check = s_check_code},
    {"procedure", CM_FIELD_CODE, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// The trainer and every attendee are active staff (422 naming them).
static json_t *
s_check_people(cm_ctx_t *ctx, const json_t *body)
{
    json_t *problem = NULL;
    const json_t *attendees = json_object_get(body, "attendees");
    for (size_t i = 0; i <= json_array_size(attendees); i++) {
        const char *id =
            i == 0 ? cm_doc_text(body, "trainer")
                   : json_string_value(json_array_get(attendees, i - 1));
        json_t *staff = cm_org_staff(cm_ctx_store(ctx), SAFETY_OWNER, id);
        if (!staff || !cm_org_is_active(staff)) {
            char path[S_PATH_MAX];
            snprintf(path, sizeof path, "attendees[%zu]", i - 1);
            if (!problem) {
                problem = cm_problem_new(422, "validation_failed",
                                         "trainer and attendees must be "
                                         "active staff");
            }
            cm_validate_fail(&problem, i == 0 ? "trainer" : path,
                             "must be active staff");
        }
        json_decref(staff);
    }
    return problem;
}

void
training_create(cm_ctx_t *ctx)
{
    if (!cm_validate_name_in(S_ORGANISERS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "safety officers and the station head organise "
                           "safety training");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)
        || (problem = s_check_people(ctx, body))) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &training_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "planned", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    json_object_set_new(doc, "results", json_array());
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    cm_doc_commit(commit, &training_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &training_type, SAFETY_EVENT_TRAINING_CREATED,
                 doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, &training_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
training_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &training_type, NULL);
}

void
training_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &training_type);
}

void
training_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &training_type);
}

void
training_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &training_type);
}
