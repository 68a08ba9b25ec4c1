#include "commitment.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_call.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "control.h"
#include "events/finance.h"
#include "expenditure.h"
#include "finance.h"
#include "line.h"
#include "nested.h"

const cm_doc_type_t commitment_type = {
    .owner = FINANCE_OWNER,
    .kind = "commitment",
    .what = "budget commitment",
    .id_prefix = "",
    .history_keep = 5,
};

static const cm_field_t s_document_fields[] = {
    {"type", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"id", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"step", CM_FIELD_CODE, 0},
    CM_FIELD_END,
};

static bool
s_check_document(const json_t *value, const char *field, json_t **problem_p)
{
    return nested_check(s_document_fields, value, field, problem_p);
}

static const cm_field_t s_check_fields[] = {
    {"line", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = LINE_REF_MAX - 1},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"document", CM_FIELD_OBJECT, 0, .check = s_check_document},
    {"expenditure_request", CM_FIELD_CODE, 0},
    CM_FIELD_END,
};

static const cm_field_t s_commit_fields[] = {
    {"line", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = LINE_REF_MAX - 1},
    {"amount", CM_FIELD_MONEY, CM_FIELD_REQUIRED},
    {"document", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .check = s_check_document},
    {"reservation", CM_FIELD_STRING, CM_FIELD_REQUIRED,
     .max = CM_CALL_KEY_MAX - 1},
    {"expenditure_request", CM_FIELD_CODE, 0},
    CM_FIELD_END,
};

static const cm_field_t s_release_fields[] = {
    {"reservation", CM_FIELD_STRING, CM_FIELD_REQUIRED,
     .max = CM_CALL_KEY_MAX - 1},
    {"amount", CM_FIELD_MONEY, 0},
    {"document", CM_FIELD_OBJECT, 0, .check = s_check_document},
    {"line", CM_FIELD_STRING, 0},
    {"expenditure_request", CM_FIELD_CODE, 0},
    CM_FIELD_END,
};

// System callers only, with a valid body. False after answering.
static bool
s_begin(cm_ctx_t *ctx, const cm_field_t *fields)
{
    json_t *problem = NULL;
    if (!finance_is_system(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "internal routes are for services only");
        return false;
    }
    if (!cm_field_check(fields, cm_ctx_body(ctx), &problem)) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    return true;
}

void
commitment_check(cm_ctx_t *ctx)
{
    if (!s_begin(ctx, s_check_fields)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    int64_t amount = cm_doc_integer(body, "amount"), bound = 0;
    json_t *figures = NULL;
    json_t *problem = control_check(
        cm_ctx_store(ctx), cm_doc_text(body, "line"), amount, &figures);
    if (!problem) {
        problem = expenditure_gate(cm_ctx_store(ctx), finance_of(ctx),
                                   cm_doc_string(body, "expenditure_request"),
                                   amount, &bound);
    }
    if (problem) {
        json_decref(figures);
        cm_ctx_fail(ctx, problem);
        return;
    }
    cm_ctx_reply(ctx, 200, figures);
}

static const char *
s_timers_key(char *buf)
{
    return finance_key(buf, "timers", COMMITMENT_TIMERS);
}

static json_t *
s_new_commitment(cm_ctx_t *ctx, const json_t *body, int64_t now)
{
    const finance_t *config = finance_of(ctx);
    json_t *doc = cm_doc_new(cm_doc_text(body, "reservation"), "pending",
                             cm_ctx_actor(ctx), now);
    json_object_set(doc, "line", json_object_get(body, "line"));
    json_object_set(doc, "amount", json_object_get(body, "amount"));
    json_object_set(doc, "document", json_object_get(body, "document"));
    json_object_set(doc, "expenditure_request",
                    json_object_get(body, "expenditure_request"));
    json_object_set_new(doc, "released", json_integer(0));
    json_object_set_new(doc, "service", json_string(cm_ctx_actor_id(ctx)));
    cm_doc_set_time(doc, "expires_at", now + config->reservation_ttl_ms);
    return doc;
}

static void
s_after_commit(cm_ctx_t *ctx, int outcome, const json_t *doc, int64_t now)
{
    const char *ref = cm_doc_text(doc, "line");
    control_answer_limit(ctx, outcome, ref, cm_doc_integer(doc, "amount"));
    expenditure_answer_limit(ctx, outcome,
                             cm_doc_string(doc, "expenditure_request"));
    if (outcome == CM_COMMIT_OK) {
        control_threshold(ctx, ref, now);
    }
}

static json_t *s_view(const json_t *doc);

// The reservation exists (another request for the same document and step
// committed it): the same line and amount is a repeat, answered with what
// is stored (200); anything else is 409.
static void
s_answer_repeat(cm_ctx_t *ctx, const json_t *doc)
{
    json_t *stored = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &commitment_type,
                         cm_doc_text(doc, "id"), &stored, &version);
    if (rc == 0
        && strcmp(cm_doc_text(stored, "line"), cm_doc_text(doc, "line")) == 0
        && cm_doc_integer(stored, "amount") == cm_doc_integer(doc, "amount")) {
        cm_ctx_reply(ctx, 200, s_view(stored));
    } else if (rc == 0) {
        cm_ctx_fail(ctx, cm_problem_new(409, "reservation_exists",
                                        "this reservation holds another "
                                        "line or amount"));
    } else {
        cm_ctx_fail_status(ctx, rc, NULL);
    }
    json_decref(stored);
}

// The commitment's movement, timer, document and event, then the reply.
static void
s_commit_new(cm_ctx_t *ctx, json_t *doc, const line_t *line, int64_t bound,
             json_t *figures, int64_t now)
{
    int64_t amount = cm_doc_integer(doc, "amount");
    const json_t *document = json_object_get(doc, "document");
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    line_movement_t m = {.kind = "commit",
                         .committed = amount,
                         .doc_type = cm_doc_text(document, "type"),
                         .doc_id = cm_doc_text(document, "id"),
                         .step = cm_doc_text(doc, "id"),
                         .actor = cm_ctx_actor_id(ctx)};
    line_commit_movement(commit, line, &m, now);
    expenditure_commit_use(commit, finance_of(ctx),
                           cm_doc_string(doc, "expenditure_request"), amount,
                           bound);
    char key[CM_STORE_KEY_MAX];
    cm_commit_index_add(commit, s_timers_key(key), cm_doc_text(doc, "id"),
                        cm_doc_time(doc, "expires_at", now));
    cm_doc_commit(commit, &commitment_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &commitment_type, FINANCE_EVENT_BUDGET_COMMITTED,
                 doc, 1, NULL);
    control_warn_event(ctx, commit, figures);
    json_t *reply = json_deep_copy(doc);
    json_object_del(reply, "history");
    json_object_set_new(reply, "reservation",
                        json_string(cm_doc_text(doc, "id")));
    json_object_set(reply, "figures", figures);
    int outcome = cm_ctx_commit(ctx, commit, 201, reply);
    if (outcome == CM_COMMIT_CONFLICT) {
        s_answer_repeat(ctx, doc);
    }
    s_after_commit(ctx, outcome, doc, now);
    cm_commit_destroy(&commit);
}

void
commitment_commit(cm_ctx_t *ctx)
{
    if (!s_begin(ctx, s_commit_fields)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    int64_t amount = cm_doc_integer(body, "amount"), bound = 0;
    int64_t now = cm_time_now_ms();
    const char *ref = cm_doc_text(body, "line");
    json_t *figures = NULL;
    json_t *problem = control_check(cm_ctx_store(ctx), ref, amount, &figures);
    if (!problem) {
        problem = expenditure_gate(cm_ctx_store(ctx), finance_of(ctx),
                                   cm_doc_string(body, "expenditure_request"),
                                   amount, &bound);
    }
    line_t line;
    int rc = problem ? 0 : line_read(cm_ctx_store(ctx), ref, &line);
    if (!problem && rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    }
    if (problem) {
        json_decref(figures);
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *doc = s_new_commitment(ctx, body, now);
    s_commit_new(ctx, doc, &line, bound, figures, now);
    line_clear(&line);
    json_decref(figures);
    json_decref(doc);
}

// Add the release of `amount` of commitment doc (at version) to commit:
// the movement, the document (state `state` once nothing is left) and its
// event. doc is edited.
static void
s_commit_release(cm_commit_t *commit, json_t *doc, int64_t version,
                 int64_t amount, const char *state, const line_t *line,
                 const char *by, int64_t now)
{
    const json_t *document = json_object_get(doc, "document");
    json_t *old = json_deep_copy(doc);
    line_movement_t m = {.kind = "release",
                         .committed = -amount,
                         .doc_type = cm_doc_text(document, "type"),
                         .doc_id = cm_doc_text(document, "id"),
                         .step = cm_doc_text(doc, "id"),
                         .actor = by,
                         .note = state};
    line_commit_movement(commit, line, &m, now);
    int64_t released = cm_doc_integer(doc, "released") + amount;
    json_object_set_new(doc, "released", json_integer(released));
    const char *from = cm_doc_state(old);
    bool done = released >= cm_doc_integer(doc, "amount");
    if (done) {
        json_object_set_new(doc, "state", json_string(state));
        char key[CM_STORE_KEY_MAX];
        cm_commit_index_remove(commit, s_timers_key(key),
                               cm_doc_text(doc, "id"));
    }
    cm_doc_history_add(doc, NULL, "release", done ? from : NULL,
                       done ? state : NULL, NULL,
                       json_pack("{s:I}", "amount", (json_int_t)amount), now);
    cm_doc_commit(commit, &commitment_type, old, doc, version, now);
    char subject[CM_CALL_KEY_MAX + 16];
    snprintf(subject, sizeof subject, "commitment/%s", cm_doc_text(doc, "id"));
    json_t *data = json_pack(
        "{s:O, s:O, s:I, s:O, s:s}", "reservation", json_object_get(doc, "id"),
        "line", json_object_get(doc, "line"), "amount", (json_int_t)amount,
        "document", document, "state", cm_doc_state(doc));
    cm_envelope_event_t event = {.type = FINANCE_EVENT_BUDGET_RELEASED,
                                 .source = FINANCE_OWNER,
                                 .subject = subject,
                                 .version = version + 1,
                                 .data = data};
    cm_outbox_append(commit, &event);
    json_decref(data);
    json_decref(old);
}

static json_t *
s_view(const json_t *doc)
{
    json_t *view = json_deep_copy(doc);
    json_object_del(view, "history");
    json_object_set(view, "reservation", json_object_get(doc, "id"));
    return view;
}

void
commitment_release(cm_ctx_t *ctx)
{
    if (!s_begin(ctx, s_release_fields)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    const char *id = cm_doc_text(body, "reservation");
    int64_t version = 0, now = cm_time_now_ms();
    json_t *doc = cm_doc_load(ctx, &commitment_type, id, &version);
    if (!doc) {
        return;
    }
    int64_t rest =
        cm_doc_integer(doc, "amount") - cm_doc_integer(doc, "released");
    const char *state = cm_doc_state(doc);
    bool open =
        strcmp(state, "pending") == 0 || strcmp(state, "confirmed") == 0;
    int64_t amount =
        json_object_get(body, "amount") ? cm_doc_integer(body, "amount") : rest;
    line_t line;
    if (!open || rest <= 0) {
        cm_ctx_reply(ctx, 200, s_view(doc)); // nothing left: a repeat
    } else if (amount > rest) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "amount",
                         "is more than the commitment has left");
        cm_ctx_fail(ctx, problem);
    } else if (line_read(cm_ctx_store(ctx), cm_doc_text(doc, "line"), &line)
               == 0) {
        cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
        s_commit_release(commit, doc, version, amount, "released", &line,
                         cm_ctx_actor_id(ctx), now);
        int outcome = cm_ctx_commit(ctx, commit, 200, s_view(doc));
        control_answer_limit(ctx, outcome, line.ref, amount);
        cm_commit_destroy(&commit);
        line_clear(&line);
    } else {
        cm_ctx_fail_status(ctx, CM_EUNAVAILABLE, NULL);
    }
    json_decref(doc);
}

int
commitment_confirm(cm_store_t *store, cm_commit_t *commit,
                   const char *reservation, const char *by)
{
    json_t *doc = NULL;
    int64_t version = 0, now = cm_time_now_ms();
    int rc = cm_doc_read(store, &commitment_type, reservation, &doc, &version);
    if (rc == CM_ENOTFOUND) {
        return 0; // not ours, or never committed
    }
    if (rc != 0) {
        return rc;
    }
    if (strcmp(cm_doc_state(doc), "pending") == 0) {
        json_t *old = json_deep_copy(doc);
        json_object_set_new(doc, "state", json_string("confirmed"));
        cm_doc_history_add(doc, NULL, "confirm", "pending", "confirmed", by,
                           NULL, now);
        char key[CM_STORE_KEY_MAX];
        cm_commit_index_remove(commit, s_timers_key(key), reservation);
        cm_doc_commit(commit, &commitment_type, old, doc, version, now);
        char subject[CM_CALL_KEY_MAX + 16];
        snprintf(subject, sizeof subject, "commitment/%s", reservation);
        json_t *data = json_pack("{s:s, s:O, s:O}", "reservation", reservation,
                                 "line", json_object_get(doc, "line"), "amount",
                                 json_object_get(doc, "amount"));
        cm_envelope_event_t event = {
            .type = FINANCE_EVENT_BUDGET_COMMITMENT_CONFIRMED,
            .source = FINANCE_OWNER,
            .subject = subject,
            .version = version + 1,
            .data = data};
        cm_outbox_append(commit, &event);
        json_decref(data);
        json_decref(old);
    }
    json_decref(doc);
    return 0;
}

// Release one expired reservation, if it is still pending.
static void
s_expire_one(cm_store_t *store, const char *id, int64_t now)
{
    json_t *doc = NULL;
    int64_t version = 0;
    if (cm_doc_read(store, &commitment_type, id, &doc, &version) != 0) {
        return;
    }
    line_t line;
    int64_t rest =
        cm_doc_integer(doc, "amount") - cm_doc_integer(doc, "released");
    if (strcmp(cm_doc_state(doc), "pending") == 0 && rest > 0
        && line_read(store, cm_doc_text(doc, "line"), &line) == 0) {
        cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
        s_commit_release(commit, doc, version, rest, "expired", &line,
                         FINANCE_OWNER, now);
        cm_commit_result_t result;
        int rc = cm_store_commit(store, commit, &result);
        if (rc == 0 && result.outcome == CM_COMMIT_OK) {
            cm_log_notice("budget.commitment.expired", "reservation", id,
                          "line", line.ref);
        }
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
        line_clear(&line);
    }
    json_decref(doc);
}

void
commitment_expire(cm_store_t *store, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    char **due = NULL;
    size_t count = 0;
    s_timers_key(key);
    if (cm_store_timer_claim(store, key, now_ms, COMMITMENT_LEASE_MS,
                             COMMITMENT_BATCH, &due, &count)
        != 0) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        s_expire_one(store, due[i], now_ms);
        cm_store_timer_settle(store, key, due[i], now_ms + COMMITMENT_LEASE_MS,
                              0);
    }
    cm_store_strings_free(&due, count);
}
