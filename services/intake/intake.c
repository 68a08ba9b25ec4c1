#include "intake.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "attach_routes.h"
#include "case.h"
#include "case_flow.h"
#include "case_routes.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "customer.h"
#include "customer_routes.h"
#include "intake_events.h"
#include "satisfaction.h"
#include "summary.h"
#include "visit_routes.h"
#include "volume.h"

const cm_route_t intake_routes[] = {
    {"POST", "/v1/cases", case_routes_create},
    {"GET", "/v1/cases", case_routes_list},
    {"GET", "/v1/cases/{id}", case_routes_get, .reads = &case_type},
    {"PATCH", "/v1/cases/{id}", case_routes_patch},
    {"GET", "/v1/cases/{id}/history", case_routes_history},
    {"POST", "/v1/cases/{id}/attachments", attach_routes_upload},
    {"GET", "/v1/cases/{id}/attachments", attach_routes_list},
    {"GET", "/v1/cases/{id}/attachments/{aid}", attach_routes_download},
    {"DELETE", "/v1/cases/{id}/attachments/{aid}", attach_routes_delete},
    {"POST", "/v1/cases/{id}/{action}", case_routes_act},
    {"POST", "/v1/customers", customer_routes_create},
    {"GET", "/v1/customers", customer_routes_list},
    {"GET", "/v1/customers/{id}", customer_routes_get, .reads = &customer_type},
    {"PATCH", "/v1/customers/{id}", customer_routes_patch},
    {"POST", "/v1/return-visits", visit_routes_schedule},
    {"GET", "/v1/reports/satisfaction", satisfaction_get_report},
    {"GET", "/v1/reports/volume", volume_get_report},
    {"POST", "/internal/satisfaction", satisfaction_internal},
    {"GET", "/internal/summary", summary_get},
    {NULL, NULL, NULL},
};

const cm_config_option_t intake_options[] = {
    {"intake/return_visit_days", CM_CONFIG_INT, "3", 0, 365, false,
     "days after a resolved complaint that its return visit is due"},
    {"intake/reopen_days", CM_CONFIG_INT, "14", 0, 3650, false,
     "days after closing during which a case may be reopened"},
    {"intake/technical_department", CM_CONFIG_STRING, "technical", 0, 0, false,
     "department that handles tech support cases"},
    {"intake/customer_service_department", CM_CONFIG_STRING, "customer_service",
     0, 0, false,
     "department of the customer service desk: its cs_agents (and the "
     "deputy heads overseeing it) act for the desk"},
    {"intake/attachments_dir", CM_CONFIG_STRING, "var/attachments", 0, 0, false,
     "directory of case attachments (a volume in compose); files under "
     "<dir>/intake/<case id>/<attachment id>"},
    {"intake/attachment_max_bytes", CM_CONFIG_INT, "32768", 1, 45056, false,
     "largest attachment in bytes (413 beyond); at most 45056, what a "
     "message carries"},
    {"intake/attachment_types", CM_CONFIG_STRING,
     "application/pdf image/png image/jpeg text/plain", 0, 0, false,
     "media types an attachment may have, space-separated (415 otherwise)"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

const cm_subscription_t intake_subscriptions[] = {
    {"dispatch", intake_events_dispatch},
    {"ingest", intake_events_ingest},
    CM_ORG_SUBSCRIPTIONS,
    {NULL, NULL},
};

int
intake_start(cm_service_t *service, cm_store_t *store)
{
    intake_t *self = cm_service_def(service)->state;
    assert(self);
    if (case_flow_check() != 0) {
        return -1;
    }
    const cm_config_t *config = cm_service_config(service);
    self->config = config;
    self->return_visit_ms =
        cm_config_int(config, "intake/return_visit_days") * INTAKE_DAY_MS;
    self->reopen_ms =
        cm_config_int(config, "intake/reopen_days") * INTAKE_DAY_MS;
    snprintf(self->technical_department, sizeof self->technical_department,
             "%s", cm_config_str(config, "intake/technical_department"));
    snprintf(self->desk_department, sizeof self->desk_department, "%s",
             cm_config_str(config, "intake/customer_service_department"));
    snprintf(self->attach_dir, sizeof self->attach_dir, "%s",
             cm_config_str(config, "intake/attachments_dir"));
    snprintf(self->attach_types, sizeof self->attach_types, "%s",
             cm_config_str(config, "intake/attachment_types"));
    self->attach_max_bytes =
        (size_t)cm_config_int(config, "intake/attachment_max_bytes");
    attach_routes_sweep(self, store);
    return 0;
}

void
intake_tick(cm_service_t *service, cm_store_t *store)
{
    (void)service; // the timer key is fixed
    char **due = NULL;
    size_t count = 0;
    int64_t now = cm_time_now_ms();
    if (cm_store_timer_claim(store, INTAKE_RETURN_VISIT_KEY, now,
                             INTAKE_TIMER_LEASE_MS, INTAKE_TIMER_BATCH, &due,
                             &count)
        != 0) {
        return; // Redis down: the timers stay and are claimed later
    }
    for (size_t i = 0; i < count; i++) {
        cm_log_notice("case.return_visit_due", "case", due[i]);
        // Done: remove it unless the case moved it meanwhile. If this fails
        // the lease falls due again and the line is logged once more.
        (void)cm_store_timer_settle(store, INTAKE_RETURN_VISIT_KEY, due[i],
                                    now + INTAKE_TIMER_LEASE_MS, 0);
    }
    cm_store_strings_free(&due, count);
}

int
intake_refresh_actor(cm_ctx_t *ctx)
{
    if (cm_org_refresh_actor(ctx) != 0) {
        return -1;
    }
    const intake_t *self = cm_ctx_state(ctx);
    assert(self);
    json_t *actor = cm_ctx_actor(ctx);
    const char *desk = self->desk_department;
    bool at_desk = strcmp(cm_ctx_actor_department(ctx), desk) == 0;
    const json_t *oversees = json_object_get(actor, "oversees");
    for (size_t i = 0; !at_desk && i < json_array_size(oversees); i++) {
        const char *dept = json_string_value(json_array_get(oversees, i));
        at_desk = dept && strcmp(dept, desk) == 0;
    }
    json_object_set_new(actor, "desk", json_boolean(at_desk));
    return 0;
}

bool
intake_allow(cm_ctx_t *ctx, const char *roles)
{
    const char *role = cm_ctx_actor_role(ctx);
    if (cm_validate_name_in(roles, role)) {
        return true;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "The role \"%.40s\" may not do this.",
             role);
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden", detail));
    return false;
}

bool
intake_allow_desk(cm_ctx_t *ctx, const char *roles)
{
    if (!intake_allow(ctx, roles)) {
        return false;
    }
    if (!cm_validate_name_in(INTAKE_ROLES_DESK, cm_ctx_actor_role(ctx))
        || json_is_true(json_object_get(cm_ctx_actor(ctx), "desk"))) {
        return true;
    }
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                    "Only staff of the customer service desk "
                                    "(or a deputy head overseeing it) may do "
                                    "this."));
    return false;
}
