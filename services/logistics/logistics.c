#include "logistics.h"

#include <assert.h>
#include <string.h>

#include "cm_org.h"
#include "cm_time.h"
#include "round.h"
#include "round_record.h"
#include "trip.h"
#include "vehicle.h"
#include "vehicle_due.h"

#define S_ROUND_BATCH 32 // due rounds one tick handles

static const cm_route_t s_routes[] = {
    {"POST", "/v1/vehicles", vehicle_create},
    {"GET", "/v1/vehicles", vehicle_list},
    {"GET", "/v1/vehicles/{id}", vehicle_get, .reads = &vehicle_type},
    {"PATCH", "/v1/vehicles/{id}", vehicle_patch},
    {"GET", "/v1/vehicles/{id}/history", vehicle_history},
    {"POST", "/v1/trip-requests", trip_create},
    {"GET", "/v1/trip-requests", trip_list},
    {"GET", "/v1/trip-requests/{id}", trip_get, .reads = &trip_type},
    {"GET", "/v1/trip-requests/{id}/history", trip_history},
    {"POST", "/v1/trip-requests/{id}/{action}", trip_act},
    {"POST", "/v1/rounds", round_create},
    {"GET", "/v1/rounds", round_list},
    {"GET", "/v1/rounds/{id}", round_get, .reads = &round_type},
    {"PATCH", "/v1/rounds/{id}", round_patch},
    {"GET", "/v1/rounds/{id}/history", round_history},
    {"POST", "/v1/rounds/{id}/{action}", round_act},
    {"GET", "/v1/round-records", round_record_list},
    {"GET", "/v1/round-records/{id}", round_record_get,
     .reads = &round_record_type},
    {"GET", "/v1/round-records/{id}/history", round_record_history},
    {"POST", "/v1/round-records/{id}/{action}", round_record_act},
    {NULL, NULL, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"personnel", cm_org_consume},
    {"safety-audit", cm_org_consume, CM_ORG_SAFETY_TOPIC},
    {NULL, NULL},
};

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)service; // no configuration of its own
    (void)store;   // nothing to seed
    const cm_workflow_t *tables[] = {&vehicle_workflow, &trip_workflow,
                                     &round_workflow, &round_record_workflow};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    (void)service; // due times are stored
    int64_t now = cm_time_now_ms();
    vehicle_due_tick(store, now);
    (void)round_tick(store, now, S_ROUND_BATCH);
}

const cm_service_def_t logistics_service = {
    .name = LOGISTICS_OWNER,
    .routes = s_routes,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 1000,
    .org_view = true,
};

bool
logistics_staff_guard(const json_t *actor, const json_t *doc)
{
    (void)doc; // running logistics is a place in the station
    return cm_org_keeps(actor, "logistics", LOGISTICS_DEPARTMENT);
}

bool
logistics_is_staff(cm_ctx_t *ctx)
{
    return logistics_staff_guard(cm_ctx_actor(ctx), NULL);
}
