#include "case_store.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "cm_id.h"
#include "cm_status.h"

static const case_filter_t s_filters[] = {
    {"kind", "kind", "case_kind"},
    {"state", "state", "case_state"},
    {"department", "department", "case_department"},
    {"assignee", "assignee", "case_assignee"},
    {"customer", "customer_id", "case_customer"},
    {"overdue", "overdue", "case_overdue"},
    {NULL, NULL, NULL},
};

const case_filter_t *
case_store_filters(void)
{
    return s_filters;
}

const char *
case_store_index_key(char *buf, size_t size, const char *field,
                     const char *value)
{
    if (!field) {
        return cm_store_key(buf, size, CASE_OWNER, "idx", "cases");
    }
    char suffix[CM_STORE_KEY_MAX];
    int n = snprintf(suffix, sizeof suffix, "%s:%s", field, value);
    if (n < 0 || (size_t)n >= sizeof suffix) {
        return NULL;
    }
    return cm_store_key(buf, size, CASE_OWNER, "idx", suffix);
}

const char *
case_store_key(char *buf, size_t size, const char *id)
{
    return cm_store_key(buf, size, CASE_OWNER, "case", id);
}

int
case_store_load(cm_store_t *store, const char *id, json_t **doc,
                int64_t *version)
{
    assert(store && id && doc && version);
    *doc = NULL;
    char key[CM_STORE_KEY_MAX];
    if (!cm_id_parse(id, CASE_ID_PREFIX, NULL)
        || !case_store_key(key, sizeof key, id)) {
        return CM_ENOTFOUND;
    }
    cm_doc_t raw;
    int rc = cm_store_get(store, key, &raw);
    if (rc) {
        return rc;
    }
    *doc = json_loads(raw.json, 0, NULL);
    *version = raw.version;
    cm_doc_clear(&raw);
    return *doc ? 0 : CM_EINTERNAL;
}

// The document keys of a batch of case ids: keys[j] is the key of
// ids[at[j]]; ids that name no case are left out.
typedef struct {
    size_t count; // keys
    char **keys;  // owned strings
    size_t *at;   // position in ids of each key
} s_batch_t;

static void
s_batch_init(s_batch_t *self, const char *const *ids, size_t n)
{
    self->count = 0;
    self->keys = calloc(n + 1, sizeof(char *));
    self->at = calloc(n + 1, sizeof(size_t));
    assert(self->keys && self->at);
    for (size_t i = 0; i < n; i++) {
        char key[CM_STORE_KEY_MAX];
        if (cm_id_parse(ids[i], CASE_ID_PREFIX, NULL)
            && case_store_key(key, sizeof key, ids[i])) {
            self->keys[self->count] = strdup(key);
            assert(self->keys[self->count]);
            self->at[self->count++] = i;
        }
    }
}

static void
s_batch_clear(s_batch_t *self)
{
    for (size_t j = 0; j < self->count; j++) {
        free(self->keys[j]);
    }
    free(self->keys);
    free(self->at);
    memset(self, 0, sizeof *self);
}

// Keep only the entries whose flag is set, in order.
static void
s_batch_keep(s_batch_t *self, const bool *keep)
{
    size_t kept = 0;
    for (size_t j = 0; j < self->count; j++) {
        if (keep[j]) {
            self->keys[kept] = self->keys[j];
            self->at[kept++] = self->at[j];
        } else {
            free(self->keys[j]);
        }
    }
    self->count = kept;
}

// A stored item (compact JSON object text, as case_store_commit writes it)
// with `,"version":N` before its closing brace: the text json_dumps gives
// for case_list_item. NULL when the text is not shaped like an object.
static char *
s_item_text(const char *stored, int64_t version)
{
    size_t size = strlen(stored);
    if (size < 3 || stored[0] != '{' || stored[size - 1] != '}') {
        return NULL; // "{}" too: an item always has an id
    }
    size_t total = size + CASE_STORE_VERSION_BYTES;
    char *text = malloc(total);
    assert(text);
    int n = snprintf(text, total, "%.*s,\"version\":%lld}", (int)(size - 1),
                     stored, (long long)version);
    assert(n > 0 && (size_t)n < total);
    return text;
}

// The items of cases stored without one, built from their documents.
static int
s_load_whole(cm_store_t *store, const s_batch_t *batch, char **items)
{
    cm_doc_t *docs = calloc(batch->count + 1, sizeof *docs);
    assert(docs);
    int rc = cm_store_get_many(store, (const char *const *)batch->keys,
                               batch->count, NULL, docs);
    for (size_t j = 0; rc == 0 && j < batch->count; j++) {
        json_t *doc = docs[j].json ? json_loads(docs[j].json, 0, NULL) : NULL;
        if (docs[j].json && !json_is_object(doc)) {
            rc = CM_EINTERNAL;
        } else if (doc) {
            json_t *item = case_list_item(doc, docs[j].version);
            items[batch->at[j]] = json_dumps(item, JSON_COMPACT);
            assert(items[batch->at[j]]);
            json_decref(item);
        }
        json_decref(doc);
    }
    cm_docs_clear(docs, batch->count);
    free(docs);
    return rc;
}

// Read the `item` fields of the batch; *batch keeps the cases that exist
// but have no item yet.
static int
s_load_stored(cm_store_t *store, s_batch_t *batch, char **items)
{
    size_t count = batch->count;
    cm_doc_t *docs = calloc(count + 1, sizeof *docs);
    bool *whole = calloc(count + 1, sizeof *whole);
    assert(docs && whole);
    int rc = cm_store_get_many(store, (const char *const *)batch->keys, count,
                               "item", docs);
    for (size_t j = 0; rc == 0 && j < count; j++) {
        if (docs[j].json) {
            items[batch->at[j]] = s_item_text(docs[j].json, docs[j].version);
            rc = items[batch->at[j]] ? 0 : CM_EINTERNAL;
        }
        whole[j] = !docs[j].json && docs[j].version > 0;
    }
    s_batch_keep(batch, whole);
    cm_docs_clear(docs, count);
    free(docs);
    free(whole);
    return rc;
}

int
case_store_load_items(cm_store_t *store, const char *const *ids, size_t n,
                      char **items)
{
    assert(store && (ids || n == 0) && (items || n == 0));
    for (size_t i = 0; i < n; i++) {
        items[i] = NULL;
    }
    s_batch_t batch;
    s_batch_init(&batch, ids, n);
    int rc = s_load_stored(store, &batch, items);
    if (rc == 0 && batch.count > 0) {
        rc = s_load_whole(store, &batch, items);
    }
    s_batch_clear(&batch);
    for (size_t i = 0; rc && i < n; i++) {
        free(items[i]);
        items[i] = NULL;
    }
    return rc;
}

int
case_store_next_id(cm_store_t *store, char *id)
{
    int64_t number = 0;
    int rc = cm_store_next_id(store, CASE_OWNER, "case", &number);
    if (rc == 0) {
        cm_id_format(CASE_ID_PREFIX, number, id);
    }
    return rc;
}

const char *
case_store_index_value(const json_t *doc, const case_filter_t *filter)
{
    const json_t *value = json_object_get(doc, filter->member);
    if (json_is_boolean(value)) {
        return json_is_true(value) ? "true" : NULL;
    }
    return json_string_value(value);
}

// Drop the entry of an index whose value changed; add (or move) the entry
// of the current value.
static void
s_commit_filter(cm_commit_t *commit, const json_t *old, const json_t *doc,
                const case_filter_t *filter, const char *id, int64_t now_ms)
{
    const char *before = old ? case_store_index_value(old, filter) : NULL;
    const char *now = case_store_index_value(doc, filter);
    char key[CM_STORE_KEY_MAX];
    if (before && (!now || strcmp(before, now) != 0)
        && case_store_index_key(key, sizeof key, filter->index, before)) {
        cm_commit_index_remove(commit, key, id);
    }
    if (now && case_store_index_key(key, sizeof key, filter->index, now)) {
        cm_commit_index_add(commit, key, id, now_ms);
    }
}

void
case_store_commit(cm_commit_t *commit, const json_t *old, const json_t *doc,
                  int64_t expected_version, int64_t now_ms)
{
    assert(commit && doc);
    const char *id = case_string(doc, "id");
    const char *state = case_string(doc, "state");
    assert(id && state);
    char key[CM_STORE_KEY_MAX];
    const char *built = case_store_key(key, sizeof key, id);
    assert(built);
    char *text = json_dumps(doc, JSON_COMPACT);
    assert(text);
    cm_commit_doc(commit, key, expected_version, text);
    free(text);
    cm_commit_field(commit, "state", state);
    json_t *item = case_list_entry(doc);
    text = json_dumps(item, JSON_COMPACT);
    assert(text);
    cm_commit_field(commit, "item", text);
    free(text);
    json_decref(item);
    built = case_store_index_key(key, sizeof key, NULL, NULL);
    assert(built);
    cm_commit_index_add(commit, key, id, now_ms);
    for (const case_filter_t *f = s_filters; f->name; f++) {
        s_commit_filter(commit, old, doc, f, id, now_ms);
    }
}
