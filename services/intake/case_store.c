#include "case_store.h"

#include <assert.h>
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
    built = case_store_index_key(key, sizeof key, NULL, NULL);
    assert(built);
    cm_commit_index_add(commit, key, id, now_ms);
    for (const case_filter_t *f = s_filters; f->name; f++) {
        s_commit_filter(commit, old, doc, f, id, now_ms);
    }
}
