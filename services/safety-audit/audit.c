#include "audit.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "safety.h"

static const char s_zero_hash[AUDIT_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

const char *
audit_entry_key(char *buf, int64_t n)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)n);
    const char *key =
        cm_store_key(buf, CM_STORE_KEY_MAX, SAFETY_OWNER, "audit", id);
    assert(key);
    return key;
}

const char *
audit_index_key(char *buf, const char *kind, const char *value)
{
    char id[CM_STORE_KEY_MAX];
    int n = value ? snprintf(id, sizeof id, "audit_%s:%s", kind, value)
                  : snprintf(id, sizeof id, "audit_%s", kind);
    if (n < 0 || (size_t)n >= sizeof id) {
        return NULL;
    }
    return cm_store_key(buf, CM_STORE_KEY_MAX, SAFETY_OWNER, "idx", id);
}

int
audit_head_read(cm_store_t *store, audit_head_t *head)
{
    memset(head, 0, sizeof *head);
    snprintf(head->hash, sizeof head->hash, "%s", s_zero_hash);
    char key[CM_STORE_KEY_MAX];
    cm_store_key(key, sizeof key, SAFETY_OWNER, "audit", "head");
    cm_doc_t doc = {0};
    int rc = cm_store_get(store, key, &doc);
    if (rc == CM_ENOTFOUND) {
        head->version = CM_VERSION_NEW;
        return 0;
    }
    json_t *json = rc == 0 ? json_loads(doc.json, 0, NULL) : NULL;
    head->version = doc.version;
    cm_doc_clear(&doc);
    if (rc != 0) {
        return rc;
    }
    const char *hash = cm_doc_string(json, "hash");
    if (!json || !hash || strlen(hash) != AUDIT_HASH_HEX - 1) {
        json_decref(json);
        cm_log_error("audit.head_unreadable", "key", key);
        return CM_EINTERNAL;
    }
    head->n = cm_doc_integer(json, "n");
    head->at_ms = cm_doc_integer(json, "at_ms");
    snprintf(head->hash, sizeof head->hash, "%s", hash);
    json_decref(json);
    return 0;
}

int
audit_hash(const char *prev_hex, const json_t *entry, char *out)
{
    unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
    size_t len = 0;
    if (!prev_hex
        || sodium_hex2bin(prev, sizeof prev, prev_hex, strlen(prev_hex), NULL,
                          &len, NULL)
               != 0
        || len != sizeof prev) {
        return -1;
    }
    json_t *canonical = json_pack("{s:O?, s:O?, s:O?}", "stream",
                                  json_object_get(entry, "stream"), "entry",
                                  json_object_get(entry, "entry"), "envelope",
                                  json_object_get(entry, "envelope"));
    char *text =
        canonical ? json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(canonical);
    if (!text) {
        return -1;
    }
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, sizeof hash);
    crypto_generichash_update(&state, prev, sizeof prev);
    crypto_generichash_update(&state, (const unsigned char *)text,
                              strlen(text));
    crypto_generichash_final(&state, hash, sizeof hash);
    free(text);
    sodium_bin2hex(out, AUDIT_HASH_HEX, hash, sizeof hash);
    return 0;
}

// The entry of event n after head (not yet hashed). Caller owns it.
static json_t *
s_entry(const cm_event_t *event, const audit_head_t *head, int64_t at_ms)
{
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        // Kept as the text it was: the chain holds what the stream held.
        cm_log_warn("audit.envelope_unparseable", "stream", event->stream,
                    "entry", event->id);
        envelope = json_string(event->envelope ? event->envelope : "");
    }
    const json_t *actor = json_object_get(envelope, "actor");
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(at_ms, at);
    json_t *entry = json_pack(
        "{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:s?, s:s?, s:o, s:s}", "n",
        (json_int_t)(head->n + 1), "at", at, "at_ms", (json_int_t)at_ms,
        "stream", event->stream, "entry", event->id, "seq",
        (json_int_t)event->seq, "type", event->type ? event->type : "",
        "subject", cm_doc_string(envelope, "subject"), "actor",
        cm_doc_string(actor, "id"), "envelope", envelope, "prev", head->hash);
    assert(entry);
    return entry;
}

// Index entry n under kind=value (skipped when value is absent or too long
// for a key).
static void
s_index(cm_commit_t *commit, const char *kind, const char *value,
        const char *member, int64_t score)
{
    char key[CM_STORE_KEY_MAX];
    if (value && *value && audit_index_key(key, kind, value)) {
        cm_commit_index_add(commit, key, member, score);
    }
}

int
audit_append(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit)
{
    audit_head_t head;
    int rc = audit_head_read(store, &head);
    if (rc != 0) {
        return rc;
    }
    int64_t now = cm_time_now_ms();
    int64_t at_ms = now > head.at_ms ? now : head.at_ms;
    json_t *entry = s_entry(event, &head, at_ms);
    char hash[AUDIT_HASH_HEX], key[CM_STORE_KEY_MAX], member[32];
    if (audit_hash(head.hash, entry, hash) != 0) {
        json_decref(entry);
        return CM_EINTERNAL;
    }
    json_object_set_new(entry, "hash", json_string(hash));
    int64_t n = head.n + 1;
    char *text = json_dumps(entry, JSON_COMPACT);
    cm_commit_doc(commit, audit_entry_key(key, n), CM_VERSION_NEW, text);
    free(text);
    json_t *top = json_pack("{s:I, s:s, s:I}", "n", (json_int_t)n, "hash", hash,
                            "at_ms", (json_int_t)at_ms);
    text = json_dumps(top, JSON_COMPACT);
    cm_store_key(key, sizeof key, SAFETY_OWNER, "audit", "head");
    cm_commit_doc(commit, key, head.version, text);
    free(text);
    json_decref(top);
    snprintf(member, sizeof member, "%lld", (long long)n);
    if (audit_index_key(key, "all", NULL)) {
        cm_commit_index_add(commit, key, member, n);
        cm_commit_index_add(commit, audit_index_key(key, "at", NULL), member,
                            at_ms);
    }
    s_index(commit, "type", cm_doc_string(entry, "type"), member, n);
    s_index(commit, "actor", cm_doc_string(entry, "actor"), member, n);
    s_index(commit, "subject", cm_doc_string(entry, "subject"), member, n);
    json_decref(entry);
    return 0;
}

int
audit_read_ids(cm_store_t *store, const int64_t *ns, size_t count,
               json_t **entries)
{
    assert(count <= AUDIT_READ_MAX);
    if (count == 0) {
        return 0;
    }
    char(*names)[CM_STORE_KEY_MAX] = malloc(count * sizeof *names);
    const char **keys = malloc(count * sizeof *keys);
    cm_doc_t *docs = calloc(count, sizeof *docs);
    assert(names && keys && docs);
    for (size_t i = 0; i < count; i++) {
        keys[i] = audit_entry_key(names[i], ns[i]);
        entries[i] = NULL;
    }
    int rc = cm_store_get_many(store, keys, count, NULL, docs);
    free(keys);
    free(names);
    if (rc != 0) {
        free(docs);
        return rc;
    }
    for (size_t i = 0; i < count; i++) {
        entries[i] = docs[i].json ? json_loads(docs[i].json, 0, NULL) : NULL;
    }
    cm_docs_clear(docs, count);
    free(docs);
    return 0;
}

int
audit_read(cm_store_t *store, int64_t first, size_t count, json_t **entries)
{
    assert(count <= AUDIT_READ_MAX);
    int64_t ns[AUDIT_READ_MAX];
    for (size_t i = 0; i < count; i++) {
        ns[i] = first + (int64_t)i;
    }
    return audit_read_ids(store, ns, count, entries);
}
