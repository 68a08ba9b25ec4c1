#include "case_actions.h"

#include <assert.h>
#include <string.h>

#include "case.h"
#include "case_create.h"
#include "case_flow.h"
#include "cm_envelope.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "events/intake.h"
#include "intake.h"
#include "satisfaction.h"

static const intake_t *
s_intake(const cm_action_t *a)
{
    const intake_t *intake = cm_ctx_state(a->ctx);
    assert(intake);
    return intake;
}

static void s_withdraw_visit(cm_action_t *a);

json_t *
case_action_settle(cm_action_t *a)
{
    assert(a && a->next_state);
    const char *next = a->next_state;
    if (strcmp(cm_doc_state(a->old), "resolved") == 0
        && strcmp(next, "resolved") != 0) {
        s_withdraw_visit(a); // visited, or the case moved on without it
    }
    json_object_set_new(a->doc, "awaiting_customer",
                        json_boolean(case_flow_awaits_customer(next)));
    if (strcmp(next, "closed") == 0
        && strcmp(cm_doc_state(a->old), "closed") != 0) {
        cm_doc_set_time(a->doc, "closed_at", a->now_ms);
        cm_action_event(a, INTAKE_EVENT_CASE_CLOSED, NULL);
    }
    return NULL;
}

json_t *
case_action_handle(cm_action_t *a)
{
    json_object_set(a->doc, "handled_by", json_object_get(a->actor, "id"));
    return case_action_settle(a);
}

json_t *
case_action_forward(cm_action_t *a)
{
    const char *dept = cm_doc_text(a->body, "department");
    int rc = cm_org_department_open(a->store, INTAKE_NAME, dept);
    if (rc == CM_EUNAVAILABLE) {
        return cm_problem_from_status(rc, "the org view is unreadable");
    }
    if (rc != 0) {
        json_t *problem = cm_problem_new(422, "unknown_department",
                                         "The case can only be forwarded "
                                         "to an existing department.");
        cm_problem_add_error(problem, "department", "names no department");
        return problem;
    }
    return case_action_settle(a);
}

json_t *
case_action_assign(cm_action_t *a)
{
    const char *id = cm_doc_text(a->body, "technician");
    json_t *staff = cm_org_staff(a->store, INTAKE_NAME, id);
    if (!staff && cm_store_ping(a->store) != 0) {
        return cm_problem_from_status(CM_EUNAVAILABLE,
                                      "the org view is unreadable");
    }
    const char *why = NULL;
    if (!staff) {
        why = "names nobody on the staff";
    } else if (!cm_org_is_active(staff)) {
        why = "is not active";
    } else if (strcmp(cm_doc_text(staff, "role"), "technician") != 0) {
        why = "is not a technician";
    } else if (strcmp(cm_doc_text(staff, "department"),
                      cm_doc_text(a->doc, "department"))
               != 0) {
        why = "is not of the case's department";
    }
    json_decref(staff);
    if (why) {
        json_t *problem = cm_problem_new(422, "not_assignable",
                                         "The case can only be assigned to "
                                         "an active technician of its "
                                         "department.");
        cm_problem_add_error(problem, "technician", why);
        return problem;
    }
    return case_action_settle(a);
}

json_t *
case_action_reclassify(cm_action_t *a)
{
    const char *kind = cm_doc_text(a->body, "kind");
    const char *was = cm_doc_text(a->old, "kind");
    if (strcmp(kind, was) == 0) {
        json_t *problem = cm_action_refuse(a, 409, "same_kind",
                                           "the case is already of that kind");
        cm_problem_add_error(problem, "kind", "is the case's kind already");
        return problem;
    }
    cm_doc_set_string(a->doc, "kind", kind);
    json_object_set_new(a->event_data, "previous_kind", json_string(was));
    a->history_data = json_deep_copy(a->body);
    json_object_set_new(a->history_data, "previous_kind", json_string(was));
    return case_action_settle(a);
}

json_t *
case_action_triage(cm_action_t *a)
{
    if (strcmp(cm_doc_text(a->doc, "kind"), "tech_support") == 0) {
        cm_doc_set_string(a->doc, "department",
                          s_intake(a)->technical_department);
    }
    return case_action_settle(a);
}

// The return visit's work request key: one per case and round.
static void
s_visit_key(const json_t *doc, char *key, size_t size)
{
    snprintf(key, size, "return-visit/%s/%lld", cm_doc_text(doc, "id"),
             (long long)cm_doc_integer(doc, "round"));
}

// Ask dispatch for the return visit as a work order of the desk, due when
// the visit is, for the agent who recorded the case when they can take it
// (dispatch checks; else it assigns on its own). Its due date escalates
// like an SLA when missed.
static void
s_request_visit(cm_action_t *a, const char *due_text)
{
    char key[96], title[CASE_SUBJECT_MAX + 32];
    s_visit_key(a->doc, key, sizeof key);
    snprintf(title, sizeof title, "Return visit: %.200s",
             cm_doc_text(a->doc, "subject"));
    json_t *request =
        json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "key", key,
                  "department", s_intake(a)->desk_department, "title", title,
                  "kind", "return_visit", "source", "type", "case", "id",
                  cm_doc_text(a->doc, "id"), "due_at", due_text);
    assert(request);
    const char *recorder = cm_doc_string(a->doc, "created_by");
    if (recorder && *recorder) {
        json_object_set_new(request, "assignee", json_string(recorder));
    }
    json_object_set_new(json_object_get(a->doc, "return_visit"), "request_key",
                        json_string(key));
    cm_action_event(a, INTAKE_EVENT_CASE_WORK_REQUESTED,
                    json_pack("{s:o}", "request", request));
}

// Withdraw the return visit's work request (recorded, or the case left
// `resolved`): dispatch closes the work order if still unfinished.
static void
s_withdraw_visit(cm_action_t *a)
{
    const char *key =
        cm_doc_text(json_object_get(a->old, "return_visit"), "request_key");
    if (*key) {
        cm_action_event(a, INTAKE_EVENT_CASE_WORK_CANCELLED,
                        json_pack("{s:{s:s}}", "request", "key", key));
    }
}

// The return visit of a resolved complaint: due after return_visit_days,
// kept as a durable timer (intake_tick logs it when due) and asked of
// dispatch as a work order.
static void
s_schedule_return_visit(cm_action_t *a)
{
    int64_t due = a->now_ms + s_intake(a)->return_visit_ms;
    char text[CM_TIME_TEXT_MAX];
    cm_time_format(due, text);
    json_t *visit = json_pack("{s:s}", "due_at", text);
    assert(visit);
    json_object_set_new(a->doc, "return_visit", visit);
    s_request_visit(a, text);
    cm_commit_index_add(a->commit, INTAKE_RETURN_VISIT_KEY,
                        cm_doc_text(a->doc, "id"), due);
    cm_action_event(a, INTAKE_EVENT_CASE_RETURN_VISIT_SCHEDULED,
                    json_pack("{s:s}", "due_at", text));
}

static void
s_next_round(json_t *doc, bool unsatisfied)
{
    json_object_set_new(doc, "round",
                        json_integer(cm_doc_integer(doc, "round") + 1));
    if (unsatisfied) {
        json_object_set_new(
            doc, "unsatisfied_rounds",
            json_integer(cm_doc_integer(doc, "unsatisfied_rounds") + 1));
    }
}

json_t *
case_action_confirm(cm_action_t *a)
{
    bool satisfied = json_is_true(json_object_get(a->body, "satisfied"));
    a->next_state = case_flow_confirm_next(cm_doc_text(a->doc, "kind"),
                                           cm_doc_state(a->old), satisfied);
    if (!a->next_state) {
        return cm_problem_new(500, "no_confirm_rule",
                              "no rule says where this confirm leads");
    }
    json_t *entry = satisfaction_entry(a->doc, a->body, a->actor, a->now_ms);
    satisfaction_commit(a->commit, entry, a->now_ms);
    case_append_bounded(a->doc, "satisfaction", entry, CASE_SATISFACTION_KEEP);
    json_object_set_new(a->event_data, "satisfied", json_boolean(satisfied));
    if (!satisfied) {
        s_next_round(a->doc, true);
    } else if (strcmp(a->next_state, "resolved") == 0) {
        s_schedule_return_visit(a);
    }
    json_object_set(a->event_data, "round", json_object_get(a->doc, "round"));
    return case_action_settle(a);
}

// A new issue raised on a return visit becomes a new case of the same
// customer, linked both ways, in the same commit.
static json_t *
s_new_issue(cm_action_t *a, const json_t *issue)
{
    const char *subject = cm_doc_string(issue, "subject");
    const char *kind = cm_doc_string(issue, "kind");
    const char *description = cm_doc_string(issue, "description");
    case_create_t in = {
        .kind = kind ? kind : "inquiry",
        .channel = cm_doc_text(a->doc, "channel"),
        .subject = subject,
        .description = description ? description : subject,
        .customer_id = cm_doc_string(a->doc, "customer_id"),
        .actor = a->actor,
        .correlation_id = cm_envelope_correlation_id(cm_ctx_request(a->ctx)),
        .linked_from = cm_doc_string(a->doc, "id"),
        .now_ms = a->now_ms,
    };
    json_t *created = NULL;
    int rc = case_create(a->store, &in, a->commit, &created);
    if (rc) {
        return cm_problem_from_status(rc == CM_ENOTFOUND ? CM_EBUSINESS : rc,
                                      "the new issue could not be recorded");
    }
    json_t *id = json_object_get(created, "id");
    case_append_bounded(a->doc, "linked_cases", json_incref(id),
                        CASE_LINKED_KEEP);
    json_object_set(a->event_data, "new_case", id);
    json_object_set(a->history_data, "new_case", id);
    json_decref(created);
    return NULL;
}

json_t *
case_action_return_visit(cm_action_t *a)
{
    json_t *visit = json_object_get(a->doc, "return_visit");
    if (!json_is_object(visit)) {
        visit = json_object();
        json_object_set_new(a->doc, "return_visit", visit);
    }
    json_object_set(visit, "outcome", json_object_get(a->body, "outcome"));
    char at[CM_TIME_TEXT_MAX];
    json_object_set_new(visit, "visited_at",
                        json_string(cm_time_format(a->now_ms, at)));
    json_object_set(visit, "by", json_object_get(a->actor, "id"));
    cm_commit_index_remove(a->commit, INTAKE_RETURN_VISIT_KEY,
                           cm_doc_text(a->doc, "id"));
    // What the history entry records: the body (without its note) and the
    // new case, so every link stays findable after the inline list drops it.
    a->history_data = json_deep_copy(a->body);
    json_object_del(a->history_data, "note");
    const json_t *issue = json_object_get(a->body, "new_issue");
    json_t *problem = json_is_object(issue) ? s_new_issue(a, issue) : NULL;
    return problem ? problem : case_action_settle(a);
}

json_t *
case_action_reopen(cm_action_t *a)
{
    int64_t closed_ms = cm_doc_time(a->doc, "closed_at", 0);
    if (closed_ms > 0 && a->now_ms > closed_ms + s_intake(a)->reopen_ms) {
        json_t *problem = cm_action_refuse(a, 409, "reopen_window_passed",
                                           "the case closed too long ago to "
                                           "be reopened; record a new case");
        cm_problem_set(problem, "closed_at",
                       json_string(cm_doc_text(a->doc, "closed_at")));
        return problem;
    }
    s_next_round(a->doc, false);
    json_object_set_new(a->doc, "closed_at", json_null());
    json_object_set(a->event_data, "round", json_object_get(a->doc, "round"));
    return case_action_settle(a);
}

json_t *
case_action_summarize(cm_action_t *a)
{
    json_t *summary = json_pack(
        "{s:O, s:O}", "root_cause", json_object_get(a->body, "root_cause"),
        "improvement_measures",
        json_object_get(a->body, "improvement_measures"));
    assert(summary); // both are required by the row's fields
    json_object_set_new(a->doc, "summary", summary);
    return case_action_handle(a);
}
