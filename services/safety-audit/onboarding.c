#include "onboarding.h"

#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "events/safety.h"
#include "safety.h"

#define S_DETAIL_MAX 256

static const char *const s_levels[] = {"station", "department", "team"};
#define S_LEVEL_COUNT (sizeof s_levels / sizeof s_levels[0])

json_t *
onboarding_missing(const json_t *doc)
{
    const json_t *levels = json_object_get(doc, "levels");
    json_t *missing = json_array();
    for (size_t i = 0; i < S_LEVEL_COUNT; i++) {
        if (!json_is_object(json_object_get(levels, s_levels[i]))) {
            json_array_append_new(missing, json_string(s_levels[i]));
        }
    }
    return missing;
}

json_t *
onboarding_new(const json_t *staff, const json_t *actor, int64_t now_ms)
{
    const char *id = cm_doc_text(staff, "id");
    json_t *doc = cm_doc_new(id, "untrained", actor, now_ms);
    json_object_set_new(doc, "staff", json_string(id));
    json_object_set_new(doc, "name", json_string(cm_doc_text(staff, "name")));
    json_object_set_new(doc, "department",
                        json_string(cm_doc_text(staff, "department")));
    json_object_set_new(doc, "team_lead", json_null());
    json_object_set_new(
        doc, "levels",
        json_pack("{s:n, s:n, s:n}", "station", "department", "team"));
    json_object_set_new(doc, "missing", onboarding_missing(doc));
    json_object_set_new(doc, "complete", json_false());
    return doc;
}

// ---- the process

// May the actor sign off `level` of doc? NULL, or the reason they may not.
static const char *
s_may_sign(const json_t *actor, const json_t *doc, const char *level)
{
    const char *role = cm_doc_text(actor, "role");
    const char *dept = cm_doc_text(doc, "department");
    bool head = safety_listed(actor, "heads", dept);
    if (strcmp(cm_doc_text(actor, "id"), cm_doc_text(doc, "staff")) == 0) {
        return "nobody signs off their own training";
    }
    if (strcmp(level, "station") == 0) {
        return strcmp(role, SAFETY_OFFICER) == 0
                   ? NULL
                   : "the station level is signed off by a safety officer";
    }
    if (strcmp(level, "department") == 0) {
        return head ? NULL
                    : "the department level is signed off by the head of the "
                      "person's department";
    }
    bool lead =
        strcmp(cm_doc_text(actor, "id"), cm_doc_text(doc, "team_lead")) == 0;
    return head || lead ? NULL
                        : "the team level is signed off by the team lead or "
                          "the head of the person's department";
}

static json_t *
s_sign_off(cm_action_t *a)
{
    const char *level = cm_doc_text(a->body, "level");
    const char *why = s_may_sign(a->actor, a->doc, level);
    if (why) {
        json_t *problem = cm_action_refuse(a, 403, "forbidden", why);
        cm_problem_set(problem, "level", json_string(level));
        return problem;
    }
    json_t *levels = json_object_get(a->doc, "levels");
    if (json_is_object(json_object_get(levels, level))) {
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail, "the %s level is already signed off.",
                 level);
        json_t *problem =
            cm_action_refuse(a, 409, "level_already_signed_off", detail);
        cm_problem_set(problem, "level", json_string(level));
        return problem;
    }
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_t *sign =
        json_pack("{s:s, s:s, s:s}", "by", cm_doc_text(a->actor, "id"), "role",
                  cm_doc_text(a->actor, "role"), "at", at);
    if (json_object_get(a->body, "note")) {
        json_object_set(sign, "note", json_object_get(a->body, "note"));
    }
    json_object_set_new(levels, level, sign);
    json_t *missing = onboarding_missing(a->doc);
    bool complete = json_array_size(missing) == 0;
    json_object_set_new(a->doc, "missing", missing);
    json_object_set_new(a->doc, "complete", json_boolean(complete));
    a->next_state = complete ? "complete" : "in_training";
    if (complete) {
        cm_action_event(a, SAFETY_EVENT_ONBOARDING_COMPLETED, NULL);
    }
    return NULL;
}

// The team lead must be active staff of the person's department.
static json_t *
s_update(cm_action_t *a)
{
    const char *lead = cm_doc_string(a->body, "team_lead");
    if (!lead) {
        return NULL; // cleared
    }
    json_t *staff = cm_org_staff(a->store, SAFETY_OWNER, lead);
    bool fits = staff && cm_org_is_active(staff)
                && strcmp(cm_doc_text(staff, "department"),
                          cm_doc_text(a->doc, "department"))
                       == 0
                && strcmp(lead, cm_doc_text(a->doc, "staff")) != 0;
    json_decref(staff);
    if (fits) {
        return NULL;
    }
    if (!staff && cm_store_ping(a->store) != 0) {
        return cm_problem_new(503, "store_unavailable",
                              "the org view is unreadable; retry");
    }
    json_t *problem = cm_problem_new(422, "validation_failed",
                                     "the team lead must be another active "
                                     "member of the person's department");
    cm_validate_fail(&problem, "team_lead",
                     "must be another active member of the department");
    return problem;
}

static const cm_field_t s_sign_off_fields[] = {
    {"level", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = ONBOARDING_LEVELS},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_lead(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t code = {"team_lead", CM_FIELD_CODE, 0};
    return json_is_null(value)
           || cm_field_check_value(&code, value, field, problem_p);
}

static const cm_field_t s_update_fields[] = {
    {"team_lead", CM_FIELD_ANY, CM_FIELD_REQUIRED, .to = "team_lead",
     .check = s_check_lead},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

#define S_OPEN   "untrained in_training"
#define S_SIGN   SAFETY_EVENT_ONBOARDING_SIGNED_OFF
#define S_UPDATE SAFETY_EVENT_ONBOARDING_UPDATED

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {S_OPEN, "sign-off", SAFETY_OFFICER, 0, NULL, CM_WORKFLOW_BY_CODE, S_SIGN,
     s_sign_off_fields, s_sign_off},
    {S_OPEN, "sign-off", "dept_head station_head", CM_WORKFLOW_HEAD, NULL,
     CM_WORKFLOW_BY_CODE, S_SIGN, s_sign_off_fields, s_sign_off},
    {S_OPEN, "sign-off", SAFETY_STAFF_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     CM_WORKFLOW_BY_CODE, S_SIGN, s_sign_off_fields, s_sign_off},
    {S_OPEN, "update", "dept_head station_head", CM_WORKFLOW_HEAD, NULL,
     CM_WORKFLOW_STAY, S_UPDATE, s_update_fields, s_update},
    {S_OPEN, "update", "deputy_head", CM_WORKFLOW_OVERSEES, NULL,
     CM_WORKFLOW_STAY, S_UPDATE, s_update_fields, s_update},
};

const cm_workflow_t onboarding_workflow = {
    .name = "onboarding",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "complete",
    .superuser_role = NULL, // each level is signed by its own owner
    .assignee_field = "team_lead",
};

static const cm_filter_t s_filters[] = {
    {"state", NULL, ONBOARDING_STATES},
    {"department"},
    {NULL},
};

// Need-to-know: the person, safety officers, the station head, auditors,
// the head or deputy over the person's department, the team lead.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const char *id = cm_ctx_actor_id(ctx);
    return cm_validate_name_in("safety_officer station_head auditor",
                               cm_ctx_actor_role(ctx))
           || strcmp(cm_doc_text(doc, "staff"), id) == 0
           || strcmp(cm_doc_text(doc, "team_lead"), id) == 0
           || safety_heads_or_oversees(ctx, cm_doc_text(doc, "department"));
}

static json_t *
s_event_data(const json_t *doc)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:O}", "id",
                     cm_doc_text(doc, "id"), "staff", cm_doc_text(doc, "staff"),
                     "department", cm_doc_text(doc, "department"), "state",
                     cm_doc_state(doc), "team_lead",
                     json_object_get(doc, "team_lead"), "levels",
                     json_object_get(doc, "levels"), "missing",
                     json_object_get(doc, "missing"), "complete",
                     json_object_get(doc, "complete"));
}

const cm_doc_type_t onboarding_type = {
    .owner = SAFETY_OWNER,
    .kind = "onboarding",
    .what = "onboarding",
    .id_prefix = "ST",
    .path = "/v1/onboarding",
    .filters = s_filters,
    .workflow = &onboarding_workflow,
    .event_data = s_event_data,
    .may_read = s_may_read,
};

// ---- personnel's events

static int
s_create(cm_store_t *store, const json_t *envelope, const json_t *staff,
         cm_commit_t *commit)
{
    (void)store; // the caller read it
    int64_t now = cm_time_now_ms();
    const json_t *actor = json_object_get(envelope, "actor");
    json_t *doc = onboarding_new(staff, actor, now);
    int rc =
        cm_doc_commit(commit, &onboarding_type, NULL, doc, CM_VERSION_NEW, now);
    if (rc == 0) {
        rc = cm_doc_event_add(commit, &onboarding_type,
                              SAFETY_EVENT_ONBOARDING_CREATED, doc, 1, actor,
                              cm_doc_string(envelope, "correlation_id"), NULL);
    }
    json_decref(doc);
    return rc == 0 ? 0 : CM_EINTERNAL;
}

// The person moved to another department: the department level and the
// team lead belong to the old one and are signed again.
static int
s_moved(const json_t *envelope, json_t *doc, int64_t version, const char *dept,
        cm_commit_t *commit)
{
    int64_t now = cm_time_now_ms();
    json_t *old = json_deep_copy(doc);
    const json_t *actor = json_object_get(envelope, "actor");
    cm_doc_set_string(doc, "department", dept);
    json_object_set_new(doc, "team_lead", json_null());
    json_t *data = json_pack("{s:s}", "department", dept);
    cm_doc_history_add(doc, actor, "department_changed", NULL, NULL, NULL, data,
                       now);
    int rc = cm_doc_commit(commit, &onboarding_type, old, doc, version, now);
    if (rc == 0) {
        rc = cm_doc_event_add(commit, &onboarding_type,
                              SAFETY_EVENT_ONBOARDING_UPDATED, doc, version + 1,
                              actor, cm_doc_string(envelope, "correlation_id"),
                              NULL);
    }
    json_decref(old);
    return rc == 0 ? 0 : CM_EINTERNAL;
}

int
onboarding_on_staff(cm_store_t *store, const json_t *envelope,
                    cm_commit_t *commit)
{
    const json_t *staff = json_object_get(envelope, "data");
    const char *id = cm_doc_string(staff, "id");
    if (!id || !*id || strlen(id) >= CM_ID_MAX) {
        return 0;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &onboarding_type, id, &doc, &version);
    if (rc == CM_ENOTFOUND) {
        return s_create(store, envelope, staff, commit);
    }
    const char *dept = cm_doc_string(staff, "department");
    if (rc == 0 && dept && *dept
        && strcmp(dept, cm_doc_text(doc, "department")) != 0) {
        rc = s_moved(envelope, doc, version, dept, commit);
    }
    json_decref(doc);
    return rc;
}

// ---- handlers

void
onboarding_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &onboarding_type, NULL);
}

void
onboarding_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &onboarding_type);
}

void
onboarding_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &onboarding_type);
}

void
onboarding_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &onboarding_type);
}

void
onboarding_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &onboarding_type);
}
