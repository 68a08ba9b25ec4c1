#include "safety.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_time.h"
#include "hazard.h"
#include "inspection.h"
#include "onboarding.h"
#include "procedure.h"
#include "safety_events.h"
#include "summary.h"
#include "training.h"

// The one piece of mutable static state: written by s_start before any
// thread runs; afterwards only the tick (one background thread) moves the
// checkpoint clock.
static safety_t s_state;

static const cm_route_t s_routes[] = {
    {"GET", "/v1/onboarding", onboarding_list},
    {"GET", "/v1/onboarding/{id}", onboarding_get, .reads = &onboarding_type},
    {"PATCH", "/v1/onboarding/{id}", onboarding_patch},
    {"GET", "/v1/onboarding/{id}/history", onboarding_history},
    {"POST", "/v1/onboarding/{id}/{action}", onboarding_act},
    {"POST", "/v1/procedures", procedure_create},
    {"GET", "/v1/procedures", procedure_list},
    {"GET", "/v1/procedures/{id}", procedure_get, .reads = &procedure_type},
    {"GET", "/v1/procedures/{id}/history", procedure_history},
    {"GET", "/v1/procedures/{id}/versions", procedure_versions},
    {"POST", "/v1/procedures/{id}/{action}", procedure_act},
    {"POST", "/v1/safety-trainings", training_create},
    {"GET", "/v1/safety-trainings", training_list},
    {"GET", "/v1/safety-trainings/{id}", training_get, .reads = &training_type},
    {"GET", "/v1/safety-trainings/{id}/history", training_history},
    {"POST", "/v1/safety-trainings/{id}/{action}", training_act},
    {"POST", "/v1/inspection-templates", template_create},
    {"GET", "/v1/inspection-templates", template_list},
    {"GET", "/v1/inspection-templates/{id}", template_get,
     .reads = &template_type},
    {"GET", "/v1/inspection-templates/{id}/history", template_history},
    {"POST", "/v1/inspection-templates/{id}/{action}", template_act},
    {"POST", "/v1/inspection-schedules", schedule_create},
    {"GET", "/v1/inspection-schedules", schedule_list},
    {"GET", "/v1/inspection-schedules/{id}", schedule_get,
     .reads = &schedule_type},
    {"GET", "/v1/inspection-schedules/{id}/history", schedule_history},
    {"POST", "/v1/inspection-schedules/{id}/{action}", schedule_act},
    {"POST", "/v1/inspections", inspection_create},
    {"GET", "/v1/inspections", inspection_list},
    {"GET", "/v1/inspections/{id}", inspection_get, .reads = &inspection_type},
    {"GET", "/v1/inspections/{id}/history", inspection_history},
    {"POST", "/v1/inspections/{id}/{action}", inspection_act},
    {"POST", "/v1/hazards", hazard_create},
    {"GET", "/v1/hazards", hazard_list},
    {"GET", "/v1/hazards/{id}", hazard_get, .reads = &hazard_type},
    {"GET", "/v1/hazards/{id}/history", hazard_history},
    {"POST", "/v1/hazards/{id}/{action}", hazard_act},
    {"GET", "/v1/audit", audit_list},
    {"GET", "/internal/summary", summary_get},
    {"GET", "/v1/audit/key", audit_key},
    {"POST", "/v1/audit/verify", audit_verify},
    {"GET", "/v1/audit/{n}", audit_get},
    {NULL, NULL, NULL},
};

static const cm_config_option_t s_options[] = {
    {"safety/signing_key", CM_CONFIG_STRING, "", 0, 0, true,
     "audit checkpoints: hex of the 32-byte Ed25519 seed (empty: "
     "safety/key_file, generated there when missing)"},
    {"safety/key_file", CM_CONFIG_STRING, "var/safety-audit/signing.key", 0, 0,
     false, "development signing key (hex seed), made on first start"},
    {"safety/checkpoint_file", CM_CONFIG_STRING,
     "var/safety-audit/checkpoints.jsonl", 0, 0, false,
     "signed checkpoints of the audit chain are appended here"},
    {"safety/checkpoint_interval_ms", CM_CONFIG_INT, "60000", 100, 86400000,
     false, "how often a new chain head is signed"},
    {"safety/hazard_department", CM_CONFIG_STRING, "technical", 0, 0, false,
     "department of a hazard an alarm opens when the alarm names none"},
    {"safety/escalation_step_ms", CM_CONFIG_INT, "3600000", 100, 604800000,
     false,
     "an overdue rectification escalates one level (head, deputy, station "
     "head) per step"},
    {"safety/verify_max", CM_CONFIG_INT, "20000", 1, 10000000, false,
     "entries one POST /v1/audit/verify may recompute"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

// Every producer's outbox goes into the audit chain; personnel's and
// safety-audit's own also feed the org view (one subscription per stream).
static const cm_subscription_t s_subscriptions[] = {
    {"personnel", safety_events_on_personnel},
    {"safety-audit", safety_events_on_own},
    {"intake", safety_events_on_producer},
    {"dispatch", safety_events_on_producer},
    {"finance", safety_events_on_producer},
    {"inventory", safety_events_on_producer},
    {"assets", safety_events_on_producer},
    {"webhooks", safety_events_on_producer},
    {"logistics", safety_events_on_logistics},
    {"oversight", safety_events_on_producer},
    {"ingest", safety_events_on_ingest},
    {NULL, NULL},
};

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    (void)store; // nothing to seed
    const cm_config_t *config = cm_service_config(service);
    safety_t *self = cm_service_def(service)->state;
    const cm_workflow_t *tables[] = {&onboarding_workflow, &procedure_workflow,
                                     &training_workflow,   &hazard_workflow,
                                     &template_workflow,   &schedule_workflow,
                                     &inspection_workflow};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (cm_workflow_check(tables[i]) != 0) {
            return -1;
        }
    }
    if (sodium_init() < 0) {
        return -1;
    }
    self->checkpoint_interval_ms =
        cm_config_int(config, "safety/checkpoint_interval_ms");
    self->verify_max = cm_config_int(config, "safety/verify_max");
    snprintf(self->hazard_department, sizeof self->hazard_department, "%s",
             cm_config_str(config, "safety/hazard_department"));
    self->escalation_step_ms =
        cm_config_int(config, "safety/escalation_step_ms");
    if (checkpoint_signer_init(&self->signer,
                               cm_config_str(config, "safety/signing_key"),
                               cm_config_str(config, "safety/key_file"),
                               cm_config_str(config, "safety/checkpoint_file"))
        != 0) {
        return -1;
    }
    json_t *last = NULL;
    if (checkpoint_last(&self->signer, &last) == 0 && last) {
        self->checkpoint_n = cm_doc_integer(last, "n");
    }
    json_decref(last);
    self->next_checkpoint_ms = cm_time_mono_ms() + self->checkpoint_interval_ms;
    return 0;
}

// Sign the chain's head when it moved since the last checkpoint.
static void
s_tick(cm_service_t *service, cm_store_t *store)
{
    safety_t *self = cm_service_def(service)->state;
    procedure_tick(store, cm_time_now_ms());
    inspection_tick(store, cm_time_now_ms());
    hazard_tick(store, self->escalation_step_ms, cm_time_now_ms());
    int64_t now = cm_time_mono_ms();
    if (now < self->next_checkpoint_ms) {
        return;
    }
    self->next_checkpoint_ms = now + self->checkpoint_interval_ms;
    audit_head_t head;
    if (audit_head_read(store, &head) != 0 || head.n <= self->checkpoint_n) {
        return;
    }
    if (checkpoint_write(&self->signer, head.n, head.hash, head.at_ms) == 0) {
        self->checkpoint_n = head.n;
    }
}

const cm_service_def_t safety_service = {
    .name = SAFETY_OWNER,
    .routes = s_routes,
    .options = s_options,
    .subscriptions = s_subscriptions,
    .start = s_start,
    .tick = s_tick,
    .tick_ms = 100,
    .state = &s_state,
    .org_view = true,
};

const safety_t *
safety_of(cm_ctx_t *ctx)
{
    return cm_ctx_state(ctx);
}

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
