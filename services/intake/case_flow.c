#include "case_flow.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "case.h"
#include "case_actions.h"
#include "cm_validate.h"
#include "events/intake.h"

// Who acts for the customer service desk (guard: case_flow_at_desk).
#define S_AGENT "cs_agent deputy_head"

// Staff of the responsible department (guard: actor department = case
// department). The station head passes every row as superuser.
#define S_DEPARTMENT                                                           \
    "dept_head cs_agent technician logistics finance "                         \
    "safety_officer"

#define S_DEPT   CM_WORKFLOW_DEPARTMENT
#define S_ASSIGN CM_WORKFLOW_ASSIGNEE
#define S_DESK   case_flow_at_desk

// Body fields: free text with its maximum, copied to a document member.
#define S_TEXT(name, max, to)                                                  \
    {                                                                          \
        name, CM_FIELD_TEXT, CM_FIELD_REQUIRED, NULL, 0, max, to, NULL         \
    }

// ---- bodies

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

// A note is internal unless it says the customer may see it (what was
// said to the customer, a customer-visible reply); either way it is kept
// in the history with who and when.
static const cm_field_t s_note_fields[] = {
    {"note", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"visibility", CM_FIELD_ENUM, 0, "internal customer"},
    CM_FIELD_END,
};

static const cm_field_t s_answer_fields[] = {
    S_TEXT("answer", CASE_TEXT_MAX, "answer"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_reply_fields[] = {
    S_TEXT("answer", CASE_TEXT_MAX, "department_answer"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// An inquiry is forwarded with the reply time promised to the customer;
// for a complaint the promise is optional.
static const cm_field_t s_forward_fields[] = {
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "department"},
    {"reply_by", CM_FIELD_TIME, CM_FIELD_REQUIRED | CM_FIELD_FUTURE,
     .to = "promised_reply_at"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_complaint_forward_fields[] = {
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "department"},
    {"reply_by", CM_FIELD_TIME, CM_FIELD_FUTURE, .to = "promised_reply_at"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_confirm_fields[] = {
    {"satisfied", CM_FIELD_BOOLEAN, CM_FIELD_REQUIRED},
    {"score", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1, .max = 5},
    {"comment", CM_FIELD_TEXT, 0, .max = CASE_SHORT_MAX},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_complaint_triage_fields[] = {
    {"nature", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_NATURES, .to = "nature"},
    {"severity", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_SEVERITIES,
     .to = "severity"},
    S_TEXT("calming_note", CASE_SHORT_MAX, "calming_note"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_tech_triage_fields[] = {
    {"severity", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_SEVERITIES,
     .to = "severity"},
    {"nature", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_TECH_NATURES,
     .to = "nature"},
    {"calming_note", CM_FIELD_TEXT, 0, .max = CASE_SHORT_MAX,
     .to = "calming_note"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_propose_fields[] = {
    S_TEXT("solution", CASE_TEXT_MAX, "solution"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_present_fields[] = {
    S_TEXT("opinion", CASE_SHORT_MAX, "customer_opinion"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_new_issue_fields[] = {
    {"kind", CM_FIELD_ENUM, 0, CASE_KINDS},
    {"subject", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = CASE_SUBJECT_MAX},
    {"description", CM_FIELD_TEXT, 0, .max = CASE_DESCRIPTION_MAX},
    CM_FIELD_END,
};

static bool
s_check_new_issue(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_new_issue_fields, value, field, problem_p);
}

static const cm_field_t s_return_visit_fields[] = {
    S_TEXT("outcome", CASE_SHORT_MAX, NULL),
    {"new_issue", CM_FIELD_OBJECT, 0, .check = s_check_new_issue},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_assign_fields[] = {
    {"technician", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "assignee"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_diagnose_fields[] = {
    S_TEXT("diagnosis", CASE_TEXT_MAX, "diagnosis"),
    S_TEXT("solution", CASE_TEXT_MAX, "solution"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_fix_fields[] = {
    S_TEXT("work_done", CASE_TEXT_MAX, "work_done"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_verify_fields[] = {
    S_TEXT("result", CASE_TEXT_MAX, "verification"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_report_fields[] = {
    S_TEXT("report", CASE_TEXT_MAX, "report"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_summarize_fields[] = {
    S_TEXT("root_cause", CASE_TEXT_MAX, NULL),
    S_TEXT("improvement_measures", CASE_TEXT_MAX, NULL),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_cancel_fields[] = {
    S_TEXT("reason", CASE_SHORT_MAX, "cancel_reason"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_reopen_fields[] = {
    S_TEXT("reason", CASE_SHORT_MAX, "reopen_reason"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_adopt_fields[] = {
    S_TEXT("measure", CASE_TEXT_MAX, "adopted_measure"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_decline_fields[] = {
    S_TEXT("reason", CASE_SHORT_MAX, "decline_reason"),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// PATCH /v1/cases/{id}: what the desk may correct while the case is open.
static const cm_field_t s_update_fields[] = {
    {"subject", CM_FIELD_STRING, 0, .max = CASE_SUBJECT_MAX, .to = "subject"},
    {"description", CM_FIELD_TEXT, 0, .max = CASE_DESCRIPTION_MAX,
     .to = "description"},
    {"severity", CM_FIELD_ENUM, 0, CASE_SEVERITIES, .to = "severity"},
    CM_FIELD_END,
};

static const cm_field_t s_reclassify_fields[] = {
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_KINDS},
    S_TEXT("reason", CASE_SHORT_MAX, NULL),
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// ---- rows shared by the three processes

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
        "*", "cancel", S_AGENT, 0, NULL, "cancelled",                          \
            INTAKE_EVENT_CASE_CANCELLED, s_cancel_fields, case_action_settle,  \
            S_DESK                                                             \
    }

// The reopen window (intake/reopen_days) is checked by the effect.
#define S_REOPEN                                                               \
    {                                                                          \
        "closed", "reopen", S_AGENT, 0, NULL, "recorded",                      \
            INTAKE_EVENT_CASE_REOPENED, s_reopen_fields, case_action_reopen,   \
            S_DESK                                                             \
    }

// Corrections by the desk while the case is open, and a change of kind
// while it is only recorded (a case from a channel event starts as an
// inquiry until the agent has read it).
#define S_UPDATE                                                               \
    {"*",                                                                      \
     "update",                                                                 \
     S_AGENT,                                                                  \
     0,                                                                        \
     NULL,                                                                     \
     CM_WORKFLOW_STAY,                                                         \
     INTAKE_EVENT_CASE_UPDATED,                                                \
     s_update_fields,                                                          \
     NULL,                                                                     \
     S_DESK},                                                                  \
    {                                                                          \
        "recorded", "reclassify", S_AGENT, 0, NULL, CM_WORKFLOW_STAY,          \
            INTAKE_EVENT_CASE_RECLASSIFIED, s_reclassify_fields,               \
            case_action_reclassify, S_DESK                                     \
    }

// A note on the case without a state change, by whoever works on it.
#define S_NOTES                                                                \
    {"*",                                                                      \
     "note",                                                                   \
     S_AGENT,                                                                  \
     0,                                                                        \
     NULL,                                                                     \
     CM_WORKFLOW_STAY,                                                         \
     INTAKE_EVENT_CASE_NOTED,                                                  \
     s_note_fields,                                                            \
     case_action_settle,                                                       \
     S_DESK},                                                                  \
        {"*",                                                                  \
         "note",                                                               \
         S_DEPARTMENT,                                                         \
         S_DEPT,                                                               \
         NULL,                                                                 \
         CM_WORKFLOW_STAY,                                                     \
         INTAKE_EVENT_CASE_NOTED,                                              \
         s_note_fields,                                                        \
         case_action_settle},                                                  \
    {                                                                          \
        "*", "note", "technician", S_ASSIGN, NULL, CM_WORKFLOW_STAY,           \
            INTAKE_EVENT_CASE_NOTED, s_note_fields, case_action_settle         \
    }

// clang-format off
static const cm_workflow_row_t s_inquiry_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect,
    // guard function
    {"recorded", "answer", S_AGENT, 0, NULL, "answered",
     INTAKE_EVENT_CASE_ANSWERED, s_answer_fields, case_action_handle, S_DESK},
    {"recorded", "forward", S_AGENT, 0, NULL, "forwarded",
     INTAKE_EVENT_CASE_FORWARDED, s_forward_fields, case_action_forward, S_DESK},
    // The department answers through its head or whoever dispatch (or
    // the head) assigned the case's work order to.
    {"forwarded", "reply", "dept_head", CM_WORKFLOW_HEAD, NULL, "replied",
     INTAKE_EVENT_CASE_REPLIED, s_reply_fields, case_action_handle},
    {"forwarded", "reply", S_DEPARTMENT, S_DEPT | S_ASSIGN, NULL, "replied",
     INTAKE_EVENT_CASE_REPLIED, s_reply_fields, case_action_handle},
    {"replied", "relay", S_AGENT, 0, NULL, "relayed", INTAKE_EVENT_CASE_RELAYED,
     s_note_only, case_action_settle, S_DESK},
    // satisfied → closed; unsatisfied → recorded (after an answer on the
    // spot) or forwarded (the department answers again).
    {"answered relayed", "confirm", S_AGENT, 0, NULL, CM_WORKFLOW_BY_CODE,
     INTAKE_EVENT_CASE_CONFIRMED, s_confirm_fields, case_action_confirm, S_DESK},
    S_NOTES,
    S_UPDATE,
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};

static const cm_workflow_row_t s_complaint_rows[] = {
    {"recorded", "triage", S_AGENT, 0, NULL, "triaged", INTAKE_EVENT_CASE_TRIAGED,
     s_complaint_triage_fields, case_action_settle, S_DESK},
    {"triaged", "forward", S_AGENT, 0, NULL, "forwarded",
     INTAKE_EVENT_CASE_FORWARDED, s_complaint_forward_fields,
     case_action_forward, S_DESK},
    {"forwarded", "propose", "dept_head", CM_WORKFLOW_HEAD, NULL, "proposed",
     INTAKE_EVENT_CASE_PROPOSED, s_propose_fields, case_action_handle},
    {"forwarded", "propose", S_DEPARTMENT, S_DEPT | S_ASSIGN, NULL,
     "proposed", INTAKE_EVENT_CASE_PROPOSED, s_propose_fields,
     case_action_handle},
    {"proposed", "present", S_AGENT, 0, NULL, "presented",
     INTAKE_EVENT_CASE_PRESENTED, s_present_fields, case_action_settle, S_DESK},
    // satisfied → resolved (return visit scheduled); unsatisfied →
    // forwarded (the department adjusts its solution, round + 1).
    {"presented", "confirm", S_AGENT, 0, NULL, CM_WORKFLOW_BY_CODE,
     INTAKE_EVENT_CASE_CONFIRMED, s_confirm_fields, case_action_confirm, S_DESK},
    {"resolved", "return-visit", S_AGENT, 0, NULL, "closed",
     INTAKE_EVENT_CASE_RETURN_VISITED, s_return_visit_fields,
     case_action_return_visit, S_DESK},
    S_NOTES,
    S_UPDATE,
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};

static const cm_workflow_row_t s_tech_rows[] = {
    {"recorded", "triage", S_AGENT, 0, NULL, "triaged", INTAKE_EVENT_CASE_TRIAGED,
     s_tech_triage_fields, case_action_triage, S_DESK},
    // The head of the case's department (triage sets the technical
    // department), or the deputy head overseeing it.
    {"triaged assigned", "assign", "dept_head", CM_WORKFLOW_HEAD, NULL,
     "assigned", INTAKE_EVENT_CASE_ASSIGNED, s_assign_fields, case_action_assign},
    {"triaged assigned", "assign", "deputy_head", CM_WORKFLOW_OVERSEES, NULL,
     "assigned", INTAKE_EVENT_CASE_ASSIGNED, s_assign_fields, case_action_assign},
    {"assigned", "diagnose", "technician", S_ASSIGN, NULL, "diagnosed",
     INTAKE_EVENT_CASE_DIAGNOSED, s_diagnose_fields, case_action_handle},
    {"diagnosed", "fix", "technician", S_ASSIGN, NULL, "fixed",
     INTAKE_EVENT_CASE_FIXED, s_fix_fields, case_action_handle},
    {"fixed", "verify", "technician", S_ASSIGN, NULL, "verified",
     INTAKE_EVENT_CASE_VERIFIED, s_verify_fields, case_action_handle},
    {"verified", "report", "technician", S_ASSIGN, NULL, "reported",
     INTAKE_EVENT_CASE_REPORTED, s_report_fields, case_action_handle},
    // satisfied → confirmed (the summary is due); unsatisfied → assigned
    // (recheck, round + 1).
    {"reported", "confirm", S_AGENT, 0, NULL, CM_WORKFLOW_BY_CODE,
     INTAKE_EVENT_CASE_CONFIRMED, s_confirm_fields, case_action_confirm, S_DESK},
    {"confirmed", "summarize", "technician", S_ASSIGN, NULL, "closed",
     INTAKE_EVENT_CASE_SUMMARIZED, s_summarize_fields, case_action_summarize},
    S_NOTES,
    S_UPDATE,
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};
// A suggestion (建議): acknowledged to the customer, forwarded to the
// department it concerns, adopted (with the measure taken) or not (with a
// reason) by that department's head or the case's assignee, and closed
// when the desk has told the customer.
static const cm_workflow_row_t s_suggestion_rows[] = {
    {"recorded", "acknowledge", S_AGENT, 0, NULL, "acknowledged",
     INTAKE_EVENT_CASE_ACKNOWLEDGED, s_note_only, case_action_handle, S_DESK},
    {"acknowledged", "forward", S_AGENT, 0, NULL, "forwarded",
     INTAKE_EVENT_CASE_FORWARDED, s_complaint_forward_fields,
     case_action_forward, S_DESK},
    {"forwarded", "adopt", "dept_head", CM_WORKFLOW_HEAD, NULL, "adopted",
     INTAKE_EVENT_CASE_ADOPTED, s_adopt_fields, case_action_handle},
    {"forwarded", "adopt", S_DEPARTMENT, S_DEPT | S_ASSIGN, NULL, "adopted",
     INTAKE_EVENT_CASE_ADOPTED, s_adopt_fields, case_action_handle},
    {"forwarded", "decline", "dept_head", CM_WORKFLOW_HEAD, NULL,
     "not_adopted", INTAKE_EVENT_CASE_DECLINED, s_decline_fields,
     case_action_handle},
    {"forwarded", "decline", S_DEPARTMENT, S_DEPT | S_ASSIGN, NULL,
     "not_adopted", INTAKE_EVENT_CASE_DECLINED, s_decline_fields,
     case_action_handle},
    {"adopted not_adopted", "inform", S_AGENT, 0, NULL, "closed",
     INTAKE_EVENT_CASE_INFORMED, s_note_only, case_action_settle, S_DESK},
    S_NOTES,
    S_UPDATE,
    S_CLOSE_SENTINEL,
    S_CANCEL,
    S_REOPEN,
};
// clang-format on

static const cm_workflow_t s_suggestion = {
    .name = "case.suggestion",
    .rows = s_suggestion_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_suggestion_rows),
    .final_states = CASE_FINAL_STATES,
    .superuser_role = "station_head",
};

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
    if (strcmp(kind, "suggestion") == 0) {
        return &s_suggestion;
    }
    return strcmp(kind, "tech_support") == 0 ? &s_tech : NULL;
}

const cm_workflow_t *
case_flow_for(const json_t *doc)
{
    return case_flow_for_kind(cm_doc_string(doc, "kind"));
}

int
case_flow_check(void)
{
    const cm_workflow_t *tables[] = {&s_inquiry, &s_complaint, &s_tech,
                                     &s_suggestion};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    return 0;
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

bool
case_flow_at_desk(const json_t *actor, const json_t *doc)
{
    (void)doc; // the desk is the actor's place, not the case's department
    return json_is_true(json_object_get(actor, "desk"));
}
