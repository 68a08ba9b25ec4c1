#include "webhooks.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "delivery.h"
#include "webhook.h"

// The one piece of mutable static state: written by s_start before any
// thread runs, read-only afterwards.
static webhooks_t s_state;

static const cm_route_t s_routes[] = {
    {"POST", "/v1/webhooks", webhook_create},
    {"GET", "/v1/webhooks", webhook_list},
    {"GET", "/v1/webhooks/{id}", webhook_get, .reads = &webhook_type},
    {"PATCH", "/v1/webhooks/{id}", webhook_patch},
    {"DELETE", "/v1/webhooks/{id}", webhook_delete},
    {"GET", "/v1/webhooks/{id}/history", webhook_history},
    {"GET", "/v1/webhooks/{id}/deliveries", delivery_list},
    {"GET", "/v1/webhooks/{id}/dead-letters", delivery_dead_list},
    {"GET", "/v1/webhooks/{id}/dead-letters/{did}", delivery_get},
    {"POST", "/v1/webhooks/{id}/dead-letters/{did}/redeliver",
     delivery_redeliver},
    {"POST", "/v1/webhooks/{id}/{action}", webhook_act},
    {NULL, NULL, NULL},
};

// Nine retries over about 16 hours: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h,
// 2 h, 4 h, 8 h.
#define S_SCHEDULE_DEFAULT                                                     \
    "5000 30000 120000 600000 1800000 3600000 7200000 14400000 28800000"

static const cm_config_option_t s_options[] = {
    {"webhooks/allowed_hosts", CM_CONFIG_STRING, "", 0, 0, false,
     "hosts webhooks may be sent to, space-separated host or host:port "
     "(empty: none)"},
    {"webhooks/retry_schedule_ms", CM_CONFIG_STRING, S_SCHEDULE_DEFAULT, 0, 0,
     false,
     "wait before each retry after a failed attempt (ms, space-separated); "
     "after the last a delivery is dead-lettered"},
    {"webhooks/disable_after", CM_CONFIG_INT, "50", 1, 1000000, false,
     "failed attempts in a row (any delivery) that disable a webhook"},
    {"webhooks/timeout_ms", CM_CONFIG_INT, "5000", 100, 60000, false,
     "one delivery attempt, connect to response, at most"},
    {"webhooks/batch", CM_CONFIG_INT, "8", 1, 100, false,
     "delivery attempts per tick of the worker"},
    {"webhooks/ca_file", CM_CONFIG_STRING, "/etc/ssl/certs/ca-certificates.crt",
     0, 0, false,
     "CA bundle that https receivers' certificates are verified against"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

// Every producer's outbox (not our own: a webhook on webhooks.* events
// failing would feed itself); personnel's and safety-audit's also keep the
// org view that refreshes each request's actor.
static const cm_subscription_t s_subscriptions[] = {
    {"personnel", delivery_on_org_event},
    {"safety-audit", delivery_on_org_event, CM_ORG_SAFETY_TOPIC},
    {"intake", delivery_on_event},
    {"dispatch", delivery_on_event},
    {"finance", delivery_on_event},
    {"inventory", delivery_on_event},
    {"logistics", delivery_on_event},
    {"assets", delivery_on_event},
    {"oversight", delivery_on_event},
    {"ingest", delivery_on_event},
    {NULL, NULL},
};

int
webhooks_parse_schedule(webhooks_t *self, const char *text)
{
    self->schedule_count = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            break;
        }
        char *end = NULL;
        errno = 0;
        long long ms = strtoll(p, &end, 10);
        if (end == p || errno || ms < 1 || ms > 7LL * 24 * 3600 * 1000
            || (*end && *end != ' ')
            || self->schedule_count == WEBHOOKS_SCHEDULE_MAX) {
            return -1;
        }
        self->schedule_ms[self->schedule_count++] = ms;
        p = end;
    }
    return 0;
}

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)store; // nothing to seed
    const cm_config_t *config = cm_service_config(service);
    webhooks_t *self = cm_service_def(service)->state;
    if (sodium_init() < 0 || cm_workflow_check(&webhook_workflow) != 0
        || cm_workflow_check(delivery_type.workflow) != 0) {
        return -1;
    }
    if (webhooks_parse_schedule(
            self, cm_config_str(config, "webhooks/retry_schedule_ms"))
        != 0) {
        cm_log_error("webhooks.config_invalid", "option",
                     "webhooks/retry_schedule_ms");
        return -1;
    }
    snprintf(self->allowed_hosts, sizeof self->allowed_hosts, "%s",
             cm_config_str(config, "webhooks/allowed_hosts"));
    snprintf(self->ca_file, sizeof self->ca_file, "%s",
             cm_config_str(config, "webhooks/ca_file"));
    self->disable_after = cm_config_int(config, "webhooks/disable_after");
    self->timeout_ms = (int)cm_config_int(config, "webhooks/timeout_ms");
    self->batch = (int)cm_config_int(config, "webhooks/batch");
    return 0;
}

static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    delivery_tick(cm_service_def(service)->state, store);
}

const cm_service_def_t webhooks_service = {
    .name = WEBHOOKS_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 100,
    .state = &s_state,
    .org_view = true,
};

const webhooks_t *
webhooks_of(cm_ctx_t *ctx)
{
    return cm_ctx_state(ctx);
}

bool
webhooks_may_manage(cm_ctx_t *ctx)
{
    const char *role = cm_ctx_actor_role(ctx);
    if (strcmp(role, "station_head") == 0 || strcmp(role, "system") == 0) {
        return true;
    }
    cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                       "webhooks are managed by the station head and system "
                       "accounts");
    return false;
}

json_t *
webhooks_actor(void)
{
    return json_pack("{s:s, s:s}", "id", WEBHOOKS_OWNER, "role", "system");
}
