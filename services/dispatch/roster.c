#include "roster.h"

#include <assert.h>
#include <string.h>

#include "calendar.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "dispatch_doc.h"
#include "workorder_flow.h"

bool
roster_name_is_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= DISPATCH_NAME_MAX) {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool
s_department_param(cm_ctx_t *ctx, const char **dept)
{
    *dept = cm_ctx_param(ctx, "department");
    if (roster_name_is_valid(*dept)) {
        return true;
    }
    cm_ctx_fail(ctx, cm_problem_new(404, "not_found", "no such department"));
    return false;
}

void
roster_get(cm_ctx_t *ctx)
{
    const char *dept = NULL;
    if (!dispatch_require_reader(ctx) || !s_department_param(ctx, &dept)) {
        return;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc =
        dispatch_doc_load(cm_ctx_store(ctx), "roster", dept, &doc, &version);
    if (rc == CM_ENOTFOUND) {
        doc = json_pack("{s:s, s:[], s:n}", "department", dept, "on_duty",
                        "date");
        assert(doc);
        rc = 0;
    }
    if (rc != 0) {
        dispatch_fail_rc(ctx, rc, NULL);
        return;
    }
    dispatch_reply_doc(ctx, 200, doc, version);
}

static bool
s_validate_body(const json_t *body, json_t **problem)
{
    if (!cm_validate_object(body, problem)) {
        return false;
    }
    bool ok = cm_validate_keys(body, "on_duty date", problem);
    const json_t *ids = json_object_get(body, "on_duty");
    if (!json_is_array(ids) || json_array_size(ids) > ROSTER_SIZE_MAX) {
        return cm_validate_fail(problem, "on_duty",
                                "must be an array of at most 200 staff ids");
    }
    size_t i;
    const json_t *id;
    json_array_foreach(ids, i, id)
    {
        const char *text = json_string_value(id);
        if (!text || !*text || strlen(text) >= DISPATCH_NAME_MAX) {
            return cm_validate_fail(problem, "on_duty",
                                    "must hold staff ids (strings)");
        }
    }
    const char *date = json_string_value(json_object_get(body, "date"));
    int64_t day = 0;
    if (cm_validate_string(body, "date", CM_VALIDATE_OPTIONAL, problem) && date
        && calendar_date_parse(date, &day) != 0) {
        ok = cm_validate_fail(problem, "date", "must be \"YYYY-MM-DD\"");
    }
    return ok;
}

void
roster_put(cm_ctx_t *ctx)
{
    const char *dept = NULL;
    if (!s_department_param(ctx, &dept)) {
        return;
    }
    json_t *subject = json_pack("{s:s}", "department", dept);
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(roster_rules(), "current", "update",
                          cm_ctx_actor(ctx), subject, cm_ctx_body(ctx), &step);
    json_decref(subject);
    if (!problem) {
        (void)s_validate_body(cm_ctx_body(ctx), &problem); // sets problem
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    const json_t *date = json_object_get(body, "date");
    json_t *doc =
        json_pack("{s:s, s:O, s:O, s:s, s:o}", "department", dept, "on_duty",
                  json_object_get(body, "on_duty"), "date",
                  date ? date : json_null(), "updated_by", cm_ctx_actor_id(ctx),
                  "updated_at", dispatch_time_json(cm_time_now_ms()));
    assert(doc);
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    dispatch_doc_put(commit, "roster", dept, CM_VERSION_ANY, doc, NULL);
    cm_log_info("roster.updated", "department", dept, "actor",
                cm_ctx_actor_id(ctx));
    cm_ctx_commit(ctx, commit, 200, doc);
    cm_commit_destroy(&commit);
}

json_t *
roster_on_duty(cm_store_t *store, const char *dept, int64_t now_ms)
{
    json_t *doc = NULL;
    int rc = dispatch_doc_load(store, "roster", dept, &doc, NULL);
    if (rc == CM_ENOTFOUND) {
        json_t *empty = json_array();
        assert(empty);
        return empty;
    }
    if (rc != 0) {
        return NULL;
    }
    const char *date = json_string_value(json_object_get(doc, "date"));
    int64_t day = 0;
    bool applies = !date
                   || (calendar_date_parse(date, &day) == 0
                       && day == now_ms / CALENDAR_DAY_MS);
    json_t *ids = applies ? json_object_get(doc, "on_duty") : NULL;
    json_t *result = json_is_array(ids) ? json_incref(ids) : json_array();
    json_decref(doc);
    return result;
}
