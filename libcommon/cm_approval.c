#include "cm_approval.h"

#include <assert.h>
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_doc.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_STEP_MAX 128
#define S_ROLES                                                                \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor system"

struct cm_approvals {
    json_t *rules; // [{document, min, max (null: none), class, steps}]
};

const cm_field_t cm_approval_approve_fields[] = {
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

const cm_field_t cm_approval_reject_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    {"code", CM_FIELD_ENUM, 0, CM_APPROVAL_REJECT_CODES},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// ---- the matrix

// "name:role@scope" → {name, role, scope}; NULL when malformed.
static json_t *
s_parse_step(const char *text)
{
    char buf[S_STEP_MAX];
    if (strlen(text) >= sizeof buf) {
        return NULL;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *colon = strchr(buf, ':');
    char *at = colon ? strchr(colon + 1, '@') : NULL;
    if (!colon || !at || colon == buf || at == colon + 1 || !at[1]) {
        return NULL;
    }
    *colon = '\0';
    *at = '\0';
    if (!cm_validate_name_in(S_ROLES, colon + 1)) {
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s}", "name", buf, "role", colon + 1, "scope",
                     at + 1);
}

static json_t *
s_parse_steps(const char *text, char *error, size_t size)
{
    json_t *steps = json_array();
    char step[S_STEP_MAX];
    const char *rest = text ? text : "";
    while ((rest = cm_validate_next_name(rest, step, sizeof step))) {
        json_t *parsed = s_parse_step(step);
        if (!parsed || json_array_size(steps) >= CM_APPROVAL_STEPS_MAX) {
            snprintf(error, size, "bad step \"%s\" (name:role@scope)", step);
            json_decref(parsed);
            json_decref(steps);
            return NULL;
        }
        json_array_append_new(steps, parsed);
    }
    return steps;
}

static bool
s_parse_amount(const char *text, json_int_t *out)
{
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (!*text || *end || value < 0) {
        return false;
    }
    *out = value;
    return true;
}

static json_t *
s_parse_rule(zconfig_t *rule, char *error, size_t size)
{
    const char *document = zconfig_get(rule, "document", "");
    const char *max_text = zconfig_get(rule, "max", "");
    json_int_t min = 0, max = 0;
    if (!*document || !s_parse_amount(zconfig_get(rule, "min", "0"), &min)
        || (*max_text && (!s_parse_amount(max_text, &max) || max <= min))) {
        snprintf(error, size,
                 "rule %s: document, min and max (> min) are "
                 "required to be valid",
                 *document ? document : "(unnamed)");
        return NULL;
    }
    json_t *steps = s_parse_steps(zconfig_get(rule, "steps", ""), error, size);
    if (!steps) {
        return NULL;
    }
    json_t *parsed =
        json_pack("{s:s, s:I, s:o, s:s, s:o}", "document", document, "min", min,
                  "max", *max_text ? json_integer(max) : json_null(), "class",
                  zconfig_get(rule, "class", "*"), "steps", steps);
    assert(parsed);
    return parsed;
}

static cm_approvals_t *
s_from_config(zconfig_t *root, char *error, size_t size)
{
    zconfig_t *rules = zconfig_locate(root, "rules");
    cm_approvals_t *self = calloc(1, sizeof *self);
    assert(self);
    self->rules = json_array();
    for (zconfig_t *rule = rules ? zconfig_child(rules) : NULL; rule;
         rule = zconfig_next(rule)) {
        json_t *parsed = s_parse_rule(rule, error, size);
        if (!parsed) {
            cm_approvals_destroy(&self);
            return NULL;
        }
        json_array_append_new(self->rules, parsed);
    }
    return self;
}

cm_approvals_t *
cm_approvals_load(const char *path, char *error, size_t size)
{
    assert(path && error);
    zconfig_t *root = zconfig_load(path);
    if (!root) {
        snprintf(error, size, "cannot read %s", path);
        return NULL;
    }
    cm_approvals_t *self = s_from_config(root, error, size);
    zconfig_destroy(&root);
    return self;
}

cm_approvals_t *
cm_approvals_parse(const char *text, char *error, size_t size)
{
    assert(text && error);
    zconfig_t *root = zconfig_str_load(text);
    if (!root) {
        snprintf(error, size, "not ZPL");
        return NULL;
    }
    cm_approvals_t *self = s_from_config(root, error, size);
    zconfig_destroy(&root);
    return self;
}

void
cm_approvals_destroy(cm_approvals_t **self_p)
{
    assert(self_p);
    if (*self_p) {
        json_decref((*self_p)->rules);
        free(*self_p);
        *self_p = NULL;
    }
}

json_t *
cm_approvals_to_json(const cm_approvals_t *self)
{
    assert(self);
    return json_pack("{s:O}", "rules", self->rules);
}

json_t *
cm_approvals_chain(const cm_approvals_t *self, const char *document,
                   int64_t amount, const char *item_class)
{
    assert(self && document);
    for (size_t i = 0; i < json_array_size(self->rules); i++) {
        const json_t *rule = json_array_get(self->rules, i);
        const json_t *max = json_object_get(rule, "max");
        const char *cls = cm_doc_text(rule, "class");
        if (strcmp(cm_doc_text(rule, "document"), document) == 0
            && amount >= cm_doc_integer(rule, "min")
            && (json_is_null(max) || amount < json_integer_value(max))
            && (strcmp(cls, "*") == 0
                || (item_class && strcmp(cls, item_class) == 0))) {
            return json_deep_copy(json_object_get(rule, "steps"));
        }
    }
    return NULL;
}

// ---- documents under approval

static const json_t *
s_approval(const json_t *doc)
{
    return json_object_get(doc, "approval");
}

const json_t *
cm_approval_current(const json_t *doc)
{
    const json_t *approval = s_approval(doc);
    if (!approval || json_is_true(json_object_get(approval, "complete"))) {
        return NULL;
    }
    return json_array_get(json_object_get(approval, "steps"),
                          (size_t)cm_doc_integer(approval, "current"));
}

bool
cm_approval_is_complete(const json_t *doc)
{
    return json_is_true(json_object_get(s_approval(doc), "complete"));
}

static bool
s_array_has(const json_t *array, const char *text)
{
    for (size_t i = 0; text && i < json_array_size(array); i++) {
        const char *item = json_string_value(json_array_get(array, i));
        if (item && strcmp(item, text) == 0) {
            return true;
        }
    }
    return false;
}

// True when person (actor facts: id, role, department, heads, oversees)
// holds the step's role in its scope for a document of department dept.
static bool
s_holds(const json_t *step, const json_t *person, const char *dept)
{
    const char *role = cm_doc_text(step, "role");
    const char *scope = cm_doc_text(step, "scope");
    const char *where = strcmp(scope, "requester") == 0 ? dept : scope;
    if (strcmp(role, "station_head") == 0) {
        return strcmp(cm_doc_text(person, "role"), "station_head") == 0;
    }
    if (strcmp(role, "dept_head") == 0) {
        return cm_org_heads(person, where);
    }
    if (strcmp(role, "deputy_head") == 0) {
        return cm_org_oversees(person, where);
    }
    return strcmp(cm_doc_text(person, "role"), role) == 0
           && strcmp(cm_doc_text(person, "department"), where) == 0;
}

// True when id took (or was represented in) an earlier step of the round.
static bool
s_took_a_step(const json_t *approval, const char *id)
{
    const json_t *steps = json_object_get(approval, "steps");
    size_t current = (size_t)cm_doc_integer(approval, "current");
    for (size_t i = 0; i < current && i < json_array_size(steps); i++) {
        const json_t *step = json_array_get(steps, i);
        const char *by = cm_doc_string(step, "by");
        const char *for_whom = cm_doc_string(step, "for");
        if ((by && strcmp(by, id) == 0)
            || (for_whom && strcmp(for_whom, id) == 0)) {
            return true;
        }
    }
    return false;
}

// May person take the step (separation of duties, then role and scope)?
static bool
s_person_may(const json_t *approval, const json_t *step, const json_t *person)
{
    const char *id = cm_doc_text(person, "id");
    const char *requester = cm_doc_text(approval, "requester");
    return *id && strcmp(id, requester) != 0 && !s_took_a_step(approval, id)
           && s_holds(step, person, cm_doc_text(approval, "department"));
}

static bool
s_covers(const json_t *delegation, const char *document_type)
{
    const json_t *types = json_object_get(delegation, "document_types");
    return s_array_has(types, "*") || s_array_has(types, document_type);
}

bool
cm_approval_may_decide(const json_t *doc, const json_t *actor,
                       const char **for_whom)
{
    const json_t *approval = s_approval(doc);
    const json_t *step = cm_approval_current(doc);
    const char *id = cm_doc_text(actor, "id");
    if (for_whom) {
        *for_whom = NULL;
    }
    if (!step || !*id || strcmp(id, cm_doc_text(approval, "requester")) == 0
        || s_took_a_step(approval, id)) {
        return false;
    }
    if (s_person_may(approval, step, actor)) {
        return true;
    }
    const json_t *delegations = json_object_get(actor, "delegations");
    const char *type = cm_doc_text(approval, "document_type");
    for (size_t i = 0; i < json_array_size(delegations); i++) {
        const json_t *d = json_array_get(delegations, i);
        const json_t *from = json_object_get(d, "from");
        if (s_covers(d, type) && s_person_may(approval, step, from)) {
            if (for_whom) {
                *for_whom = cm_doc_string(from, "id");
            }
            return true;
        }
    }
    return false;
}

// ---- effects

static json_t *
s_next_step_data(const json_t *doc)
{
    const json_t *step = cm_approval_current(doc);
    return step ? json_pack("{s:O, s:O, s:O}", "name",
                            json_object_get(step, "name"), "role",
                            json_object_get(step, "role"), "scope",
                            json_object_get(step, "scope"))
                : json_null();
}

// Move to pending or, with no step left, approved.
static void
s_settle(cm_action_t *a, json_t *approval, const char *pending,
         const char *approved)
{
    const json_t *steps = json_object_get(approval, "steps");
    size_t current = (size_t)cm_doc_integer(approval, "current");
    bool complete = current >= json_array_size(steps);
    json_object_set_new(approval, "complete", json_boolean(complete));
    a->next_state = complete ? approved : pending;
    json_object_set_new(a->event_data, "next_step", s_next_step_data(a->doc));
    json_object_set_new(a->event_data, "approval_complete",
                        json_boolean(complete));
}

json_t *
cm_approval_submit(cm_action_t *a, const char *document_type,
                   const char *department, int64_t amount,
                   const char *item_class, const char *pending_state,
                   const char *approved_state)
{
    assert(a && document_type && pending_state && approved_state);
    const cm_approvals_t *matrix = cm_ctx_approvals(a->ctx);
    json_t *steps =
        matrix ? cm_approvals_chain(matrix, document_type, amount, item_class)
               : NULL;
    if (!steps) {
        return cm_action_refuse(a, 422, "no_approval_rule",
                                "the approval matrix has no rule for this "
                                "document; ask an operator");
    }
    const char *requester = cm_doc_string(a->doc, "requested_by");
    json_t *approval = json_pack(
        "{s:s, s:s?, s:s, s:I, s:s?, s:i, s:i, s:b, s:o, s:[]}",
        "document_type", document_type, "department", department, "requester",
        requester ? requester : cm_doc_text(a->actor, "id"), "amount",
        (json_int_t)amount, "class", item_class, "round", 1, "current", 0,
        "complete", 0, "steps", steps, "rounds");
    assert(approval);
    json_object_set_new(a->doc, "approval", approval);
    s_settle(a, approval, pending_state, approved_state);
    return NULL;
}

static json_t *
s_decide(cm_action_t *a, const char *decision)
{
    json_t *approval = json_object_get(a->doc, "approval");
    const char *for_whom = NULL;
    if (!cm_approval_may_decide(a->doc, a->actor, &for_whom)) {
        return cm_action_refuse(a, 403, "forbidden",
                                "you may not take the current approval step");
    }
    json_t *step = (json_t *)cm_approval_current(a->doc);
    char at[CM_TIME_TEXT_MAX];
    json_object_set_new(step, "decision", json_string(decision));
    json_object_set(step, "by", json_object_get(a->actor, "id"));
    json_object_set_new(step, "at", json_string(cm_time_format(a->now_ms, at)));
    if (for_whom) {
        json_object_set_new(step, "for", json_string(for_whom));
        json_object_set_new(a->event_data, "on_behalf_of",
                            json_string(for_whom));
    }
    json_t *history = json_pack("{s:O}", "step", json_object_get(step, "name"));
    if (for_whom) {
        json_object_set_new(history, "for", json_string(for_whom));
    }
    json_object_update(history, (json_t *)a->body); // copies members
    json_object_del(history, "note");
    json_decref(a->history_data);
    a->history_data = history;
    json_object_set(a->event_data, "step", json_object_get(step, "name"));
    (void)approval; // edited through step
    return NULL;
}

json_t *
cm_approval_approve(cm_action_t *a, const char *pending_state,
                    const char *approved_state)
{
    assert(a && pending_state && approved_state);
    json_t *problem = s_decide(a, "approved");
    if (problem) {
        return problem;
    }
    json_t *approval = json_object_get(a->doc, "approval");
    json_object_set_new(approval, "current",
                        json_integer(cm_doc_integer(approval, "current") + 1));
    s_settle(a, approval, pending_state, approved_state);
    return NULL;
}

json_t *
cm_approval_reject(cm_action_t *a, const char *returned_state)
{
    assert(a && returned_state);
    json_t *problem = s_decide(a, "rejected");
    if (problem) {
        return problem;
    }
    json_t *step = (json_t *)cm_approval_current(a->doc);
    json_object_set(step, "reason", json_object_get(a->body, "reason"));
    const char *code = cm_doc_string(a->body, "code");
    json_object_set_new(step, "code", json_string(code ? code : "other"));
    json_object_set_new(a->event_data, "code",
                        json_string(code ? code : "other"));
    a->next_state = returned_state;
    return NULL;
}

json_t *
cm_approval_resubmit(cm_action_t *a, int64_t amount, const char *pending_state,
                     const char *approved_state)
{
    assert(a && pending_state && approved_state);
    json_t *approval = json_object_get(a->doc, "approval");
    const cm_approvals_t *matrix = cm_ctx_approvals(a->ctx);
    json_t *steps =
        approval && matrix
            ? cm_approvals_chain(matrix, cm_doc_text(approval, "document_type"),
                                 amount, cm_doc_string(approval, "class"))
            : NULL;
    if (!steps) {
        return cm_action_refuse(a, 422, "no_approval_rule",
                                "the approval matrix has no rule for this "
                                "document; ask an operator");
    }
    json_t *old =
        json_pack("{s:O, s:O}", "round", json_object_get(approval, "round"),
                  "steps", json_object_get(approval, "steps"));
    json_array_append_new(json_object_get(approval, "rounds"), old);
    json_object_set_new(approval, "round",
                        json_integer(cm_doc_integer(approval, "round") + 1));
    json_object_set_new(approval, "current", json_integer(0));
    json_object_set_new(approval, "amount", json_integer(amount));
    json_object_set_new(approval, "steps", steps);
    s_settle(a, approval, pending_state, approved_state);
    return NULL;
}
