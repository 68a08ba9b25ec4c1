#include "delivery.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "events/webhooks.h"
#include "http_out.h"
#include "signature.h"
#include "target.h"
#include "webhook.h"

// The largest event a delivery carries (the document must stay within
// CM_DOC_MAX_BYTES with its history).
#define S_PAYLOAD_MAX ((size_t)40 * 1024)

static const cm_filter_t s_filters[] = {
    {"webhook", NULL, NULL},
    {"state", NULL, "pending delivered dead"},
    {NULL},
};

static const char *
s_timers_key(char *buf)
{
    const char *key = cm_store_key(buf, CM_STORE_KEY_MAX, WEBHOOKS_OWNER,
                                   "timers", "deliveries");
    assert(key);
    return key;
}

// redeliver: only a dead letter of the webhook in the path, and only while
// that webhook is active; the retry budget starts again.
static json_t *
s_redeliver(cm_action_t *action)
{
    const char *hook_id = cm_ctx_param(action->ctx, "id");
    const char *id = cm_doc_text(action->doc, "id");
    if (!hook_id || strcmp(hook_id, cm_doc_text(action->doc, "webhook")) != 0) {
        return cm_problem_new(404, "not_found", "no such dead letter");
    }
    json_t *hook = NULL;
    int64_t version = 0;
    int rc =
        cm_doc_read(action->store, &webhook_type, hook_id, &hook, &version);
    bool active = rc == 0 && strcmp(cm_doc_state(hook), "active") == 0;
    json_decref(hook);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return cm_problem_from_status(rc, NULL);
    }
    if (!active) {
        return cm_action_refuse(action, 409, "webhook_not_active",
                                "enable the webhook before redelivering");
    }
    char key[CM_STORE_KEY_MAX];
    json_object_set_new(action->doc, "attempts", json_integer(0));
    json_object_set_new(
        action->doc, "redeliveries",
        json_integer(cm_doc_integer(action->doc, "redeliveries") + 1));
    json_object_del(action->doc, "dead_reason");
    cm_doc_set_time(action->doc, "next_attempt_at", action->now_ms);
    cm_commit_index_add(action->commit, s_timers_key(key), id, action->now_ms);
    return NULL;
}

static const cm_field_t s_note_fields[] = {
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    {"dead", "redeliver", WEBHOOKS_ADMINS, 0, NULL, "pending", NULL,
     s_note_fields, s_redeliver, NULL},
};

static const cm_workflow_t s_workflow = {
    .name = "delivery",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "delivered",
    .superuser_role = "station_head",
};

const cm_doc_type_t delivery_type = {
    .owner = WEBHOOKS_OWNER,
    .kind = "delivery",
    .what = "delivery",
    .id_prefix = "WD",
    .filters = s_filters,
    .workflow = &s_workflow,
    .list_omits = "payload",
    .history_keep = 5,
};

// ---- queueing (the consumer of every outbox)

// A delivery of event (envelope parsed) to webhook hook, in commit.
static int
s_queue(cm_store_t *store, cm_commit_t *commit, const json_t *hook,
        const cm_event_t *event, const json_t *envelope, int64_t now)
{
    int64_t n = 0;
    int rc = cm_store_next_id(store, WEBHOOKS_OWNER, delivery_type.kind, &n);
    if (rc != 0) {
        return rc;
    }
    char id[CM_ID_MAX];
    snprintf(id, sizeof id, "%s-%lld", delivery_type.id_prefix, (long long)n);
    json_t *doc = cm_doc_new(id, "pending", NULL, now);
    json_object_set_new(doc, "webhook", json_string(cm_doc_text(hook, "id")));
    json_object_set_new(doc, "event",
                        json_pack("{s:s, s:s, s:s?, s:s?}", "id",
                                  cm_doc_text(envelope, "id"), "type",
                                  event->type, "source",
                                  cm_doc_string(envelope, "source"), "subject",
                                  cm_doc_string(envelope, "subject")));
    json_object_set_new(doc, "attempts", json_integer(0));
    cm_doc_set_time(doc, "next_attempt_at", now);
    json_object_set_new(doc, "payload", json_string(event->envelope));
    rc = cm_doc_commit(commit, &delivery_type, NULL, doc, CM_VERSION_NEW, now);
    if (rc == 0) {
        char key[CM_STORE_KEY_MAX];
        cm_commit_index_add(commit, s_timers_key(key), id, now);
    } else {
        cm_log_warn("webhook.event_too_large", "webhook",
                    cm_doc_text(hook, "id"), "type", event->type);
    }
    json_decref(doc);
    return 0;
}

// The active webhooks' ids, listed once per consumer read on this thread
// (the consumer's; nothing on the heap). Every entry of a read was
// committed before it, so a webhook that becomes active after the list
// misses that read's events as it would miss them had it come a moment
// later; each event still reads the webhooks themselves.

typedef struct {
    const cm_store_t *store; // whose Redis the list came from
    uint64_t read;           // the consumer read it is for (0: none yet)
    size_t count;
    char ids[WEBHOOKS_ACTIVE_MAX][CM_ID_MAX];
} s_active_t;

static _Thread_local s_active_t s_active;

// The active webhooks' ids for event into active, listed at most once per
// read. 0 or a negative cm_status_t.
static int
s_active_ids(s_active_t *active, cm_store_t *store, const cm_event_t *event)
{
    if (event->read != 0 && active->read == event->read
        && active->store == store) {
        return 0;
    }
    char key[CM_STORE_KEY_MAX];
    cm_page_t page = {0};
    int rc = cm_store_list(
        store,
        cm_doc_index_key(&webhook_type, "state", "active", key, sizeof key),
        NULL, WEBHOOKS_ACTIVE_MAX, false, &page);
    active->read = 0;
    active->count = 0;
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        if (strlen(page.members[i]) < CM_ID_MAX) { // ids are WH-<n>
            snprintf(active->ids[active->count++], CM_ID_MAX, "%s",
                     page.members[i]);
        }
    }
    cm_page_clear(&page);
    if (rc == 0) {
        active->store = store;
        active->read = event->read;
    }
    return rc;
}

int
delivery_on_event(cm_store_t *store, const cm_event_t *event,
                  cm_commit_t *commit, void *arg)
{
    (void)arg; // the configuration is not needed to queue
    s_active_t *active = &s_active;
    int rc = s_active_ids(active, store, event);
    if (rc != 0 || active->count == 0) {
        return rc;
    }
    json_t *envelope =
        event->envelope && strlen(event->envelope) <= S_PAYLOAD_MAX
            ? json_loads(event->envelope, 0, NULL)
            : NULL;
    if (!envelope || !event->type) {
        json_decref(envelope); // unparseable or too large: not deliverable
        return 0;
    }
    const char *ids[WEBHOOKS_ACTIVE_MAX];
    size_t count = active->count;
    for (size_t i = 0; i < count; i++) {
        ids[i] = active->ids[i];
    }
    json_t *docs[WEBHOOKS_ACTIVE_MAX] = {NULL};
    int64_t versions[WEBHOOKS_ACTIVE_MAX];
    rc = cm_doc_read_many(store, &webhook_type, ids, count, docs, versions);
    int64_t now = cm_time_now_ms();
    int64_t at = cm_doc_time(envelope, "time", now);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        // A webhook gets what happens from its creation on, however far
        // behind this consumer is.
        if (docs[i] && strcmp(cm_doc_state(docs[i]), "active") == 0
            && at >= cm_doc_time(docs[i], "created_at", 0)
            && webhook_matches(docs[i], event->type)) {
            rc = s_queue(store, commit, docs[i], event, envelope, now);
        }
    }
    for (size_t i = 0; i < WEBHOOKS_ACTIVE_MAX; i++) {
        json_decref(docs[i]);
    }
    json_decref(envelope);
    return rc;
}

int
delivery_on_org_event(cm_store_t *store, const cm_event_t *event,
                      cm_commit_t *commit, void *arg)
{
    int rc = cm_org_consume(store, event, commit, NULL);
    return rc == 0 ? delivery_on_event(store, event, commit, arg) : rc;
}

// ---- the worker

// One attempt of a batch.
typedef struct {
    const webhooks_t *self;
    cm_store_t *store;
    json_t *doc;                          // the delivery (owned)
    int64_t version;                      // its version
    int64_t now;                          // when it is recorded
    json_t *hook;                         // its webhook (owned)
    char stamp[24];                       // webhook-timestamp
    char signature[SIGNATURE_HEADER_MAX]; // webhook-signature
    bool sent;                            // a POST was started
    http_out_call_t *call;                // it, while in flight
    http_out_result_t result;             // its outcome
    int64_t started_ms;                   // monotonic start
} s_attempt_t;

// Add the delivery's next state to commit: done, a retry or a dead letter.
// Returns the state.
static const char *
s_next_state(const s_attempt_t *a, cm_commit_t *commit, bool ok,
             const char *dead_reason)
{
    char key[CM_STORE_KEY_MAX];
    int64_t attempts = cm_doc_integer(a->doc, "attempts");
    json_object_del(a->doc, "next_attempt_at");
    if (ok) {
        cm_doc_set_time(a->doc, "delivered_at", a->now);
        cm_commit_index_remove(commit, s_timers_key(key),
                               cm_doc_text(a->doc, "id"));
        return "delivered";
    }
    if (!dead_reason && (size_t)attempts <= a->self->schedule_count) {
        int64_t due = a->now + a->self->schedule_ms[attempts - 1];
        cm_doc_set_time(a->doc, "next_attempt_at", due);
        cm_commit_index_add(commit, s_timers_key(key),
                            cm_doc_text(a->doc, "id"), due);
        return "pending";
    }
    const char *reason = dead_reason ? dead_reason : "retries_exhausted";
    cm_doc_set_time(a->doc, "dead_at", a->now);
    json_object_set_new(a->doc, "dead_reason", json_string(reason));
    cm_commit_index_remove(commit, s_timers_key(key),
                           cm_doc_text(a->doc, "id"));
    return "dead";
}

// Record an attempt (result NULL: none was made, dead_reason says why) in
// one commit: the delivery, its timer, the webhook's failure streak.
static int
s_record(s_attempt_t *a, const http_out_result_t *result, int64_t duration_ms,
         const char *dead_reason)
{
    bool ok = result && result->status >= 200 && result->status < 300;
    json_t *old = json_deep_copy(a->doc), *actor = webhooks_actor();
    if (result) {
        json_object_set_new(
            a->doc, "attempts",
            json_integer(cm_doc_integer(a->doc, "attempts") + 1));
    }
    json_t *last =
        json_pack("{s:i, s:s?, s:I}", "status", result ? result->status : 0,
                  "error", result && result->error[0] ? result->error : NULL,
                  "duration_ms", (json_int_t)duration_ms);
    cm_doc_set_time(last, "at", a->now);
    cm_commit_t *commit = cm_commit_new(WEBHOOKS_OWNER);
    const char *state = s_next_state(a, commit, ok, dead_reason);
    json_object_set_new(a->doc, "state", json_string(state));
    json_object_set(a->doc, "last_attempt", last);
    bool moved = strcmp(state, "pending") != 0;
    cm_doc_history_add(a->doc, actor, result ? "attempt" : "dead_letter",
                       moved ? "pending" : NULL, moved ? state : NULL,
                       dead_reason, json_deep_copy(last), a->now);
    int rc =
        cm_doc_commit(commit, &delivery_type, old, a->doc, a->version, a->now);
    char key[CM_STORE_KEY_MAX];
    const char *hook = cm_doc_text(a->doc, "webhook");
    if (result && !ok) {
        cm_commit_counter(commit, webhook_key(key, hook), WEBHOOK_STREAK, 1, 0,
                          CM_COUNTER_NO_MAX);
    }
    int64_t streak = 0;
    if (ok && webhook_streak(a->store, hook, &streak) == 0 && streak > 0) {
        cm_commit_counter(commit, webhook_key(key, hook), WEBHOOK_STREAK,
                          -streak, 0, CM_COUNTER_NO_MAX);
    }
    if (rc == 0 && strcmp(state, "dead") == 0) {
        rc = cm_doc_event_add(
            commit, &delivery_type, WEBHOOKS_EVENT_DELIVERY_DEAD_LETTERED,
            a->doc, a->version + 1, actor, NULL,
            json_pack("{s:s}", "reason", cm_doc_text(a->doc, "dead_reason")));
    }
    cm_commit_result_t out = {0};
    rc = rc == 0 ? cm_store_commit(a->store, commit, &out) : rc;
    if (rc == 0 && out.outcome == CM_COMMIT_OK) {
        cm_log_info(
            ok ? "webhook.delivery.delivered" : "webhook.delivery.failed",
            "delivery", cm_doc_text(a->doc, "id"), "webhook", hook, "state",
            state, "status",
            cm_log_format_int((char[24]){0}, result ? result->status : 0));
    }
    cm_commit_result_clear(&out);
    cm_commit_destroy(&commit);
    json_decref(last);
    json_decref(actor);
    json_decref(old);
    return rc;
}

// Sign the delivery and start its POST to the webhook's URL (a->call), or
// record why it cannot be made.
static void
s_send(s_attempt_t *a, const char *secret)
{
    const char *payload = cm_doc_text(a->doc, "payload");
    const char *id = cm_doc_text(a->doc, "id");
    int64_t seconds = a->now / 1000;
    snprintf(a->stamp, sizeof a->stamp, "%lld", (long long)seconds);
    if (signature_sign(secret, id, seconds, payload, strlen(payload),
                       a->signature)
        != 0) {
        s_record(a, NULL, 0, "secret_unusable");
        return;
    }
    const http_out_header_t headers[] = {{"webhook-id", id},
                                         {"webhook-timestamp", a->stamp},
                                         {"webhook-signature", a->signature}};
    a->started_ms = cm_time_mono_ms();
    a->call = http_out_start(cm_doc_text(a->hook, "url"), headers, 3, payload,
                             strlen(payload), a->self->timeout_ms,
                             a->self->ca_file, &a->result);
    a->sent = true;
}

// Wait for a started POST and record its outcome; disable the webhook when
// its failure streak reached the limit.
static void
s_finish(s_attempt_t *a)
{
    if (a->call) {
        http_out_finish(&a->call, &a->result);
    }
    int64_t duration = cm_time_mono_ms() - a->started_ms;
    a->now = cm_time_now_ms();
    if (s_record(a, &a->result, duration, NULL) != 0) {
        return; // the lease brings it back
    }
    int64_t streak = 0;
    const char *hook = cm_doc_text(a->hook, "id");
    bool ok = a->result.status >= 200 && a->result.status < 300;
    if (!ok && webhook_streak(a->store, hook, &streak) == 0
        && streak >= a->self->disable_after) {
        webhook_auto_disable(a->store, hook, streak);
    }
}

// Why a delivery to hook cannot be attempted (NULL: it can); reads the
// secret into secret.
static const char *
s_blocked(const webhooks_t *self, cm_store_t *store, int rc, const json_t *hook,
          char *secret)
{
    char why[TARGET_WHY_MAX];
    if (rc == CM_ENOTFOUND || strcmp(cm_doc_state(hook), "deleted") == 0) {
        return "webhook_deleted";
    }
    if (strcmp(cm_doc_state(hook), "active") != 0) {
        return "webhook_disabled";
    }
    if (!target_url_is_allowed(self->allowed_hosts, cm_doc_text(hook, "url"),
                               why)) {
        return "host_not_allowed";
    }
    if (webhook_secret_read(store, cm_doc_text(hook, "id"), secret) != 0) {
        return "secret_unusable";
    }
    return NULL;
}

// Load a claimed delivery and its webhook and start its attempt (or
// dead-letter it, or drop its timer when it is no longer pending).
static void
s_attempt(s_attempt_t *a, const char *id, int64_t lease_until)
{
    char secret[SIGNATURE_SECRET_MAX];
    int rc = cm_doc_read(a->store, &delivery_type, id, &a->doc, &a->version);
    if (rc == CM_ENOTFOUND
        || (rc == 0 && strcmp(cm_doc_state(a->doc), "pending") != 0)) {
        char key[CM_STORE_KEY_MAX];
        cm_store_timer_settle(a->store, s_timers_key(key), id, lease_until, 0);
    }
    if (rc != 0 || strcmp(cm_doc_state(a->doc), "pending") != 0) {
        return;
    }
    int64_t hook_version = 0;
    rc = cm_doc_read(a->store, &webhook_type, cm_doc_text(a->doc, "webhook"),
                     &a->hook, &hook_version);
    if (rc == 0 || rc == CM_ENOTFOUND) {
        const char *blocked = s_blocked(a->self, a->store, rc, a->hook, secret);
        if (blocked) {
            s_record(a, NULL, 0, blocked);
        } else {
            s_send(a, secret);
        }
    }
    sodium_memzero(secret, sizeof secret);
}

void
delivery_tick(const webhooks_t *self, cm_store_t *store)
{
    char key[CM_STORE_KEY_MAX];
    char **members = NULL;
    size_t count = 0;
    int64_t now = cm_time_now_ms();
    int64_t lease = (int64_t)self->timeout_ms * 2 + 5000;
    if (cm_store_timer_claim(store, s_timers_key(key), now, lease,
                             (size_t)self->batch, &members, &count)
        != 0) {
        return;
    }
    // The batch's requests run side by side on nng's threads: a receiver
    // that hangs holds this tick up to one timeout, not one per delivery.
    s_attempt_t *attempts = calloc(count ? count : 1, sizeof *attempts);
    assert(attempts);
    for (size_t i = 0; i < count; i++) {
        attempts[i] = (s_attempt_t){
            .self = self, .store = store, .now = cm_time_now_ms()};
        s_attempt(&attempts[i], members[i], now + lease);
    }
    for (size_t i = 0; i < count; i++) {
        if (attempts[i].sent) {
            s_finish(&attempts[i]);
        }
        json_decref(attempts[i].hook);
        json_decref(attempts[i].doc);
    }
    free(attempts);
    cm_store_strings_free(&members, count);
}

// ---- handlers

// A list of the deliveries of the webhook in the path, narrowed to state
// (NULL: any).
static void
s_list(cm_ctx_t *ctx, const char *state)
{
    if (!webhooks_may_manage(ctx)) {
        return;
    }
    const char *id = cm_ctx_param(ctx, "id");
    int64_t version = 0;
    json_t *hook = cm_doc_load(ctx, &webhook_type, id, &version);
    if (!hook) {
        return;
    }
    if (strcmp(cm_doc_state(hook), "deleted") == 0) {
        cm_doc_fail(ctx, CM_ENOTFOUND, &webhook_type, id);
        json_decref(hook);
        return;
    }
    const json_t *given = cm_ctx_query_object(ctx);
    json_t *query = given ? json_deep_copy(given) : json_object();
    json_object_set_new(query, "webhook", json_string(id)); // the path's
    if (state) {
        json_object_set_new(query, "state", json_string(state));
    }
    cm_list_query_t parsed;
    json_t *problem = cm_list_parse(&delivery_type, query, NULL, &parsed);
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        cm_list_reply(ctx, &delivery_type, &parsed);
    }
    json_decref(query);
    json_decref(hook);
}

void
delivery_list(cm_ctx_t *ctx)
{
    s_list(ctx, NULL);
}

void
delivery_dead_list(cm_ctx_t *ctx)
{
    s_list(ctx, "dead");
}

void
delivery_get(cm_ctx_t *ctx)
{
    if (!webhooks_may_manage(ctx)) {
        return;
    }
    const char *did = cm_ctx_param(ctx, "did");
    int64_t version = 0;
    json_t *doc = cm_doc_load(ctx, &delivery_type, did, &version);
    if (doc
        && strcmp(cm_doc_text(doc, "webhook"), cm_ctx_param(ctx, "id")) != 0) {
        cm_doc_fail(ctx, CM_ENOTFOUND, &delivery_type, did);
    } else if (doc) {
        cm_doc_etag(ctx, version);
        cm_ctx_reply(ctx, 200, cm_doc_view(ctx, &delivery_type, doc, version));
    }
    json_decref(doc);
}

void
delivery_redeliver(cm_ctx_t *ctx)
{
    if (webhooks_may_manage(ctx)) {
        cm_action_run_named(ctx, &delivery_type, cm_ctx_param(ctx, "did"),
                            "redeliver");
    }
}
