#include "case_workorder.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_validate.h"
#include "events/dispatch.h"
#include "workorder.h"

#define S_TITLE_MAX 96

static const char *
s_priority(const json_t *data)
{
    const char *severity = cm_doc_text(data, "severity");
    static const char *const map[][2] = {{"low", "low"},
                                         {"medium", "normal"},
                                         {"high", "high"},
                                         {"critical", "urgent"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(severity, map[i][0]) == 0) {
            return map[i][1];
        }
    }
    return "normal";
}

static const char *
s_department(const dispatch_reaction_t *r)
{
    const char *dept = cm_doc_text(r->data, "department");
    return *dept ? dept : r->state->default_department;
}

// The case's own work order while unfinished (*doc NULL otherwise).
static int
s_load(dispatch_reaction_t *r, json_t **doc, int64_t *version)
{
    const char *id = cm_doc_string(r->record, "workorder_id");
    *doc = NULL;
    *version = CM_VERSION_NEW;
    int rc = id ? cm_doc_read(r->store, &workorder_type, id, doc, version)
                : CM_ENOTFOUND;
    if (rc == 0 && !workorder_is_unfinished(cm_doc_state(*doc))) {
        json_decref(*doc);
        *doc = NULL;
        *version = CM_VERSION_NEW;
    }
    return rc == CM_ENOTFOUND ? 0 : rc;
}

// A new work order for the case (event dispatch.workorder.created).
static int
s_open(dispatch_reaction_t *r, json_t **doc, json_t *events)
{
    int64_t number = 0;
    int rc = cm_store_next_id(r->store, DISPATCH_OWNER, workorder_type.kind,
                              &number);
    if (rc != 0) {
        return rc;
    }
    char id[CM_ID_MAX];
    cm_id_format(workorder_type.id_prefix, number, id);
    char title[S_TITLE_MAX];
    snprintf(title, sizeof title, "%s %s", cm_doc_text(r->data, "kind"),
             r->case_id);
    json_t *source = json_pack("{s:s, s:s}", "type", "case", "id", r->case_id);
    *doc =
        workorder_new(id, title, s_department(r), source, s_priority(r->data),
                      WORKORDER_ORIGIN_EVENT, NULL, r->now);
    json_decref(source);
    const char *kind = cm_doc_text(r->data, "kind");
    json_object_set_new(
        *doc, "field_work",
        json_boolean(*kind
                     && cm_validate_name_in(WORKORDER_FIELD_CASE_KINDS, kind)));
    json_array_append_new(events,
                          json_pack("{s:s, s:{}}", "type",
                                    DISPATCH_EVENT_WORKORDER_CREATED, "data"));
    cm_doc_set_string(r->record, "workorder_id", id);
    return 0;
}

// One of dispatch's own actions on doc. A refusal is logged and changes
// nothing; only an unreadable store is an error.
static int
s_apply(dispatch_reaction_t *r, json_t *doc, int64_t version,
        const char *action, const json_t *body, json_t *events)
{
    json_t *problem = workorder_apply_own(r->store, r->commit, doc, version,
                                          action, body, r->now, events);
    int status = problem ? (int)cm_doc_integer(problem, "status") : 0;
    const char *id = cm_doc_text(doc, "id");
    const char *code = cm_doc_text(problem, "code");
    if (status && status != 503 && strstr(action, "assign")) {
        cm_log_warn("workorder.assign_refused", "id", id, "case", r->case_id,
                    "assignee", cm_doc_text(body, "assignee"), "code", code);
    } else if (status && status != 503) {
        cm_log_info("workorder.action_skipped", "id", id, "action", action,
                    "case", r->case_id, "code", code);
    }
    json_decref(problem);
    return status == 503 ? CM_EUNAVAILABLE : 0;
}

// The case's technician: assign (open) or reassign, unless it is them.
static int
s_assign(dispatch_reaction_t *r, json_t *doc, int64_t version,
         const json_t *body, json_t *events)
{
    const char *assignee = cm_doc_text(body, "assignee");
    if (strcmp(cm_doc_text(doc, "assignee"), assignee) == 0) {
        return 0;
    }
    const char *action =
        strcmp(cm_doc_state(doc), "open") == 0 ? "assign" : "reassign";
    return s_apply(r, doc, version, action, body, events);
}

// Requeue to the case's department when it moved. True when it did.
static bool
s_moved(dispatch_reaction_t *r, json_t *doc, int64_t version, json_t *events,
        int *rc)
{
    const char *dept = cm_doc_text(r->data, "department");
    if (!*dept || strcmp(dept, cm_doc_text(doc, "department")) == 0) {
        return false;
    }
    json_t *body = json_pack("{s:s, s:s}", "department", dept, "note",
                             "the case was forwarded there");
    size_t before = json_array_size(events);
    *rc = s_apply(r, doc, version, "requeue", body, events);
    json_decref(body);
    return json_array_size(events) > before;
}

// The changes of the event to doc (old NULL: a new work order).
static int
s_change(dispatch_reaction_t *r, const json_t *old, json_t *doc,
         int64_t version, const char *action, const json_t *body,
         json_t *events)
{
    int rc = 0;
    bool moved = old && s_moved(r, doc, version, events, &rc);
    if (rc == 0 && action && strcmp(action, "assign") == 0) {
        rc = s_assign(r, doc, version, body, events);
    } else if (rc == 0 && action) {
        rc = s_apply(r, doc, version, action, body, events);
    }
    if (rc == 0 && (!old || moved)) {
        rc = assign_auto(r->state, r->store, doc, version, r->now, events);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

int
case_workorder_touch(dispatch_reaction_t *r, bool create, const char *action,
                     const json_t *body)
{
    assert(r && r->record);
    json_t *old = NULL;
    int64_t version = CM_VERSION_NEW;
    int rc = s_load(r, &old, &version);
    if (rc != 0 || (!old && !create)) {
        return rc;
    }
    json_t *events = json_array();
    json_t *doc = old ? json_deep_copy(old) : NULL;
    rc = doc ? 0 : s_open(r, &doc, events);
    if (rc == 0) {
        rc = s_change(r, old, doc, version, action, body, events);
    }
    if (rc == 0 && json_array_size(events) > 0
        && workorder_commit_own(r->commit, old, doc, version, events,
                                r->correlation_id, r->now)
               != 0) {
        rc = CM_EINTERNAL;
    }
    if (rc == 0) {
        clock_set_member_all(&r->clocks, "workorder_id",
                             cm_doc_text(doc, "id"));
    }
    json_decref(events);
    json_decref(doc);
    json_decref(old);
    return rc;
}
