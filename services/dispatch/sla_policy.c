#include "sla_policy.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "calendar_http.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"

#define S_MINUTE_MS  60000LL
#define S_HOUR_MS    (60 * S_MINUTE_MS)
#define S_DAY_MS     (9 * S_HOUR_MS) // one working day of the default calendar
#define S_ROW_NAMES  "default low medium high critical"
#define S_FIELD_MAX  64
#define S_DETAIL_MAX 160

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

// cm_field check of `targets`: the rows by severity, "default" required.
static bool
s_check_targets(const json_t *targets, const char *field, json_t **problem)
{
    (void)field; // errors name targets.<row>
    bool ok = cm_validate_keys(targets, S_ROW_NAMES, problem);
    if (!json_object_get(targets, "default")) {
        ok = cm_validate_fail(problem, "targets.default", "is required");
    }
    const char *name;
    const json_t *row;
    json_object_foreach((json_t *)targets, name, row)
    {
        if (cm_validate_name_in(S_ROW_NAMES, name)) {
            ok = s_validate_row(row, name, problem) && ok;
        }
    }
    return ok;
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
    const char *calendar = cm_doc_text(policy, "calendar");
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

// The targets of the seeded policy of a kind. Caller owns the result.
static json_t *
s_default_targets(const char *kind)
{
    if (strcmp(kind, "inquiry") == 0) {
        return json_pack("{s:o}", "default",
                         s_row(S_HOUR_MS, 4 * S_HOUR_MS, 2 * S_DAY_MS));
    }
    if (strcmp(kind, "suggestion") == 0) {
        // Acknowledged within a day; the department decides within five.
        return json_pack("{s:o}", "default",
                         s_row(S_DAY_MS, 5 * S_DAY_MS, 10 * S_DAY_MS));
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "default",
                     s_row(S_HOUR_MS, 4 * S_HOUR_MS, 3 * S_DAY_MS), "low",
                     s_row(2 * S_HOUR_MS, S_DAY_MS, 5 * S_DAY_MS), "medium",
                     s_row(S_HOUR_MS, 4 * S_HOUR_MS, 3 * S_DAY_MS), "high",
                     s_row(30 * S_MINUTE_MS, 2 * S_HOUR_MS, S_DAY_MS),
                     "critical",
                     s_row(15 * S_MINUTE_MS, S_HOUR_MS, 4 * S_HOUR_MS));
}

json_t *
sla_policy_default(const char *kind, int64_t now_ms)
{
    assert(kind);
    json_t *policy = cm_doc_new(kind, "current", NULL, now_ms);
    json_t *members =
        json_pack("{s:s, s:b, s:s, s:o}", "kind", kind, "business_time", 1,
                  "calendar", "default", "targets", s_default_targets(kind));
    assert(members);
    json_object_update(policy, members);
    json_decref(members);
    return policy;
}

// PUT replaces the policy: a calendar left out is "default"; a calendar
// named must exist, or every clock of the kind would run on a guess.
static json_t *
s_replace(cm_action_t *a)
{
    const char *name = cm_doc_string(a->body, "calendar");
    if (!name) {
        cm_doc_set_string(a->doc, "calendar", "default");
        return NULL;
    }
    int rc = calendar_exists(a->store, name);
    if (rc == 0) {
        return NULL;
    }
    if (rc != CM_ENOTFOUND) {
        return cm_problem_new(503, "store_unavailable",
                              "the calendars are unreadable; retry");
    }
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail, "There is no calendar %.64s.", name);
    json_t *problem = cm_problem_new(422, "unknown_calendar", detail);
    cm_problem_add_error(problem, "calendar", "names no calendar");
    return problem;
}

static const cm_field_t s_fields[] = {
    // The path names the policy: id and kind are accepted and ignored, so
    // a document read with GET can be sent back.
    {"id", CM_FIELD_CODE},
    {"kind", CM_FIELD_ENUM, 0, .values = SLA_KINDS},
    {"business_time", CM_FIELD_BOOLEAN, CM_FIELD_REQUIRED,
     .to = "business_time"},
    {"calendar", CM_FIELD_CODE, 0, .to = "calendar"},
    {"targets", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .to = "targets",
     .check = s_check_targets},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    {"current", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY, NULL,
     s_fields, s_replace},
};
// clang-format on

static const cm_workflow_t s_flow = {
    .name = "dispatch.sla_policy",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

const cm_doc_type_t sla_policy_type = {
    .owner = DISPATCH_OWNER,
    .kind = "sla_policy",
    .what = "SLA policy",
    .path = "/v1/sla-policies",
    .workflow = &s_flow,
};

int
sla_policy_seed(cm_store_t *store)
{
    char names[CM_VALIDATE_NAME_MAX];
    int64_t now = cm_time_now_ms();
    for (const char *p = cm_validate_next_name(SLA_KINDS, names, sizeof names);
         p; p = cm_validate_next_name(p, names, sizeof names)) {
        json_t *policy = sla_policy_default(names, now);
        cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
        int rc = cm_doc_commit(commit, &sla_policy_type, NULL, policy,
                               CM_VERSION_NEW, now);
        cm_commit_result_t result;
        memset(&result, 0, sizeof result);
        rc = rc ? rc : cm_store_commit(store, commit, &result);
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
        json_decref(policy);
        if (rc != 0) {
            return rc; // CONFLICT (already there) is rc 0: fine
        }
    }
    return 0;
}

// The stored policy of kind, or the default when none is stored. 0 or a
// negative cm_status_t.
static int
s_load(cm_store_t *store, const char *kind, json_t **policy, int64_t *version)
{
    int rc = cm_doc_read(store, &sla_policy_type, kind, policy, version);
    if (rc == CM_ENOTFOUND) {
        *policy = sla_policy_default(kind, cm_time_now_ms()); // not seeded
        *version = 0;
        rc = 0;
    }
    return rc;
}

int
sla_policy_terms_of(const char *kind, const json_t *policy,
                    const char *severity, sla_terms_t *terms)
{
    if (!cm_validate_name_in(SLA_KINDS, kind)) {
        return CM_ENOTFOUND;
    }
    json_t *seeded = policy ? NULL : sla_policy_default(kind, cm_time_now_ms());
    int rc = 0;
    if (sla_policy_row_terms(policy ? policy : seeded, severity, terms) != 0) {
        cm_log_error("sla_policy.malformed", "kind", kind);
        rc = CM_EINTERNAL;
    }
    json_decref(seeded);
    return rc;
}

// ---- HTTP

void
sla_policy_http_list(cm_ctx_t *ctx)
{
    if (!dispatch_query_none(ctx)) {
        return;
    }
    json_t *items = json_array();
    char names[CM_VALIDATE_NAME_MAX];
    int rc = 0;
    for (const char *p = cm_validate_next_name(SLA_KINDS, names, sizeof names);
         p && rc == 0; p = cm_validate_next_name(p, names, sizeof names)) {
        json_t *policy = NULL;
        int64_t version = 0;
        rc = s_load(cm_ctx_store(ctx), names, &policy, &version);
        if (rc == 0) {
            json_array_append_new(
                items, cm_doc_view(ctx, &sla_policy_type, policy, version));
            json_decref(policy);
        }
    }
    if (rc != 0) {
        json_decref(items);
        cm_doc_fail(ctx, rc, &sla_policy_type, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

// The kind of the path, or NULL after answering 404.
static const char *
s_kind(cm_ctx_t *ctx)
{
    const char *kind = cm_ctx_param(ctx, "id");
    if (cm_validate_name_in(SLA_KINDS, kind)) {
        return kind;
    }
    cm_doc_fail(ctx, CM_ENOTFOUND, &sla_policy_type, kind);
    return NULL;
}

void
sla_policy_http_get(cm_ctx_t *ctx)
{
    const char *kind = s_kind(ctx);
    if (!kind || !dispatch_query_none(ctx)) {
        return;
    }
    json_t *policy = NULL;
    int64_t version = 0;
    int rc = s_load(cm_ctx_store(ctx), kind, &policy, &version);
    if (rc != 0) {
        cm_doc_fail(ctx, rc, &sla_policy_type, kind);
        return;
    }
    cm_doc_etag(ctx, version);
    cm_ctx_reply(ctx, 200, cm_doc_view(ctx, &sla_policy_type, policy, version));
    json_decref(policy);
}

void
sla_policy_http_put(cm_ctx_t *ctx)
{
    const char *kind = s_kind(ctx);
    if (kind) {
        dispatch_put(ctx, &sla_policy_type, kind, sla_policy_default);
    }
}
