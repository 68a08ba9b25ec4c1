#include "calendar_http.h"

#include <assert.h>
#include <string.h>

#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "dispatch.h"
#include "dispatch_doc.h"
#include "roster.h"
#include "workorder_flow.h"

int
calendar_load(cm_store_t *store, const char *name, calendar_t *calendar)
{
    json_t *doc = NULL;
    int rc = dispatch_doc_load(store, "calendar", name, &doc, NULL);
    if (rc == CM_ENOTFOUND && strcmp(name, "default") == 0) {
        calendar_default(calendar);
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    json_t *problem = NULL;
    json_object_del(doc, "version");
    json_object_del(doc, "updated_by");
    json_object_del(doc, "updated_at");
    if (!calendar_from_json(doc, calendar, &problem)) {
        cm_log_error("calendar.malformed", "name", name);
        rc = CM_EINTERNAL;
    }
    json_decref(problem);
    json_decref(doc);
    return rc;
}

int
calendar_seed(cm_store_t *store)
{
    calendar_t calendar;
    calendar_default(&calendar);
    json_t *doc = calendar_to_json(&calendar, "default");
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    dispatch_doc_put(commit, "calendar", "default", CM_VERSION_NEW, doc, NULL);
    cm_commit_result_t result;
    int rc = cm_store_commit(store, commit, &result);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(doc);
    return rc; // a CONFLICT outcome means it is there already
}

void
calendar_http_get(cm_ctx_t *ctx)
{
    const char *name = cm_ctx_param(ctx, "name");
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    calendar_t calendar;
    int rc = roster_name_is_valid(name)
                 ? calendar_load(cm_ctx_store(ctx), name, &calendar)
                 : CM_ENOTFOUND;
    if (rc != 0) {
        dispatch_fail_rc(ctx, rc, "no such calendar");
        return;
    }
    cm_ctx_reply(ctx, 200, calendar_to_json(&calendar, name));
}

void
calendar_http_put(cm_ctx_t *ctx)
{
    const char *name = cm_ctx_param(ctx, "name");
    if (!roster_name_is_valid(name)) {
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", "no such calendar"));
        return;
    }
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(settings_rules(), "current", "update",
                          cm_ctx_actor(ctx), NULL, cm_ctx_body(ctx), &step);
    calendar_t calendar;
    if (!problem) {
        (void)calendar_from_json(cm_ctx_body(ctx), &calendar, &problem);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *doc = calendar_to_json(&calendar, name);
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    dispatch_doc_put(commit, "calendar", name, CM_VERSION_ANY, doc, NULL);
    cm_log_info("calendar.updated", "name", name, "actor",
                cm_ctx_actor_id(ctx));
    cm_ctx_commit(ctx, commit, 200, doc);
    cm_commit_destroy(&commit);
}
