#include "calendar_http.h"

#include <assert.h>
#include <string.h>

#include "cm_action.h"
#include "cm_field.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "dispatch.h"
#include "roster.h"

// The members of the calendar's JSON form (calendar.h) in a document.
static const char *const s_members[] = {"name",     "utc_offset_minutes",
                                        "hours",    "makeup_hours",
                                        "holidays", "makeup_days"};

// The calendar form of a document or body: only its calendar members.
// Caller owns the result.
static json_t *
s_form(const json_t *doc)
{
    json_t *form = json_object();
    assert(form);
    for (size_t i = 0; i < sizeof s_members / sizeof s_members[0]; i++) {
        json_t *value = json_object_get(doc, s_members[i]);
        if (value) {
            json_object_set(form, s_members[i], value);
        }
    }
    return form;
}

// PUT: the body must be a calendar (calendar_from_json names each bad
// member); the document takes its normal form.
static json_t *
s_replace(cm_action_t *a)
{
    json_t *form = s_form(a->body);
    calendar_t calendar;
    json_t *problem = NULL;
    bool fine = calendar_from_json(form, &calendar, &problem);
    json_decref(form);
    if (!fine) {
        return problem;
    }
    json_t *normal = calendar_to_json(&calendar, cm_doc_text(a->doc, "id"));
    json_object_update(a->doc, normal);
    json_decref(normal);
    return NULL;
}

static const cm_field_t s_fields[] = {
    {"name", CM_FIELD_ANY},
    {"utc_offset_minutes", CM_FIELD_ANY},
    {"hours", CM_FIELD_ANY},
    {"makeup_hours", CM_FIELD_ANY},
    {"holidays", CM_FIELD_ANY},
    {"makeup_days", CM_FIELD_ANY},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    {"current", "update", "deputy_head", 0, NULL, CM_WORKFLOW_STAY, NULL,
     s_fields, s_replace},
};
// clang-format on

static const cm_workflow_t s_flow = {
    .name = "dispatch.calendar",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

const cm_doc_type_t calendar_type = {
    .owner = DISPATCH_OWNER,
    .kind = "calendar",
    .what = "calendar",
    .path = "/v1/calendars",
    .workflow = &s_flow,
};

// A calendar document of name with the calendar's members.
static json_t *
s_document(const char *name, const calendar_t *calendar, int64_t now_ms)
{
    json_t *doc = cm_doc_new(name, "current", NULL, now_ms);
    json_t *form = calendar_to_json(calendar, name);
    json_object_update(doc, form);
    json_decref(form);
    return doc;
}

// Before the first PUT: the default calendar under this name.
static json_t *
s_blank(const char *name, int64_t now_ms)
{
    calendar_t calendar;
    calendar_default(&calendar);
    return s_document(name, &calendar, now_ms);
}

int
calendar_of(const char *name, const json_t *doc, calendar_t *calendar)
{
    if (!doc) {
        if (strcmp(name, "default") != 0) {
            return CM_ENOTFOUND;
        }
        calendar_default(calendar);
        return 0;
    }
    json_t *form = s_form(doc);
    json_t *problem = NULL;
    int rc = 0;
    if (!calendar_from_json(form, calendar, &problem)) {
        cm_log_error("calendar.malformed", "name", name);
        rc = CM_EINTERNAL;
    }
    json_decref(problem);
    json_decref(form);
    return rc;
}

int
calendar_load(cm_store_t *store, const char *name, calendar_t *calendar)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &calendar_type, name, &doc, &version);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return rc;
    }
    rc = calendar_of(name, doc, calendar);
    json_decref(doc);
    return rc;
}

int
calendar_exists(cm_store_t *store, const char *name)
{
    if (strcmp(name, "default") == 0) {
        return 0;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = roster_name_is_valid(name)
                 ? cm_doc_read(store, &calendar_type, name, &doc, &version)
                 : CM_ENOTFOUND;
    json_decref(doc);
    return rc == CM_EINTERNAL ? 0 : rc; // there, if broken (logged)
}

int
calendar_seed(cm_store_t *store)
{
    int64_t now = cm_time_now_ms();
    json_t *doc = s_blank("default", now);
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    int rc =
        cm_doc_commit(commit, &calendar_type, NULL, doc, CM_VERSION_NEW, now);
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    rc = rc ? rc : cm_store_commit(store, commit, &result);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(doc);
    return rc; // a CONFLICT outcome means it is there already
}

// The name of the path, or NULL after answering 404.
static const char *
s_name(cm_ctx_t *ctx)
{
    const char *name = cm_ctx_param(ctx, "name");
    if (roster_name_is_valid(name)) {
        return name;
    }
    cm_doc_fail(ctx, CM_ENOTFOUND, &calendar_type, name);
    return NULL;
}

void
calendar_http_get(cm_ctx_t *ctx)
{
    const char *name = s_name(ctx);
    if (!name || !dispatch_query_none(ctx)) {
        return;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc =
        cm_doc_read(cm_ctx_store(ctx), &calendar_type, name, &doc, &version);
    if (rc == CM_ENOTFOUND && strcmp(name, "default") == 0) {
        doc = s_blank(name, cm_time_now_ms()); // not seeded yet
        rc = 0;
    }
    if (rc != 0) {
        cm_doc_fail(ctx, rc, &calendar_type, name);
        return;
    }
    cm_doc_etag(ctx, version);
    cm_ctx_reply(ctx, 200, cm_doc_view(ctx, &calendar_type, doc, version));
    json_decref(doc);
}

void
calendar_http_put(cm_ctx_t *ctx)
{
    const char *name = s_name(ctx);
    if (name) {
        dispatch_put(ctx, &calendar_type, name, s_blank);
    }
}
