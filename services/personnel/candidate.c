#include "candidate.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "personnel.h"
#include "recruitment.h"
#include "staff.h"

#define S_NOTES_MAX 2000
#define S_SCORE_MAX 100
#define S_HIRE_ROLES                                                           \
    "dept_head cs_agent technician logistics finance safety_officer auditor"

// ---- bodies (pure)

static bool
s_check_plan(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), "RP", NULL)
           || cm_validate_fail(problem, field,
                               "must be a recruitment plan id such as RP-2");
}

static bool
s_check_staff(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), STAFF_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a staff id such as ST-7");
}

static const cm_field_t s_create_fields[] = {
    {"plan", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_plan},
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = STAFF_NAME_MAX},
    {"channel", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = CANDIDATE_CHANNELS},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_screen_fields[] = {
    {"result", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = "pass fail"},
    {"notes", CM_FIELD_TEXT, 0, .max = S_NOTES_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_interview_fields[] = {
    {"score", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
     .max = S_SCORE_MAX},
    {"interviewer", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_staff},
    {"notes", CM_FIELD_TEXT, 0, .max = S_NOTES_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_test_fields[] = {
    {"score", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
     .max = S_SCORE_MAX},
    {"notes", CM_FIELD_TEXT, 0, .max = S_NOTES_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_offer_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};

static const cm_field_t s_decline_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = S_NOTES_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_hire_fields[] = {
    {"role", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = S_HIRE_ROLES},
    {"contract", CM_FIELD_OBJECT, CM_FIELD_REQUIRED,
     .check = staff_check_contract},
    {"skills", CM_FIELD_ARRAY, 0, .max = STAFF_SKILLS_MAX,
     .check = staff_check_skill},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// ---- effects

// Record the step's body under member with the time.
static void
s_record(cm_action_t *a, const char *member)
{
    char at[CM_TIME_TEXT_MAX];
    json_t *step = json_deep_copy(a->body);
    json_object_del(step, "note");
    json_object_set_new(step, "at", json_string(cm_time_format(a->now_ms, at)));
    json_object_set(step, "by", json_object_get(a->actor, "id"));
    json_object_set_new(a->doc, member, step);
}

static json_t *
s_screen(cm_action_t *a)
{
    s_record(a, "screening");
    bool pass = strcmp(cm_doc_text(a->body, "result"), "pass") == 0;
    a->next_state = pass ? "screened" : "rejected";
    return NULL;
}

static json_t *
s_interview(cm_action_t *a)
{
    s_record(a, "interview");
    return NULL;
}

static json_t *
s_test(cm_action_t *a)
{
    s_record(a, "test");
    return NULL;
}

static json_t *
s_offer(cm_action_t *a)
{
    s_record(a, "offer");
    return NULL;
}

static json_t *
s_decline(cm_action_t *a)
{
    json_object_set(a->doc, "decline_reason",
                    json_object_get(a->body, "reason"));
    return NULL;
}

// The plan takes one more hire: written over its version in the commit.
static json_t *
s_count_hire(cm_action_t *a, json_t **plan_p)
{
    int64_t version = 0;
    json_t *old = NULL;
    int rc = cm_doc_read(a->store, &recruitment_type,
                         cm_doc_text(a->doc, "plan"), &old, &version);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *problem = NULL;
    int64_t hired = cm_doc_integer(old, "hired");
    if (strcmp(cm_doc_state(old), "approved") != 0) {
        problem = cm_action_refuse(a, 409, "plan_not_open",
                                   "the recruitment plan is not approved or "
                                   "is closed");
    } else if (hired >= cm_doc_integer(old, "headcount")) {
        problem = cm_action_refuse(a, 409, "plan_filled",
                                   "the recruitment plan's headcount is "
                                   "reached");
    } else {
        json_t *plan = json_deep_copy(old);
        json_object_set_new(plan, "hired", json_integer(hired + 1));
        cm_doc_history_add(plan, a->actor, "hire", "approved", "approved",
                           cm_doc_text(a->doc, "id"), NULL, a->now_ms);
        if (cm_doc_commit(a->commit, &recruitment_type, old, plan, version,
                          a->now_ms)
            != 0) {
            problem = cm_problem_new(422, "document_too_large",
                                     "the plan would pass its size limit");
        }
        *plan_p = plan;
    }
    json_decref(old);
    return problem;
}

static json_t *
s_hire(cm_action_t *a)
{
    json_t *problem = NULL;
    if (!access_may_grant(a->actor, cm_doc_text(a->body, "role"))) {
        return access_forbidden("grant this role");
    }
    json_t *unique = NULL;
    staff_check_skills_unique(a->body, &unique);
    if (unique) {
        return unique;
    }
    json_t *plan = NULL;
    problem = s_count_hire(a, &plan);
    int64_t number = 0;
    if (!problem
        && cm_store_next_id(a->store, PERSONNEL_OWNER, STAFF_KIND, &number)
               != 0) {
        problem = cm_problem_new(503, "store_unavailable",
                                 "the store is unavailable; retry");
    }
    if (!problem) {
        char id[CM_ID_MAX];
        cm_id_format(STAFF_ID_PREFIX, number, id);
        json_t *body =
            json_pack("{s:O, s:O, s:O, s:O, s:O, s:O?}", "name",
                      json_object_get(a->doc, "name"), "role",
                      json_object_get(a->body, "role"), "department",
                      json_object_get(plan, "department"), "position",
                      json_object_get(plan, "position"), "contract",
                      json_object_get(a->body, "contract"), "skills",
                      json_object_get(a->body, "skills"));
        json_t *staff = staff_new_doc(body, id, a->actor, a->now_ms);
        json_object_set_new(staff, "training_status", json_string("untrained"));
        json_object_set_new(staff, "candidate",
                            json_string(cm_doc_text(a->doc, "id")));
        if (cm_doc_commit(a->commit, &staff_type, NULL, staff, CM_VERSION_NEW,
                          a->now_ms)
                != 0
            || cm_doc_event(a->ctx, a->commit, &staff_type,
                            PERSONNEL_EVENT_STAFF_CREATED, staff, 1, NULL)
                   != 0) {
            problem = cm_problem_new(422, "document_too_large",
                                     "the staff member is too large");
        }
        json_object_set_new(a->doc, "staff", json_string(id));
        json_decref(staff);
        json_decref(body);
    }
    json_decref(plan);
    return problem;
}

// ---- the process

#define S_MANAGERS "deputy_head dept_head"

static bool
s_manager(const json_t *actor, const json_t *doc)
{
    return access_manages(actor, cm_doc_text(doc, "department"));
}

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields,
    // effect, guard
    {"applied", "screen", S_MANAGERS, 0, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_CANDIDATE_SCREENED, s_screen_fields, s_screen, s_manager},
    {"screened", "interview", S_MANAGERS, 0, NULL, "interviewed",
     PERSONNEL_EVENT_CANDIDATE_INTERVIEWED, s_interview_fields, s_interview,
     s_manager},
    {"interviewed", "test", S_MANAGERS, 0, NULL, "tested",
     PERSONNEL_EVENT_CANDIDATE_TESTED, s_test_fields, s_test, s_manager},
    {"tested", "offer", S_MANAGERS, 0, NULL, "offered",
     PERSONNEL_EVENT_CANDIDATE_OFFERED, s_offer_fields, s_offer, s_manager},
    {"offered", "hire", S_MANAGERS, 0, NULL, "hired",
     PERSONNEL_EVENT_CANDIDATE_HIRED, s_hire_fields, s_hire, s_manager},
    {"applied screened interviewed tested offered", "decline", S_MANAGERS, 0,
     NULL, "declined", PERSONNEL_EVENT_CANDIDATE_DECLINED, s_decline_fields,
     s_decline, s_manager},
};

const cm_workflow_t candidate_workflow = {
    .name = "candidate",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "hired rejected declined",
    .superuser_role = PERSONNEL_TOP_ROLE,
};

static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_object();
    const char *members[] = {"id",       "state",   "plan", "department",
                             "position", "channel", "staff"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *value = json_object_get(doc, members[i]);
        json_object_set_new(data, members[i],
                            value ? json_deep_copy(value) : json_null());
    }
    return data;
}

// Candidates' data is the hiring department's: managers and auditors.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    return strcmp(cm_doc_text(actor, "role"), "auditor") == 0
           || access_manages(actor, cm_doc_text(doc, "department"));
}

static const cm_filter_t s_filters[] = {
    {"plan"},
    {"state", NULL, CANDIDATE_STATES},
    {"department"},
    {NULL},
};

const cm_doc_type_t candidate_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "candidate",
    .what = "candidate",
    .id_prefix = "CA",
    .path = "/v1/candidates",
    .filters = s_filters,
    .workflow = &candidate_workflow,
    .event_data = s_event_data,
    .may_read = s_may_read,
};

// ---- handlers

// The plan must be approved and the caller one of its managers.
static json_t *
s_check_plan_open(cm_ctx_t *ctx, const char *id, json_t **plan)
{
    int64_t version = 0;
    int rc =
        cm_doc_read(cm_ctx_store(ctx), &recruitment_type, id, plan, &version);
    if (rc == CM_ENOTFOUND) {
        json_t *problem = cm_problem_new(422, "unknown_plan",
                                         "There is no such recruitment plan.");
        cm_problem_add_error(problem, "plan", "names no recruitment plan");
        return problem;
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    if (!access_manages(cm_ctx_actor(ctx), cm_doc_text(*plan, "department"))) {
        return access_forbidden("recruit for a department you neither head "
                                "nor oversee");
    }
    if (strcmp(cm_doc_state(*plan), "approved") != 0) {
        json_t *problem = cm_problem_new(422, "plan_not_open",
                                         "The recruitment plan is not "
                                         "approved or is closed.");
        cm_problem_add_error(problem, "plan", "is not an approved plan");
        return problem;
    }
    return NULL;
}

void
candidate_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    json_t *plan = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    problem = s_check_plan_open(ctx, cm_doc_text(body, "plan"), &plan);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &candidate_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = cm_doc_new(id, "applied", cm_ctx_actor(ctx), now);
        json_object_update(doc, (json_t *)body);
        json_object_del(doc, "note");
        json_object_set(doc, "department", json_object_get(plan, "department"));
        json_object_set(doc, "position", json_object_get(plan, "position"));
        json_t *nulls =
            json_pack("{s:n, s:n, s:n, s:n, s:n, s:n}", "screening",
                      "interview", "test", "offer", "staff", "decline_reason");
        json_object_update(doc, nulls);
        json_decref(nulls);
        cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
        if (cm_doc_commit(commit, &candidate_type, NULL, doc, CM_VERSION_NEW,
                          now)
                != 0
            || cm_doc_event(ctx, commit, &candidate_type,
                            PERSONNEL_EVENT_CANDIDATE_CREATED, doc, 1, NULL)
                   != 0) {
            cm_ctx_fail(ctx, cm_problem_new(422, "document_too_large",
                                            "the candidate is too large"));
        } else {
            cm_doc_reply_commit(ctx, commit, &candidate_type, 201, doc, 1);
        }
        cm_commit_destroy(&commit);
        json_decref(doc);
    }
    json_decref(plan);
}

void
candidate_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &candidate_type, NULL);
    }
}

void
candidate_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &candidate_type);
    }
}

void
candidate_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &candidate_type);
    }
}

void
candidate_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &candidate_type);
    }
}
