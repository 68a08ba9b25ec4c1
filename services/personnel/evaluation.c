#include "evaluation.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_call.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_store.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "department.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"

#define S_TITLE_MAX    200
#define S_TEXT_MAX     4000
#define S_NAME_MAX     48
#define S_CUSTOMER_MAX 5 // intake's satisfaction scores are 1-5
#define S_PATH_MAX     96

// ---- pure figures

static double
s_round2(double value)
{
    return floor(value * 100.0 + 0.5) / 100.0;
}

double
evaluation_rater_score(const json_t *indicators, const json_t *scores)
{
    double sum = 0;
    size_t i;
    const json_t *indicator;
    json_array_foreach(indicators, i, indicator)
    {
        const json_t *score =
            json_object_get(scores, cm_doc_text(indicator, "name"));
        if (!json_is_number(score)) {
            return -1;
        }
        sum += json_number_value(score)
               * (double)cm_doc_integer(indicator, "weight");
    }
    return s_round2(sum / 100.0);
}

// The score a rater entry carries ({score}), or -1.
static double
s_entry(const json_t *entry)
{
    const json_t *score = json_object_get(entry, "score");
    return json_is_number(score) ? json_number_value(score) : -1;
}

double
evaluation_final_score(const json_t *rater_weights, const json_t *scores)
{
    const char *raters[] = {"supervisor", "peer", "self", "customer"};
    double sum = 0;
    double weights = 0;
    for (size_t r = 0; r < 4; r++) {
        double score = -1;
        if (strcmp(raters[r], "peer") == 0) {
            const json_t *peers = json_object_get(scores, "peers");
            double total = 0;
            size_t n = 0;
            for (size_t i = 0; i < json_array_size(peers); i++) {
                double one = s_entry(json_array_get(peers, i));
                if (one >= 0) {
                    total += one;
                    n++;
                }
            }
            score = n ? total / (double)n : -1;
        } else {
            score = s_entry(json_object_get(scores, raters[r]));
        }
        double weight = (double)cm_doc_integer(rater_weights, raters[r]);
        if (score >= 0 && weight > 0) {
            sum += score * weight;
            weights += weight;
        }
    }
    return weights > 0 ? s_round2(sum / weights) : -1;
}

const char *
evaluation_grade(double score)
{
    return score >= 90 ? "A" : score >= 75 ? "B" : score >= 60 ? "C" : "D";
}

// ---- cycles: body

static bool
s_check_code(const json_t *value, const char *field, json_t **problem)
{
    return department_code_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field, "must be a department id");
}

static bool
s_check_period(const json_t *value, const char *field, json_t **problem)
{
    static const cm_field_t parts[] = {
        {"start", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        {"end", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        CM_FIELD_END,
    };
    if (!cm_field_check_object(parts, value, field, problem)) {
        return false;
    }
    if (strcmp(cm_doc_text(value, "end"), cm_doc_text(value, "start")) < 0) {
        char name[S_PATH_MAX];
        snprintf(name, sizeof name, "%s.end", field);
        return cm_validate_fail(problem, name, "must not be before start");
    }
    return true;
}

static bool
s_check_indicator(const json_t *value, const char *field, json_t **problem)
{
    static const cm_field_t parts[] = {
        {"name", CM_FIELD_CODE, CM_FIELD_REQUIRED, .max = S_NAME_MAX},
        {"weight", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 100},
        CM_FIELD_END,
    };
    return cm_field_check_object(parts, value, field, problem);
}

static bool
s_check_rater_weights(const json_t *value, const char *field, json_t **problem)
{
    static const cm_field_t parts[] = {
        {"supervisor", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
         .max = 100},
        {"peer", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0, .max = 100},
        {"self", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0, .max = 100},
        {"customer", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0, .max = 100},
        CM_FIELD_END,
    };
    if (!cm_field_check_object(parts, value, field, problem)) {
        return false;
    }
    int64_t sum = 0;
    for (size_t i = 0; parts[i].name; i++) {
        sum += cm_doc_integer(value, parts[i].name);
    }
    return sum == 100 || cm_validate_fail(problem, field, "must add up to 100");
}

static const cm_field_t s_cycle_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = S_TITLE_MAX},
    {"department", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_code},
    {"period", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .check = s_check_period},
    {"indicators", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = EVALUATION_INDICATORS_MAX, .check = s_check_indicator},
    {"rater_weights", CM_FIELD_OBJECT, CM_FIELD_REQUIRED,
     .check = s_check_rater_weights},
    CM_FIELD_END,
};

json_t *
evaluation_validate_cycle(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    if (!cm_field_check(s_cycle_fields, body, &problem)) {
        return problem;
    }
    const json_t *indicators = json_object_get(body, "indicators");
    int64_t sum = 0;
    for (size_t i = 0; i < json_array_size(indicators); i++) {
        const json_t *one = json_array_get(indicators, i);
        sum += cm_doc_integer(one, "weight");
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cm_doc_text(one, "name"),
                       cm_doc_text(json_array_get(indicators, j), "name"))
                == 0) {
                char name[S_PATH_MAX];
                snprintf(name, sizeof name, "indicators[%zu].name", i);
                cm_validate_fail(&problem, name, "is listed twice");
            }
        }
    }
    if (sum != 100) {
        cm_validate_fail(&problem, "indicators", "weights must add up to 100");
    }
    return problem;
}

// ---- cycles: process and handlers

static bool
s_manager(const json_t *actor, const json_t *doc)
{
    return access_manages(actor, cm_doc_text(doc, "department"));
}

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

#define S_MANAGERS "deputy_head dept_head"

static const cm_workflow_row_t s_cycle_rows[] = {
    {"open", "close", S_MANAGERS, 0, NULL, "closed",
     PERSONNEL_EVENT_CYCLE_CLOSED, s_note_only, NULL, s_manager},
};

const cm_workflow_t cycle_workflow = {
    .name = "evaluation_cycle",
    .rows = s_cycle_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_cycle_rows),
    .final_states = "closed",
    .superuser_role = PERSONNEL_TOP_ROLE,
};

static const cm_filter_t s_cycle_filters[] = {
    {"department"},
    {"state", NULL, "open closed"},
    {NULL},
};

const cm_doc_type_t cycle_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "evaluation_cycle",
    .what = "evaluation cycle",
    .id_prefix = "EC",
    .path = "/v1/evaluation-cycles",
    .filters = s_cycle_filters,
    .workflow = &cycle_workflow,
};

// Create doc (a new document of type at version 1) with its event.
static void
s_create_commit(cm_ctx_t *ctx, const cm_doc_type_t *type, json_t *doc,
                const char *event, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    if (cm_doc_commit(commit, type, NULL, doc, CM_VERSION_NEW, now) != 0
        || cm_doc_event(ctx, commit, type, event, doc, 1, NULL) != 0) {
        cm_ctx_fail(ctx, cm_problem_new(422, "document_too_large",
                                        "the document is too large"));
    } else {
        cm_doc_reply_commit(ctx, commit, type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
}

void
cycle_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = evaluation_validate_cycle(body);
    if (!problem) {
        json_t *dept = NULL;
        int64_t version = 0;
        int rc = cm_doc_read(cm_ctx_store(ctx), &department_type,
                             cm_doc_text(body, "department"), &dept, &version);
        json_decref(dept);
        if (rc == CM_ENOTFOUND) {
            problem = cm_problem_new(422, "unknown_department",
                                     "There is no such department.");
            cm_problem_add_error(problem, "department", "names no department");
        } else if (rc != 0) {
            problem = cm_problem_from_status(rc, NULL);
        }
    }
    if (!problem
        && !access_manages(cm_ctx_actor(ctx),
                           cm_doc_text(body, "department"))) {
        problem = access_forbidden("run evaluations in a department you "
                                   "neither head nor oversee");
    }
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &cycle_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = cm_doc_new(id, "open", cm_ctx_actor(ctx), now);
        json_object_update(doc, (json_t *)body);
        s_create_commit(ctx, &cycle_type, doc, PERSONNEL_EVENT_CYCLE_CREATED,
                        now);
        json_decref(doc);
    }
}

void
cycle_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &cycle_type, NULL);
    }
}

void
cycle_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &cycle_type);
    }
}

void
cycle_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &cycle_type);
    }
}

// ---- evaluations: effects

static bool
s_check_scores(const json_t *value, const char *field, json_t **problem)
{
    const char *key;
    json_t *score;
    bool fine = json_object_size(value) > 0
                || cm_validate_fail(problem, field, "names no indicator");
    json_object_foreach((json_t *)value, key, score)
    {
        if (!json_is_integer(score) || json_integer_value(score) < 0
            || json_integer_value(score) > 100) {
            char name[S_PATH_MAX];
            snprintf(name, sizeof name, "%s.%.40s", field, key);
            fine = cm_validate_fail(problem, name,
                                    "must be an integer from 0 to 100");
        }
    }
    return fine;
}

static const cm_field_t s_score_fields[] = {
    {"as", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = "supervisor peer self"},
    {"scores", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .check = s_check_scores},
    {"comment", CM_FIELD_TEXT, 0, .max = S_TEXT_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_finalize_fields[] = {
    {"feedback", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = S_TEXT_MAX},
    {"improvement_plan", CM_FIELD_TEXT, 0, .max = S_TEXT_MAX},
    CM_FIELD_END,
};

// The evaluation's cycle; NULL after a problem into *problem.
static json_t *
s_cycle_of(cm_action_t *a, json_t **problem)
{
    json_t *cycle = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(a->store, &cycle_type, cm_doc_text(a->doc, "cycle"),
                         &cycle, &version);
    if (rc != 0) {
        *problem = cm_problem_from_status(rc, NULL);
        return NULL;
    }
    return cycle;
}

// May actor rate as `as`? supervisor: the department's head (or the
// station head); self: the person; peer: a colleague of the department.
static bool
s_may_rate(const json_t *actor, const json_t *doc, const char *as)
{
    const char *id = cm_doc_text(actor, "id");
    const char *department = cm_doc_text(doc, "department");
    bool person = strcmp(id, cm_doc_text(doc, "staff")) == 0;
    if (strcmp(as, "self") == 0) {
        return person;
    }
    if (strcmp(as, "supervisor") == 0) {
        return !person
               && (access_is_top(actor)
                   || (access_manages(actor, department)
                       && strcmp(cm_doc_text(actor, "role"), "dept_head")
                              == 0));
    }
    return !person && strcmp(cm_doc_text(actor, "department"), department) == 0;
}

static json_t *
s_score(cm_action_t *a)
{
    const char *as = cm_doc_text(a->body, "as");
    if (!s_may_rate(a->actor, a->doc, as)) {
        return access_forbidden(
            "rate as this rater (supervisor: the department's head; peer: a "
            "colleague of the department; self: the person)");
    }
    json_t *problem = NULL;
    json_t *cycle = s_cycle_of(a, &problem);
    if (!cycle) {
        return problem;
    }
    const json_t *scores = json_object_get(a->body, "scores");
    const json_t *indicators = json_object_get(cycle, "indicators");
    double score = evaluation_rater_score(indicators, scores);
    if (score < 0 || json_object_size(scores) != json_array_size(indicators)) {
        json_decref(cycle);
        json_t *bad = NULL;
        cm_validate_fail(&bad, "scores",
                         "must score each of the cycle's indicators once");
        return bad;
    }
    json_decref(cycle);
    char at[CM_TIME_TEXT_MAX];
    json_t *entry = json_pack(
        "{s:O, s:O, s:f, s:s}", "by", json_object_get(a->actor, "id"), "scores",
        scores, "score", score, "at", cm_time_format(a->now_ms, at));
    json_t *all = json_object_get(a->doc, "scores");
    if (strcmp(as, "peer") != 0) {
        json_object_set_new(all, as, entry);
        return NULL;
    }
    json_t *peers = json_object_get(all, "peers");
    for (size_t i = 0; i < json_array_size(peers); i++) {
        if (strcmp(cm_doc_text(json_array_get(peers, i), "by"),
                   cm_doc_text(a->actor, "id"))
            == 0) {
            json_array_set_new(peers, i, entry); // a new opinion replaces
            return NULL;
        }
    }
    json_array_append_new(peers, entry);
    return NULL;
}

// The cycle's period as RFC 3339 times: from the start of its first day
// to the end of its last (UTC).
static void
s_period(const json_t *cycle, char *from, char *to, size_t size)
{
    const json_t *period = json_object_get(cycle, "period");
    snprintf(from, size, "%sT00:00:00Z", cm_doc_text(period, "start"));
    snprintf(to, size, "%sT23:59:59Z", cm_doc_text(period, "end"));
}

static json_t *
s_customers(cm_action_t *a)
{
    json_t *problem = NULL;
    json_t *cycle = s_cycle_of(a, &problem);
    if (!cycle) {
        return problem;
    }
    char from[CM_TIME_TEXT_MAX], to[CM_TIME_TEXT_MAX];
    s_period(cycle, from, to, sizeof from);
    json_decref(cycle);
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "staff", cm_doc_text(a->doc, "staff"),
                  "from", from, "to", to);
    cm_call_t call = {.service = "intake",
                      .method = "POST",
                      .path = "/internal/satisfaction",
                      .body = body};
    cm_call_result_t result;
    int rc = cm_ctx_call(a->ctx, &call, &result);
    json_decref(body);
    if (rc != 0 || result.status != 200) {
        cm_call_result_clear(&result);
        return cm_problem_new(503, "intake_unavailable",
                              "intake's satisfaction figures could not be "
                              "read; retry");
    }
    const json_t *report = result.body;
    int64_t count = cm_doc_integer(report, "count");
    const json_t *average = json_object_get(report, "average_score");
    json_t *customer =
        json_pack("{s:s, s:s, s:I, s:I, s:O?}", "from", from, "to", to, "count",
                  (json_int_t)count, "satisfied",
                  (json_int_t)cm_doc_integer(report, "satisfied"),
                  "average_score", average);
    double points =
        json_is_number(average)
            ? s_round2(json_number_value(average) * 100.0 / S_CUSTOMER_MAX)
            : -1;
    json_object_set_new(customer, "score",
                        points >= 0 ? json_real(points) : json_null());
    json_object_set_new(json_object_get(a->doc, "scores"), "customer",
                        customer);
    cm_call_result_clear(&result);
    return NULL;
}

static json_t *
s_finalize(cm_action_t *a)
{
    json_t *problem = NULL;
    json_t *cycle = s_cycle_of(a, &problem);
    if (!cycle) {
        return problem;
    }
    double score =
        evaluation_final_score(json_object_get(cycle, "rater_weights"),
                               json_object_get(a->doc, "scores"));
    json_decref(cycle);
    if (score < 0
        || !json_object_get(json_object_get(a->doc, "scores"), "supervisor")) {
        return cm_action_refuse(a, 409, "scores_missing",
                                "the supervisor has not scored yet");
    }
    const char *grade = evaluation_grade(score);
    const char *plan = cm_doc_string(a->body, "improvement_plan");
    if ((strcmp(grade, "C") == 0 || strcmp(grade, "D") == 0)
        && (!plan || !*plan)) {
        json_t *bad = NULL;
        cm_validate_fail(&bad, "improvement_plan",
                         "is required for grades C and D");
        return bad;
    }
    json_object_set_new(a->doc, "final_score", json_real(score));
    json_object_set_new(a->doc, "grade", json_string(grade));
    json_object_set(a->doc, "feedback", json_object_get(a->body, "feedback"));
    json_object_set_new(a->doc, "improvement_plan",
                        plan ? json_string(plan) : json_null());
    const char *department = cm_doc_text(a->doc, "department");
    problem = json_is_object(json_object_get(a->doc, "approval"))
                  ? cm_approval_resubmit(a, 0, "pending", "final")
                  : cm_approval_submit(a, "evaluation", department, 0, NULL,
                                       "pending", "final");
    // The department head's finalize is the chain's first step.
    if (!problem && cm_approval_may_decide(a->doc, a->actor, NULL)) {
        problem = cm_approval_approve(a, "pending", "final");
    }
    return problem;
}

static json_t *
s_confirm(cm_action_t *a)
{
    return cm_approval_approve(a, "pending", "final");
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "open");
}

// ---- evaluations: process

// People who rate (not auditors, not system accounts).
#define S_RATERS                                                               \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields,
    // effect, guard
    {"open", "score", S_RATERS, 0, NULL, CM_WORKFLOW_STAY,
     PERSONNEL_EVENT_EVALUATION_SCORED, s_score_fields, s_score, NULL},
    {"open", "score-customers", S_MANAGERS, 0, NULL, CM_WORKFLOW_STAY,
     PERSONNEL_EVENT_EVALUATION_SCORED, s_note_only, s_customers, s_manager},
    {"open", "finalize", "dept_head", CM_WORKFLOW_HEAD, NULL,
     CM_WORKFLOW_BY_CODE, PERSONNEL_EVENT_EVALUATION_FINALIZED,
     s_finalize_fields, s_finalize, NULL},
    {"pending", "confirm", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_EVALUATION_CONFIRMED, cm_approval_approve_fields,
     s_confirm, NULL},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_EVALUATION_REJECTED, cm_approval_reject_fields, s_reject,
     NULL},
};

const cm_workflow_t evaluation_workflow = {
    .name = "evaluation",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "final",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .assignee_field = "staff",
    .requester_field = "requested_by",
};

static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_object();
    const char *members[] = {"id",         "state",       "cycle", "staff",
                             "department", "final_score", "grade"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *value = json_object_get(doc, members[i]);
        json_object_set_new(data, members[i],
                            value ? json_deep_copy(value) : json_null());
    }
    return data;
}

// The person, the department's managers, auditors, and while it is open
// the colleagues who may score it as peers.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    return strcmp(cm_doc_text(actor, "role"), "auditor") == 0
           || strcmp(cm_doc_text(actor, "id"), cm_doc_text(doc, "staff")) == 0
           || s_manager(actor, doc)
           || (strcmp(cm_doc_state(doc), "open") == 0
               && strcmp(cm_doc_text(actor, "role"), "system") != 0
               && strcmp(cm_doc_text(actor, "department"),
                         cm_doc_text(doc, "department"))
                      == 0);
}

static const cm_filter_t s_filters[] = {
    {"cycle"},      {"staff"}, {"state", NULL, "open pending final"},
    {"department"}, {NULL},
};

const cm_doc_type_t evaluation_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "evaluation",
    .what = "evaluation",
    .id_prefix = "EV",
    .path = "/v1/evaluations",
    .filters = s_filters,
    .workflow = &evaluation_workflow,
    .event_data = s_event_data,
    .may_read = s_may_read,
};

// ---- evaluations: handlers

static bool
s_check_id(const json_t *value, const char *field, json_t **problem)
{
    const char *text = json_string_value(value);
    bool fine = strcmp(field, "cycle") == 0 ? cm_id_parse(text, "EC", NULL)
                                            : cm_id_parse(text, "ST", NULL);
    return fine || cm_validate_fail(problem, field, "must be an id");
}

static const cm_field_t s_create_fields[] = {
    {"cycle", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_id},
    {"staff", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_id},
    CM_FIELD_END,
};

// 422 naming field.
static json_t *
s_unusable(const char *code, const char *field, const char *message)
{
    json_t *problem = cm_problem_new(422, code, message);
    cm_problem_add_error(problem, field, message);
    return problem;
}

// The cycle (open, the caller manages its department) and the person (an
// active member of it). NULL or a problem; *cycle and *staff set.
static json_t *
s_check_create(cm_ctx_t *ctx, const json_t *body, json_t **cycle,
               json_t **staff)
{
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &cycle_type,
                         cm_doc_text(body, "cycle"), cycle, &version);
    if (rc == CM_ENOTFOUND) {
        return s_unusable("unknown_cycle", "cycle",
                          "names no evaluation cycle");
    }
    if (rc == 0) {
        rc = cm_doc_read(cm_ctx_store(ctx), &staff_type,
                         cm_doc_text(body, "staff"), staff, &version);
    }
    if (rc == CM_ENOTFOUND) {
        return s_unusable("unknown_staff", "staff", "names no staff member");
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    const char *department = cm_doc_text(*cycle, "department");
    if (!access_manages(cm_ctx_actor(ctx), department)) {
        return access_forbidden("evaluate people of a department you "
                                "neither head nor oversee");
    }
    if (strcmp(cm_doc_state(*cycle), "open") != 0) {
        return s_unusable("cycle_closed", "cycle", "is closed");
    }
    if (strcmp(cm_doc_text(*staff, "department"), department) != 0
        || strcmp(cm_doc_text(*staff, "status"), "active") != 0) {
        return s_unusable("not_in_cycle", "staff",
                          "is not an active member of the cycle's "
                          "department");
    }
    return NULL;
}

void
evaluation_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    json_t *cycle = NULL;
    json_t *staff = NULL;
    if (cm_field_check(s_create_fields, body, &problem)) {
        problem = s_check_create(ctx, body, &cycle, &staff);
    }
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &evaluation_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = cm_doc_new(id, "open", cm_ctx_actor(ctx), now);
        json_t *members = json_pack(
            "{s:O, s:O, s:O, s:O, s:O, s:{s:n, s:[], s:n, s:n}, s:n, s:n, "
            "s:n, s:n, s:n, s:O}",
            "cycle", json_object_get(cycle, "id"), "staff",
            json_object_get(staff, "id"), "staff_name",
            json_object_get(staff, "name"), "department",
            json_object_get(cycle, "department"), "period",
            json_object_get(cycle, "period"), "scores", "supervisor", "peers",
            "self", "customer", "final_score", "grade", "feedback",
            "improvement_plan", "approval", "requested_by",
            json_object_get(staff, "id"));
        assert(members);
        json_object_update(doc, members);
        json_decref(members);
        s_create_commit(ctx, &evaluation_type, doc,
                        PERSONNEL_EVENT_EVALUATION_CREATED, now);
        json_decref(doc);
    }
    json_decref(cycle);
    json_decref(staff);
}

void
evaluation_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &evaluation_type, NULL);
    }
}

void
evaluation_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &evaluation_type);
    }
}

void
evaluation_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &evaluation_type);
    }
}

void
evaluation_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &evaluation_type);
    }
}
