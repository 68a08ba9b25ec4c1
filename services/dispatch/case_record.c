#include "case_record.h"

#include <assert.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_status.h"
#include "dispatch.h"
#include "events/intake.h"

// Where records live (cm_doc keys and reads; the record has no process, no
// history and no list).
const cm_doc_type_t case_record_type = {
    .owner = DISPATCH_OWNER,
    .kind = "case",
    .what = "case",
};

int
case_record_load(cm_store_t *store, const char *id, json_t **record,
                 int64_t *version)
{
    assert(store && id && record && version);
    int rc = cm_doc_read(store, &case_record_type, id, record, version);
    if (rc == CM_ENOTFOUND) {
        *version = CM_VERSION_NEW;
        return 0;
    }
    return rc;
}

static bool
s_has(const json_t *array, const char *text)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        const char *item = json_string_value(json_array_get(array, i));
        if (item && strcmp(item, text) == 0) {
            return true;
        }
    }
    return false;
}

case_record_seen_t
case_record_seen(const json_t *record, const char *type, int64_t version)
{
    assert(type);
    int64_t applied = cm_doc_integer(record, "version");
    if (!record || version <= 0 || version > applied) {
        return CASE_RECORD_NEW;
    }
    if (version < applied) {
        return CASE_RECORD_STALE;
    }
    return s_has(json_object_get(record, "applied"), type)
               ? CASE_RECORD_DUPLICATE
               : CASE_RECORD_NEW;
}

// created_at: the case's own (data), else the time of intake.case.created,
// else (the first event heard was a later one) that event's time.
static void
s_created_at(json_t *next, const char *type, const json_t *data,
             int64_t event_ms)
{
    int64_t given = cm_doc_time(data, "created_at", 0);
    int64_t known = cm_doc_time(next, "created_at", 0);
    if (given > 0) {
        cm_doc_set_time(next, "created_at", given);
    } else if (strcmp(type, INTAKE_EVENT_CASE_CREATED) == 0 || known == 0) {
        cm_doc_set_time(next, "created_at", event_ms);
    }
}

json_t *
case_record_next(const json_t *record, const char *type, int64_t version,
                 const json_t *data, int64_t event_ms, int64_t now_ms)
{
    assert(type && data);
    json_t *next = record ? json_deep_copy(record) : json_object();
    assert(next);
    static const char *const copied[] = {"id",       "kind",       "state",
                                         "severity", "department", "assignee"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *value = json_object_get(data, copied[i]);
        json_object_set(next, copied[i], value ? value : json_null());
    }
    s_created_at(next, type, data, event_ms);
    if (version > 0) {
        bool same = version == cm_doc_integer(record, "version");
        json_t *applied = same ? json_object_get(next, "applied") : NULL;
        applied = json_is_array(applied) ? json_incref(applied) : json_array();
        json_array_append_new(applied, json_string(type));
        json_object_set_new(next, "applied", applied);
        json_object_set_new(next, "version", json_integer(version));
    }
    cm_doc_set_time(next, "updated_at", now_ms);
    return next;
}

int64_t
case_record_created_ms(const json_t *record, int64_t fallback)
{
    return cm_doc_time(record, "created_at", fallback);
}

void
case_record_commit(cm_commit_t *commit, const json_t *record, int64_t expected)
{
    dispatch_record_put(commit, &case_record_type, record, expected);
}

// True when the actor's array `key` holds the text.
static bool
s_listed(const json_t *actor, const char *key, const char *text)
{
    return *text && s_has(json_object_get(actor, key), text);
}

bool
case_record_may_act(const json_t *record, const json_t *actor)
{
    const char *role = cm_doc_text(actor, "role");
    const char *id = cm_doc_text(actor, "id");
    const char *dept = cm_doc_text(record, "department");
    const char *assignee = cm_doc_text(record, "assignee");
    if (strcmp(role, "station_head") == 0 || s_listed(actor, "heads", dept)
        || s_listed(actor, "oversees", dept)) {
        return true;
    }
    if (*assignee) {
        return strcmp(assignee, id) == 0;
    }
    return *dept && strcmp(cm_doc_text(actor, "department"), dept) == 0
           && strcmp(role, "auditor") != 0 && strcmp(role, "system") != 0;
}
