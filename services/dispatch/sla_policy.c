#include "sla_policy.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "dispatch_doc.h"
#include "roster.h"
#include "workorder_flow.h"

#define S_MINUTE_MS 60000LL
#define S_HOUR_MS   (60 * S_MINUTE_MS)
#define S_DAY_MS    (9 * S_HOUR_MS) // one working day of the default calendar
#define S_ROW_NAMES "default low medium high critical"
#define S_FIELD_MAX 64

static const char *const s_target_names[SLA_TARGET_COUNT] = {
    "first_response", "department_reply", "resolution"};

static const char *const s_duration_fields[SLA_TARGET_COUNT] = {
    "first_response_ms", "department_reply_ms", "resolution_ms"};

const char *
sla_target_name(sla_target_t target)
{
    assert(target >= 0 && target < SLA_TARGET_COUNT);
    return s_target_names[target];
}

int
sla_target_parse(const char *name)
{
    for (int t = 0; name && t < SLA_TARGET_COUNT; t++) {
        if (strcmp(name, s_target_names[t]) == 0) {
            return t;
        }
    }
    return -1;
}

static bool
s_validate_row(const json_t *row, const char *name, json_t **problem)
{
    char field[S_FIELD_MAX];
    snprintf(field, sizeof field, "targets.%s", name);
    if (!json_is_object(row)) {
        return cm_validate_fail(problem, field, "must be an object");
    }
    bool ok = cm_validate_keys(row,
                               "first_response_ms department_reply_ms "
                               "resolution_ms",
                               problem);
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        ok &=
            cm_validate_integer(row, s_duration_fields[t], 1, SLA_DURATION_MAX,
                                CM_VALIDATE_REQUIRED, problem);
    }
    return ok;
}

json_t *
sla_policy_validate(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, "id kind business_time calendar targets", &problem);
    cm_validate_boolean(body, "business_time", CM_VALIDATE_REQUIRED, &problem);
    if (cm_validate_string(body, "calendar", CM_VALIDATE_OPTIONAL, &problem)
        && json_object_get(body, "calendar")
        && !roster_name_is_valid(dispatch_string(body, "calendar"))) {
        cm_validate_fail(&problem, "calendar", "is not a calendar name");
    }
    const json_t *targets = json_object_get(body, "targets");
    if (!json_is_object(targets)) {
        cm_validate_fail(&problem, "targets", "must be an object");
        return problem;
    }
    cm_validate_keys(targets, S_ROW_NAMES, &problem);
    if (!json_object_get(targets, "default")) {
        cm_validate_fail(&problem, "targets.default", "is required");
    }
    const char *name;
    const json_t *row;
    json_object_foreach((json_t *)targets, name, row)
    {
        if (cm_validate_name_in(S_ROW_NAMES, name)) {
            s_validate_row(row, name, &problem);
        }
    }
    return problem;
}

int
sla_policy_row_terms(const json_t *policy, const char *severity,
                     sla_terms_t *terms)
{
    assert(terms);
    memset(terms, 0, sizeof *terms);
    const json_t *targets = json_object_get(policy, "targets");
    const json_t *row = severity ? json_object_get(targets, severity) : NULL;
    row = row ? row : json_object_get(targets, "default");
    if (!json_is_object(row)) {
        return -1;
    }
    terms->business_time =
        !json_is_false(json_object_get(policy, "business_time"));
    const char *calendar = dispatch_string(policy, "calendar");
    snprintf(terms->calendar, sizeof terms->calendar, "%s",
             *calendar ? calendar : "default");
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        json_t *value = json_object_get(row, s_duration_fields[t]);
        if (!json_is_integer(value) || json_integer_value(value) <= 0) {
            return -1;
        }
        terms->duration_ms[t] = json_integer_value(value);
    }
    return 0;
}

static json_t *
s_row(int64_t first, int64_t reply, int64_t resolution)
{
    json_t *row =
        json_pack("{s:I, s:I, s:I}", "first_response_ms", (json_int_t)first,
                  "department_reply_ms", (json_int_t)reply, "resolution_ms",
                  (json_int_t)resolution);
    assert(row);
    return row;
}

json_t *
sla_policy_default(const char *kind)
{
    assert(kind);
    json_t *targets = NULL;
    if (strcmp(kind, "inquiry") == 0) {
        targets = json_pack("{s:o}", "default",
                            s_row(S_HOUR_MS, 4 * S_HOUR_MS, 2 * S_DAY_MS));
    } else {
        targets = json_pack(
            "{s:o, s:o, s:o, s:o, s:o}", "default",
            s_row(S_HOUR_MS, 4 * S_HOUR_MS, 3 * S_DAY_MS), "low",
            s_row(2 * S_HOUR_MS, S_DAY_MS, 5 * S_DAY_MS), "medium",
            s_row(S_HOUR_MS, 4 * S_HOUR_MS, 3 * S_DAY_MS), "high",
            s_row(30 * S_MINUTE_MS, 2 * S_HOUR_MS, S_DAY_MS), "critical",
            s_row(15 * S_MINUTE_MS, S_HOUR_MS, 4 * S_HOUR_MS));
    }
    json_t *policy = json_pack("{s:s, s:s, s:b, s:s, s:o}", "id", kind, "kind",
                               kind, "business_time", 1, "calendar", "default",
                               "targets", targets);
    assert(policy);
    return policy;
}

int
sla_policy_seed(cm_store_t *store)
{
    char names[CM_VALIDATE_NAME_MAX];
    for (const char *p = cm_validate_next_name(SLA_KINDS, names, sizeof names);
         p; p = cm_validate_next_name(p, names, sizeof names)) {
        json_t *policy = sla_policy_default(names);
        cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
        dispatch_doc_put(commit, "sla_policy", names, CM_VERSION_NEW, policy,
                         NULL);
        char key[CM_STORE_KEY_MAX];
        cm_commit_index_add(commit, dispatch_key(key, "idx", "sla_policies"),
                            names, 0);
        cm_commit_result_t result;
        int rc = cm_store_commit(store, commit, &result);
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
        json_decref(policy);
        if (rc != 0) {
            return rc; // CONFLICT (already there) is rc 0: fine
        }
    }
    return 0;
}

int
sla_policy_terms(cm_store_t *store, const char *kind, const char *severity,
                 sla_terms_t *terms)
{
    if (!cm_validate_name_in(SLA_KINDS, kind)) {
        return CM_ENOTFOUND;
    }
    json_t *policy = NULL;
    int rc = dispatch_doc_load(store, "sla_policy", kind, &policy, NULL);
    if (rc == CM_ENOTFOUND) {
        policy = sla_policy_default(kind); // not seeded yet
        rc = 0;
    }
    if (rc == 0 && sla_policy_row_terms(policy, severity, terms) != 0) {
        cm_log_error("sla_policy.malformed", "kind", kind);
        rc = CM_EINTERNAL;
    }
    json_decref(policy);
    return rc;
}

// ---- HTTP

static json_t *
s_view(json_t *policy, int64_t version)
{
    json_object_set_new(policy, "version", json_integer(version));
    return policy;
}

void
sla_policy_http_list(cm_ctx_t *ctx)
{
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    json_t *items = json_array();
    char names[CM_VALIDATE_NAME_MAX];
    int rc = 0;
    for (const char *p = cm_validate_next_name(SLA_KINDS, names, sizeof names);
         p && rc == 0; p = cm_validate_next_name(p, names, sizeof names)) {
        json_t *policy = NULL;
        int64_t version = 0;
        rc = dispatch_doc_load(cm_ctx_store(ctx), "sla_policy", names, &policy,
                               &version);
        if (rc == CM_ENOTFOUND) {
            rc = 0;
            policy = sla_policy_default(names);
        }
        if (rc == 0) {
            json_array_append_new(items, s_view(policy, version));
        }
    }
    if (rc != 0) {
        json_decref(items);
        dispatch_fail_rc(ctx, rc, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
sla_policy_http_get(cm_ctx_t *ctx)
{
    const char *kind = cm_ctx_param(ctx, "id");
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    if (!cm_validate_name_in(SLA_KINDS, kind)) {
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", "no such policy"));
        return;
    }
    json_t *policy = NULL;
    int64_t version = 0;
    int rc = dispatch_doc_load(cm_ctx_store(ctx), "sla_policy", kind, &policy,
                               &version);
    if (rc == CM_ENOTFOUND) {
        policy = sla_policy_default(kind);
        rc = 0;
    }
    if (rc != 0) {
        dispatch_fail_rc(ctx, rc, NULL);
        return;
    }
    dispatch_reply_doc(ctx, 200, s_view(policy, version), version);
}

void
sla_policy_http_put(cm_ctx_t *ctx)
{
    const char *kind = cm_ctx_param(ctx, "id");
    if (!cm_validate_name_in(SLA_KINDS, kind)) {
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", "no such policy"));
        return;
    }
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(settings_rules(), "current", "update",
                          cm_ctx_actor(ctx), NULL, cm_ctx_body(ctx), &step);
    problem = problem ? problem : sla_policy_validate(cm_ctx_body(ctx));
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *policy = json_deep_copy(cm_ctx_body(ctx));
    json_object_set_new(policy, "id", json_string(kind));
    json_object_set_new(policy, "kind", json_string(kind));
    if (!json_object_get(policy, "calendar")) {
        json_object_set_new(policy, "calendar", json_string("default"));
    }
    json_object_set_new(policy, "updated_by",
                        json_string(cm_ctx_actor_id(ctx)));
    json_object_set_new(policy, "updated_at",
                        dispatch_time_json(cm_time_now_ms()));
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    dispatch_doc_put(commit, "sla_policy", kind, CM_VERSION_ANY, policy, NULL);
    cm_log_info("sla_policy.updated", "kind", kind, "actor",
                cm_ctx_actor_id(ctx));
    cm_ctx_commit(ctx, commit, 200, policy);
    cm_commit_destroy(&commit);
}
