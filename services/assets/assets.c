#include "assets.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "assets_events.h"
#include "cm_org.h"
#include "cm_store.h"
#include "cm_time.h"
#include "equipment.h"
#include "fault.h"
#include "maintenance.h"
#include "scrap.h"

// The one piece of mutable static state: written by s_start before any
// thread runs (cm_service_start), read-only afterwards (as finance's).
static assets_t s_state;

static const cm_route_t s_routes[] = {
    {"POST", "/v1/equipment", equipment_create},
    {"GET", "/v1/equipment", equipment_list},
    {"GET", "/v1/equipment/{id}", equipment_get, .reads = &equipment_type},
    {"PATCH", "/v1/equipment/{id}", equipment_patch},
    {"GET", "/v1/equipment/{id}/history", equipment_history},
    {"GET", "/v1/equipment/{id}/file", fault_file},
    {"POST", "/v1/equipment/{id}/{action}", equipment_act},
    {"POST", "/v1/faults", fault_create},
    {"GET", "/v1/faults", fault_list},
    {"GET", "/v1/faults/{id}", fault_get, .reads = &fault_type},
    {"GET", "/v1/faults/{id}/history", fault_history},
    {"POST", "/v1/faults/{id}/{action}", fault_act},
    {"POST", "/v1/maintenance-plans", maintenance_create},
    {"GET", "/v1/maintenance-plans", maintenance_list},
    {"GET", "/v1/maintenance-plans/{id}", maintenance_get,
     .reads = &maintenance_type},
    {"GET", "/v1/maintenance-plans/{id}/history", maintenance_history},
    {"POST", "/v1/maintenance-plans/{id}/{action}", maintenance_act},
    {"POST", "/v1/scrap-requests", scrap_create},
    {"GET", "/v1/scrap-requests", scrap_list},
    {"GET", "/v1/scrap-requests/{id}", scrap_get, .reads = &scrap_type},
    {"GET", "/v1/scrap-requests/{id}/history", scrap_history},
    {"POST", "/v1/scrap-requests/{id}/{action}", scrap_act},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {"assets/technical_department", CM_CONFIG_STRING, "technical", 0, 0, false,
     "the department that keeps the equipment register (its technicians and "
     "head)"},
    {"assets/receiving_department", CM_CONFIG_STRING, "technical", 0, 0, false,
     "department of equipment registered from a purchase order's receipt"},
    {"assets/day_ms", CM_CONFIG_INT, "86400000", 100, 86400000, false,
     "the length of a day in maintenance intervals (tests shorten it)"},
    {"assets/tick_batch", CM_CONFIG_INT, "500", 1, 10000, false,
     "due maintenance plans one tick handles at most"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

// personnel's and safety-audit's outboxes keep the org view; inventory's
// registers received equipment.
static const cm_subscription_t s_subscriptions[] = {
    CM_ORG_SUBSCRIPTIONS,
    {"inventory", assets_events_on_inventory, NULL},
    {"ingest", assets_events_on_ingest, NULL},
    {NULL, NULL, NULL},
};

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)store; // nothing to seed
    const cm_config_t *config = cm_service_config(service);
    assets_t *self = cm_service_def(service)->state;
    snprintf(self->technical_department, sizeof self->technical_department,
             "%s", cm_config_str(config, "assets/technical_department"));
    snprintf(self->receiving_department, sizeof self->receiving_department,
             "%s", cm_config_str(config, "assets/receiving_department"));
    self->day_ms = cm_config_int(config, "assets/day_ms");
    self->tick_batch = (size_t)cm_config_int(config, "assets/tick_batch");
    return cm_workflow_check(&equipment_workflow) == 0
                   && cm_workflow_check(&maintenance_workflow) == 0
                   && cm_workflow_check(&fault_workflow) == 0
                   && cm_workflow_check(&scrap_workflow) == 0
               ? 0
               : -1;
}

// Due maintenance plans (durable timers, leased: once across replicas).
static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    const assets_t *self = cm_service_def(service)->state;
    maintenance_tick(store, cm_time_now_ms(), self->tick_batch);
}

const cm_service_def_t assets_service = {
    .name = ASSETS_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 100,
    .state = &s_state,
    .org_view = true,
};

const assets_t *
assets_of(cm_ctx_t *ctx)
{
    return cm_ctx_state(ctx);
}

const assets_t *
assets_config(void)
{
    return &s_state;
}

bool
assets_listed(const json_t *object, const char *member, const char *value)
{
    const json_t *list = json_object_get(object, member);
    for (size_t i = 0; value && i < json_array_size(list); i++) {
        const char *item = json_string_value(json_array_get(list, i));
        if (item && strcmp(item, value) == 0) {
            return true;
        }
    }
    return false;
}

bool
assets_keeper_guard(const json_t *actor, const json_t *doc)
{
    (void)doc; // keeping the register is a place in the station
    return cm_org_keeps(actor, "technician", s_state.technical_department);
}

const char *
assets_key(char *buf, const char *kind, const char *id)
{
    return cm_store_key(buf, CM_STORE_KEY_MAX, ASSETS_OWNER, kind, id);
}
