#include "vehicle.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/logistics.h"
#include "logistics.h"
#include "vehicle_due.h"

#define S_KINDS        "car van bus truck pickup motorcycle other"
#define S_SEATS_MAX    100
#define S_PLATE_MAX    16
#define S_ODOMETER_MAX 10000000LL // km

static const cm_field_t s_create_fields[] = {
    {"plate", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = S_PLATE_MAX},
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = S_KINDS},
    {"seats", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
     .max = S_SEATS_MAX},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"status", CM_FIELD_ENUM, 0, .values = VEHICLE_STATUSES},
    {"next_service_date", CM_FIELD_DATE, 0},
    {"insurance_until", CM_FIELD_DATE, 0},
    {"odometer_km", CM_FIELD_INTEGER, 0, .min = 0, .max = S_ODOMETER_MAX},
    {"next_service_km", CM_FIELD_INTEGER, 0, .min = 1, .max = S_ODOMETER_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"kind", CM_FIELD_ENUM, 0, .values = S_KINDS, .to = "kind"},
    {"seats", CM_FIELD_INTEGER, 0, .min = 1, .max = S_SEATS_MAX, .to = "seats"},
    {"department", CM_FIELD_CODE, 0, .to = "department"},
    {"status", CM_FIELD_ENUM, 0, .values = VEHICLE_STATUSES, .to = "status"},
    {"next_service_date", CM_FIELD_DATE, 0, .to = "next_service_date"},
    {"insurance_until", CM_FIELD_DATE, 0, .to = "insurance_until"},
    {"odometer_km", CM_FIELD_INTEGER, 0, .min = 0, .max = S_ODOMETER_MAX,
     .to = "odometer_km"},
    {"next_service_km", CM_FIELD_INTEGER, 0, .min = 1, .max = S_ODOMETER_MAX,
     .to = "next_service_km"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// The department a vehicle names is open: NULL, 400 or 503.
static json_t *
s_check_department(cm_store_t *store, const json_t *doc)
{
    int rc = cm_org_department_open(store, LOGISTICS_OWNER,
                                    cm_doc_text(doc, "department"));
    if (rc == CM_ENOTFOUND) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "department",
                         "is not a department of the station");
        return problem;
    }
    return rc == 0 ? NULL : cm_problem_from_status(rc, NULL);
}

static json_t *
s_update(cm_action_t *a)
{
    const char *optional[] = {"next_service_date", "insurance_until",
                              "next_service_km"};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        if (json_is_null(json_object_get(a->doc, optional[i]))) {
            json_object_del(a->doc, optional[i]);
        }
    }
    const char *required[] = {"kind", "seats", "department", "status",
                              "odometer_km"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (json_is_null(json_object_get(a->doc, required[i]))) {
            json_t *problem = NULL;
            cm_validate_fail(&problem, required[i], "may not be cleared");
            return problem;
        }
    }
    if (cm_doc_integer(a->doc, "odometer_km")
        < cm_doc_integer(a->old, "odometer_km")) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "odometer_km",
                         "may not go below the recorded odometer");
        return problem;
    }
    json_t *problem = s_check_department(a->store, a->doc);
    json_t *work = problem ? NULL : vehicle_due_by_mileage(a->doc);
    if (work) {
        cm_action_event(a, LOGISTICS_EVENT_VEHICLE_WORK_REQUESTED, work);
    }
    return problem;
}

static const cm_workflow_row_t s_rows[] = {
    {"active", "update", LOGISTICS_STAFF_ROLES, 0, NULL, CM_WORKFLOW_STAY,
     LOGISTICS_EVENT_VEHICLE_UPDATED, s_update_fields, s_update,
     logistics_staff_guard},
};

const cm_workflow_t vehicle_workflow = {
    .name = "vehicle",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"status", NULL, VEHICLE_STATUSES},
    {"department"},
    {"kind", NULL, S_KINDS},
    {NULL},
};

const cm_doc_type_t vehicle_type = {
    .owner = LOGISTICS_OWNER,
    .kind = "vehicle",
    .what = "vehicle",
    .id_prefix = "VH",
    .path = "/v1/vehicles",
    .filters = s_filters,
    .workflow = &vehicle_workflow,
    .indexes = vehicle_due_indexes,
};

// The plate as registered: trimmed, ASCII letters in upper case, inner
// spaces and dots dropped ("粵a 123.45" → "粵A12345"). Into buf
// (S_PLATE_MAX * 4 + 1).
static const char *
s_plate(const char *text, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < size; p++) {
        if (*p == ' ' || *p == '.' || *p == '-') {
            continue;
        }
        buf[n++] = (char)toupper((unsigned char)*p);
    }
    buf[n] = '\0';
    return buf;
}

// The plate is free: NULL, 409 plate_taken naming its vehicle, or 503.
static json_t *
s_plate_free(cm_store_t *store, const char *key)
{
    cm_doc_t held;
    int rc = cm_store_get(store, key, &held);
    if (rc == CM_ENOTFOUND) {
        return NULL;
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *record = held.json ? json_loads(held.json, 0, NULL) : NULL;
    json_t *problem = cm_problem_new(409, "plate_taken",
                                     "a vehicle with this plate is "
                                     "registered");
    cm_problem_set(problem, "field", json_string("plate"));
    cm_problem_set(problem, "vehicle",
                   json_string(cm_doc_text(record, "vehicle")));
    json_decref(record);
    cm_doc_clear(&held);
    return problem;
}

static json_t *
s_new_doc(cm_ctx_t *ctx, const json_t *body, const char *plate, char *key)
{
    json_t *fields =
        json_pack("{s:s, s:i}", "status", "available", "odometer_km", 0);
    json_object_update(fields, (json_t *)body);
    json_object_set_new(fields, "plate", json_string(plate));
    json_t *problem = s_check_department(cm_ctx_store(ctx), fields);
    if (!problem) {
        problem =
            s_plate_free(cm_ctx_store(ctx), logistics_key(key, "plate", plate));
    }
    if (problem) {
        json_decref(fields);
        cm_ctx_fail(ctx, problem);
        return NULL;
    }
    return fields;
}

void
vehicle_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!logistics_is_staff(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics staff keep the vehicle register");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char plate[S_PLATE_MAX * 4 + 1], key[CM_STORE_KEY_MAX], id[CM_ID_MAX];
    s_plate(cm_doc_text(body, "plate"), plate, sizeof plate);
    if (!*plate) {
        cm_validate_fail(&problem, "plate", "is required");
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *fields = s_new_doc(ctx, body, plate, key);
    if (!fields || cm_doc_next_id(ctx, &vehicle_type, id) != 0) {
        json_decref(fields);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, fields);
    json_decref(fields);
    cm_commit_t *commit = cm_commit_new(LOGISTICS_OWNER);
    // The plate record, new: a concurrent registration of the same plate
    // conflicts and writes nothing (409).
    json_t *holder = json_pack("{s:s}", "vehicle", id);
    char *text = json_dumps(holder, JSON_COMPACT);
    cm_commit_doc(commit, key, CM_VERSION_NEW, text);
    free(text);
    json_decref(holder);
    cm_doc_commit(commit, &vehicle_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &vehicle_type, LOGISTICS_EVENT_VEHICLE_CREATED,
                 doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, &vehicle_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
vehicle_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &vehicle_type, NULL);
}

void
vehicle_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &vehicle_type);
}

void
vehicle_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &vehicle_type);
}

void
vehicle_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &vehicle_type);
}
