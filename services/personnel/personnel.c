#include "personnel.h"

#include <assert.h>
#include <stddef.h>

#include "access.h"
#include "bootstrap.h"
#include "candidate.h"
#include "cm_approval.h"
#include "delegation.h"
#include "department.h"
#include "evaluation.h"
#include "learning.h"
#include "notice.h"
#include "position.h"
#include "recruitment.h"
#include "sanction.h"
#include "staff.h"
#include "staff_action.h"
#include "summary.h"
#include "token.h"
#include "training.h"

const cm_route_t personnel_routes[] = {
    {"POST", "/v1/departments", department_create},
    {"GET", "/v1/departments", department_list},
    {"GET", "/v1/departments/{id}", department_get, .reads = &department_type},
    {"PATCH", "/v1/departments/{id}", department_patch},
    {"GET", "/v1/departments/{id}/history", department_history},
    {"POST", "/v1/positions", position_create},
    {"GET", "/v1/positions", position_list},
    {"GET", "/v1/positions/{id}", position_get, .reads = &position_type},
    {"PATCH", "/v1/positions/{id}", position_patch},
    {"GET", "/v1/positions/{id}/history", position_history},
    {"POST", "/v1/staff", staff_create},
    {"GET", "/v1/staff", staff_list},
    {"GET", "/v1/staff/{id}", staff_get, .reads = &staff_type},
    {"PATCH", "/v1/staff/{id}", staff_patch},
    // Before /v1/staff/{id}/{action}: these segments are not actions.
    {"GET", "/v1/staff/{id}/history", staff_history},
    {"GET", "/v1/staff/{id}/tokens", token_list},
    {"POST", "/v1/staff/{id}/tokens", token_issue},
    {"GET", "/v1/staff/{id}/tokens/{token_id}", token_get},
    {"DELETE", "/v1/staff/{id}/tokens/{token_id}", token_revoke},
    {"POST", "/v1/staff/{id}/tokens/{token_id}/revoke", token_revoke},
    {"GET", "/v1/staff/{id}/trainings", training_list_of_staff},
    {"GET", "/v1/staff/{id}/delegations", delegation_list},
    {"POST", "/v1/staff/{id}/delegations", delegation_create},
    {"GET", "/v1/staff/{id}/delegations/{delegation}", delegation_get},
    {"POST", "/v1/staff/{id}/delegations/{delegation}/revoke",
     delegation_revoke},
    {"POST", "/v1/staff/{id}/{action}", staff_act},
    {"POST", "/v1/sanctions", sanction_create},
    {"GET", "/v1/sanctions", sanction_list},
    {"GET", "/v1/sanctions/{id}", sanction_get, .reads = &sanction_type},
    {"GET", "/v1/sanctions/{id}/history", sanction_history},
    {"POST", "/v1/sanctions/{id}/{action}", sanction_act},
    {"POST", "/v1/recruitment-plans", recruitment_create},
    {"GET", "/v1/recruitment-plans", recruitment_list},
    {"GET", "/v1/recruitment-plans/{id}", recruitment_get,
     .reads = &recruitment_type},
    {"GET", "/v1/recruitment-plans/{id}/history", recruitment_history},
    {"POST", "/v1/recruitment-plans/{id}/{action}", recruitment_act},
    {"POST", "/v1/candidates", candidate_create},
    {"GET", "/v1/candidates", candidate_list},
    {"GET", "/v1/candidates/{id}", candidate_get, .reads = &candidate_type},
    {"GET", "/v1/candidates/{id}/history", candidate_history},
    {"POST", "/v1/candidates/{id}/{action}", candidate_act},
    {"POST", "/v1/trainings", training_create},
    {"GET", "/v1/trainings", training_list},
    {"GET", "/v1/trainings/{id}", training_get, .reads = &training_type},
    {"POST", "/v1/evaluation-cycles", cycle_create},
    {"GET", "/v1/evaluation-cycles", cycle_list},
    {"GET", "/v1/evaluation-cycles/{id}", cycle_get, .reads = &cycle_type},
    {"POST", "/v1/evaluation-cycles/{id}/{action}", cycle_act},
    {"POST", "/v1/evaluations", evaluation_create},
    {"GET", "/v1/evaluations", evaluation_list},
    {"GET", "/v1/evaluations/{id}", evaluation_get, .reads = &evaluation_type},
    {"GET", "/v1/evaluations/{id}/history", evaluation_history},
    {"POST", "/v1/evaluations/{id}/{action}", evaluation_act},
    {"POST", "/v1/learning-resources", learning_create},
    {"GET", "/v1/learning-resources", learning_list},
    {"GET", "/v1/learning-resources/{id}", learning_get,
     .reads = &learning_type},
    {"PATCH", "/v1/learning-resources/{id}", learning_patch},
    // Before …/{id}/{action}: these segments are not process actions.
    {"GET", "/v1/learning-resources/{id}/history", learning_history},
    {"POST", "/v1/learning-resources/{id}/studied", learning_studied},
    {"POST", "/v1/learning-resources/{id}/{action}", learning_act},
    {"GET", "/v1/notices", notice_list},
    {"GET", "/v1/notices/{id}", notice_get, .reads = &notice_type},
    {"GET", "/v1/approval-rules", personnel_approval_rules},
    {"POST", "/internal/tokens/resolve", token_resolve},
    {"GET", "/internal/summary", summary_get},
    {NULL, NULL, NULL},
};

const cm_config_option_t personnel_options[] = {
    {BOOTSTRAP_TOKEN_OPTION, CM_CONFIG_STRING, "", 0, 0, true,
     "token of the first station head (empty: generate one, log it once)"},
    {BOOTSTRAP_NAME_OPTION, CM_CONFIG_STRING, "Station head", 0, 0, false,
     "name of the first station head"},
    {"personnel/delegation_max_days", CM_CONFIG_INT,
     PERSONNEL_DELEGATION_DAYS_DEFAULT, 1, 366, false,
     "longest delegation of approvals, in days"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

int
personnel_start(cm_service_t *service, cm_store_t *store)
{
    const cm_workflow_t *tables[] = {
        &department_workflow,  &position_workflow,   &staff_workflow,
        &token_workflow,       &delegation_workflow, &sanction_workflow,
        &recruitment_workflow, &candidate_workflow,  &cycle_workflow,
        &evaluation_workflow,  &learning_workflow};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    personnel_t *self = cm_service_def(service)->state;
    assert(self);
    const cm_config_t *config = cm_service_config(service);
    self->delegation_max_ms =
        cm_config_int(config, "personnel/delegation_max_days")
        * PERSONNEL_DAY_MS;
    return bootstrap_run(config, store);
}

void
personnel_approval_rules(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const cm_approvals_t *matrix = cm_ctx_approvals(ctx);
    if (!matrix) {
        cm_ctx_fail_status(ctx, CM_EUNAVAILABLE, "no approval matrix loaded");
        return;
    }
    cm_ctx_reply(ctx, 200, cm_approvals_to_json(matrix));
}
