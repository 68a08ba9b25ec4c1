#include "safety.h"

#include <string.h>

#include "cm_org.h"
#include "onboarding.h"
#include "safety_events.h"

static const cm_route_t s_routes[] = {
    {"GET", "/v1/onboarding", onboarding_list},
    {"GET", "/v1/onboarding/{id}", onboarding_get},
    {"PATCH", "/v1/onboarding/{id}", onboarding_patch},
    {"GET", "/v1/onboarding/{id}/history", onboarding_history},
    {"POST", "/v1/onboarding/{id}/{action}", onboarding_act},
    {NULL, NULL, NULL},
};

static const cm_subscription_t s_subscriptions[] = {
    {"personnel", safety_events_on_personnel},
    {"safety-audit", cm_org_consume},
    {NULL, NULL},
};

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)service; // nothing configured yet
    (void)store;   // nothing to seed
    return cm_workflow_check(&onboarding_workflow);
}

const cm_service_def_t safety_service = {
    .name = SAFETY_OWNER,
    .routes = s_routes,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .org_view = true,
};

bool
safety_listed(const json_t *actor, const char *member, const char *value)
{
    const json_t *list = json_object_get(actor, member);
    for (size_t i = 0; value && i < json_array_size(list); i++) {
        const char *item = json_string_value(json_array_get(list, i));
        if (item && strcmp(item, value) == 0) {
            return true;
        }
    }
    return false;
}

bool
safety_heads_or_oversees(cm_ctx_t *ctx, const char *code)
{
    const json_t *actor = cm_ctx_actor(ctx);
    return safety_listed(actor, "heads", code)
           || safety_listed(actor, "oversees", code);
}
