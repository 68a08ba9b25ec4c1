#include "workorder_http.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "dispatch_doc.h"
#include "org.h"
#include "roster.h"
#include "workorder.h"
#include "workorder_flow.h"

#define S_INDEX_NAME_MAX 192
#define S_LOCATION_MAX   96

static const char *
s_correlation(cm_ctx_t *ctx)
{
    return cm_envelope_correlation_id(cm_ctx_request(ctx));
}

static bool
s_validate_source(const json_t *body, json_t **problem)
{
    const json_t *source = json_object_get(body, "source");
    if (!source || json_is_null(source)) {
        return true;
    }
    if (!json_is_object(source) || json_object_size(source) != 2
        || !cm_validate_has_value(source, "type")
        || !cm_validate_has_value(source, "id")
        || !json_is_string(json_object_get(source, "type"))
        || !json_is_string(json_object_get(source, "id"))) {
        return cm_validate_fail(problem, "source",
                                "must be {\"type\": string, \"id\": string}");
    }
    return true;
}

static json_t *
s_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, "title department source priority note", &problem);
    if (cm_validate_string(body, "title", CM_VALIDATE_REQUIRED, &problem)
        && strlen(dispatch_string(body, "title")) > WORKORDER_TITLE_MAX) {
        cm_validate_fail(&problem, "title", "is longer than 200 characters");
    }
    if (cm_validate_string(body, "department", CM_VALIDATE_REQUIRED, &problem)
        && !roster_name_is_valid(dispatch_string(body, "department"))) {
        cm_validate_fail(&problem, "department",
                         "must be 1-63 characters of a-z, 0-9, _ and -");
    }
    cm_validate_enum(body, "priority", WORKORDER_PRIORITIES,
                     CM_VALIDATE_OPTIONAL, &problem);
    cm_validate_string(body, "note", CM_VALIDATE_OPTIONAL, &problem);
    s_validate_source(body, &problem);
    return problem;
}

// Creation rules and body checks; NULL when the request may go on.
static json_t *
s_check_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *subject =
        json_pack("{s:s?}", "department",
                  json_string_value(json_object_get(body, "department")));
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(workorder_create_rules(), "new", "create",
                          cm_ctx_actor(ctx), subject, body, &step);
    json_decref(subject);
    return problem ? problem : s_validate_create(body);
}

static void
s_commit_new(cm_ctx_t *ctx, json_t *doc, bool assigned, int64_t now)
{
    workorder_keys_t none;
    workorder_keys(NULL, &none);
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    workorder_commit(commit, doc, CM_VERSION_NEW, &none, now);
    const json_t *actor = cm_ctx_actor(ctx);
    int rc = workorder_event(commit, "dispatch.workorder.created", doc, 1,
                             actor, s_correlation(ctx));
    if (rc == 0 && assigned) {
        rc = workorder_event(commit, "dispatch.workorder.assigned", doc, 1,
                             actor, s_correlation(ctx));
    }
    char location[S_LOCATION_MAX];
    snprintf(location, sizeof location, "/v1/work-orders/%s",
             dispatch_string(doc, "id"));
    cm_ctx_header(ctx, "Location", location);
    dispatch_set_etag(ctx, 1);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "event could not be built");
    } else {
        cm_log_info("workorder.created", "id", dispatch_string(doc, "id"),
                    "department", dispatch_string(doc, "department"));
        cm_ctx_commit(ctx, commit, 201, workorder_view(doc, 1, actor));
    }
    cm_commit_destroy(&commit);
}

void
workorder_http_create(cm_ctx_t *ctx)
{
    json_t *problem = s_check_create(ctx);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    cm_store_t *store = cm_ctx_store(ctx);
    char id[CM_STORE_KEY_MAX];
    int rc = workorder_next_id(store, id);
    if (rc != 0) {
        dispatch_fail_rc(ctx, rc, NULL);
        return;
    }
    int64_t now = cm_time_now_ms();
    const char *priority = json_string_value(json_object_get(body, "priority"));
    json_t *doc = workorder_new(
        id, dispatch_string(body, "title"), dispatch_string(body, "department"),
        json_object_get(body, "source"), priority ? priority : "normal",
        cm_ctx_actor_id(ctx), now);
    rc = workorder_auto_assign(cm_ctx_state(ctx), store, doc, now);
    if (rc < 0) {
        dispatch_fail_rc(ctx, rc, NULL);
    } else {
        s_commit_new(ctx, doc, rc == 1, now);
    }
    json_decref(doc);
}

void
workorder_http_get(cm_ctx_t *ctx)
{
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = workorder_load(cm_ctx_store(ctx), cm_ctx_param(ctx, "id"), &doc,
                            &version);
    if (rc != 0) {
        dispatch_fail_rc(ctx, rc, "no such work order");
        return;
    }
    dispatch_reply_doc(
        ctx, 200, workorder_view(doc, version, cm_ctx_actor(ctx)), version);
    json_decref(doc);
}

static bool
s_matches(const json_t *doc, const char *field, const char *want)
{
    return !want || strcmp(dispatch_string(doc, field), want) == 0;
}

// Append the matching documents of one index page to items.
static int
s_collect(cm_store_t *store, const cm_page_t *page, json_t *items,
          const char *const filters[3])
{
    static const char *const fields[3] = {"state", "assignee", "department"};
    for (size_t i = 0; i < page->count; i++) {
        json_t *doc = NULL;
        int64_t version = 0;
        int rc = workorder_load(store, page->members[i], &doc, &version);
        if (rc == CM_ENOTFOUND) {
            continue;
        }
        if (rc != 0) {
            return rc;
        }
        bool keep = true;
        for (int f = 0; f < 3; f++) {
            keep = keep && s_matches(doc, fields[f], filters[f]);
        }
        if (keep) {
            json_array_append_new(items, workorder_summary(doc, version));
        }
        json_decref(doc);
    }
    return 0;
}

void
workorder_http_page(cm_ctx_t *ctx, const char *name, const char *state,
                    const char *assignee, const char *queue)
{
    int limit = dispatch_query_limit(ctx);
    if (limit < 0) {
        return;
    }
    const char *const filters[3] = {state, assignee, queue};
    char key[CM_STORE_KEY_MAX];
    dispatch_key(key, "idx", name);
    json_t *items = json_array();
    const char *given = cm_ctx_query(ctx, "cursor");
    char *cursor = given ? strdup(given) : NULL; // the page to read next
    int rc = 0;
    do {
        cm_page_t page;
        size_t want = (size_t)limit - json_array_size(items);
        rc = cm_store_list(cm_ctx_store(ctx), key, cursor, want, false, &page);
        if (rc == 0) {
            rc = s_collect(cm_ctx_store(ctx), &page, items, filters);
            free(cursor);
            cursor = page.next_cursor;
            page.next_cursor = NULL;
        }
        cm_page_clear(&page);
    } while (rc == 0 && cursor && json_array_size(items) < (size_t)limit);
    if (rc != 0) {
        json_decref(items);
        free(cursor);
        dispatch_fail_rc(ctx, rc, "bad cursor");
        return;
    }
    json_t *reply =
        json_pack("{s:o, s:s?}", "items", items, "next_cursor", cursor);
    free(cursor);
    if (!json_object_get(reply, "next_cursor")) {
        json_object_set_new(reply, "next_cursor", json_null());
    }
    cm_ctx_reply(ctx, 200, reply);
}

void
workorder_http_list(cm_ctx_t *ctx)
{
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    const char *queue = cm_ctx_query(ctx, "queue");
    const char *state = cm_ctx_query(ctx, "state");
    const char *assignee = cm_ctx_query(ctx, "assignee");
    char name[S_INDEX_NAME_MAX];
    if (assignee) {
        snprintf(name, sizeof name, "wo_assignee:%s", assignee);
    } else if (queue) {
        snprintf(name, sizeof name, "wo_queue:%s", queue);
    } else if (state) {
        snprintf(name, sizeof name, "wo_state:%s", state);
    } else {
        snprintf(name, sizeof name, "wo_all");
    }
    workorder_http_page(ctx, name, state, assignee, queue);
}

// The assignee of assign/reassign must be known and active.
static json_t *
s_check_assignee(cm_store_t *store, const char *action, const json_t *body)
{
    json_t *problem = NULL;
    cm_validate_keys(body, "assignee note", &problem);
    cm_validate_string(body, "note", CM_VALIDATE_OPTIONAL, &problem);
    bool assigns =
        strcmp(action, "assign") == 0 || strcmp(action, "reassign") == 0;
    if (problem || !assigns) {
        return problem;
    }
    const char *assignee = json_string_value(json_object_get(body, "assignee"));
    if (!assignee) {
        cm_validate_fail(&problem, "assignee", "must be a staff id");
    } else if (!org_staff_id_is_active(store, assignee)) {
        problem = cm_problem_new(422, "assignee_unavailable",
                                 "the assignee is not active staff");
    }
    return problem;
}

static void
s_commit_action(cm_ctx_t *ctx, json_t *doc, int64_t version,
                const workorder_keys_t *old, const cm_workflow_step_t *step,
                int64_t now)
{
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    workorder_commit(commit, doc, version, old, now);
    int rc = 0;
    if (step->event_type) {
        rc = workorder_event(commit, step->event_type, doc, version + 1,
                             cm_ctx_actor(ctx), s_correlation(ctx));
    }
    if (rc != 0) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "event could not be built");
    } else {
        cm_log_info("workorder.transition", "id", dispatch_string(doc, "id"),
                    "action", cm_ctx_param(ctx, "action"), "state",
                    dispatch_string(doc, "state"));
        dispatch_set_etag(ctx, version + 1);
        cm_ctx_commit(ctx, commit, 200,
                      workorder_view(doc, version + 1, cm_ctx_actor(ctx)));
    }
    cm_commit_destroy(&commit);
}

void
workorder_http_action(cm_ctx_t *ctx)
{
    cm_store_t *store = cm_ctx_store(ctx);
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = workorder_load(store, cm_ctx_param(ctx, "id"), &doc, &version);
    if (rc != 0) {
        dispatch_fail_rc(ctx, rc, "no such work order");
        return;
    }
    const char *action = cm_ctx_param(ctx, "action");
    const json_t *body = cm_ctx_body(ctx);
    json_t *invalid = NULL;
    if (body && !cm_validate_object(body, &invalid)) {
        json_decref(doc);
        cm_ctx_fail(ctx, invalid);
        return;
    }
    json_t *empty = json_object();
    workorder_keys_t old;
    workorder_keys(doc, &old);
    int64_t now = cm_time_now_ms();
    cm_workflow_step_t step;
    json_t *problem = workorder_transition(doc, action, cm_ctx_actor(ctx),
                                           body ? body : empty, now, &step);
    if (!problem) {
        problem = s_check_assignee(store, action, body ? body : empty);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        s_commit_action(ctx, doc, version, &old, &step, now);
    }
    json_decref(empty);
    json_decref(doc);
}
