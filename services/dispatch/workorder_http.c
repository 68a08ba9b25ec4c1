#include "workorder_http.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "case_record.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "events/dispatch.h"
#include "workorder.h"
#include "workorder_flow.h"

#define S_DETAIL_MAX 256
#define S_PATH_MAX   64

// cm_field check of `source`: exactly {type, id}, a type dispatch can check.
static bool
s_check_source(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t parts[] = {
        {"type", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = WORKORDER_SOURCES},
        {"id", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        CM_FIELD_END,
    };
    bool fine = true;
    char path[S_PATH_MAX];
    const char *key = NULL;
    json_t *member = NULL;
    json_object_foreach((json_t *)value, key, member)
    {
        if (!cm_field_find(parts, key)) {
            snprintf(path, sizeof path, "%s.%.32s", field, key);
            fine = cm_validate_fail(problem_p, path, "is not allowed");
        }
    }
    for (size_t i = 0; parts[i].name; i++) {
        snprintf(path, sizeof path, "%s.%s", field, parts[i].name);
        fine = cm_field_check_value(&parts[i],
                                    json_object_get(value, parts[i].name), path,
                                    problem_p)
               && fine;
    }
    return fine;
}

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = WORKORDER_TITLE_MAX},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"source", CM_FIELD_OBJECT, 0, .check = s_check_source},
    {"priority", CM_FIELD_ENUM, 0, .values = WORKORDER_PRIORITIES},
    {"skill", CM_FIELD_ANY, 0, .check = workorder_check_skill},
    {"field_work", CM_FIELD_BOOLEAN},
    {"due_at", CM_FIELD_TIME, CM_FIELD_FUTURE},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// 403 unless the caller may create work orders for dept.
static json_t *
s_may_create(cm_ctx_t *ctx, const char *dept)
{
    json_t *subject = json_pack("{s:s}", "department", dept);
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(&workorder_create_rules, "new", "create",
                          cm_ctx_actor(ctx), subject, NULL, &step);
    json_decref(subject);
    return problem;
}

// A 422 naming a body field that refers to nothing usable.
static json_t *
s_unusable(const char *code, const char *field, const char *message,
           const char *detail)
{
    json_t *problem = cm_problem_new(422, code, detail);
    cm_problem_add_error(problem, field, message);
    return problem;
}

static json_t *
s_unavailable(void)
{
    return cm_problem_new(503, "store_unavailable",
                          "the org view is unreadable; retry");
}

// 422 unless the org view knows the department (as rosters answer 404).
static json_t *
s_department_known(cm_ctx_t *ctx, const char *dept)
{
    int rc = dispatch_department_known(cm_ctx_store(ctx), dept);
    if (rc != CM_ENOTFOUND) {
        return rc == 0 ? NULL : s_unavailable();
    }
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail, "There is no department %.64s.", dept);
    return s_unusable("unknown_department", "department", "names no department",
                      detail);
}

// The source must be a case dispatch knows, of the same department, that
// the caller may act for.
static json_t *
s_source_problem(cm_ctx_t *ctx, const json_t *source, const char *dept)
{
    if (!json_is_object(source)) {
        return NULL;
    }
    const char *id = cm_doc_text(source, "id");
    json_t *record = NULL;
    int64_t version = 0;
    if (case_record_load(cm_ctx_store(ctx), id, &record, &version) != 0) {
        return s_unavailable();
    }
    char detail[S_DETAIL_MAX];
    json_t *problem = NULL;
    const char *of = cm_doc_text(record, "department");
    if (!record) {
        snprintf(detail, sizeof detail, "Dispatch knows no case %.64s.", id);
        problem =
            s_unusable("unknown_source", "source.id", "names no case", detail);
    } else if (strcmp(of, dept) != 0) {
        snprintf(detail, sizeof detail,
                 "Case %.64s is with department %.64s, not %.64s.", id,
                 *of ? of : "(none)", dept);
        problem = s_unusable("source_department_mismatch", "source.id",
                             "is a case of another department", detail);
    } else if (!case_record_may_act(record, cm_ctx_actor(ctx))) {
        snprintf(detail, sizeof detail, "You may not act for case %.64s.", id);
        problem = cm_problem_new(403, "forbidden", detail);
    }
    json_decref(record);
    return problem;
}

// Write the new work order (auto-assigned when someone is on duty) and
// answer 201.
static void
s_commit_new(cm_ctx_t *ctx, json_t *doc, int64_t now)
{
    json_t *events = json_pack("[{s:s, s:{}}]", "type",
                               DISPATCH_EVENT_WORKORDER_CREATED, "data");
    int rc = assign_auto(cm_ctx_state(ctx), cm_ctx_store(ctx), doc,
                         CM_VERSION_NEW, now, events);
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    if (rc < 0) {
        cm_doc_fail(ctx, rc, &workorder_type, NULL);
    } else if (cm_doc_commit(commit, &workorder_type, NULL, doc, CM_VERSION_NEW,
                             now)
               != 0) {
        cm_ctx_fail(ctx, cm_problem_new(422, "document_too_large", NULL));
    } else {
        rc = 0; // assigned (1) or left open (0)
        for (size_t i = 0; rc == 0 && i < json_array_size(events); i++) {
            const json_t *event = json_array_get(events, i);
            rc = cm_doc_event(ctx, commit, &workorder_type,
                              cm_doc_text(event, "type"), doc, 1,
                              json_incref(json_object_get(event, "data")));
        }
        cm_log_info("workorder.created", "id", cm_doc_text(doc, "id"),
                    "department", cm_doc_text(doc, "department"));
        if (rc != 0) {
            cm_ctx_fail(ctx, cm_problem_new(422, "event_too_large", NULL));
        } else {
            cm_doc_reply_commit(ctx, commit, &workorder_type, 201, doc, 1);
        }
    }
    cm_commit_destroy(&commit);
    json_decref(events);
}

// Every check of a create, in order: body 400, role 403, department 422,
// source 422/403. NULL when it may go on.
static json_t *
s_check_create(cm_ctx_t *ctx, const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)) {
        return problem;
    }
    const char *dept = cm_doc_text(body, "department");
    problem = s_may_create(ctx, dept);
    problem = problem ? problem : s_department_known(ctx, dept);
    return problem
               ? problem
               : s_source_problem(ctx, json_object_get(body, "source"), dept);
}

void
workorder_http_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = s_check_create(ctx, body);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &workorder_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    const char *priority = cm_doc_string(body, "priority");
    const json_t *source = json_object_get(body, "source");
    json_t *doc = workorder_new(
        id, cm_doc_text(body, "title"), cm_doc_text(body, "department"),
        json_is_object(source) ? source : NULL, priority ? priority : "normal",
        WORKORDER_ORIGIN_REQUEST, cm_ctx_actor(ctx), now);
    const char *skill = cm_doc_string(body, "skill");
    if (skill) {
        json_object_set_new(doc, "skill", json_string(skill));
    }
    json_object_set_new(
        doc, "field_work",
        json_boolean(json_is_true(json_object_get(body, "field_work"))));
    workorder_set_due(doc, json_object_get(body, "due_at"));
    const char *note = cm_doc_string(body, "note");
    json_t *history = json_object_get(doc, "history");
    if (note && *note) {
        json_object_set_new(json_array_get(history, 0), "note",
                            json_string(note));
    }
    s_commit_new(ctx, doc, now);
    json_decref(doc);
}

void
workorder_http_get(cm_ctx_t *ctx)
{
    if (dispatch_query_none(ctx)) {
        cm_doc_get(ctx, &workorder_type);
    }
}

void
workorder_http_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &workorder_type);
}

void
workorder_http_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &workorder_type, NULL);
}

void
workorder_http_action(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &workorder_type);
}
