#include "cm_action.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_DETAIL_MAX 256

void
cm_action_event(cm_action_t *self, const char *type, json_t *data)
{
    assert(self && type);
    assert(json_array_size(self->events) < CM_ACTION_EVENTS_MAX);
    json_t *event = json_pack("{s:s, s:o}", "type", type, "data",
                              data ? data : json_object());
    assert(event);
    json_array_append_new(self->events, event);
}

json_t *
cm_action_refuse(cm_action_t *self, int status, const char *code,
                 const char *detail)
{
    assert(self && code);
    json_t *problem = cm_problem_new(status, code, detail);
    const char *state = cm_doc_state(self->old);
    const cm_workflow_t *flow = cm_doc_workflow(self->type, self->old);
    cm_problem_set(problem, "state", json_string(state));
    cm_problem_set(
        problem, "allowed_actions",
        flow ? cm_workflow_actions(flow, state, self->actor, self->old)
             : json_array());
    return problem;
}

// What the history entry records by default: the body without its note.
static json_t *
s_history_data(const json_t *body)
{
    json_t *data = json_deep_copy(body);
    assert(data);
    json_object_del(data, "note");
    return data;
}

// The events of the action, [{type, data}]: the row's (data: the body
// with the effect's event data), then the extras. Caller owns the result.
static json_t *
s_event_list(const cm_action_t *a)
{
    json_t *list = json_array();
    assert(list);
    if (a->row->event_type) {
        json_t *data = json_deep_copy(a->body);
        json_object_update(data, a->event_data);
        json_array_append_new(
            list,
            json_pack("{s:s, s:o}", "type", a->row->event_type, "data", data));
    }
    json_array_extend(list, a->events);
    return list;
}

// The events of the action at version, added to the request's commit.
// 0 or -1.
static int
s_add_events(cm_action_t *a, int64_t version)
{
    json_t *list = s_event_list(a);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
        json_t *event = json_array_get(list, i);
        rc = cm_doc_event(a->ctx, a->commit, a->type,
                          cm_doc_string(event, "type"), a->doc, version,
                          json_incref(json_object_get(event, "data")));
    }
    json_decref(list);
    return rc;
}

// Move to the next state and record the transition.
static json_t *
s_transition(cm_action_t *a)
{
    if (!a->next_state) {
        cm_log_error("action.no_next_state", "action", a->name);
        return cm_problem_new(500, "no_next_state",
                              "no rule says where this action leads");
    }
    const char *from = cm_doc_state(a->old);
    bool moves = strcmp(from, a->next_state) != 0;
    char to[CM_VALIDATE_NAME_MAX];
    snprintf(to, sizeof to, "%s", a->next_state);
    if (moves) {
        json_object_set_new(a->doc, "state", json_string(to));
    }
    json_t *data = a->history_data ? json_incref(a->history_data)
                                   : s_history_data(a->body);
    cm_doc_history_add(a->doc, a->actor, a->name, moves ? from : NULL,
                       moves ? to : NULL, cm_doc_string(a->body, "note"), data,
                       a->now_ms);
    return NULL;
}

// Copy, effect and transition of an allowed action, in memory.
static json_t *
s_change(cm_action_t *a)
{
    assert(a->row); // set by the allowed step
    cm_field_copy(a->row->fields, a->body, a->doc);
    json_t *problem = a->row->effect ? a->row->effect(a) : NULL;
    return problem ? problem : s_transition(a);
}

// Effect, transition, commit and reply of an allowed action.
static void
s_apply(cm_action_t *a)
{
    json_t *problem = s_change(a);
    if (!problem
        && cm_doc_commit(a->commit, a->type, a->old, a->doc, a->version,
                         a->now_ms)
               != 0) {
        problem = cm_problem_new(422, "document_too_large",
                                 "the document would pass its size limit");
    }
    if (!problem && s_add_events(a, a->version + 1) != 0) {
        problem = cm_problem_new(422, "event_too_large",
                                 "the event of this action would be too "
                                 "large");
    }
    if (problem) {
        cm_ctx_fail(a->ctx, problem);
        if (a->after_commit) {
            a->after_commit(a, CM_EINVAL); // nothing was written
        }
        return;
    }
    int outcome = cm_doc_reply_commit(a->ctx, a->commit, a->type, a->status,
                                      a->doc, a->version + 1);
    if (a->after_commit) {
        a->after_commit(a, outcome);
    }
}

// Load, If-Match, process row: the allowed step, or NULL after answering.
static json_t *
s_begin(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id,
        const char *action, const json_t *body, int64_t *version,
        cm_workflow_step_t *step)
{
    json_t *doc = cm_doc_load(ctx, type, id, version);
    if (!doc) {
        return NULL;
    }
    json_t *problem = NULL;
    const cm_workflow_t *flow = cm_doc_workflow(type, doc);
    if (type->may_read && !type->may_read(ctx, doc)) {
        cm_doc_fail(ctx, CM_ENOTFOUND, type, id);
    } else if (!cm_doc_if_match(ctx, type, *version)) {
        ; // answered
    } else if (!flow) {
        problem = cm_problem_new(404, "unknown_action",
                                 "this document has no actions");
    } else {
        problem = cm_workflow_apply(flow, cm_doc_state(doc), action,
                                    cm_ctx_actor(ctx), doc, body, step);
        if (!problem) {
            return doc;
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    }
    json_decref(doc);
    return NULL;
}

void
cm_action_run_named(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id,
                    const char *action)
{
    assert(ctx && type && action);
    json_t *empty = json_object();
    const json_t *body = cm_ctx_body(ctx) ? cm_ctx_body(ctx) : empty;
    int64_t version = 0;
    cm_workflow_step_t step;
    memset(&step, 0, sizeof step);
    json_t *old = s_begin(ctx, type, id, action, body, &version, &step);
    if (old) {
        cm_action_t a = {
            .ctx = ctx,
            .type = type,
            .name = action,
            .row = step.row,
            .old = old,
            .doc = json_deep_copy(old),
            .body = body,
            .actor = cm_ctx_actor(ctx),
            .store = cm_ctx_store(ctx),
            .commit = cm_commit_new(type->owner),
            .version = version,
            .now_ms = cm_time_now_ms(),
            .next_state = step.next_state,
            .event_data = json_object(),
            .events = json_array(),
            .status = 200,
        };
        assert(a.doc && a.event_data && a.events);
        s_apply(&a);
        cm_commit_destroy(&a.commit);
        json_decref(a.doc);
        json_decref(a.event_data);
        json_decref(a.history_data);
        json_decref(a.events);
        json_decref(a.saga);
        json_decref(old);
    }
    json_decref(empty);
}

json_t *
cm_action_apply(const cm_action_own_t *own, json_t *doc, json_t *events)
{
    assert(own && own->type && own->action && doc && json_is_array(events));
    json_t *empty = json_object();
    const json_t *body = own->body ? own->body : empty;
    const cm_workflow_t *flow = cm_doc_workflow(own->type, doc);
    cm_workflow_step_t step;
    memset(&step, 0, sizeof step);
    json_t *problem =
        flow ? cm_workflow_apply(flow, cm_doc_state(doc), own->action,
                                 own->actor, doc, body, &step)
             : cm_problem_new(404, "unknown_action",
                              "this document has no actions");
    if (!problem) {
        cm_action_t a = {
            .type = own->type,
            .name = own->action,
            .row = step.row,
            .old = doc,
            .doc = json_deep_copy(doc),
            .body = body,
            .actor = own->actor,
            .store = own->store,
            .commit = own->commit,
            .version = own->version,
            .now_ms = own->now_ms,
            .next_state = step.next_state,
            .event_data = json_object(),
            .events = json_array(),
            .status = 200,
        };
        assert(a.doc && a.event_data && a.events);
        problem = s_change(&a);
        if (!problem) {
            json_t *list = s_event_list(&a);
            json_array_extend(events, list);
            json_decref(list);
            json_object_clear(doc);
            json_object_update(doc, a.doc);
        }
        json_decref(a.doc);
        json_decref(a.event_data);
        json_decref(a.history_data);
        json_decref(a.events);
        json_decref(a.saga); // no commit here runs after_commit
    }
    json_decref(empty);
    return problem;
}

void
cm_action_run(cm_ctx_t *ctx, const cm_doc_type_t *type)
{
    assert(ctx && type);
    const char *action = cm_ctx_param(ctx, "action");
    if (!action || strcmp(action, "update") == 0) {
        // Edits are PATCH, not an action in the URL.
        cm_ctx_fail(ctx, cm_problem_new(404, "unknown_action",
                                        "edit a document with PATCH"));
        return;
    }
    cm_action_run_named(ctx, type, cm_ctx_param(ctx, "id"), action);
}

void
cm_action_patch(cm_ctx_t *ctx, const cm_doc_type_t *type)
{
    assert(ctx && type);
    const json_t *body = cm_ctx_body(ctx);
    if (json_is_object(body) && json_object_size(body) == 0) {
        json_t *problem =
            cm_problem_new(400, "validation_failed", "nothing to change");
        cm_problem_add_error(problem, "body", "must name a field to change");
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t wanted = 0;
    if (type->patch_if_match_required && cm_ctx_if_match(ctx, &wanted) == 0) {
        cm_ctx_fail(ctx, cm_problem_new(428, "precondition_required",
                                        "send If-Match with the document's "
                                        "ETag"));
        return;
    }
    cm_action_run_named(ctx, type, cm_ctx_param(ctx, "id"), "update");
}
