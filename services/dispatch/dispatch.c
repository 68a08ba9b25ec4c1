#include "dispatch.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "calendar_http.h"
#include "cm_action.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch_events.h"
#include "escalation.h"
#include "queue.h"
#include "roster.h"
#include "sla_policy.h"
#include "sla_report.h"
#include "summary.h"
#include "work_request.h"
#include "workorder.h"
#include "workorder_attach.h"
#include "workorder_due.h"
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
    {"GET", "/v1/work-orders/{id}", workorder_http_get,
     .reads = &workorder_type},
    {"GET", "/v1/work-orders/{id}/history", workorder_http_history},
    {"POST", "/v1/work-orders/{id}/attachments", workorder_attach_upload},
    {"GET", "/v1/work-orders/{id}/attachments", workorder_attach_list},
    {"GET", "/v1/work-orders/{id}/attachments/{aid}",
     workorder_attach_download},
    {"DELETE", "/v1/work-orders/{id}/attachments/{aid}",
     workorder_attach_delete},
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
    {"GET", "/v1/reports/sla", sla_report_get},
    {"GET", "/v1/reports/workload", sla_report_workload},
    {"GET", "/internal/summary", summary_get},
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
    {"dispatch/attachments_dir", CM_CONFIG_STRING, "var/attachments", 0, 0,
     false,
     "directory of work order attachments (a volume in compose); files "
     "under <dir>/dispatch/<work order id>/<attachment id>"},
    {"dispatch/attachment_max_bytes", CM_CONFIG_INT, "32768", 1, 45056, false,
     "largest attachment in bytes (413 beyond); at most 45056, what a "
     "message carries"},
    {"dispatch/attachment_types", CM_CONFIG_STRING,
     "application/pdf image/png image/jpeg text/plain", 0, 0, false,
     "media types an attachment may have, space-separated (415 otherwise)"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

// Producers that may ask for work (work_request.h); a producer that does
// not run yet simply publishes nothing.
static const cm_subscription_t s_subscriptions[] = {
    // A case's events in order; different cases at once (their records,
    // clocks and work orders are versioned documents).
    {"intake", dispatch_events_on_intake, NULL, true},
    {"assets", work_request_on_event},
    {"safety-audit", dispatch_events_on_safety,
     CM_ORG_SAFETY_TOPIC}, // + training records
    {"inventory", work_request_on_event},
    {"logistics", work_request_on_event},
    {"oversight", work_request_on_event},
    {"personnel", cm_org_consume}, // the org view (cm_org)
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
    snprintf(self->attach_dir, sizeof self->attach_dir, "%s",
             cm_config_str(config, "dispatch/attachments_dir"));
    snprintf(self->attach_types, sizeof self->attach_types, "%s",
             cm_config_str(config, "dispatch/attachment_types"));
    self->attach_max_bytes =
        (size_t)cm_config_int(config, "dispatch/attachment_max_bytes");
    return 0;
}

static int
s_start(cm_service_t *service, cm_store_t *store)
{
    dispatch_t *self = cm_service_def(service)->state;
    const cm_doc_type_t *types[] = {&workorder_type, &roster_type,
                                    &sla_policy_type, &calendar_type};
    if (s_read_config(self, cm_service_config(service)) != 0
        || workorder_flow_check() != 0) {
        return -1;
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (cm_workflow_check(types[i]->workflow) != 0) {
            return -1;
        }
    }
    workorder_attach_sweep(self, store);
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
    workorder_due_tick(cm_service_def(service)->state, store);
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
    .org_view = true,
};

json_t *
dispatch_self_actor(void)
{
    json_t *actor = json_pack("{s:s, s:s}", "id", DISPATCH_OWNER, "role",
                              DISPATCH_SELF_ROLE);
    assert(actor);
    return actor;
}

int
dispatch_department_known(cm_store_t *store, const char *code)
{
    return roster_name_is_valid(code)
               ? cm_org_department_open(store, DISPATCH_OWNER, code)
               : CM_ENOTFOUND;
}

bool
dispatch_query_none(cm_ctx_t *ctx)
{
    json_t *problem = NULL;
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(cm_ctx_query_object(ctx), key, value)
    {
        cm_validate_fail(&problem, key, "is not a parameter of this resource");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    }
    return problem == NULL;
}

// A PUT over nothing (version 0), or over a document stored before
// dispatch kept documents with a state and history (version > 0): the
// update row applied to blank in memory, then one commit replacing it.
static void
s_put_new(cm_ctx_t *ctx, const cm_doc_type_t *type, json_t *doc,
          int64_t version, int64_t now)
{
    if (!cm_doc_if_match(ctx, type, version)) {
        return;
    }
    cm_commit_t *commit = cm_commit_new(type->owner);
    json_t *events = json_array();
    cm_action_own_t own = {.type = type,
                           .action = "update",
                           .actor = cm_ctx_actor(ctx),
                           .body = cm_ctx_body(ctx),
                           .store = cm_ctx_store(ctx),
                           .commit = commit,
                           .now_ms = now};
    json_t *problem = cm_action_apply(&own, doc, events);
    if (!problem
        && cm_doc_commit(commit, type, NULL, doc,
                         version > 0 ? version : CM_VERSION_NEW, now)
               != 0) {
        problem = cm_problem_new(422, "document_too_large",
                                 "the document would pass its size limit");
    }
    for (size_t i = 0; !problem && i < json_array_size(events); i++) {
        const json_t *event = json_array_get(events, i);
        if (cm_doc_event(ctx, commit, type, cm_doc_text(event, "type"), doc,
                         version + 1,
                         json_incref(json_object_get(event, "data")))
            != 0) {
            problem = cm_problem_new(422, "event_too_large",
                                     "the event would be too large");
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        cm_doc_reply_commit(ctx, commit, type, 200, doc, version + 1);
    }
    json_decref(events);
    cm_commit_destroy(&commit);
}

void
dispatch_put(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id,
             dispatch_blank_fn *blank)
{
    assert(ctx && type && id && blank);
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), type, id, &doc, &version);
    bool current = rc == 0 && json_object_get(doc, "history") != NULL;
    json_decref(doc);
    if (current) {
        cm_action_run_named(ctx, type, id, "update");
    } else if (rc == 0 || rc == CM_ENOTFOUND) {
        int64_t now = cm_time_now_ms();
        json_t *fresh = blank(id, now);
        s_put_new(ctx, type, fresh, rc == 0 ? version : 0, now);
        json_decref(fresh);
    } else {
        cm_doc_fail(ctx, rc, type, id);
    }
}

void
dispatch_record_put(cm_commit_t *commit, const cm_doc_type_t *type,
                    const json_t *record, int64_t expected)
{
    assert(commit && type && record);
    char key[CM_STORE_KEY_MAX];
    const char *built =
        cm_doc_key(type, cm_doc_text(record, "id"), key, sizeof key);
    assert(built);
    char *text = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
    assert(text);
    cm_commit_doc(commit, key, expected, text);
    cm_commit_field(commit, "state", cm_doc_state(record));
    free(text);
}
