#include "workorder.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "workorder_due.h"
#include "workorder_flow.h"

#define S_INDEX_NAME_MAX 192

static const cm_filter_t s_filters[] = {
    {"assignee"},
    // The queue: a department's unfinished work orders (WORKORDER_OPEN_IN).
    {"open_in"},
    {"queue", "department"},
    {"state", NULL, WORKORDER_STATES},
    {NULL},
};

bool
workorder_skill_is_valid(const char *skill)
{
    size_t n = skill ? strlen(skill) : 0;
    return n >= 2 && n <= WORKORDER_SKILL_MAX && skill[0] >= 'a'
           && skill[0] <= 'z'
           && strspn(skill, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

bool
workorder_check_skill(const json_t *value, const char *field,
                      json_t **problem_p)
{
    return workorder_skill_is_valid(json_string_value(value))
           || cm_validate_fail(problem_p, field,
                               "must be a skill name: 2-32 characters of "
                               "a-z, 0-9 and _, starting with a letter");
}

bool
workorder_is_unfinished(const char *state)
{
    return cm_validate_name_in(WORKORDER_UNFINISHED, state);
}

// The list item: the document without its history, and `open_in` (its
// department while unfinished) for the queue filter.
static json_t *
s_list_item(const json_t *doc)
{
    json_t *item = json_copy((json_t *)doc);
    assert(item);
    json_object_del(item, "history");
    if (workorder_is_unfinished(cm_doc_state(doc))) {
        json_object_set(item, "open_in", json_object_get(doc, "department"));
    }
    return item;
}

// sm:{dispatch}:idx:<prefix>:<a>[:<b>] into key; NULL when it does not fit.
static const char *
s_index_key(char *key, const char *prefix, const char *a, const char *b)
{
    char name[S_INDEX_NAME_MAX];
    int n = snprintf(name, sizeof name, "%s:%s%s%s", prefix, a, b ? ":" : "",
                     b ? b : "");
    return n > 0 && (size_t)n < sizeof name ? cm_store_key(
               key, CM_STORE_KEY_MAX, DISPATCH_OWNER, "idx", name)
                                            : NULL;
}

// One own index entry of doc: the value it is filed under, or NULL.
typedef const char *(s_index_value_fn)(const json_t *doc);

static const char *
s_load_value(const json_t *doc)
{
    const char *assignee = cm_doc_string(doc, "assignee");
    return assignee && *assignee && workorder_is_unfinished(cm_doc_state(doc))
               ? assignee
               : NULL;
}

static const char *
s_unassigned_value(const json_t *doc)
{
    return strcmp(cm_doc_state(doc), "open") == 0
               ? cm_doc_string(doc, "department")
               : NULL;
}

static void
s_move(cm_commit_t *commit, const char *prefix, s_index_value_fn *value,
       const json_t *old, const json_t *doc, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    const char *id = cm_doc_text(doc, "id");
    const char *before = old ? value(old) : NULL;
    const char *after = value(doc);
    if (before && (!after || strcmp(before, after) != 0)
        && s_index_key(key, prefix, before, NULL)) {
        cm_commit_index_remove(commit, key, id);
    }
    if (after && s_index_key(key, prefix, after, NULL)) {
        cm_commit_index_add(commit, key, id, now_ms);
    }
}

// cm_doc_type_t.indexes: load, unassigned, source, departments.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    s_move(commit, "wo_load", s_load_value, old, doc, now_ms);
    s_move(commit, "wo_unassigned", s_unassigned_value, old, doc, now_ms);
    char key[CM_STORE_KEY_MAX];
    const json_t *source = json_object_get(doc, "source");
    const char *type = cm_doc_text(source, "type");
    const char *id = cm_doc_text(source, "id");
    if (!old && *type && *id && s_index_key(key, "wo_source", type, id)) {
        cm_commit_index_add(commit, key, cm_doc_text(doc, "id"), now_ms);
    }
    const char *dept = cm_doc_string(doc, "department");
    if (dept
        && cm_store_key(key, sizeof key, DISPATCH_OWNER, "idx", "wo_queues")) {
        cm_commit_index_add(commit, key, dept, now_ms);
    }
    workorder_due_index(commit, doc);
}

const cm_doc_type_t workorder_type = {
    .owner = DISPATCH_OWNER,
    .kind = "workorder",
    .what = "work order",
    .id_prefix = "WO",
    .path = "/v1/work-orders",
    .filters = s_filters,
    .workflow = &workorder_flow,
    .list_item = s_list_item,
    .indexes = s_indexes,
};

json_t *
workorder_new(const char *id, const char *title, const char *dept,
              const json_t *source, const char *priority, const char *origin,
              const json_t *actor, int64_t now_ms)
{
    assert(id && title && dept && priority && origin);
    json_t *self = actor ? NULL : dispatch_self_actor();
    json_t *doc = cm_doc_new(id, "open", actor ? actor : self, now_ms);
    json_t *members = json_pack(
        "{s:s, s:s, s:O, s:s, s:s, s:n, s:n, s:i, s:n}", "title", title,
        "department", dept, "source", source ? source : json_null(), "priority",
        priority, "origin", origin, "assignee", "previous_assignee",
        "escalation_level", 0, "skill");
    assert(members);
    json_object_update(doc, members);
    json_decref(members);
    json_decref(self);
    return doc;
}

bool
workorder_is_field_work(const json_t *doc)
{
    if (json_is_true(json_object_get(doc, "field_work"))) {
        return true;
    }
    const json_t *request = json_object_get(doc, "request");
    const char *kind = cm_doc_string(request, "kind");
    return json_is_true(json_object_get(request, "field_work"))
           || (kind && cm_validate_name_in(WORKORDER_FIELD_KINDS, kind));
}

void
workorder_set_due(json_t *doc, const json_t *due_at)
{
    int64_t due = 0;
    if (json_is_string(due_at)
        && cm_time_parse(json_string_value(due_at), &due) == 0) {
        cm_doc_set_time(doc, "due_at", due);
    } else {
        json_object_set_new(doc, "due_at", json_null());
    }
}

json_t *
workorder_apply_own(cm_store_t *store, cm_commit_t *commit, json_t *doc,
                    int64_t version, const char *action, const json_t *body,
                    int64_t now_ms, json_t *events)
{
    json_t *actor = dispatch_self_actor();
    cm_action_own_t own = {.type = &workorder_type,
                           .action = action,
                           .actor = actor,
                           .body = body,
                           .store = store,
                           .commit = commit,
                           .version = version,
                           .now_ms = now_ms};
    json_t *problem = cm_action_apply(&own, doc, events);
    json_decref(actor);
    return problem;
}

int
workorder_commit_own(cm_commit_t *commit, const json_t *old, json_t *doc,
                     int64_t version, const json_t *events,
                     const char *correlation_id, int64_t now_ms)
{
    assert(commit && doc);
    if (cm_doc_commit(commit, &workorder_type, old, doc, version, now_ms)
        != 0) {
        return -1;
    }
    json_t *actor = dispatch_self_actor();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(events); i++) {
        const json_t *event = json_array_get(events, i);
        rc = cm_doc_event_add(commit, &workorder_type,
                              cm_doc_text(event, "type"), doc, version + 1,
                              actor, correlation_id,
                              json_incref(json_object_get(event, "data")));
    }
    json_decref(actor);
    return rc;
}

// The size of an index, or a negative cm_status_t.
static int64_t
s_index_size(cm_store_t *store, const char *key)
{
    cm_page_t page;
    int rc = cm_store_list(store, key, NULL, 1, true, &page);
    int64_t total = rc == 0 ? page.total : rc;
    cm_page_clear(&page);
    return total;
}

int64_t
workorder_load_of(cm_store_t *store, const char *staff)
{
    char key[CM_STORE_KEY_MAX];
    return s_index_key(key, "wo_load", staff, NULL) ? s_index_size(store, key)
                                                    : 0;
}

int
workorder_queue_counts(cm_store_t *store, const char *dept, int64_t *unfinished,
                       int64_t *unassigned)
{
    char key[CM_STORE_KEY_MAX];
    *unfinished =
        cm_doc_index_key(&workorder_type, "open_in", dept, key, sizeof key)
            ? s_index_size(store, key)
            : 0;
    *unassigned = s_index_key(key, "wo_unassigned", dept, NULL)
                      ? s_index_size(store, key)
                      : 0;
    if (*unfinished < 0 || *unassigned < 0) {
        return (int)(*unfinished < 0 ? *unfinished : *unassigned);
    }
    return 0;
}

int
workorder_departments(cm_store_t *store, size_t limit, cm_page_t *page)
{
    char key[CM_STORE_KEY_MAX];
    const char *built =
        cm_store_key(key, sizeof key, DISPATCH_OWNER, "idx", "wo_queues");
    assert(built);
    return cm_store_list(store, key, NULL, limit, false, page);
}
