#include "case_routes.h"

#include <assert.h>

#include "access.h"
#include "case.h"
#include "case_create.h"
#include "case_words.h"
#include "cm_action.h"
#include "cm_envelope.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "customer.h"
#include "intake.h"

// One attempt: 1 when a number or contact was taken meanwhile (again).
static int
s_create_attempt(cm_ctx_t *ctx, const json_t *body)
{
    case_create_t in = {
        .kind = cm_doc_string(body, "kind"),
        .channel = cm_doc_string(body, "channel"),
        .subject = cm_doc_string(body, "subject"),
        .description = cm_doc_string(body, "description"),
        .customer = json_object_get(body, "customer"),
        .customer_id = cm_doc_string(body, "customer_id"),
        .actor = cm_ctx_actor(ctx),
        .correlation_id = cm_envelope_correlation_id(cm_ctx_request(ctx)),
        .now_ms = cm_time_now_ms(),
    };
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    json_t *doc = NULL;
    int rc = case_create(cm_ctx_store(ctx), &in, commit, &doc);
    int outcome = rc;
    if (rc == CM_ENOTFOUND) {
        json_t *problem = cm_problem_new(422, "customer_not_found",
                                         "customer_id names no customer");
        cm_problem_add_error(problem, "customer_id", "no such customer");
        cm_ctx_fail(ctx, problem);
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the case could not be recorded");
    } else {
        outcome = cm_doc_reply_commit(ctx, commit, &case_type, 201, doc, 1);
    }
    json_decref(doc);
    cm_commit_destroy(&commit);
    return outcome == CM_COMMIT_CONFLICT ? 1 : 0;
}

void
case_routes_create(cm_ctx_t *ctx)
{
    if (!intake_allow_desk(ctx, INTAKE_ROLES_RECORD)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = case_create_check(body);
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

void
case_routes_list(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_READ)) {
        static const char *const columns[] = {
            "id",         "kind",     "state",
            "channel",    "subject",  "customer_name",
            "department", "assignee", "severity",
            "overdue",    "round",    "created_at",
            "updated_at", NULL};
        if (cm_ctx_query(ctx, "q")) {
            case_words_search(ctx);
        } else {
            cm_list_run(ctx, &case_type, access_case_scope);
        }
        cm_list_as_csv(ctx, columns);
    }
}

void
case_routes_get(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_READ)) {
        cm_doc_get(ctx, &case_type);
    }
}

void
case_routes_history(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_READ)) {
        cm_doc_history(ctx, &case_type);
    }
}

void
case_routes_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &case_type);
}

void
case_routes_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &case_type);
}
