#include "email_thread.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "events/intake.h"

#define S_HASH_BYTES 16

const char *
email_thread_key(const char *message_id, char *key)
{
    size_t n = message_id ? strlen(message_id) : 0;
    if (n == 0 || n > EMAIL_THREAD_ID_MAX) {
        return NULL;
    }
    unsigned char hash[S_HASH_BYTES];
    crypto_generichash(hash, sizeof hash, (const unsigned char *)message_id, n,
                       NULL, 0);
    char hex[S_HASH_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return cm_store_key(key, CM_STORE_KEY_MAX, CASE_OWNER, "email", hex);
}

void
email_thread_remember(cm_commit_t *commit, const json_t *data,
                      const char *case_id)
{
    char key[CM_STORE_KEY_MAX];
    if (!email_thread_key(cm_doc_string(data, "message_id"), key)) {
        return;
    }
    char value[96];
    snprintf(value, sizeof value, "{\"case\":\"%s\"}", case_id);
    cm_commit_doc(commit, key, CM_VERSION_ANY, value);
}

// The case a message id belongs to, into id ("" when none). 0 or
// CM_EUNAVAILABLE.
static int
s_case_of(cm_store_t *store, const char *message_id, char *id, size_t size)
{
    char key[CM_STORE_KEY_MAX];
    id[0] = '\0';
    if (!email_thread_key(message_id, key)) {
        return 0;
    }
    cm_doc_t stored;
    int rc = cm_store_get(store, key, &stored);
    if (rc == CM_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return CM_EUNAVAILABLE;
    }
    json_t *link = json_loads(stored.json, 0, NULL);
    snprintf(id, size, "%s", cm_doc_text(link, "case"));
    json_decref(link);
    cm_doc_clear(&stored);
    return 0;
}

// The ids the email answers, newest first: in_reply_to, then references
// from the last. Caller owns the array.
static json_t *
s_answered_ids(const json_t *data)
{
    json_t *ids = json_array();
    const char *reply_to = cm_doc_string(data, "in_reply_to");
    if (reply_to && *reply_to) {
        json_array_append_new(ids, json_string(reply_to));
    }
    const json_t *refs = json_object_get(data, "references");
    if (json_is_array(refs)) {
        for (size_t i = json_array_size(refs); i-- > 0;) {
            const json_t *ref = json_array_get(refs, i);
            if (json_is_string(ref)) {
                json_array_append(ids, (json_t *)ref);
            }
        }
    } else if (json_is_string(refs)) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", json_string_value(refs));
        json_t *parts = json_array();
        char *save = NULL;
        for (char *word = strtok_r(copy, " \t\r\n", &save); word;
             word = strtok_r(NULL, " \t\r\n", &save)) {
            json_array_append_new(parts, json_string(word));
        }
        for (size_t i = json_array_size(parts); i-- > 0;) {
            json_array_append(ids, json_array_get(parts, i));
        }
        json_decref(parts);
    }
    while (json_array_size(ids) > EMAIL_THREAD_REFS_MAX) {
        json_array_remove(ids, json_array_size(ids) - 1);
    }
    return ids;
}

// Whether the case can take a reply now (reopening it if it closed within
// the window).
static bool
s_open_for_reply(const intake_t *intake, const json_t *doc, int64_t now_ms)
{
    const char *state = cm_doc_state(doc);
    if (strcmp(state, "cancelled") == 0) {
        return false;
    }
    if (strcmp(state, "closed") != 0) {
        return true;
    }
    int64_t closed = cm_doc_time(doc, "closed_at", 0);
    return closed > 0 && now_ms <= closed + intake->reopen_ms;
}

// Reopen a closed case for the reply (as the reopen action does).
static void
s_reopen(json_t *doc, const json_t *actor, int64_t now_ms)
{
    json_object_set_new(doc, "round",
                        json_integer(cm_doc_integer(doc, "round") + 1));
    json_object_set_new(doc, "closed_at", json_null());
    json_object_set_new(doc, "state", json_string("recorded"));
    json_object_set_new(doc, "awaiting_customer", json_false());
    cm_doc_history_add(doc, actor, "reopen", "closed", "recorded",
                       "the customer replied by email",
                       json_pack("{s:s}", "reason", "customer email"), now_ms);
}

// Add the reply to case id. 1 added, 0 the case cannot take it, -1 Redis.
static int
s_add(const intake_t *intake, cm_store_t *store, cm_commit_t *commit,
      const char *id, const json_t *envelope, const json_t *actor,
      const char *text, int64_t now_ms)
{
    json_t *old = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &case_type, id, &old, &version);
    if (rc != 0) {
        return rc == CM_ENOTFOUND ? 0 : -1;
    }
    if (!s_open_for_reply(intake, old, now_ms)) {
        json_decref(old);
        return 0;
    }
    const json_t *data = json_object_get(envelope, "data");
    json_t *doc = json_deep_copy(old);
    bool reopened = strcmp(cm_doc_state(old), "closed") == 0;
    if (reopened) {
        s_reopen(doc, actor, now_ms);
    }
    json_t *reply = json_pack("{s:s, s:O?, s:O?, s:O?}", "text", text,
                              "message_id", json_object_get(data, "message_id"),
                              "from", json_object_get(data, "from"), "subject",
                              json_object_get(data, "subject"));
    json_object_set_new(doc, "awaiting_customer", json_false());
    cm_doc_history_add(doc, actor, "customer_reply", NULL, NULL, NULL,
                       json_deep_copy(reply), now_ms);
    const char *correlation = cm_doc_string(envelope, "correlation_id");
    correlation = correlation ? correlation : cm_doc_string(envelope, "id");
    rc = cm_doc_commit(commit, &case_type, old, doc, version, now_ms);
    if (rc == 0 && reopened) {
        rc = cm_doc_event_add(commit, &case_type, INTAKE_EVENT_CASE_REOPENED,
                              doc, version + 1, actor, correlation,
                              json_pack("{s:O, s:s}", "round",
                                        json_object_get(doc, "round"), "reason",
                                        "customer email"));
    }
    if (rc == 0) {
        rc = cm_doc_event_add(
            commit, &case_type, INTAKE_EVENT_CASE_CUSTOMER_REPLIED, doc,
            version + 1, actor, correlation, json_incref(reply));
    }
    if (rc == 0) {
        email_thread_remember(commit, data, id);
        cm_log_info("case.email_threaded", "case", id, "reopened",
                    reopened ? "true" : "false");
    } else {
        cm_log_warn("case.email_unthreaded", "case", id, "reason",
                    "the case or its event would be too large");
    }
    json_decref(reply);
    json_decref(doc);
    json_decref(old);
    return rc == 0 ? 1 : 0;
}

int
email_thread_reply(const intake_t *intake, cm_store_t *store,
                   cm_commit_t *commit, const json_t *envelope,
                   const json_t *actor, const char *text, int64_t now_ms)
{
    assert(intake && store && commit && envelope && text);
    json_t *ids = s_answered_ids(json_object_get(envelope, "data"));
    int result = 0;
    size_t i;
    json_t *message;
    json_array_foreach(ids, i, message)
    {
        char id[CM_ID_MAX];
        if (s_case_of(store, json_string_value(message), id, sizeof id) != 0) {
            result = -1;
            break;
        }
        if (*id) {
            result =
                s_add(intake, store, commit, id, envelope, actor, text, now_ms);
            if (result != 0) {
                break;
            }
        }
    }
    json_decref(ids);
    return result;
}
