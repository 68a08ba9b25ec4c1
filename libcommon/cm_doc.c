#include "cm_doc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_DETAIL_MAX   256
#define S_NAME_MAX     192
#define S_ID_ATTEMPTS  8 // ids taken by bootstrap data are skipped
#define S_LOCATION_MAX (CM_ID_MAX + 128)

// ---- keys and reads

const char *
cm_doc_key(const cm_doc_type_t *type, const char *id, char *buf, size_t size)
{
    assert(type && id && buf);
    return cm_store_key(buf, size, type->owner, type->kind, id);
}

const char *
cm_doc_index_key(const cm_doc_type_t *type, const char *param,
                 const char *value, char *buf, size_t size)
{
    assert(type && buf);
    char name[S_NAME_MAX];
    int n = param ? snprintf(name, sizeof name, "%s_%s:%s", type->kind, param,
                             value ? value : "")
                  : snprintf(name, sizeof name, "%ss", type->kind);
    if (n < 0 || (size_t)n >= sizeof name) {
        return NULL;
    }
    return cm_store_key(buf, size, type->owner, "idx", name);
}

const char *
cm_doc_history_key(const cm_doc_type_t *type, const char *id, char *buf,
                   size_t size)
{
    char name[S_NAME_MAX];
    int n = snprintf(name, sizeof name, "%s:%s", type->kind, id);
    if (n < 0 || (size_t)n >= sizeof name) {
        return NULL;
    }
    return cm_store_key(buf, size, type->owner, "history", name);
}

// Parse one stored document; NULL (logged) when it is not a JSON object.
static json_t *
s_parse(const char *key, const char *text)
{
    json_error_t error;
    json_t *doc = json_loads(text, 0, &error);
    if (!json_is_object(doc)) {
        cm_log_error("doc.unreadable", "key", key, "error",
                     doc ? "not an object" : error.text);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int
cm_doc_read(cm_store_t *store, const cm_doc_type_t *type, const char *id,
            json_t **doc, int64_t *version)
{
    assert(store && type && id && doc && version);
    *doc = NULL;
    char key[CM_STORE_KEY_MAX];
    if (!cm_doc_key(type, id, key, sizeof key)) {
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

int
cm_doc_read_many(cm_store_t *store, const cm_doc_type_t *type,
                 const char *const *ids, size_t n, json_t **docs,
                 int64_t *versions)
{
    assert(store && type && (n == 0 || (ids && docs && versions)));
    cm_doc_ref_t *refs = calloc(n + 1, sizeof *refs);
    assert(refs);
    for (size_t i = 0; i < n; i++) {
        refs[i] = (cm_doc_ref_t){type, ids[i]};
    }
    int rc = cm_doc_read_refs(store, refs, n, docs, versions);
    free(refs);
    return rc;
}

int
cm_doc_read_refs(cm_store_t *store, const cm_doc_ref_t *refs, size_t n,
                 json_t **docs, int64_t *versions)
{
    assert(store && (n == 0 || (refs && docs && versions)));
    char **keys = calloc(n + 1, sizeof(char *));
    cm_doc_t *stored = calloc(n + 1, sizeof *stored);
    assert(keys && stored);
    for (size_t i = 0; i < n; i++) {
        char key[CM_STORE_KEY_MAX];
        keys[i] = strdup(
            cm_doc_key(refs[i].type, refs[i].id, key, sizeof key) ? key : "");
        assert(keys[i]);
    }
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
cm_doc_fail(cm_ctx_t *ctx, int rc, const cm_doc_type_t *type, const char *id)
{
    assert(ctx && type);
    if (rc == CM_ENOTFOUND) {
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail, "There is no %s %.64s.", type->what,
                 id ? id : "");
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
cm_doc_load(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id,
            int64_t *version)
{
    assert(ctx && type && version);
    json_t *doc = NULL;
    int rc = id ? cm_doc_read(cm_ctx_store(ctx), type, id, &doc, version)
                : CM_ENOTFOUND;
    if (rc != 0) {
        cm_doc_fail(ctx, rc, type, id);
    }
    return doc;
}

int
cm_doc_next_id(cm_ctx_t *ctx, const cm_doc_type_t *type, char *id)
{
    assert(ctx && type && id);
    for (int attempt = 0; attempt < S_ID_ATTEMPTS; attempt++) {
        int64_t number = 0;
        int rc = cm_store_next_id(cm_ctx_store(ctx), type->owner, type->kind,
                                  &number);
        json_t *taken = NULL;
        int64_t version = 0;
        if (rc == 0) {
            cm_id_format(type->id_prefix, number, id);
            rc = cm_doc_read(cm_ctx_store(ctx), type, id, &taken, &version);
            json_decref(taken);
        }
        if (rc == CM_ENOTFOUND) {
            return 0;
        }
        if (rc != 0) {
            cm_doc_fail(ctx, rc, type, NULL);
            return -1;
        }
    }
    cm_log_error("doc.id_exhausted", "kind", type->kind);
    cm_ctx_fail_status(ctx, CM_EINTERNAL, "no free id");
    return -1;
}

// ---- members

const char *
cm_doc_string(const json_t *doc, const char *member)
{
    return json_string_value(json_object_get(doc, member));
}

const char *
cm_doc_text(const json_t *doc, const char *member)
{
    const char *text = cm_doc_string(doc, member);
    return text ? text : "";
}

int64_t
cm_doc_integer(const json_t *doc, const char *member)
{
    return json_integer_value(json_object_get(doc, member));
}

void
cm_doc_set_string(json_t *doc, const char *member, const char *value)
{
    assert(doc && member);
    json_t *text = value ? json_string(value) : NULL;
    json_object_set_new(doc, member, text ? text : json_null());
}

void
cm_doc_set_time(json_t *doc, const char *member, int64_t ms)
{
    assert(doc && member);
    char text[CM_TIME_TEXT_MAX];
    json_object_set_new(doc, member, json_string(cm_time_format(ms, text)));
}

int64_t
cm_doc_time(const json_t *doc, const char *member, int64_t fallback)
{
    int64_t ms = 0;
    const char *text = cm_doc_string(doc, member);
    return text && cm_time_parse(text, &ms) == 0 ? ms : fallback;
}

const char *
cm_doc_state(const json_t *doc)
{
    return cm_doc_text(doc, "state");
}

const cm_workflow_t *
cm_doc_workflow(const cm_doc_type_t *type, const json_t *doc)
{
    assert(type);
    return type->workflow_for ? type->workflow_for(doc) : type->workflow;
}

// ---- new documents and history

json_t *
cm_doc_new(const char *id, const char *state, const json_t *actor,
           int64_t now_ms)
{
    assert(id && state);
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms, now);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:O?, s:[], s:i}", "id", id, "state",
                  state, "created_at", now, "updated_at", now, "created_by",
                  json_object_get(actor, "id"), "history", "history_count", 0);
    assert(doc);
    if (actor) {
        cm_doc_history_add(doc, actor, "create", NULL, state, NULL, NULL,
                           now_ms);
    }
    return doc;
}

static json_t *
s_actor_summary(const json_t *actor)
{
    json_t *summary =
        json_pack("{s:O?, s:O?}", "id", json_object_get(actor, "id"), "role",
                  json_object_get(actor, "role"));
    assert(summary);
    const json_t *for_whom = json_object_get(actor, "on_behalf_of");
    if (for_whom) {
        json_object_set(summary, "on_behalf_of", (json_t *)for_whom);
    }
    return summary;
}

void
cm_doc_history_add(json_t *doc, const json_t *actor, const char *action,
                   const char *from, const char *to, const char *note,
                   json_t *data, int64_t now_ms)
{
    assert(doc && action);
    json_t *history = json_object_get(doc, "history");
    if (!json_is_array(history)) {
        history = json_array();
        json_object_set_new(doc, "history", history);
    }
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms, at);
    json_t *entry = json_pack("{s:s, s:o, s:s}", "at", at, "actor",
                              s_actor_summary(actor), "action", action);
    assert(entry);
    if (from) {
        json_object_set_new(entry, "from", json_string(from));
    }
    if (to) {
        json_object_set_new(entry, "to", json_string(to));
    }
    if (note && *note) {
        json_object_set_new(entry, "note", json_string(note));
    }
    if (data && json_object_size(data) > 0) {
        json_object_set(entry, "data", data);
    }
    json_decref(data);
    json_array_append_new(history, entry);
    int64_t count = cm_doc_integer(doc, "history_count");
    if (!json_object_get(doc, "history_count")) {
        count = (int64_t)json_array_size(history) - 1;
    }
    json_object_set_new(doc, "history_count", json_integer(count + 1));
    json_object_set_new(doc, "updated_at", json_string(at));
}

// ---- the caller's view

void
cm_doc_etag(cm_ctx_t *ctx, int64_t version)
{
    char etag[CM_DOC_ETAG_MAX];
    snprintf(etag, sizeof etag, "\"%" PRId64 "\"", version);
    cm_ctx_header(ctx, "ETag", etag);
}

bool
cm_doc_if_match(cm_ctx_t *ctx, const cm_doc_type_t *type, int64_t version)
{
    assert(ctx && type);
    int64_t wanted = 0;
    int rc = cm_ctx_if_match(ctx, &wanted);
    if (rc < 0) {
        json_t *problem =
            cm_problem_new(400, "validation_failed", "malformed If-Match");
        cm_problem_add_error(problem, "If-Match",
                             "must be the ETag of the document, e.g. \"3\"");
        cm_ctx_fail(ctx, problem);
        return false;
    }
    if (rc == 0) {
        if (!type->if_match_required) {
            return true;
        }
        cm_ctx_fail(ctx, cm_problem_new(428, "precondition_required",
                                        "send If-Match with the document's "
                                        "ETag"));
        return false;
    }
    if (wanted == version) {
        return true;
    }
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "The %s is at version %" PRId64 ", not %" PRId64
             "; read it again.",
             type->what, version, wanted);
    json_t *problem = cm_problem_new(412, "precondition_failed", detail);
    cm_problem_set(problem, "current_version", json_integer(version));
    cm_ctx_fail(ctx, problem);
    return false;
}

json_t *
cm_doc_actions(cm_ctx_t *ctx, const cm_doc_type_t *type, const json_t *doc)
{
    assert(ctx && type);
    const cm_workflow_t *flow = cm_doc_workflow(type, doc);
    return flow ? cm_workflow_actions(flow, cm_doc_state(doc),
                                      cm_ctx_actor(ctx), doc)
                : json_array();
}

json_t *
cm_doc_view(cm_ctx_t *ctx, const cm_doc_type_t *type, const json_t *doc,
            int64_t version)
{
    assert(ctx && type && doc);
    json_t *view = json_copy((json_t *)doc); // shallow: members are shared
    assert(view);
    json_object_set_new(view, "version", json_integer(version));
    json_object_set_new(view, "actions", cm_doc_actions(ctx, type, doc));
    if (type->decorate) {
        type->decorate(ctx, doc, view);
    }
    return view;
}

json_t *
cm_doc_list_item(const cm_doc_type_t *type, const json_t *doc)
{
    assert(type && doc);
    if (type->list_item) {
        return type->list_item(doc);
    }
    json_t *item = json_copy((json_t *)doc);
    assert(item);
    json_object_del(item, "history");
    char name[64];
    const char *names = type->list_omits;
    while (names && (names = cm_validate_next_name(names, name, sizeof name))) {
        json_object_del(item, name);
    }
    return item;
}

// ---- writes

// The index value of filter f in doc: a string member, or "true" for a
// boolean filter whose member is true; NULL when not indexed.
static const char *
s_index_value(const cm_filter_t *f, const json_t *doc)
{
    const json_t *value =
        json_object_get(doc, f->member ? f->member : f->param);
    if (f->flags & CM_FILTER_BOOLEAN) {
        return json_is_true(value) ? "true" : NULL;
    }
    const char *text = json_string_value(value);
    return text && *text ? text : NULL;
}

// True when array holds the string text.
static bool
s_array_holds(const json_t *array, const char *text)
{
    size_t i;
    const json_t *value;
    json_array_foreach(array, i, value)
    {
        const char *held = json_string_value(value);
        if (held && strcmp(held, text) == 0) {
            return true;
        }
    }
    return false;
}

// An array filter: out of the indexes of values old held and doc does not,
// into (or moved to now_ms in) the index of each value doc holds.
static void
s_commit_array_index(cm_commit_t *commit, const cm_doc_type_t *type,
                     const cm_filter_t *f, const json_t *old, const json_t *doc,
                     const char *id, int64_t now_ms)
{
    const char *member = f->member ? f->member : f->param;
    const json_t *before = old ? json_object_get(old, member) : NULL;
    const json_t *after = json_object_get(doc, member);
    char key[CM_STORE_KEY_MAX];
    size_t i;
    const json_t *value;
    json_array_foreach(before, i, value)
    {
        const char *text = json_string_value(value);
        if (text && *text && !s_array_holds(after, text)
            && cm_doc_index_key(type, f->param, text, key, sizeof key)) {
            cm_commit_index_remove(commit, key, id);
        }
    }
    json_array_foreach(after, i, value)
    {
        const char *text = json_string_value(value);
        if (text && *text
            && cm_doc_index_key(type, f->param, text, key, sizeof key)) {
            cm_commit_index_add(commit, key, id, now_ms);
        }
    }
}

static void
s_commit_indexes(cm_commit_t *commit, const cm_doc_type_t *type,
                 const json_t *old, const json_t *doc, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    const char *id = cm_doc_string(doc, "id");
    if (cm_doc_index_key(type, NULL, NULL, key, sizeof key)) {
        cm_commit_index_add(commit, key, id, now_ms);
    }
    for (size_t i = 0; type->filters && type->filters[i].param; i++) {
        const cm_filter_t *f = &type->filters[i];
        if (f->flags & CM_FILTER_ARRAY) {
            s_commit_array_index(commit, type, f, old, doc, id, now_ms);
            continue;
        }
        const char *before = old ? s_index_value(f, old) : NULL;
        const char *after = s_index_value(f, doc);
        if (before && (!after || strcmp(before, after) != 0)
            && cm_doc_index_key(type, f->param, before, key, sizeof key)) {
            cm_commit_index_remove(commit, key, id);
        }
        if (after && cm_doc_index_key(type, f->param, after, key, sizeof key)) {
            cm_commit_index_add(commit, key, id, now_ms);
        }
    }
}

// Entries added since old go to the history stream; the document keeps
// the last `keep`.
static void
s_commit_history(cm_commit_t *commit, const cm_doc_type_t *type,
                 const json_t *old, json_t *doc, size_t keep)
{
    json_t *history = json_object_get(doc, "history");
    size_t size = json_array_size(history);
    int64_t before = old ? cm_doc_integer(old, "history_count") : 0;
    int64_t after = cm_doc_integer(doc, "history_count");
    size_t added = after > before ? (size_t)(after - before) : 0;
    added = added > size ? size : added;
    char key[CM_STORE_KEY_MAX];
    if (added
        && cm_doc_history_key(type, cm_doc_string(doc, "id"), key,
                              sizeof key)) {
        for (size_t i = size - added; i < size; i++) {
            char *text = json_dumps(json_array_get(history, i), JSON_COMPACT);
            assert(text);
            cm_commit_ledger(commit, key, text);
            free(text);
        }
    }
    while (json_array_size(history) > keep) {
        json_array_remove(history, 0);
    }
}

// The compact text doc will be stored as: its history cut to the last
// keep entries. Caller owns the result.
static char *
s_stored_text(const json_t *doc, size_t keep)
{
    json_t *copy = json_copy((json_t *)doc); // shallow: members shared
    json_t *history = json_object_get(doc, "history");
    size_t size = json_array_size(history);
    if (size > keep) {
        json_t *tail = json_array();
        for (size_t i = size - keep; i < size; i++) {
            json_array_append(tail, json_array_get(history, i));
        }
        json_object_set_new(copy, "history", tail);
    }
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    assert(text);
    json_decref(copy);
    return text;
}

int
cm_doc_commit(cm_commit_t *commit, const cm_doc_type_t *type, const json_t *old,
              json_t *doc, int64_t expected_version, int64_t now_ms)
{
    assert(commit && type && doc && cm_doc_string(doc, "id"));
    size_t keep = type->history_keep ? type->history_keep : CM_DOC_HISTORY_KEEP;
    size_t size = json_array_size(json_object_get(doc, "history"));
    keep = keep < size ? keep : size;
    char *text = s_stored_text(doc, keep);
    // Long entries: keep fewer inline (every one is in the stream) rather
    // than refuse the document.
    while (strlen(text) > (size_t)CM_DOC_MAX_BYTES && keep > 0) {
        free(text);
        text = s_stored_text(doc, --keep);
    }
    if (strlen(text) > (size_t)CM_DOC_MAX_BYTES) {
        free(text);
        return CM_EINVAL;
    }
    s_commit_history(commit, type, old, doc, keep);
    char key[CM_STORE_KEY_MAX];
    const char *built =
        cm_doc_key(type, cm_doc_string(doc, "id"), key, sizeof key);
    assert(built); // ids are made by cm_doc_next_id or validated
    cm_commit_doc(commit, key, expected_version, text);
    free(text);
    cm_commit_field(commit, "state", cm_doc_state(doc));
    json_t *item = cm_doc_list_item(type, doc);
    char *item_text = json_dumps(item, JSON_COMPACT);
    assert(item_text);
    cm_commit_field(commit, "item", item_text);
    free(item_text);
    json_decref(item);
    s_commit_indexes(commit, type, old, doc, now_ms);
    if (type->indexes) {
        type->indexes(commit, old, doc, now_ms);
    }
    return 0;
}

// The data of an event of doc at version: the type's event data with
// `version`, updated with extra (taken). Caller owns the result.
static json_t *
s_event_data(const cm_doc_type_t *type, const json_t *doc, int64_t version,
             json_t *extra)
{
    json_t *data =
        type->event_data ? type->event_data(doc) : cm_doc_list_item(type, doc);
    assert(data);
    json_object_set_new(data, "version", json_integer(version));
    if (json_is_object(extra)) {
        json_object_update(data, extra);
    }
    json_decref(extra);
    return data;
}

int
cm_doc_event(cm_ctx_t *ctx, cm_commit_t *commit, const cm_doc_type_t *type,
             const char *event_type, const json_t *doc, int64_t version,
             json_t *extra)
{
    assert(ctx && commit && type && event_type && doc);
    json_t *data = s_event_data(type, doc, version, extra);
    char subject[S_NAME_MAX];
    snprintf(subject, sizeof subject, "%s/%s", type->kind,
             cm_doc_text(doc, "id"));
    return cm_ctx_event(ctx, commit, event_type, subject, version, data);
}

int
cm_doc_event_add(cm_commit_t *commit, const cm_doc_type_t *type,
                 const char *event_type, const json_t *doc, int64_t version,
                 const json_t *actor, const char *correlation_id, json_t *extra)
{
    assert(commit && type && event_type && doc);
    json_t *data = s_event_data(type, doc, version, extra);
    char subject[S_NAME_MAX];
    snprintf(subject, sizeof subject, "%s/%s", type->kind,
             cm_doc_text(doc, "id"));
    cm_envelope_event_t fields = {
        .type = event_type,
        .source = type->owner,
        .subject = subject,
        .version = version,
        .correlation_id = correlation_id,
        .actor = actor,
        .data = data,
    };
    int rc = cm_outbox_append(commit, &fields);
    json_decref(data);
    return rc;
}

int
cm_doc_reply_commit(cm_ctx_t *ctx, cm_commit_t *commit,
                    const cm_doc_type_t *type, int status, const json_t *doc,
                    int64_t version)
{
    assert(ctx && commit && type && doc);
    cm_doc_etag(ctx, version);
    if (status == 201 && type->path) {
        char location[S_LOCATION_MAX];
        snprintf(location, sizeof location, "%s/%s", type->path,
                 cm_doc_text(doc, "id"));
        cm_ctx_header(ctx, "Location", location);
    }
    int64_t ignored = 0;
    bool conditional = cm_ctx_if_match(ctx, &ignored) == 1;
    int outcome = cm_ctx_commit(ctx, commit, status,
                                cm_doc_view(ctx, type, doc, version));
    if (outcome == CM_COMMIT_CONFLICT && conditional) {
        cm_ctx_fail(ctx, cm_problem_new(412, "precondition_failed",
                                        "the document changed meanwhile; "
                                        "read it again"));
    }
    return outcome;
}
