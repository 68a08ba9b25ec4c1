#include "inventory.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cm_org.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "count.h"
#include "item.h"
#include "order.h"
#include "plan.h"
#include "report.h"
#include "requisition.h"
#include "stock.h"
#include "summary.h"
#include "supplier.h"

// The one piece of mutable static state: written by s_start before any
// thread runs (cm_service_start), read-only afterwards (as finance's).
static inventory_t s_state;

static const cm_route_t s_routes[] = {
    {"POST", "/v1/items", item_create},
    {"GET", "/v1/items", item_list},
    {"GET", "/v1/items/{id}", item_get, .reads = &item_type},
    {"PATCH", "/v1/items/{id}", item_patch},
    {"GET", "/v1/items/{id}/history", item_history},
    {"GET", "/v1/items/{id}/ledger", stock_ledger},
    {"POST", "/v1/stock/movements", stock_move},
    {"POST", "/v1/stock/verify", stock_verify},
    {"GET", "/v1/stock", stock_get},
    {"POST", "/v1/suppliers", supplier_create},
    {"GET", "/v1/suppliers", supplier_list},
    {"GET", "/v1/suppliers/{id}", supplier_get, .reads = &supplier_type},
    {"PATCH", "/v1/suppliers/{id}", supplier_patch},
    {"GET", "/v1/suppliers/{id}/history", supplier_history},
    {"POST", "/v1/suppliers/{id}/{action}", supplier_act},
    {"POST", "/v1/procurement-plans", plan_create},
    {"GET", "/v1/procurement-plans", plan_list},
    {"GET", "/v1/procurement-plans/{id}", plan_get, .reads = &plan_type},
    {"PATCH", "/v1/procurement-plans/{id}", plan_patch},
    {"GET", "/v1/procurement-plans/{id}/history", plan_history},
    {"POST", "/v1/procurement-plans/{id}/{action}", plan_act},
    {"POST", "/internal/procurement-plans", plan_request},
    {"GET", "/internal/summary", summary_get},
    {"POST", "/v1/purchase-orders", order_create},
    {"GET", "/v1/purchase-orders", order_list},
    {"GET", "/v1/purchase-orders/{id}", order_get, .reads = &order_type},
    {"PATCH", "/v1/purchase-orders/{id}", order_patch},
    {"GET", "/v1/purchase-orders/{id}/history", order_history},
    {"POST", "/v1/purchase-orders/{id}/{action}", order_act},
    {"POST", "/v1/requisitions", requisition_create},
    {"GET", "/v1/requisitions", requisition_list},
    {"GET", "/v1/requisitions/{id}", requisition_get,
     .reads = &requisition_type},
    {"PATCH", "/v1/requisitions/{id}", requisition_patch},
    {"GET", "/v1/requisitions/{id}/history", requisition_history},
    {"POST", "/v1/requisitions/{id}/{action}", requisition_act},
    {"POST", "/v1/stock-counts", count_create},
    {"GET", "/v1/stock-counts", count_list},
    {"GET", "/v1/stock-counts/{id}", count_get, .reads = &count_type},
    {"GET", "/v1/stock-counts/{id}/history", count_history},
    {"POST", "/v1/stock-counts/{id}/{action}", count_act},
    {"POST", "/v1/stock-checks", check_create},
    {"GET", "/v1/stock-checks", check_list},
    {"GET", "/v1/stock-checks/{id}", check_get, .reads = &check_type},
    {"GET", "/v1/stock-checks/{id}/history", check_history},
    {"POST", "/v1/stock-checks/{id}/{action}", check_act},
    {"GET", "/v1/reports/stock", report_stock},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {"inventory/locations", CM_CONFIG_STRING, INVENTORY_LOCATIONS_DEFAULT, 0, 0,
     false, "storage locations (codes, space-separated)"},
    {"inventory/supplier_quality_floor", CM_CONFIG_INT, "3", 1, 5, false,
     "a quality score under this suspends a qualified supplier"},
    {"inventory/receipt_tolerance_pct", CM_CONFIG_INT, "0", 0, 50, false,
     "a receipt may accept this much (percent) beyond the ordered quantity"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"personnel", cm_org_consume},
    {"safety-audit", cm_org_consume, CM_ORG_SAFETY_TOPIC},
    {NULL, NULL},
};

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)store; // nothing to seed
    const cm_config_t *config = cm_service_config(service);
    inventory_t *self = cm_service_def(service)->state;
    const char *locations = cm_config_str(config, "inventory/locations");
    if (strlen(locations) >= sizeof self->locations) {
        return -1;
    }
    snprintf(self->locations, sizeof self->locations, "%s", locations);
    self->quality_floor =
        cm_config_int(config, "inventory/supplier_quality_floor");
    self->receipt_tolerance_pct =
        cm_config_int(config, "inventory/receipt_tolerance_pct");
    if (cm_workflow_check(&supplier_workflow) != 0
        || cm_workflow_check(&plan_workflow) != 0
        || cm_workflow_check(&order_workflow) != 0
        || cm_workflow_check(&requisition_workflow) != 0
        || cm_workflow_check(&count_workflow) != 0
        || cm_workflow_check(&check_workflow) != 0) {
        return -1;
    }
    return cm_workflow_check(&item_workflow);
}

static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    (void)service; // due times are stored
    int64_t now = cm_time_now_ms();
    supplier_expire(store, now);
    check_due_tick(store, now);
}

const cm_service_def_t inventory_service = {
    .name = INVENTORY_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 1000,
    .state = &s_state,
    .org_view = true,
};

const inventory_t *
inventory_of(cm_ctx_t *ctx)
{
    return cm_ctx_state(ctx);
}

bool
inventory_is_location(cm_ctx_t *ctx, const char *location)
{
    return location && *location
           && cm_validate_name_in(inventory_of(ctx)->locations, location);
}

bool
inventory_keeper_guard(const json_t *actor, const json_t *doc)
{
    (void)doc; // keeping the store is a place in the station, not a relation
    return cm_org_keeps(actor, "logistics", INVENTORY_DEPARTMENT);
}

bool
inventory_is_keeper(cm_ctx_t *ctx)
{
    return inventory_keeper_guard(cm_ctx_actor(ctx), NULL);
}

bool
inventory_may_read_ledger(cm_ctx_t *ctx)
{
    return inventory_is_keeper(ctx)
           || cm_validate_name_in(INVENTORY_LEDGER_READERS,
                                  cm_ctx_actor_role(ctx));
}
