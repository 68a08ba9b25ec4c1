#include "record.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "personnel.h"

#define S_DETAIL_MAX 256
#define S_ETAG_MAX   32

const char *
record_key(char *buf, size_t size, const char *kind, const char *id)
{
    assert(buf && kind && id);
    return cm_store_key(buf, size, PERSONNEL_OWNER, kind, id);
}

// Parse one stored document; NULL (logged) when it is not a JSON object.
static json_t *
s_parse(const char *key, const char *text)
{
    json_error_t error;
    json_t *doc = json_loads(text, 0, &error);
    if (!json_is_object(doc)) {
        cm_log_error("record.unreadable", "key", key, "error",
                     doc ? "not an object" : error.text);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int
record_read(cm_store_t *store, const char *kind, const char *id, json_t **doc,
            int64_t *version)
{
    assert(store && kind && id && doc && version);
    *doc = NULL;
    char key[CM_STORE_KEY_MAX];
    if (!record_key(key, sizeof key, kind, id)) {
        return CM_ENOTFOUND; // an id this long names nothing
    }
    cm_doc_t stored;
    int rc = cm_store_get(store, key, &stored);
    if (rc != 0) {
        return rc;
    }
    *doc = s_parse(key, stored.json);
    *version = stored.version;
    cm_doc_clear(&stored);
    return *doc ? 0 : CM_EINTERNAL;
}

// The keys of ids, in order; an id too long for a key gets an empty key,
// which names no document. Caller frees the array and each key.
static char **
s_keys(const char *kind, const char *const *ids, size_t n)
{
    char **keys = calloc(n + 1, sizeof(char *));
    assert(keys);
    for (size_t i = 0; i < n; i++) {
        char key[CM_STORE_KEY_MAX];
        keys[i] = strdup(record_key(key, sizeof key, kind, ids[i]) ? key : "");
        assert(keys[i]);
    }
    return keys;
}

int
record_read_many(cm_store_t *store, const char *kind, const char *const *ids,
                 size_t n, json_t **docs, int64_t *versions)
{
    assert(store && kind && (n == 0 || (ids && docs && versions)));
    char **keys = s_keys(kind, ids, n);
    cm_doc_t *stored = calloc(n + 1, sizeof *stored);
    assert(stored);
    int rc =
        cm_store_get_many(store, (const char *const *)keys, n, NULL, stored);
    for (size_t i = 0; i < n; i++) {
        docs[i] = NULL;
        versions[i] = stored[i].version;
        if (rc == 0 && stored[i].json) {
            docs[i] = s_parse(keys[i], stored[i].json);
            rc = docs[i] ? 0 : CM_EINTERNAL;
        }
    }
    for (size_t i = 0; rc && i < n; i++) {
        json_decref(docs[i]);
        docs[i] = NULL;
    }
    cm_docs_clear(stored, n);
    free(stored);
    cm_store_strings_free(&keys, n);
    return rc;
}

void
record_fail(cm_ctx_t *ctx, int rc, const char *what, const char *id)
{
    assert(ctx && what);
    if (rc == CM_ENOTFOUND) {
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail, "no %s \"%s\"", what, id ? id : "");
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", detail));
    } else if (rc == CM_EUNAVAILABLE) {
        cm_ctx_fail(ctx, cm_problem_new(503, "store_unavailable",
                                        "the store is unavailable; retry"));
        cm_ctx_header(ctx, "Retry-After", "1");
    } else {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "a stored document is broken");
    }
}

json_t *
record_load(cm_ctx_t *ctx, const char *kind, const char *what, const char *id,
            int64_t *version)
{
    json_t *doc = NULL;
    int rc = record_read(cm_ctx_store(ctx), kind, id, &doc, version);
    if (rc != 0) {
        record_fail(ctx, rc, what, id);
    }
    return doc;
}

int
record_exists(cm_ctx_t *ctx, const char *kind, const char *id, bool *exists)
{
    assert(ctx && exists);
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = record_read(cm_ctx_store(ctx), kind, id, &doc, &version);
    json_decref(doc);
    *exists = rc == 0;
    if (rc == 0 || rc == CM_ENOTFOUND) {
        return 0;
    }
    record_fail(ctx, rc, kind, id);
    return -1;
}

int
record_next_id(cm_ctx_t *ctx, const char *kind, const char *prefix, char *id)
{
    assert(ctx && kind && prefix && id);
    for (int attempt = 0; attempt < RECORD_ID_ATTEMPTS; attempt++) {
        int64_t number = 0;
        int rc =
            cm_store_next_id(cm_ctx_store(ctx), PERSONNEL_OWNER, kind, &number);
        bool taken = false;
        if (rc == 0) {
            cm_id_format(prefix, number, id);
            rc = record_exists(ctx, kind, id, &taken);
            if (rc != 0) {
                return -1; // answered
            }
        }
        if (rc != 0) {
            record_fail(ctx, rc, kind, NULL);
            return -1;
        }
        if (!taken) {
            return 0;
        }
    }
    cm_log_error("record.id_exhausted", "kind", kind);
    cm_ctx_fail_status(ctx, CM_EINTERNAL, "no free id");
    return -1;
}

void
record_history_add(json_t *doc, const char *actor_id, const char *action,
                   const char *note, const char *time)
{
    assert(doc && actor_id && action && time);
    json_t *history = json_object_get(doc, "history");
    if (!json_is_array(history)) {
        history = json_array();
        assert(history);
        json_object_set_new(doc, "history", history);
    }
    json_t *entry = json_pack("{s:s, s:s, s:s, s:o}", "actor", actor_id, "time",
                              time, "action", action, "note",
                              note ? json_string(note) : json_null());
    if (entry) {
        json_array_append_new(history, entry);
    }
    json_object_set_new(doc, "updated_at", json_string(time));
}

json_t *
record_present(const json_t *doc, int64_t version, json_t *actions)
{
    assert(doc);
    json_t *view = json_copy((json_t *)doc); // shallow: reads only
    assert(view);
    json_object_set_new(view, "version", json_integer(version));
    json_object_set_new(view, "actions", actions ? actions : json_array());
    return view;
}

int
record_parse_if_match(const char *text, int64_t *version)
{
    if (!text || !version) {
        return -1;
    }
    if (strncmp(text, "W/", 2) == 0) {
        text += 2;
    }
    size_t n = strlen(text);
    bool quoted = n >= 2 && text[0] == '"' && text[n - 1] == '"';
    const char *digits = quoted ? text + 1 : text;
    size_t len = quoted ? n - 2 : n;
    if (len == 0 || len > 18) {
        return -1;
    }
    int64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)digits[i])) {
            return -1;
        }
        value = value * 10 + (digits[i] - '0');
    }
    *version = value;
    return 0;
}

bool
record_if_match(cm_ctx_t *ctx, int64_t version)
{
    json_t *value = json_object_get(cm_ctx_query_object(ctx), RECORD_IF_MATCH);
    if (!value) {
        return true;
    }
    int64_t wanted = 0;
    if (record_parse_if_match(json_string_value(value), &wanted) != 0) {
        json_t *problem =
            cm_problem_new(400, "validation_failed", "malformed If-Match");
        cm_problem_add_error(problem, "If-Match",
                             "must be the ETag of the document, e.g. \"3\"");
        cm_ctx_fail(ctx, problem);
        return false;
    }
    if (wanted == version) {
        return true;
    }
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "the document is at version %" PRId64 ", not %" PRId64
             "; read it again",
             version, wanted);
    cm_ctx_fail(ctx, cm_problem_new(412, "precondition_failed", detail));
    return false;
}

void
record_get(cm_ctx_t *ctx, record_load_fn *load, record_present_fn *present)
{
    assert(ctx && load && present);
    int64_t version = 0;
    json_t *doc = load(ctx, &version);
    if (doc) {
        record_etag(ctx, version);
        cm_ctx_reply(ctx, 200, present(ctx, doc, version));
        json_decref(doc);
    }
}

json_t *
record_patch_begin(cm_ctx_t *ctx, record_load_fn *load,
                   const cm_workflow_t *workflow, record_validate_fn *validate,
                   int64_t *version, cm_workflow_step_t *step)
{
    assert(ctx && load && workflow && validate && version && step);
    json_t *doc = load(ctx, version);
    if (!doc || !record_if_match(ctx, *version)) {
        json_decref(doc);
        return NULL;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = cm_workflow_apply(workflow, record_state(doc), "update",
                                        cm_ctx_actor(ctx), doc, body, step);
    if (!problem) {
        problem = validate(body);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *
record_event_data(const json_t *doc, int64_t version)
{
    assert(doc);
    json_t *data = json_copy((json_t *)doc); // shallow: reads only
    assert(data);
    json_object_del(data, "history");
    json_object_set_new(data, "version", json_integer(version));
    return data;
}

void
record_commit_doc(cm_commit_t *commit, const char *kind, const char *id,
                  int64_t expected_version, const json_t *doc)
{
    assert(commit && kind && id && doc);
    char key[CM_STORE_KEY_MAX];
    const char *built = record_key(key, sizeof key, kind, id);
    assert(built); // ids are validated before anything is built
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    assert(text);
    cm_commit_doc(commit, key, expected_version, text);
    const char *state = record_string(doc, "state");
    cm_commit_field(commit, "state", state ? state : "");
    free(text);
}

void
record_etag(cm_ctx_t *ctx, int64_t version)
{
    char etag[S_ETAG_MAX];
    snprintf(etag, sizeof etag, "\"%" PRId64 "\"", version);
    cm_ctx_header(ctx, "ETag", etag);
}

int
record_commit_reply(cm_ctx_t *ctx, cm_commit_t *commit, int status,
                    json_t *body, int64_t version, const char *location)
{
    record_etag(ctx, version);
    if (location) {
        cm_ctx_header(ctx, "Location", location);
    }
    int outcome = cm_ctx_commit(ctx, commit, status, body);
    if (outcome == CM_COMMIT_CONFLICT
        && json_object_get(cm_ctx_query_object(ctx), RECORD_IF_MATCH)) {
        cm_ctx_fail(ctx, cm_problem_new(412, "precondition_failed",
                                        "the document changed meanwhile; "
                                        "read it again"));
    }
    return outcome;
}

int64_t
record_created_ms(const json_t *doc)
{
    int64_t ms = 0;
    const char *text = record_string(doc, "created_at");
    if (!text || cm_time_parse(text, &ms) != 0) {
        return cm_time_now_ms();
    }
    return ms;
}

const char *
record_state(const json_t *doc)
{
    const char *state = record_string(doc, "state");
    return state ? state : "";
}

const char *
record_string(const json_t *doc, const char *field)
{
    return json_string_value(json_object_get(doc, field));
}
