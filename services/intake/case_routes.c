#include "case_routes.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "case_actions.h"
#include "case_create.h"
#include "case_event.h"
#include "case_flow.h"
#include "case_store.h"
#include "cm_envelope.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "customer.h"
#include "intake.h"

#define S_LOCATION_MAX 96

static const char *
s_correlation(const cm_ctx_t *ctx)
{
    return cm_envelope_correlation_id(cm_ctx_request(ctx));
}

static void
s_set_etag(cm_ctx_t *ctx, int64_t version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)version);
    cm_ctx_header(ctx, "ETag", etag);
}

// The reply body of a case for the caller: document, version, actions.
static json_t *
s_case_body(const cm_ctx_t *ctx, const json_t *doc, int64_t version)
{
    const cm_workflow_t *flow = case_flow_for_kind(case_string(doc, "kind"));
    json_t *actions =
        flow ? cm_workflow_actions(flow, case_string(doc, "state"),
                                   cm_ctx_actor((cm_ctx_t *)ctx), doc)
             : json_array();
    return case_to_json(doc, version, actions);
}

static json_t *
s_create_once(cm_ctx_t *ctx, const json_t *body, cm_commit_t *commit, int *rc)
{
    case_create_t in = {
        .kind = json_string_value(json_object_get(body, "kind")),
        .channel = json_string_value(json_object_get(body, "channel")),
        .subject = json_string_value(json_object_get(body, "subject")),
        .description = json_string_value(json_object_get(body, "description")),
        .customer = json_object_get(body, "customer"),
        .customer_id = json_string_value(json_object_get(body, "customer_id")),
        .actor = cm_ctx_actor(ctx),
        .correlation_id = s_correlation(ctx),
        .now_ms = cm_time_now_ms(),
    };
    json_t *doc = NULL;
    *rc = case_create(cm_ctx_store(ctx), &in, commit, &doc);
    return doc;
}

// One attempt: 1 when a contact was claimed meanwhile (try again).
static int
s_create_attempt(cm_ctx_t *ctx, const json_t *body)
{
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    int rc = 0;
    json_t *doc = s_create_once(ctx, body, commit, &rc);
    if (rc == CM_ENOTFOUND) {
        json_t *problem = cm_problem_new(422, "customer_not_found",
                                         "customer_id names no customer");
        cm_problem_add_error(problem, "customer_id", "no such customer");
        cm_ctx_fail(ctx, problem);
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the case could not be recorded");
    }
    int outcome = rc;
    if (doc) {
        char location[S_LOCATION_MAX];
        snprintf(location, sizeof location, "/v1/cases/%s",
                 case_string(doc, "id"));
        cm_ctx_header(ctx, "Location", location);
        s_set_etag(ctx, 1);
        outcome = cm_ctx_commit(ctx, commit, 201, s_case_body(ctx, doc, 1));
        json_decref(doc);
    }
    cm_commit_destroy(&commit);
    return outcome == CM_COMMIT_CONFLICT ? 1 : 0;
}

void
case_routes_create(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_RECORD)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = case_check_create(body);
    if (!problem && json_object_get(body, "customer")) {
        problem =
            customer_check(json_object_get(body, "customer"), "customer.");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    for (int i = 0; i < CASE_CREATE_RETRIES; i++) {
        if (s_create_attempt(ctx, body) == 0) {
            return;
        }
    }
}

// Load case {id} or answer 404 / 503. Caller owns the result.
static json_t *
s_load(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "id");
    json_t *doc = NULL;
    int rc = case_store_load(cm_ctx_store(ctx), id, &doc, version);
    if (rc == CM_ENOTFOUND) {
        char detail[128];
        snprintf(detail, sizeof detail, "There is no case %.64s.", id);
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", detail));
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the case could not be read");
    }
    return doc;
}

void
case_routes_get(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    int64_t version = 0;
    json_t *doc = s_load(ctx, &version);
    if (doc) {
        s_set_etag(ctx, version);
        cm_ctx_reply(ctx, 200, s_case_body(ctx, doc, version));
        json_decref(doc);
    }
}

// Append the errors of `more` (taken) to problem, skipping fields already
// named there.
static void
s_merge_errors(json_t *problem, json_t *more)
{
    json_t *have = json_object_get(problem, "errors");
    json_t *errors = json_object_get(more, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        json_t *error = json_array_get(errors, i);
        const char *field = case_string(error, "field");
        bool known = false;
        for (size_t j = 0; field && j < json_array_size(have); j++) {
            const char *other = case_string(json_array_get(have, j), "field");
            known = known || (other && strcmp(field, other) == 0);
        }
        if (!known) {
            cm_problem_add_error(problem, field, case_string(error, "message"));
        }
    }
    json_decref(more);
}

// Permission and state first (cm_workflow), then the body's shape; a 400
// from both names every bad field. NULL when the action may go ahead.
static json_t *
s_check_action(cm_ctx_t *ctx, const cm_workflow_t *flow, const json_t *doc,
               const char *action, const json_t *body, cm_workflow_step_t *step)
{
    json_t *problem = cm_workflow_apply(flow, case_string(doc, "state"), action,
                                        cm_ctx_actor(ctx), doc, body, step);
    if (problem && cm_problem_status(problem) != 400) {
        return problem;
    }
    json_t *shape = case_flow_check_body(action, body, cm_time_now_ms());
    if (!problem || !shape) {
        return problem ? problem : shape;
    }
    s_merge_errors(problem, shape);
    return problem;
}

// The outbox events of the action: the table's event, then the extras the
// effects asked for. 0 or -1.
static int
s_add_events(cm_ctx_t *ctx, case_action_t *a, const char *type, int64_t version)
{
    int rc = 0;
    if (type) {
        json_t *data = json_deep_copy(a->body);
        json_object_update(data, a->event_data);
        rc = case_event_add(a->commit, type, a->doc, version, data, a->actor,
                            s_correlation(ctx));
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(a->extra_events); i++) {
        json_t *extra = json_array_get(a->extra_events, i);
        rc =
            case_event_add(a->commit, case_string(extra, "type"), a->doc,
                           version, json_incref(json_object_get(extra, "data")),
                           a->actor, s_correlation(ctx));
    }
    return rc;
}

// Move the new document to its next state and record the transition.
static void
s_transition(case_action_t *a, const char *action, const char *from)
{
    char to[64];
    snprintf(to, sizeof to, "%s", a->next_state);
    case_set_state(a->doc, to, a->now_ms);
    if (strcmp(to, "closed") == 0 && strcmp(from, "closed") != 0) {
        case_set_time(a->doc, "closed_at", a->now_ms);
        json_array_append_new(
            a->extra_events,
            json_pack("{s:s, s:{}}", "type", "intake.case.closed", "data"));
    }
    json_t *data = json_deep_copy(a->body);
    json_object_update(data, a->event_data);
    case_history_add(a->doc, a->actor, action, from, to, data, a->now_ms);
}

static void
s_act(cm_ctx_t *ctx, const json_t *doc, int64_t version, const char *action,
      const cm_workflow_step_t *step, const json_t *body)
{
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    case_action_t a = {
        .doc = json_deep_copy(doc),
        .body = body,
        .actor = cm_ctx_actor(ctx),
        .intake = cm_ctx_state(ctx),
        .store = cm_ctx_store(ctx),
        .commit = commit,
        .correlation_id = s_correlation(ctx),
        .now_ms = cm_time_now_ms(),
        .next_state = step->next_state,
        .event_data = json_object(),
        .extra_events = json_array(),
    };
    json_t *problem = case_action_apply(&a, action);
    if (!problem) {
        s_transition(&a, action, case_string(doc, "state"));
        case_store_commit(commit, doc, a.doc, version, a.now_ms);
        if (s_add_events(ctx, &a, step->event_type, version + 1) != 0) {
            problem = cm_problem_from_status(CM_EINTERNAL, "event too large");
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        s_set_etag(ctx, version + 1);
        cm_ctx_commit(ctx, commit, 200, s_case_body(ctx, a.doc, version + 1));
    }
    json_decref(a.doc);
    json_decref(a.event_data);
    json_decref(a.extra_events);
    cm_commit_destroy(&commit);
}

void
case_routes_act(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *doc = s_load(ctx, &version);
    if (!doc) {
        return;
    }
    const char *action = cm_ctx_param(ctx, "action");
    const cm_workflow_t *flow = case_flow_for_kind(case_string(doc, "kind"));
    json_t *empty = json_object();
    const json_t *body = cm_ctx_body(ctx) ? cm_ctx_body(ctx) : empty;
    cm_workflow_step_t step = {0};
    json_t *problem =
        flow ? s_check_action(ctx, flow, doc, action, body, &step)
             : cm_problem_new(500, "unknown_kind", "the case has no process");
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        s_act(ctx, doc, version, action, &step, body);
    }
    json_decref(empty);
    json_decref(doc);
}
