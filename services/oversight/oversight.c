#include "oversight.h"

#include <assert.h>

#include "cm_org.h"
#include "cm_store.h"
#include "cm_time.h"
#include "review.h"
#include "station_report.h"

static const cm_route_t s_routes[] = {
    {"POST", "/v1/reviews", review_create},
    {"GET", "/v1/reviews", review_list},
    {"GET", "/v1/reviews/{id}", review_get, .reads = &review_type},
    {"PATCH", "/v1/reviews/{id}", review_patch},
    {"GET", "/v1/reviews/{id}/history", review_history},
    {"POST", "/v1/reviews/{id}/{action}", review_act},
    {"GET", "/v1/reviews/{id}/measures/{mid}", review_measure_get},
    {"POST", "/v1/reviews/{id}/measures/{mid}/done", review_measure_done},
    {"GET", "/v1/reports/station", station_report_get},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {"oversight/escalate_after_ms", CM_CONFIG_INT, "604800000", 100,
     31536000000, false,
     "how long after its first escalation (to the owner's department head) "
     "an overdue measure escalates to the reviewer (tests shorten it)"},
    {"oversight/tick_batch", CM_CONFIG_INT, "200", 1, 10000, false,
     "reviews with overdue measures one tick handles at most"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"personnel", cm_org_consume},
    {"safety-audit", cm_org_consume, CM_ORG_SAFETY_TOPIC},
    {NULL, NULL},
};

// Written by s_start before any thread runs, read-only afterwards.
static size_t s_tick_batch = 200;

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)store; // nothing to seed
    const cm_config_t *config = cm_service_config(service);
    review_configure(cm_config_int(config, "oversight/escalate_after_ms"));
    s_tick_batch = (size_t)cm_config_int(config, "oversight/tick_batch");
    return cm_workflow_check(&review_workflow);
}

// Overdue improvement measures (durable timers, leased: once across
// replicas).
static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    (void)service; // the configuration was read at start
    review_tick(store, cm_time_now_ms(), s_tick_batch);
}

const cm_service_def_t oversight_service = {
    .name = OVERSIGHT_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 500,
    .org_view = true,
};
