#include "work_request.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "dispatch.h"
#include "events/dispatch.h"
#include "workorder.h"

#define S_SUFFIX_REQUESTED ".work_requested"
#define S_SUFFIX_CANCELLED ".work_cancelled"
#define S_NAME_MAX         (WORK_REQUEST_KEY_MAX + 80)

static bool
s_check_source(const json_t *value, const char *field, json_t **problem)
{
    static const cm_field_t fields[] = {
        {"type", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"id", CM_FIELD_CODE, CM_FIELD_REQUIRED, .max = WORK_REQUEST_KEY_MAX},
        CM_FIELD_END,
    };
    (void)field; // errors name the members
    return cm_field_check(fields, value, problem);
}

static const cm_field_t s_request_fields[] = {
    {"key", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = WORK_REQUEST_KEY_MAX},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = WORKORDER_TITLE_MAX},
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, WORK_REQUEST_KINDS},
    {"source", CM_FIELD_OBJECT, CM_FIELD_REQUIRED, .check = s_check_source},
    {"priority", CM_FIELD_ENUM, 0, WORKORDER_PRIORITIES},
    {"due_at", CM_FIELD_TIME},
    {"assignee", CM_FIELD_CODE},
    {"field_work", CM_FIELD_BOOLEAN},
    {"skill", CM_FIELD_ANY, 0, .check = workorder_check_skill},
    {"note", CM_FIELD_TEXT},
    CM_FIELD_END,
};

const char *
work_request_check(const json_t *request)
{
    json_t *problem = NULL;
    bool fine = json_is_object(request)
                && cm_field_check(s_request_fields, request, &problem);
    json_decref(problem);
    return fine ? NULL : "malformed request";
}

// The event type's producer-side suffix: 1 requested, 2 cancelled, 0 other.
static int
s_kind(const char *type)
{
    size_t n = strlen(type);
    size_t a = strlen(S_SUFFIX_REQUESTED), b = strlen(S_SUFFIX_CANCELLED);
    if (n > a && strcmp(type + n - a, S_SUFFIX_REQUESTED) == 0) {
        return 1;
    }
    return n > b && strcmp(type + n - b, S_SUFFIX_CANCELLED) == 0 ? 2 : 0;
}

bool
work_request_is_type(const char *type)
{
    return type && s_kind(type) != 0;
}

// sm:{dispatch}:work_request:<producer>:<key> into key; NULL when too long.
static const char *
s_record_key(char *key, const char *producer, const char *request_key)
{
    char name[S_NAME_MAX];
    int n = snprintf(name, sizeof name, "%s:%s", producer, request_key);
    if (n < 0 || (size_t)n >= sizeof name) {
        return NULL;
    }
    return cm_store_key(key, CM_STORE_KEY_MAX, DISPATCH_OWNER, "work_request",
                        name);
}

// The work order id recorded for a request, into id ("" when none). 0 or a
// status.
static int
s_recorded(cm_store_t *store, const char *key, char *id, size_t size)
{
    cm_doc_t stored;
    id[0] = '\0';
    int rc = cm_store_get(store, key, &stored);
    if (rc == 0) {
        json_t *record = json_loads(stored.json, 0, NULL);
        snprintf(id, size, "%s", cm_doc_text(record, "workorder_id"));
        json_decref(record);
        cm_doc_clear(&stored);
    }
    return rc == CM_ENOTFOUND ? 0 : rc;
}

static void
s_refused(const char *producer, const json_t *request, const char *reason)
{
    cm_log_warn("work_request.refused", "producer", producer, "key",
                cm_doc_text(request, "key"), "reason", reason);
}

// A new work order for the request (not stored), with its `request`.
static json_t *
s_workorder(const char *id, const char *producer, const json_t *request,
            int64_t now)
{
    const char *priority = cm_doc_string(request, "priority");
    json_t *doc = workorder_new(
        id, cm_doc_text(request, "title"), cm_doc_text(request, "department"),
        json_object_get(request, "source"), priority ? priority : "normal",
        WORKORDER_ORIGIN_SERVICE, NULL, now);
    json_t *keep =
        json_pack("{s:s, s:O, s:O, s:O?, s:b}", "producer", producer, "key",
                  json_object_get(request, "key"), "kind",
                  json_object_get(request, "kind"), "due_at",
                  json_object_get(request, "due_at"), "field_work",
                  json_is_true(json_object_get(request, "field_work")));
    json_object_set_new(doc, "request", keep);
    const char *skill = cm_doc_string(request, "skill");
    if (skill) {
        json_object_set_new(doc, "skill", json_string(skill));
    }
    json_object_set_new(doc, "field_work",
                        json_boolean(workorder_is_field_work(doc)));
    workorder_set_due(doc, json_object_get(request, "due_at"));
    return doc;
}

// Assign to the named assignee (an active member of the department, as a
// manual assignment) or else automatically. 0 or a negative cm_status_t.
static int
s_assign(const dispatch_t *state, cm_store_t *store, cm_commit_t *commit,
         json_t *doc, const json_t *request, int64_t now, json_t *events)
{
    const char *assignee = cm_doc_string(request, "assignee");
    if (assignee) {
        json_t *body = json_pack("{s:s}", "assignee", assignee);
        json_t *problem = workorder_apply_own(
            store, commit, doc, CM_VERSION_NEW, "assign", body, now, events);
        int status = (int)cm_doc_integer(problem, "status");
        if (problem) {
            cm_log_warn("workorder.assign_refused", "id",
                        cm_doc_text(doc, "id"), "assignee", assignee, "code",
                        cm_doc_text(problem, "code"));
        }
        json_decref(problem);
        json_decref(body);
        if (status == 503) {
            return CM_EUNAVAILABLE;
        }
        if (!status) {
            return 0;
        }
    }
    int rc = assign_auto(state, store, doc, CM_VERSION_NEW, now, events);
    return rc < 0 ? rc : 0;
}

static int
s_open(const dispatch_t *state, cm_store_t *store, cm_commit_t *commit,
       const char *producer, const json_t *request, const char *correlation)
{
    char key[CM_STORE_KEY_MAX], recorded[CM_ID_MAX];
    if (!s_record_key(key, producer, cm_doc_text(request, "key"))) {
        s_refused(producer, request, "key too long");
        return 0;
    }
    int rc = s_recorded(store, key, recorded, sizeof recorded);
    if (rc != 0 || recorded[0]) {
        return rc; // done before: the same request once more
    }
    rc = dispatch_department_known(store, cm_doc_text(request, "department"));
    if (rc == CM_ENOTFOUND) {
        s_refused(producer, request, "unknown department");
        return 0;
    }
    int64_t number = 0;
    rc = rc ? rc
            : cm_store_next_id(store, DISPATCH_OWNER, workorder_type.kind,
                               &number);
    if (rc != 0) {
        return rc;
    }
    char id[CM_ID_MAX];
    cm_id_format(workorder_type.id_prefix, number, id);
    int64_t now = cm_time_now_ms();
    json_t *doc = s_workorder(id, producer, request, now);
    json_t *events = json_pack("[{s:s, s:{}}]", "type",
                               DISPATCH_EVENT_WORKORDER_CREATED, "data");
    rc = s_assign(state, store, commit, doc, request, now, events);
    json_t *record = json_pack("{s:s, s:s}", "id", cm_doc_text(request, "key"),
                               "workorder_id", id);
    char *text = json_dumps(record, JSON_COMPACT);
    if (rc == 0) {
        cm_commit_doc(commit, key, CM_VERSION_NEW, text);
        rc = workorder_commit_own(commit, NULL, doc, CM_VERSION_NEW, events,
                                  correlation, now)
                 ? CM_EINTERNAL
                 : 0;
    }
    if (rc == 0) {
        cm_log_info("work_request.opened", "producer", producer, "key",
                    cm_doc_text(request, "key"), "id", id);
    }
    free(text);
    json_decref(record);
    json_decref(events);
    json_decref(doc);
    return rc;
}

// Close the request's work order while unfinished.
static int
s_cancel(cm_store_t *store, cm_commit_t *commit, const char *producer,
         const json_t *request, const char *correlation)
{
    char key[CM_STORE_KEY_MAX], id[CM_ID_MAX];
    int rc = s_record_key(key, producer, cm_doc_text(request, "key"))
                 ? s_recorded(store, key, id, sizeof id)
                 : 0;
    json_t *old = NULL;
    int64_t version = 0;
    if (rc != 0 || !id[0]
        || cm_doc_read(store, &workorder_type, id, &old, &version) != 0
        || !workorder_is_unfinished(cm_doc_state(old))) {
        json_decref(old);
        return rc;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = json_deep_copy(old);
    json_t *events = json_array();
    json_t *body = json_pack("{s:s}", "note",
                             "the requesting service "
                             "cancelled the work");
    json_t *problem = workorder_apply_own(store, commit, doc, version, "close",
                                          body, now, events);
    if (!problem
        && workorder_commit_own(commit, old, doc, version, events, correlation,
                                now)
               != 0) {
        rc = CM_EINTERNAL;
    }
    json_decref(problem);
    json_decref(body);
    json_decref(events);
    json_decref(doc);
    json_decref(old);
    return rc;
}

int
work_request_on_event(cm_store_t *store, const cm_event_t *event,
                      cm_commit_t *commit, void *arg)
{
    assert(store && event && commit && arg);
    int kind = s_kind(event->type);
    if (!kind) {
        return 0; // the producer's other events are not for dispatch
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const char *producer = cm_doc_text(envelope, "source");
    const json_t *request =
        json_object_get(json_object_get(envelope, "data"), "request");
    const char *correlation = cm_doc_string(envelope, "correlation_id");
    int rc = 0;
    const char *reason = kind == 1 ? work_request_check(request) : NULL;
    if (reason || !json_is_object(request) || !*producer) {
        s_refused(producer, request, reason ? reason : "no request");
    } else if (kind == 1) {
        rc = s_open(arg, store, commit, producer, request, correlation);
    } else {
        rc = s_cancel(store, commit, producer, request, correlation);
    }
    json_decref(envelope);
    return rc;
}
