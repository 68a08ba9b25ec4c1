#include "workorder.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_validate.h"
#include "dispatch_doc.h"
#include "workorder_flow.h"

#define S_INDEX_NAME_MAX 192

json_t *
workorder_new(const char *id, const char *title, const char *dept,
              const json_t *source, const char *priority,
              const char *created_by, int64_t now_ms)
{
    assert(id && title && dept && priority && created_by);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:O, s:s, s:s, s:n, s:i, s:s, s:o, s:o, s:[]}", "id",
        id, "title", title, "department", dept, "source",
        source ? source : json_null(), "priority", priority, "state", "open",
        "assignee", "escalation_level", 0, "created_by", created_by,
        "created_at", dispatch_time_json(now_ms), "updated_at",
        dispatch_time_json(now_ms), "history");
    assert(doc);
    json_t *entry = json_pack("{s:o, s:s, s:s, s:n, s:s}", "at",
                              dispatch_time_json(now_ms), "actor", created_by,
                              "action", "create", "from", "to", "open");
    assert(entry);
    json_array_append_new(json_object_get(doc, "history"), entry);
    return doc;
}

void
workorder_keys(const json_t *doc, workorder_keys_t *keys)
{
    assert(keys);
    snprintf(keys->state, sizeof keys->state, "%s",
             dispatch_string(doc, "state"));
    snprintf(keys->department, sizeof keys->department, "%s",
             dispatch_string(doc, "department"));
    snprintf(keys->assignee, sizeof keys->assignee, "%s",
             dispatch_string(doc, "assignee"));
}

// One history entry: who, when, what, from and to, and what the body said.
static json_t *
s_history_entry(const json_t *actor, const char *action, const char *from,
                const char *to, const json_t *body, int64_t now_ms)
{
    json_t *entry = json_pack(
        "{s:o, s:s, s:s, s:s, s:s}", "at", dispatch_time_json(now_ms), "actor",
        dispatch_string(actor, "id"), "action", action, "from", from, "to", to);
    assert(entry);
    const char *members[] = {"note", "assignee", "level", "escalated_to",
                             "target"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *value = json_object_get(body, members[i]);
        if (value && !json_is_null(value)) {
            json_object_set(entry, members[i], value);
        }
    }
    return entry;
}

static void
s_apply_effects(json_t *doc, const char *action, const json_t *body)
{
    if (strcmp(action, "assign") == 0 || strcmp(action, "reassign") == 0) {
        json_t *previous = json_object_get(doc, "assignee");
        json_object_set(doc, "previous_assignee",
                        previous ? previous : json_null());
        json_object_set(doc, "assignee", json_object_get(body, "assignee"));
    } else if (strcmp(action, "escalate") == 0) {
        json_t *level = json_object_get(body, "level");
        if (json_is_integer(level)) {
            json_object_set(doc, "escalation_level", level);
        }
    }
}

json_t *
workorder_transition(json_t *doc, const char *action, const json_t *actor,
                     const json_t *body, int64_t now_ms,
                     cm_workflow_step_t *step)
{
    assert(doc && action && step);
    char from[DISPATCH_NAME_MAX];
    snprintf(from, sizeof from, "%s", dispatch_string(doc, "state"));
    json_t *problem = cm_workflow_apply(workorder_flow(), from, action, actor,
                                        doc, body, step);
    if (problem) {
        return problem;
    }
    char to[DISPATCH_NAME_MAX];
    snprintf(to, sizeof to, "%s",
             step->next_state && strcmp(step->next_state, CM_WORKFLOW_STAY)
                 ? step->next_state
                 : from);
    s_apply_effects(doc, action, body);
    json_object_set_new(doc, "state", json_string(to));
    json_object_set_new(doc, "updated_at", dispatch_time_json(now_ms));
    json_array_append_new(
        json_object_get(doc, "history"),
        s_history_entry(actor, action, from, to, body, now_ms));
    return NULL;
}

// sm:{dispatch}:idx:<prefix>:<a>[:<b>]
static void
s_index_key(char *key, const char *prefix, const char *a, const char *b)
{
    char name[S_INDEX_NAME_MAX];
    snprintf(name, sizeof name, "%s:%s%s%s", prefix, a, b ? ":" : "",
             b ? b : "");
    dispatch_key(key, "idx", name);
}

// The index memberships of a document with these keys: ZR or ZA each.
static void
s_indexes(cm_commit_t *commit, const workorder_keys_t *keys, const char *id,
          int64_t now_ms, bool add)
{
    char key[CM_STORE_KEY_MAX];
    bool unfinished = workorder_state_is_unfinished(keys->state);
    const struct {
        const char *prefix, *a;
        bool applies;
    } rows[] = {
        {"wo_state", keys->state, true},
        {"wo_assignee", keys->assignee, keys->assignee[0] != '\0'},
        {"wo_open", keys->department, unfinished},
        {"wo_unassigned", keys->department, strcmp(keys->state, "open") == 0},
        {"wo_load", keys->assignee, unfinished && keys->assignee[0]},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (!rows[i].applies) {
            continue;
        }
        s_index_key(key, rows[i].prefix, rows[i].a, NULL);
        if (add) {
            cm_commit_index_add(commit, key, id, now_ms);
        } else {
            cm_commit_index_remove(commit, key, id);
        }
    }
}

static void
s_source_index(cm_commit_t *commit, const json_t *doc, const char *id,
               int64_t now_ms)
{
    const json_t *source = json_object_get(doc, "source");
    const char *type = dispatch_string(source, "type");
    const char *source_id = dispatch_string(source, "id");
    if (*type && *source_id) {
        char key[CM_STORE_KEY_MAX];
        s_index_key(key, "wo_source", type, source_id);
        cm_commit_index_add(commit, key, id, now_ms);
    }
}

void
workorder_commit(cm_commit_t *commit, const json_t *doc, int64_t expected,
                 const workorder_keys_t *old, int64_t now_ms)
{
    assert(commit && doc && old);
    const char *id = dispatch_string(doc, "id");
    workorder_keys_t now_keys;
    workorder_keys(doc, &now_keys);
    dispatch_doc_put(commit, "workorder", id, expected, doc, now_keys.state);
    if (old->state[0]) {
        s_indexes(commit, old, id, now_ms, false);
    }
    s_indexes(commit, &now_keys, id, now_ms, true);
    char key[CM_STORE_KEY_MAX];
    cm_commit_index_add(commit, dispatch_key(key, "idx", "wo_all"), id, now_ms);
    s_index_key(key, "wo_queue", now_keys.department, NULL);
    cm_commit_index_add(commit, key, id, now_ms);
    if (old->department[0] && strcmp(old->department, now_keys.department)) {
        s_index_key(key, "wo_queue", old->department, NULL);
        cm_commit_index_remove(commit, key, id);
    }
    cm_commit_index_add(commit, dispatch_key(key, "idx", "wo_queues"),
                        now_keys.department, now_ms);
    s_source_index(commit, doc, id, now_ms);
}

json_t *
workorder_summary(const json_t *doc, int64_t version)
{
    json_t *summary = json_deep_copy(doc);
    assert(summary);
    json_object_del(summary, "history");
    json_object_set_new(summary, "version", json_integer(version));
    return summary;
}

json_t *
workorder_view(const json_t *doc, int64_t version, const json_t *actor)
{
    json_t *view = json_deep_copy(doc);
    assert(view);
    json_object_set_new(view, "version", json_integer(version));
    json_object_set_new(view, "actions",
                        cm_workflow_actions(workorder_flow(),
                                            dispatch_string(doc, "state"),
                                            actor, doc));
    return view;
}

int
workorder_event(cm_commit_t *commit, const char *type, const json_t *doc,
                int64_t version, const json_t *actor,
                const char *correlation_id)
{
    char subject[CM_STORE_KEY_MAX];
    snprintf(subject, sizeof subject, "workorder/%s",
             dispatch_string(doc, "id"));
    return dispatch_event_add(commit, type, subject, version,
                              workorder_summary(doc, version), actor,
                              correlation_id);
}

int
workorder_load(cm_store_t *store, const char *id, json_t **doc,
               int64_t *version)
{
    if (!cm_id_parse(id, WORKORDER_PREFIX, NULL)) {
        *doc = NULL;
        return CM_ENOTFOUND;
    }
    return dispatch_doc_load(store, "workorder", id, doc, version);
}

int
workorder_find_by_source(cm_store_t *store, const char *type, const char *id,
                         char *out)
{
    char key[CM_STORE_KEY_MAX];
    s_index_key(key, "wo_source", type, id);
    cm_page_t page;
    out[0] = '\0';
    int rc = cm_store_list(store, key, NULL, 1, false, &page);
    if (rc == 0 && page.count) {
        snprintf(out, CM_STORE_KEY_MAX, "%s", page.members[0]);
    }
    cm_page_clear(&page);
    return rc;
}

int
workorder_next_id(cm_store_t *store, char *out)
{
    int64_t number = 0;
    int rc = cm_store_next_id(store, DISPATCH_OWNER, "workorder", &number);
    if (rc == 0) {
        char id[CM_ID_MAX];
        snprintf(out, CM_STORE_KEY_MAX, "%s",
                 cm_id_format(WORKORDER_PREFIX, number, id));
    }
    return rc;
}

int
workorder_auto_assign(const dispatch_t *state, cm_store_t *store, json_t *doc,
                      int64_t now_ms)
{
    if (!state->auto_assign || strcmp(dispatch_string(doc, "state"), "open")) {
        return 0;
    }
    char assignee[DISPATCH_NAME_MAX];
    int rc = assign_pick(store, state->assign_policy, doc, now_ms, assignee,
                         sizeof assignee);
    if (rc != 0) {
        return rc;
    }
    if (!assignee[0]) {
        cm_log_info("workorder.unassigned", "id", dispatch_string(doc, "id"),
                    "department", dispatch_string(doc, "department"), "reason",
                    "nobody on duty");
        return 0;
    }
    json_t *actor = dispatch_system_actor();
    json_t *body = json_pack("{s:s, s:s}", "assignee", assignee, "note",
                             "automatic assignment (least_loaded)");
    cm_workflow_step_t step;
    json_t *problem =
        workorder_transition(doc, "assign", actor, body, now_ms, &step);
    json_decref(body);
    json_decref(actor);
    if (problem) {
        cm_log_error("workorder.auto_assign_refused", "id",
                     dispatch_string(doc, "id"));
        json_decref(problem);
        return 0;
    }
    cm_log_info("workorder.auto_assigned", "id", dispatch_string(doc, "id"),
                "assignee", assignee);
    return 1;
}
