#include "roster.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"

#define S_DETAIL_MAX 160

// One id of on_duty: a staff id.
static bool
s_check_staff_id(const json_t *value, const char *path, json_t **problem_p)
{
    static const cm_field_t id = {"on_duty", CM_FIELD_CODE, CM_FIELD_REQUIRED};
    return cm_field_check_value(&id, value, path, problem_p);
}

// Minutes since midnight of "HH:MM" (00:00..24:00), or -1.
static int
s_minutes(const char *text)
{
    unsigned h = 0, m = 0;
    char end = '\0';
    if (!text || strlen(text) != 5
        || sscanf(text, "%2u:%2u%c", &h, &m, &end) != 2 || m > 59
        || h * 60 + m > 24 * 60) {
        return -1;
    }
    return (int)(h * 60 + m);
}

// One shift: {start, end, staff}; end before start runs past midnight.
static bool
s_check_shift(const json_t *value, const char *path, json_t **problem_p)
{
    static const cm_field_t parts[] = {
        {"start", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 5},
        {"end", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 5},
        {"staff", CM_FIELD_ARRAY, CM_FIELD_REQUIRED, .max = ROSTER_SIZE_MAX,
         .check = s_check_staff_id},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, path, "must be an object");
    }
    bool fine = cm_field_check_object(parts, value, path, problem_p);
    const char *ends[] = {"start", "end"};
    for (size_t i = 0; fine && i < 2; i++) {
        if (s_minutes(cm_doc_text(value, ends[i])) < 0) {
            char where[64];
            snprintf(where, sizeof where, "%.50s.%s", path, ends[i]);
            fine = cm_validate_fail(problem_p, where,
                                    "must be HH:MM (00:00-24:00)");
        }
    }
    if (fine
        && strcmp(cm_doc_text(value, "start"), cm_doc_text(value, "end"))
               == 0) {
        char where[64];
        snprintf(where, sizeof where, "%.50s.end", path);
        fine = cm_validate_fail(problem_p, where, "must differ from start");
    }
    return fine;
}

static const cm_field_t s_fields[] = {
    {"on_duty", CM_FIELD_ARRAY, CM_FIELD_REQUIRED, .max = ROSTER_SIZE_MAX,
     .to = "on_duty", .check = s_check_staff_id},
    {"date", CM_FIELD_DATE, 0, .to = "date"},
    {"shifts", CM_FIELD_ARRAY, 0, .max = ROSTER_SHIFTS_MAX, .to = "shifts",
     .check = s_check_shift},
    {"utc_offset_minutes", CM_FIELD_INTEGER, 0, .min = -720, .max = 840,
     .to = "utc_offset_minutes"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// A PUT replaces the whole roster: a date left out means every day, no
// shifts means none, no offset means UTC.
static json_t *
s_replace(cm_action_t *a)
{
    if (!json_object_get(a->body, "date")) {
        json_object_set_new(a->doc, "date", json_null());
    }
    if (!json_object_get(a->body, "shifts")) {
        json_object_set_new(a->doc, "shifts", json_array());
    }
    if (!json_object_get(a->body, "utc_offset_minutes")) {
        json_object_set_new(a->doc, "utc_offset_minutes", json_integer(0));
    }
    return NULL;
}

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    {"current", "update", "dept_head", CM_WORKFLOW_HEAD, NULL,
     CM_WORKFLOW_STAY, NULL, s_fields, s_replace},
    {"current", "update", "deputy_head", CM_WORKFLOW_OVERSEES, NULL,
     CM_WORKFLOW_STAY, NULL, s_fields, s_replace},
};
// clang-format on

static const cm_workflow_t s_flow = {
    .name = "dispatch.roster",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

const cm_doc_type_t roster_type = {
    .owner = DISPATCH_OWNER,
    .kind = "roster",
    .what = "roster",
    .path = "/v1/rosters",
    .workflow = &s_flow,
};

bool
roster_name_is_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= DISPATCH_NAME_MAX) {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool
roster_department_exists(cm_ctx_t *ctx, const char *dept)
{
    int rc = dispatch_department_known(cm_ctx_store(ctx), dept);
    if (rc == CM_ENOTFOUND) {
        char detail[S_DETAIL_MAX];
        snprintf(detail, sizeof detail, "There is no department %.64s.",
                 dept ? dept : "");
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", detail));
    } else if (rc != 0) {
        cm_doc_fail(ctx, rc, &roster_type, dept);
    }
    return rc == 0;
}

// An empty roster of a department: nobody on duty.
static json_t *
s_blank(const char *dept, int64_t now_ms)
{
    json_t *doc = cm_doc_new(dept, "current", NULL, now_ms);
    json_t *members =
        json_pack("{s:s, s:[], s:[], s:i, s:n}", "department", dept, "on_duty",
                  "shifts", "utc_offset_minutes", 0, "date");
    assert(members);
    json_object_update(doc, members);
    json_decref(members);
    return doc;
}

void
roster_get(cm_ctx_t *ctx)
{
    const char *dept = cm_ctx_param(ctx, "department");
    if (!dispatch_query_none(ctx) || !roster_department_exists(ctx, dept)) {
        return;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &roster_type, dept, &doc, &version);
    if (rc == CM_ENOTFOUND) {
        doc = s_blank(dept, cm_time_now_ms());
        rc = 0;
    }
    if (rc != 0) {
        cm_doc_fail(ctx, rc, &roster_type, dept);
        return;
    }
    cm_doc_etag(ctx, version);
    cm_ctx_reply(ctx, 200, cm_doc_view(ctx, &roster_type, doc, version));
    json_decref(doc);
}

void
roster_put(cm_ctx_t *ctx)
{
    const char *dept = cm_ctx_param(ctx, "department");
    if (roster_department_exists(ctx, dept)) {
        dispatch_put(ctx, &roster_type, dept, s_blank);
    }
}

json_t *
roster_on_duty(cm_store_t *store, const char *dept, int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &roster_type, dept, &doc, &version);
    if (rc == CM_ENOTFOUND) {
        json_t *empty = json_array();
        assert(empty);
        return empty;
    }
    if (rc != 0) {
        return NULL;
    }
    int64_t local = now_ms + cm_doc_integer(doc, "utc_offset_minutes") * 60000;
    const char *date = cm_doc_string(doc, "date");
    int64_t day = 0;
    bool applies = !date
                   || (calendar_date_parse(date, &day) == 0
                       && day == local / CALENDAR_DAY_MS);
    json_t *result = json_array();
    if (applies) {
        json_array_extend(result, json_object_get(doc, "on_duty"));
        int minute = (int)((local % CALENDAR_DAY_MS) / 60000);
        size_t i;
        const json_t *shift;
        json_array_foreach(json_object_get(doc, "shifts"), i, shift)
        {
            int start = s_minutes(cm_doc_text(shift, "start"));
            int end = s_minutes(cm_doc_text(shift, "end"));
            bool in = start <= end ? minute >= start && minute < end
                                   : minute >= start || minute < end;
            if (in) {
                json_array_extend(result, json_object_get(shift, "staff"));
            }
        }
    }
    json_decref(doc);
    return result;
}
