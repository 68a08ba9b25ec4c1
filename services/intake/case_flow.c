#include "case_flow.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "cm_time.h"
#include "cm_validate.h"

// Who acts for the customer service desk (domain.md §0: cs_agent; a deputy
// head oversees the desk and may step in).
#define S_AGENT "cs_agent deputy_head"

// Staff of the responsible department (guard: actor department = case
// department). The station head passes every row as superuser.
#define S_DEPARTMENT                                                           \
    "dept_head cs_agent technician logistics finance "                         \
    "safety_officer"

#define S_DEPT   CM_WORKFLOW_DEPARTMENT
#define S_ASSIGN CM_WORKFLOW_ASSIGNEE

// `close` is never a direct action: a case closes through confirm
// (inquiry), return-visit (complaint) or summarize (tech support). This row
// names no real state and no role, so `close` is a known action and a
// request for it gets 409 with the actions that are allowed instead.
#define S_CLOSE_SENTINEL                                                       \
    {                                                                          \
        "-", "close", "-", CM_WORKFLOW_STRICT, NULL, "closed", NULL            \
    }

#define S_CANCEL                                                               \
    {                                                                          \
        "*", "cancel", S_AGENT, 0, "reason", "cancelled",                      \
            "intake.case.cancelled"                                            \
    }

// The reopen window (intake/reopen_days) is checked by the handler.
#define S_REOPEN                                                               \
    {                                                                          \
        "closed", "reopen", S_AGENT, 0, "reason", "recorded",                  \
            "intake.case.reopened"                                             \
    }

// clang-format off
static const cm_workflow_row_t s_inquiry_rows[] = {
    // state(s), action, roles, guards, required, next, event
    {"recorded", "answer", S_AGENT, 0, "answer", "answered",
     "intake.case.answered"},
    {"recorded", "forward", S_AGENT, 0, "department reply_by", "forwarded",
     "intake.case.forwarded"},
    {"forwarded", "reply", S_DEPARTMENT, S_DEPT, "answer", "replied",
     "intake.case.replied"},
    {"replied", "relay", S_AGENT, 0, NULL, "relayed", "intake.case.relayed"},
    // satisfied → closed; unsatisfied → recorded (after an answer on the
    // spot) or forwarded (the department answers again).
    {"answered relayed", "confirm", S_AGENT, 0, "satisfied score",
     CM_WORKFLOW_BY_CODE, "intake.case.confirmed"},
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};

static const cm_workflow_row_t s_complaint_rows[] = {
    {"recorded", "triage", S_AGENT, 0, "nature severity calming_note",
     "triaged", "intake.case.triaged"},
    {"triaged", "forward", S_AGENT, 0, "department reply_by", "forwarded",
     "intake.case.forwarded"},
    {"forwarded", "propose", S_DEPARTMENT, S_DEPT, "solution", "proposed",
     "intake.case.proposed"},
    {"proposed", "present", S_AGENT, 0, "opinion", "presented",
     "intake.case.presented"},
    // satisfied → resolved (return visit scheduled); unsatisfied →
    // forwarded (the department adjusts its solution, round + 1).
    {"presented", "confirm", S_AGENT, 0, "satisfied score",
     CM_WORKFLOW_BY_CODE, "intake.case.confirmed"},
    {"resolved", "return-visit", S_AGENT, 0, "outcome", "closed",
     "intake.case.return_visited"},
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};

static const cm_workflow_row_t s_tech_rows[] = {
    {"recorded", "triage", S_AGENT, 0, "severity", "triaged",
     "intake.case.triaged"},
    // The head of the technical department (triage sets the department).
    {"triaged assigned", "assign", "dept_head", S_DEPT, "technician",
     "assigned", "intake.case.assigned"},
    {"triaged assigned", "assign", "deputy_head", 0, "technician",
     "assigned", "intake.case.assigned"},
    {"assigned", "diagnose", "technician", S_ASSIGN, "diagnosis solution",
     "diagnosed", "intake.case.diagnosed"},
    {"diagnosed", "fix", "technician", S_ASSIGN, "work_done", "fixed",
     "intake.case.fixed"},
    {"fixed", "verify", "technician", S_ASSIGN, "result", "verified",
     "intake.case.verified"},
    {"verified", "report", "technician", S_ASSIGN, "report", "reported",
     "intake.case.reported"},
    // satisfied → confirmed (the summary is due); unsatisfied → assigned
    // (recheck, round + 1).
    {"reported", "confirm", S_AGENT, 0, "satisfied score",
     CM_WORKFLOW_BY_CODE, "intake.case.confirmed"},
    {"confirmed", "summarize", "technician", S_ASSIGN,
     "root_cause improvement_measures", "closed", "intake.case.summarized"},
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};
// clang-format on

static const cm_workflow_t s_inquiry = {
    .name = "case.inquiry",
    .rows = s_inquiry_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_inquiry_rows),
    .final_states = CASE_FINAL_STATES,
    .superuser_role = "station_head",
};

static const cm_workflow_t s_complaint = {
    .name = "case.complaint",
    .rows = s_complaint_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_complaint_rows),
    .final_states = CASE_FINAL_STATES,
    .superuser_role = "station_head",
};

static const cm_workflow_t s_tech = {
    .name = "case.tech_support",
    .rows = s_tech_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_tech_rows),
    .final_states = CASE_FINAL_STATES,
    .superuser_role = "station_head",
};

// Where a confirm leads: kind, state confirmed in, satisfied, unsatisfied.
typedef struct {
    const char *kind;        // case kind
    const char *state;       // state the confirm happens in
    const char *satisfied;   // next state when satisfied
    const char *unsatisfied; // next state when not
} s_confirm_rule_t;

static const s_confirm_rule_t s_confirm_rules[] = {
    {"inquiry", "answered", "closed", "recorded"},
    {"inquiry", "relayed", "closed", "forwarded"},
    {"complaint", "presented", "resolved", "forwarded"},
    {"tech_support", "reported", "confirmed", "assigned"},
};

// The members an action accepts; the workflow names the required ones.
typedef struct {
    const char *action; // action name
    const char *keys;   // accepted members
    const char *texts;  // members that must be strings when present
} s_body_rule_t;

static const s_body_rule_t s_body_rules[] = {
    {"answer", "answer note", "answer note"},
    {"forward", "department reply_by note", "note"},
    {"reply", "answer note", "answer note"},
    {"relay", "note", "note"},
    {"confirm", "satisfied score comment note", "comment note"},
    {"triage", "nature severity calming_note note", "calming_note note"},
    {"propose", "solution note", "solution note"},
    {"present", "opinion note", "opinion note"},
    {"return-visit", "outcome new_issue note", "outcome note"},
    {"assign", "technician note", "technician note"},
    {"diagnose", "diagnosis solution note", "diagnosis solution note"},
    {"fix", "work_done note", "work_done note"},
    {"verify", "result note", "result note"},
    {"report", "report note", "report note"},
    {"summarize", "root_cause improvement_measures note",
     "root_cause improvement_measures note"},
    {"cancel", "reason note", "reason note"},
    {"reopen", "reason note", "reason note"},
};

const cm_workflow_t *
case_flow_for_kind(const char *kind)
{
    if (!kind) {
        return NULL;
    }
    if (strcmp(kind, "inquiry") == 0) {
        return &s_inquiry;
    }
    if (strcmp(kind, "complaint") == 0) {
        return &s_complaint;
    }
    return strcmp(kind, "tech_support") == 0 ? &s_tech : NULL;
}

int
case_flow_check(void)
{
    const cm_workflow_t *tables[] = {&s_inquiry, &s_complaint, &s_tech};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

static const s_body_rule_t *
s_body_rule(const char *action)
{
    for (size_t i = 0; i < sizeof s_body_rules / sizeof s_body_rules[0]; i++) {
        if (strcmp(s_body_rules[i].action, action) == 0) {
            return &s_body_rules[i];
        }
    }
    return NULL;
}

// A department is an identifier: lower-case letters, digits, '_' and '-'.
static void
s_check_department(const json_t *body, json_t **problem)
{
    if (!cm_validate_string(body, "department", CM_VALIDATE_OPTIONAL,
                            problem)) {
        return;
    }
    const char *name = json_string_value(json_object_get(body, "department"));
    if (name
        && (strlen(name) > 64 || name[0] == '\0'
            || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-")
                   != strlen(name))) {
        cm_validate_fail(problem, "department",
                         "must be a department id (a-z, 0-9, _ and -)");
    }
}

static void
s_check_reply_by(const json_t *body, long long now_ms, json_t **problem)
{
    if (!cm_validate_string(body, "reply_by", CM_VALIDATE_OPTIONAL, problem)) {
        return;
    }
    const char *text = json_string_value(json_object_get(body, "reply_by"));
    int64_t at = 0;
    if (!text) {
        return;
    }
    if (cm_time_parse(text, &at) != 0) {
        cm_validate_fail(problem, "reply_by", "must be an RFC 3339 time");
    } else if (at <= now_ms) {
        cm_validate_fail(problem, "reply_by", "must be in the future");
    }
}

static void
s_check_new_issue(const json_t *body, json_t **problem)
{
    const json_t *issue = json_object_get(body, "new_issue");
    if (!issue || json_is_null(issue)) {
        return;
    }
    if (!json_is_object(issue)) {
        cm_validate_fail(problem, "new_issue", "must be an object");
        return;
    }
    json_t *inner = NULL;
    cm_validate_keys(issue, "kind subject description", &inner);
    cm_validate_enum(issue, "kind", CASE_KINDS, CM_VALIDATE_OPTIONAL, &inner);
    cm_validate_string(issue, "subject", CM_VALIDATE_REQUIRED, &inner);
    cm_validate_string(issue, "description", CM_VALIDATE_OPTIONAL, &inner);
    json_t *errors = json_object_get(inner, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        json_t *error = json_array_get(errors, i);
        char field[CM_VALIDATE_NAME_MAX * 2];
        snprintf(field, sizeof field, "new_issue.%s",
                 json_string_value(json_object_get(error, "field")));
        cm_validate_fail(problem, field,
                         json_string_value(json_object_get(error, "message")));
    }
    json_decref(inner);
}

// Checks that only some actions need, by action name.
static void
s_check_special(const char *action, const json_t *body, long long now_ms,
                json_t **problem)
{
    if (strcmp(action, "forward") == 0) {
        s_check_department(body, problem);
        s_check_reply_by(body, now_ms, problem);
    } else if (strcmp(action, "confirm") == 0) {
        cm_validate_boolean(body, "satisfied", CM_VALIDATE_OPTIONAL, problem);
        cm_validate_integer(body, "score", 1, 5, CM_VALIDATE_OPTIONAL, problem);
    } else if (strcmp(action, "triage") == 0) {
        cm_validate_enum(body, "nature", CASE_NATURES, CM_VALIDATE_OPTIONAL,
                         problem);
        cm_validate_enum(body, "severity", CASE_SEVERITIES,
                         CM_VALIDATE_OPTIONAL, problem);
    } else if (strcmp(action, "return-visit") == 0) {
        s_check_new_issue(body, problem);
    }
}

json_t *
case_flow_check_body(const char *action, const json_t *body, long long now_ms)
{
    assert(action);
    json_t *empty = NULL;
    if (!body) {
        empty = json_object();
        assert(empty);
        body = empty;
    }
    json_t *problem = NULL;
    const s_body_rule_t *rule = s_body_rule(action);
    if (cm_validate_object(body, &problem)) {
        cm_validate_keys(body, rule ? rule->keys : "note", &problem);
        char field[CM_VALIDATE_NAME_MAX];
        const char *rest = cm_validate_next_name(rule ? rule->texts : "note",
                                                 field, sizeof field);
        for (; rest; rest = cm_validate_next_name(rest, field, sizeof field)) {
            cm_validate_string(body, field, CM_VALIDATE_OPTIONAL, &problem);
        }
        s_check_special(action, body, now_ms, &problem);
    }
    json_decref(empty);
    return problem;
}

const char *
case_flow_confirm_next(const char *kind, const char *state, bool satisfied)
{
    assert(kind && state);
    for (size_t i = 0; i < sizeof s_confirm_rules / sizeof s_confirm_rules[0];
         i++) {
        const s_confirm_rule_t *rule = &s_confirm_rules[i];
        if (strcmp(rule->kind, kind) == 0 && strcmp(rule->state, state) == 0) {
            return satisfied ? rule->satisfied : rule->unsatisfied;
        }
    }
    return NULL;
}

bool
case_flow_awaits_customer(const char *state)
{
    return cm_validate_name_in(CASE_AWAITING_CUSTOMER_STATES, state);
}
