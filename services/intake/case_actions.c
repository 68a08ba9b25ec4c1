#include "case_actions.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "case_create.h"
#include "case_flow.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "satisfaction.h"

#define S_PAIRS_MAX 3

typedef json_t *(s_effect_fn)(case_action_t *self);

// An action's effects: body members copied to document members, whether
// the actor becomes the case's last handler, and special effects.
typedef struct {
    const char *action;                // workflow action
    const char *pairs[S_PAIRS_MAX][2]; // {body member, document member}
    bool handles;                      // sets handled_by to the actor
    s_effect_fn *effect;               // more, or NULL
} s_rule_t;

static json_t *s_triage(case_action_t *self);
static json_t *s_confirm(case_action_t *self);
static json_t *s_return_visit(case_action_t *self);
static json_t *s_reopen(case_action_t *self);
static json_t *s_summarize(case_action_t *self);

// clang-format off
static const s_rule_t s_rules[] = {
    {"answer", {{"answer", "answer"}}, true, NULL},
    {"forward", {{"department", "department"},
                 {"reply_by", "promised_reply_at"}}, false, NULL},
    {"reply", {{"answer", "department_answer"}}, true, NULL},
    {"relay", {{NULL, NULL}}, false, NULL},
    {"confirm", {{NULL, NULL}}, false, s_confirm},
    {"triage", {{"nature", "nature"}, {"severity", "severity"},
                {"calming_note", "calming_note"}}, false, s_triage},
    {"propose", {{"solution", "solution"}}, true, NULL},
    {"present", {{"opinion", "customer_opinion"}}, false, NULL},
    {"return-visit", {{NULL, NULL}}, false, s_return_visit},
    {"assign", {{"technician", "assignee"}}, false, NULL},
    {"diagnose", {{"diagnosis", "diagnosis"}, {"solution", "solution"}},
     true, NULL},
    {"fix", {{"work_done", "work_done"}}, true, NULL},
    {"verify", {{"result", "verification"}}, true, NULL},
    {"report", {{"report", "report"}}, true, NULL},
    {"summarize", {{"root_cause", "root_cause"},
                   {"improvement_measures", "improvement_measures"}}, true,
     s_summarize},
    {"cancel", {{"reason", "cancel_reason"}}, false, NULL},
    {"reopen", {{"reason", "reopen_reason"}}, false, s_reopen},
};
// clang-format on

static void
s_extra_event(case_action_t *self, const char *type, json_t *data)
{
    json_t *event = json_pack("{s:s, s:o}", "type", type, "data",
                              data ? data : json_object());
    assert(event);
    json_array_append_new(self->extra_events, event);
}

static json_t *
s_triage(case_action_t *self)
{
    if (strcmp(case_string(self->doc, "kind"), "tech_support") == 0) {
        case_set_string(self->doc, "department",
                        self->intake->technical_department);
    }
    return NULL;
}

// The return visit of a resolved complaint: due after return_visit_days,
// kept as a durable timer (intake_tick logs it when due).
static void
s_schedule_return_visit(case_action_t *self)
{
    int64_t due = self->now_ms + self->intake->return_visit_ms;
    char text[CM_TIME_TEXT_MAX];
    cm_time_format(due, text);
    json_t *visit = json_pack("{s:s}", "due_at", text);
    assert(visit);
    json_object_set_new(self->doc, "return_visit", visit);
    cm_commit_index_add(self->commit, INTAKE_RETURN_VISIT_KEY,
                        case_string(self->doc, "id"), due);
    s_extra_event(self, "intake.case.return_visit_scheduled",
                  json_pack("{s:s}", "due_at", text));
}

static json_t *
s_confirm(case_action_t *self)
{
    bool satisfied = json_is_true(json_object_get(self->body, "satisfied"));
    self->next_state =
        case_flow_confirm_next(case_string(self->doc, "kind"),
                               case_string(self->doc, "state"), satisfied);
    if (!self->next_state) {
        return cm_problem_new(500, "no_confirm_rule",
                              "no rule says where this confirm leads");
    }
    json_t *entry =
        satisfaction_entry(self->doc, self->body, self->actor, self->now_ms);
    satisfaction_commit(self->commit, entry, self->now_ms);
    json_array_append_new(json_object_get(self->doc, "satisfaction"), entry);
    json_object_set_new(self->event_data, "satisfied", json_boolean(satisfied));
    if (!satisfied) {
        json_object_set_new(self->doc, "round",
                            json_integer(case_integer(self->doc, "round") + 1));
        json_object_set_new(
            self->doc, "unsatisfied_rounds",
            json_integer(case_integer(self->doc, "unsatisfied_rounds") + 1));
    } else if (strcmp(self->next_state, "resolved") == 0) {
        s_schedule_return_visit(self);
    }
    json_object_set(self->event_data, "round",
                    json_object_get(self->doc, "round"));
    return NULL;
}

// A new issue raised on a return visit becomes a new case of the same
// customer, linked both ways, in the same commit.
static json_t *
s_new_issue(case_action_t *self, const json_t *issue)
{
    const char *subject = case_string(issue, "subject");
    const char *kind = case_string(issue, "kind");
    const char *description = case_string(issue, "description");
    case_create_t in = {
        .kind = kind ? kind : "inquiry",
        .channel = case_string(self->doc, "channel"),
        .subject = subject,
        .description = description ? description : subject,
        .customer_id = case_string(self->doc, "customer_id"),
        .actor = self->actor,
        .correlation_id = self->correlation_id,
        .linked_from = case_string(self->doc, "id"),
        .now_ms = self->now_ms,
    };
    json_t *created = NULL;
    int rc = case_create(self->store, &in, self->commit, &created);
    if (rc) {
        return cm_problem_from_status(rc == CM_ENOTFOUND ? CM_EBUSINESS : rc,
                                      "the new issue could not be recorded");
    }
    json_t *id = json_object_get(created, "id");
    json_array_append(json_object_get(self->doc, "linked_cases"), id);
    json_object_set(self->event_data, "new_case", id);
    json_decref(created);
    return NULL;
}

static json_t *
s_return_visit(case_action_t *self)
{
    json_t *visit = json_object_get(self->doc, "return_visit");
    if (!json_is_object(visit)) {
        visit = json_object();
        json_object_set_new(self->doc, "return_visit", visit);
    }
    char at[CM_TIME_TEXT_MAX];
    json_object_set(visit, "outcome", json_object_get(self->body, "outcome"));
    json_object_set_new(visit, "visited_at",
                        json_string(cm_time_format(self->now_ms, at)));
    json_object_set(visit, "by", json_object_get(self->actor, "id"));
    cm_commit_index_remove(self->commit, INTAKE_RETURN_VISIT_KEY,
                           case_string(self->doc, "id"));
    const json_t *issue = json_object_get(self->body, "new_issue");
    return json_is_object(issue) ? s_new_issue(self, issue) : NULL;
}

static json_t *
s_reopen(case_action_t *self)
{
    int64_t closed_ms = 0;
    const char *closed = case_string(self->doc, "closed_at");
    if (closed && cm_time_parse(closed, &closed_ms) == 0
        && self->now_ms > closed_ms + self->intake->reopen_ms) {
        json_t *problem = cm_problem_new(409, "reopen_window_passed",
                                         "the case closed too long ago to "
                                         "be reopened; record a new case");
        cm_problem_set(problem, "closed_at", json_string(closed));
        return problem;
    }
    json_object_set_new(self->doc, "round",
                        json_integer(case_integer(self->doc, "round") + 1));
    json_object_set_new(self->doc, "closed_at", json_null());
    json_object_set(self->event_data, "round",
                    json_object_get(self->doc, "round"));
    return NULL;
}

static json_t *
s_summarize(case_action_t *self)
{
    json_t *summary = json_pack(
        "{s:O, s:O}", "root_cause", json_object_get(self->body, "root_cause"),
        "improvement_measures",
        json_object_get(self->body, "improvement_measures"));
    if (summary) {
        json_object_set_new(self->doc, "summary", summary);
    }
    return NULL;
}

static const s_rule_t *
s_rule(const char *action)
{
    for (size_t i = 0; i < sizeof s_rules / sizeof s_rules[0]; i++) {
        if (strcmp(s_rules[i].action, action) == 0) {
            return &s_rules[i];
        }
    }
    return NULL;
}

json_t *
case_action_apply(case_action_t *self, const char *action)
{
    assert(self && self->doc && self->body && action);
    assert(self->event_data && self->extra_events);
    const s_rule_t *rule = s_rule(action);
    if (!rule) {
        return NULL; // `close` and other table-only actions record nothing
    }
    for (size_t i = 0; i < S_PAIRS_MAX && rule->pairs[i][0]; i++) {
        json_t *value = json_object_get(self->body, rule->pairs[i][0]);
        if (value && !json_is_null(value)) {
            json_object_set(self->doc, rule->pairs[i][1], value);
        }
    }
    if (rule->handles) {
        json_object_set(self->doc, "handled_by",
                        json_object_get(self->actor, "id"));
    }
    return rule->effect ? rule->effect(self) : NULL;
}
