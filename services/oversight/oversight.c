#include "oversight.h"

#include <assert.h>

#include "cm_org.h"
#include "cm_store.h"
#include "station_report.h"

static const cm_route_t s_routes[] = {
    {"GET", "/v1/reports/station", station_report_get},
    {NULL, NULL, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"personnel", cm_org_consume},
    {"safety-audit", cm_org_consume, CM_ORG_SAFETY_TOPIC},
    {NULL, NULL},
};

const cm_service_def_t oversight_service = {
    .name = OVERSIGHT_OWNER,
    .routes = s_routes,
    .subscriptions = s_subscriptions,
    .org_view = true,
};

const char *
oversight_key(char *buf, const char *kind, const char *id)
{
    const char *key =
        cm_store_key(buf, CM_STORE_KEY_MAX, OVERSIGHT_OWNER, kind, id);
    assert(key); // ids are validated shorter than a key
    return key;
}
