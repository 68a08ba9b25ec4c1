#include "dispatch.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "calendar_http.h"
#include "cm_log.h"
#include "cm_validate.h"
#include "dispatch_events.h"
#include "escalation.h"
#include "queue.h"
#include "roster.h"
#include "sla_policy.h"
#include "workorder_flow.h"
#include "workorder_http.h"

// The one piece of mutable static state: written by s_start before any
// thread runs (cm_service_start), read-only afterwards. The service
// definition must be a static constant, and cm_consumer_fn / cm_ctx reach
// state only through cm_service_def_t.state, so it cannot live on main's
// stack.
static dispatch_t s_state;

static const cm_route_t s_routes[] = {
    {"POST", "/v1/work-orders", workorder_http_create},
    {"GET", "/v1/work-orders", workorder_http_list},
    {"GET", "/v1/work-orders/{id}", workorder_http_get},
    {"POST", "/v1/work-orders/{id}/{action}", workorder_http_action},
    {"GET", "/v1/queues", queue_http_list},
    {"GET", "/v1/queues/{department}", queue_http_get},
    {"GET", "/v1/rosters/{department}", roster_get},
    {"PUT", "/v1/rosters/{department}", roster_put},
    {"GET", "/v1/sla-policies", sla_policy_http_list},
    {"GET", "/v1/sla-policies/{id}", sla_policy_http_get},
    {"PUT", "/v1/sla-policies/{id}", sla_policy_http_put},
    {"GET", "/v1/calendars/{name}", calendar_http_get},
    {"PUT", "/v1/calendars/{name}", calendar_http_put},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {"dispatch/auto_assign", CM_CONFIG_BOOL, "true", 0, 0, false,
     "assign new work orders automatically by dispatch/assign_policy"},
    {"dispatch/assign_policy", CM_CONFIG_STRING, "least_loaded", 0, 0, false,
     "automatic assignment policy: least_loaded"},
    {"dispatch/escalation_step_ms", CM_CONFIG_INT, "0", 0, SLA_DURATION_MAX,
     false,
     "time between escalation levels after a breach; 0: the target's own "
     "duration"},
    {"dispatch/default_department", CM_CONFIG_STRING, "customer_service", 0, 0,
     false, "department whose head a breach without a department goes to"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"intake", dispatch_events_on_intake},
    {"personnel", dispatch_events_on_personnel},
    {NULL, NULL},
};

static int
s_read_config(dispatch_t *self, const cm_config_t *config)
{
    self->config = config;
    self->auto_assign = cm_config_bool(config, "dispatch/auto_assign");
    self->escalation_step_ms =
        cm_config_int(config, "dispatch/escalation_step_ms");
    const char *policy = cm_config_str(config, "dispatch/assign_policy");
    const char *dept = cm_config_str(config, "dispatch/default_department");
    if (!cm_validate_name_in(ASSIGN_POLICIES, policy)
        || !roster_name_is_valid(dept)) {
        cm_log_error("config.invalid", "reason",
                     "dispatch/assign_policy must be least_loaded and "
                     "dispatch/default_department a department name");
        return -1;
    }
    snprintf(self->assign_policy, sizeof self->assign_policy, "%s", policy);
    snprintf(self->default_department, sizeof self->default_department, "%s",
             dept);
    return 0;
}

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    dispatch_t *self = cm_service_def(service)->state;
    if (s_read_config(self, cm_service_config(service)) != 0
        || workorder_flow_check_all() != 0) {
        return -1;
    }
    // Seeding needs Redis; without it the defaults are still used in code.
    if (sla_policy_seed(store) != 0 || calendar_seed(store) != 0) {
        cm_log_warn("dispatch.seed_skipped", "reason", "redis unavailable");
    }
    return 0;
}

static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    escalation_tick(cm_service_def(service)->state, store);
}

const cm_service_def_t dispatch_service = {
    .name = DISPATCH_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = DISPATCH_TICK_MS,
    .state = &s_state,
};
