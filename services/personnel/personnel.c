#include "personnel.h"

#include <stddef.h>

#include "bootstrap.h"
#include "department.h"
#include "position.h"
#include "staff.h"
#include "staff_action.h"
#include "token.h"

static const cm_route_t s_routes[] = {
    {"POST", "/v1/departments", department_create},
    {"GET", "/v1/departments", department_list},
    {"GET", "/v1/departments/{id}", department_get},
    {"PATCH", "/v1/departments/{id}", department_patch},
    {"POST", "/v1/positions", position_create},
    {"GET", "/v1/positions", position_list},
    {"GET", "/v1/positions/{id}", position_get},
    {"PATCH", "/v1/positions/{id}", position_patch},
    {"POST", "/v1/staff", staff_create},
    {"GET", "/v1/staff", staff_list},
    {"GET", "/v1/staff/{id}", staff_get},
    {"PATCH", "/v1/staff/{id}", staff_patch},
    // Before /v1/staff/{id}/{action}: "tokens" is not an action.
    {"GET", "/v1/staff/{id}/tokens", token_list},
    {"POST", "/v1/staff/{id}/tokens", token_issue},
    {"GET", "/v1/staff/{id}/tokens/{token_id}", token_get},
    {"DELETE", "/v1/staff/{id}/tokens/{token_id}", token_revoke},
    {"POST", "/v1/staff/{id}/tokens/{token_id}/revoke", token_revoke},
    {"POST", "/v1/staff/{id}/{action}", staff_action},
    {"POST", "/internal/tokens/resolve", token_resolve},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {BOOTSTRAP_TOKEN_OPTION, CM_CONFIG_STRING, "", 0, 0, true,
     "token of the first station head (empty: generate one, log it once)"},
    {BOOTSTRAP_NAME_OPTION, CM_CONFIG_STRING, "Station head", 0, 0, false,
     "name of the first station head"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

// Check the tables (a bad one is a bug: refuse to start), then bootstrap.
static int
s_start(cm_service_t *service, cm_store_t *store)
{
    const cm_workflow_t *tables[] = {&department_workflow, &position_workflow,
                                     &staff_workflow, &token_workflow};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    return bootstrap_run(cm_service_config(service), store);
}

const cm_service_def_t personnel_service = {
    .name = PERSONNEL_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = NULL,
    .start = s_start,
    .tick = NULL,
    .tick_ms = 0,
    .state = NULL,
};
