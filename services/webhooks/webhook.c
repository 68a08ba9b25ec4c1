#include "webhook.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/webhooks.h"
#include "signature.h"
#include "target.h"
#include "webhooks.h"

static const cm_filter_t s_filters[] = {
    {"state", NULL, "active disabled"},
    {NULL},
};

// A deleted webhook is gone for everyone (404), its id is not reused.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    (void)ctx; // who may manage is checked by every handler first
    return strcmp(cm_doc_state(doc), "deleted") != 0;
}

static void
s_decorate(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    int64_t streak = 0;
    if (webhook_streak(cm_ctx_store(ctx), cm_doc_text(doc, "id"), &streak)
        == 0) {
        json_object_set_new(view, WEBHOOK_STREAK, json_integer(streak));
    }
}

// One event pattern of `events`.
static bool
s_check_pattern(const json_t *value, const char *field, json_t **problem_p)
{
    if (!json_is_string(value)
        || !target_pattern_is_valid(json_string_value(value))) {
        return cm_validate_fail(
            problem_p, field,
            "must be an event type pattern (dotted a-z 0-9 _ - segments or *)");
    }
    return true;
}

static const cm_field_t s_create_fields[] = {
    {"url", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = TARGET_URL_MAX,
     .to = "url"},
    {"events", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = WEBHOOK_EVENTS_MAX, .to = "events", .check = s_check_pattern},
    {"secret", CM_FIELD_STRING, 0, .max = SIGNATURE_SECRET_MAX - 1},
    {"active", CM_FIELD_BOOLEAN, 0, .to = "active"},
    {"description", CM_FIELD_STRING, 0, .to = "description"},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"url", CM_FIELD_STRING, 0, .max = TARGET_URL_MAX, .to = "url"},
    {"events", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = WEBHOOK_EVENTS_MAX,
     .to = "events", .check = s_check_pattern},
    {"active", CM_FIELD_BOOLEAN, 0, .to = "active"},
    {"description", CM_FIELD_STRING, 0, .to = "description"},
    CM_FIELD_END,
};

static const cm_field_t s_note_fields[] = {
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

const char *
webhook_key(char *buf, const char *id)
{
    const char *key =
        cm_store_key(buf, CM_STORE_KEY_MAX, WEBHOOKS_OWNER, "webhook", id);
    assert(key); // ids are short
    return key;
}

const char *
webhook_secret_key(char *buf, const char *id)
{
    const char *key =
        cm_store_key(buf, CM_STORE_KEY_MAX, WEBHOOKS_OWNER, "secret", id);
    assert(key);
    return key;
}

int
webhook_streak(cm_store_t *store, const char *id, int64_t *streak)
{
    char key[CM_STORE_KEY_MAX];
    const char *keys[] = {webhook_key(key, id)};
    const char *fields[] = {WEBHOOK_STREAK};
    return cm_store_counters(store, keys, 1, fields, 1, streak);
}

int
webhook_secret_read(cm_store_t *store, const char *id, char *out)
{
    char key[CM_STORE_KEY_MAX];
    cm_doc_t doc = {0};
    int rc = cm_store_get(store, webhook_secret_key(key, id), &doc);
    json_t *json = rc == 0 ? json_loads(doc.json, 0, NULL) : NULL;
    cm_doc_clear(&doc);
    const char *secret = cm_doc_string(json, "secret");
    if (rc == 0 && !signature_secret_is_valid(secret)) {
        rc = CM_ENOTFOUND; // deleted: the secret is gone
    }
    if (rc == 0) {
        snprintf(out, SIGNATURE_SECRET_MAX, "%s", secret);
    }
    json_decref(json);
    return rc;
}

bool
webhook_matches(const json_t *doc, const char *type)
{
    const json_t *events = json_object_get(doc, "events");
    for (size_t i = 0; type && i < json_array_size(events); i++) {
        const char *pattern = json_string_value(json_array_get(events, i));
        if (pattern && target_pattern_matches(pattern, type)) {
            return true;
        }
    }
    return false;
}

// The number of active webhooks: 0 or a status.
static int
s_active_count(cm_store_t *store, int64_t *count)
{
    char key[CM_STORE_KEY_MAX];
    cm_page_t page;
    int rc = cm_store_list(
        store,
        cm_doc_index_key(&webhook_type, "state", "active", key, sizeof key),
        NULL, 1, true, &page);
    *count = rc == 0 ? page.total : 0;
    if (rc == 0) {
        cm_page_clear(&page);
    }
    return rc;
}

// A 422 when one more active webhook would pass WEBHOOKS_ACTIVE_MAX, or
// NULL. Caller owns the result.
static json_t *
s_check_room(cm_store_t *store)
{
    int64_t count = 0;
    int rc = s_active_count(store, &count);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    if (count >= WEBHOOKS_ACTIVE_MAX) {
        json_t *problem = cm_problem_new(
            422, "too_many_webhooks",
            "at most 15 webhooks may be active at once; disable one first");
        cm_problem_add_error(problem, "active", "too many active webhooks");
        return problem;
    }
    return NULL;
}

// A 422 naming `url` when the URL is refused by the allow-list, or NULL.
static json_t *
s_check_url(const char *allowed, const char *url)
{
    char why[TARGET_WHY_MAX];
    if (target_url_is_allowed(allowed, url, why)) {
        return NULL;
    }
    json_t *problem = cm_problem_new(422, "url_not_allowed", why);
    cm_problem_add_error(problem, "url", why);
    return problem;
}

// Reset the failure streak in the action's commit (enable).
static json_t *
s_reset_streak(cm_action_t *action)
{
    int64_t streak = 0;
    const char *id = cm_doc_text(action->doc, "id");
    int rc = webhook_streak(action->store, id, &streak);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    if (streak > 0) {
        char key[CM_STORE_KEY_MAX];
        cm_commit_counter(action->commit, webhook_key(key, id), WEBHOOK_STREAK,
                          -streak, 0, CM_COUNTER_NO_MAX);
    }
    return NULL;
}

static json_t *
s_enable(cm_action_t *action)
{
    json_t *problem = s_check_room(action->store);
    problem = problem ? problem : s_reset_streak(action);
    json_object_set_new(action->doc, "active", json_true());
    json_object_del(action->doc, "disabled_reason");
    return problem;
}

static json_t *
s_disable(cm_action_t *action)
{
    // Without a request it is the delivery worker's automatic disable.
    const char *reason = action->ctx ? "manual" : "failure_streak";
    json_object_set_new(action->doc, "active", json_false());
    json_object_set_new(action->doc, "disabled_reason", json_string(reason));
    json_object_set_new(action->event_data, "reason", json_string(reason));
    return NULL;
}

static json_t *
s_update(cm_action_t *action)
{
    const webhooks_t *self = action->ctx ? webhooks_of(action->ctx) : NULL;
    const char *url = cm_doc_string(action->body, "url");
    json_t *problem =
        url && self ? s_check_url(self->allowed_hosts, url) : NULL;
    if (problem) {
        return problem;
    }
    bool active = json_is_true(json_object_get(action->doc, "active"));
    bool was = strcmp(cm_doc_state(action->old), "active") == 0;
    action->next_state = active ? "active" : "disabled";
    if (active && !was) {
        return s_enable(action);
    }
    if (!active && was) {
        json_object_set_new(action->doc, "disabled_reason",
                            json_string("manual"));
    }
    return NULL;
}

static json_t *
s_delete(cm_action_t *action)
{
    // The secret goes with the webhook; deliveries still queued are
    // dead-lettered by the worker when they fall due.
    char key[CM_STORE_KEY_MAX];
    cm_commit_doc(action->commit,
                  webhook_secret_key(key, cm_doc_text(action->doc, "id")),
                  CM_VERSION_ANY, "{\"secret\":null}");
    json_object_set_new(action->doc, "active", json_false());
    return NULL;
}

static const cm_workflow_row_t s_rows[] = {
    {"active disabled", "update", WEBHOOKS_ADMINS, 0, NULL, CM_WORKFLOW_BY_CODE,
     WEBHOOKS_EVENT_WEBHOOK_UPDATED, s_update_fields, s_update, NULL},
    {"disabled", "enable", WEBHOOKS_ADMINS, 0, NULL, "active",
     WEBHOOKS_EVENT_WEBHOOK_ENABLED, s_note_fields, s_enable, NULL},
    {"active", "disable", WEBHOOKS_ADMINS, 0, NULL, "disabled",
     WEBHOOKS_EVENT_WEBHOOK_DISABLED, s_note_fields, s_disable, NULL},
    {"active disabled", "delete", WEBHOOKS_ADMINS, 0, NULL, "deleted",
     WEBHOOKS_EVENT_WEBHOOK_DELETED, s_note_fields, s_delete, NULL},
};

const cm_workflow_t webhook_workflow = {
    .name = "webhook",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "deleted",
    .superuser_role = "station_head",
};

const cm_doc_type_t webhook_type = {
    .owner = WEBHOOKS_OWNER,
    .kind = "webhook",
    .what = "webhook",
    .id_prefix = "WH",
    .path = "/v1/webhooks",
    .filters = s_filters,
    .workflow = &webhook_workflow,
    .may_read = s_may_read,
    .decorate = s_decorate,
    .history_keep = 10,
};

// The new webhook document from a checked body. Caller owns the result.
static json_t *
s_new_doc(cm_ctx_t *ctx, const char *id, const json_t *body, int64_t now)
{
    bool active = !json_is_false(json_object_get(body, "active"));
    json_t *doc =
        cm_doc_new(id, active ? "active" : "disabled", cm_ctx_actor(ctx), now);
    cm_field_copy(s_create_fields, body, doc);
    json_object_set_new(doc, "active", json_boolean(active));
    if (!active) {
        json_object_set_new(doc, "disabled_reason", json_string("manual"));
    }
    return doc;
}

// The checks of a create beyond the field table: NULL or a problem.
static json_t *
s_check_create(cm_ctx_t *ctx, const json_t *body)
{
    json_t *problem = NULL;
    const char *secret = cm_doc_string(body, "secret");
    if (!cm_field_check(s_create_fields, body, &problem)) {
        return problem;
    }
    if (secret && !signature_secret_is_valid(secret)) {
        cm_validate_fail(&problem, "secret",
                         "must be whsec_ and the base64 of 24 to 64 bytes");
        return problem;
    }
    problem =
        s_check_url(webhooks_of(ctx)->allowed_hosts, cm_doc_text(body, "url"));
    if (!problem && !json_is_false(json_object_get(body, "active"))) {
        problem = s_check_room(cm_ctx_store(ctx));
    }
    return problem;
}

void
webhook_create(cm_ctx_t *ctx)
{
    if (!webhooks_may_manage(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = s_check_create(ctx, body);
    char id[CM_ID_MAX], key[CM_STORE_KEY_MAX], secret[SIGNATURE_SECRET_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &webhook_type, id) != 0) {
        return;
    }
    if (cm_doc_string(body, "secret")) {
        snprintf(secret, sizeof secret, "%s", cm_doc_string(body, "secret"));
    } else {
        signature_secret_new(secret);
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = s_new_doc(ctx, id, body, now);
    json_t *stored = json_pack("{s:s}", "secret", secret);
    char *text = json_dumps(stored, JSON_COMPACT);
    cm_commit_t *commit = cm_commit_new(WEBHOOKS_OWNER);
    cm_doc_commit(commit, &webhook_type, NULL, doc, CM_VERSION_NEW, now);
    cm_commit_doc(commit, webhook_secret_key(key, id), CM_VERSION_ANY, text);
    cm_doc_event(ctx, commit, &webhook_type, WEBHOOKS_EVENT_WEBHOOK_CREATED,
                 doc, 1, NULL);
    // The secret is in this reply only (and its idempotency record, so a
    // retry with the same key gets the same answer).
    json_t *view = cm_doc_view(ctx, &webhook_type, doc, 1);
    json_object_set_new(view, "secret", json_string(secret));
    char location[CM_ID_MAX + 32];
    snprintf(location, sizeof location, "/v1/webhooks/%s", id);
    cm_doc_etag(ctx, 1);
    cm_ctx_header(ctx, "Location", location);
    cm_ctx_commit(ctx, commit, 201, view);
    cm_commit_destroy(&commit);
    free(text);
    json_decref(stored);
    json_decref(doc);
}

void
webhook_list(cm_ctx_t *ctx)
{
    if (webhooks_may_manage(ctx)) {
        cm_list_run(ctx, &webhook_type, NULL);
    }
}

void
webhook_get(cm_ctx_t *ctx)
{
    if (webhooks_may_manage(ctx)) {
        cm_doc_get(ctx, &webhook_type);
    }
}

void
webhook_history(cm_ctx_t *ctx)
{
    if (webhooks_may_manage(ctx)) {
        cm_doc_history(ctx, &webhook_type);
    }
}

void
webhook_patch(cm_ctx_t *ctx)
{
    if (webhooks_may_manage(ctx)) {
        cm_action_patch(ctx, &webhook_type);
    }
}

void
webhook_delete(cm_ctx_t *ctx)
{
    if (webhooks_may_manage(ctx)) {
        cm_action_run_named(ctx, &webhook_type, cm_ctx_param(ctx, "id"),
                            "delete");
    }
}

void
webhook_act(cm_ctx_t *ctx)
{
    const char *action = cm_ctx_param(ctx, "action");
    if (!webhooks_may_manage(ctx)) {
        return;
    }
    if (action
        && (strcmp(action, "update") == 0 || strcmp(action, "delete") == 0)) {
        // PATCH and DELETE are their routes; not actions of their own.
        cm_ctx_fail(ctx, cm_problem_new(404, "unknown_action",
                                        "no such action on a webhook"));
        return;
    }
    cm_action_run(ctx, &webhook_type);
}

int
webhook_auto_disable(cm_store_t *store, const char *id, int64_t streak)
{
    json_t *doc = NULL;
    int64_t version = 0, now = cm_time_now_ms();
    int rc = cm_doc_read(store, &webhook_type, id, &doc, &version);
    if (rc != 0 || strcmp(cm_doc_state(doc), "active") != 0) {
        json_decref(doc);
        return rc;
    }
    json_t *old = json_deep_copy(doc), *actor = webhooks_actor();
    json_t *events = json_array();
    char note[96];
    snprintf(note, sizeof note, "%lld failed attempts in a row",
             (long long)streak);
    json_t *body = json_pack("{s:s}", "note", note);
    cm_commit_t *commit = cm_commit_new(WEBHOOKS_OWNER);
    cm_action_own_t own = {.type = &webhook_type,
                           .action = "disable",
                           .actor = actor,
                           .body = body,
                           .store = store,
                           .commit = commit,
                           .version = version,
                           .now_ms = now};
    json_t *problem = cm_action_apply(&own, doc, events);
    rc = problem ? CM_EINTERNAL : 0;
    if (rc == 0) {
        rc = cm_doc_commit(commit, &webhook_type, old, doc, version, now);
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(events); i++) {
        const json_t *event = json_array_get(events, i);
        json_t *data = json_deep_copy(json_object_get(event, "data"));
        json_object_set_new(data, WEBHOOK_STREAK, json_integer(streak));
        rc = cm_doc_event_add(commit, &webhook_type, cm_doc_text(event, "type"),
                              doc, version + 1, actor, NULL, data);
    }
    cm_commit_result_t result = {0};
    rc = rc == 0 ? cm_store_commit(store, commit, &result) : rc;
    if (rc == 0 && result.outcome == CM_COMMIT_OK) {
        cm_log_warn("webhook.disabled", "webhook", id, "reason",
                    "failure_streak");
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(problem);
    json_decref(body);
    json_decref(events);
    json_decref(actor);
    json_decref(old);
    json_decref(doc);
    return rc;
}
