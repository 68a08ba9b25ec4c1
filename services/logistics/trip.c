#include "trip.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/logistics.h"
#include "logistics.h"
#include "vehicle.h"
#include "vehicle_due.h"

#define S_PASSENGERS_MAX 100
#define S_ODOMETER_MAX   10000000LL // km
#define S_FUEL_MAX       1000       // litres added on one trip
#define S_BOOKED         "assigned departed"
#define S_BOOKINGS_MAX   1000 // active bookings of one vehicle or driver read
#define S_DETAIL_MAX     256
#define S_REF_MAX        (CM_ID_MAX + 16)

// ---- bodies

static const cm_field_t s_create_fields[] = {
    {"purpose", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    {"from", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"to", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"starts_at", CM_FIELD_TIME, CM_FIELD_REQUIRED},
    {"ends_at", CM_FIELD_TIME, CM_FIELD_REQUIRED},
    {"passengers", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 1,
     .max = S_PASSENGERS_MAX},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_assign_fields[] = {
    {"vehicle", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "vehicle"},
    {"driver", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "driver"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_depart_fields[] = {
    {"odometer_start", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
     .max = S_ODOMETER_MAX, .to = "odometer_start"},
    {"fuel_pct", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0, .max = 100,
     .to = "fuel_start_pct"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_return_fields[] = {
    {"odometer_end", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0,
     .max = S_ODOMETER_MAX, .to = "odometer_end"},
    {"fuel_pct", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = 0, .max = 100,
     .to = "fuel_end_pct"},
    {"fuel_added_litres", CM_FIELD_INTEGER, 0, .min = 0, .max = S_FUEL_MAX,
     .to = "fuel_added_litres"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_reason_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    CM_FIELD_END,
};

// ---- indexes: the active bookings of each vehicle and driver

static bool
s_is_booked(const json_t *doc)
{
    return doc && cm_validate_name_in(S_BOOKED, cm_doc_state(doc));
}

static const char *
s_booking_key(char *buf, const char *kind, const char *id)
{
    char name[64];
    snprintf(name, sizeof name, "idx:booking_%s", kind);
    return logistics_key(buf, name, id);
}

static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    (void)now_ms; // scored by the trip's start
    const char *kinds[] = {"vehicle", "driver"};
    char key[CM_STORE_KEY_MAX];
    for (size_t i = 0; i < 2; i++) {
        if (s_is_booked(old)) {
            cm_commit_index_remove(
                commit,
                s_booking_key(key, kinds[i], cm_doc_text(old, kinds[i])),
                cm_doc_text(old, "id"));
        }
        if (s_is_booked(doc)) {
            cm_commit_index_add(
                commit,
                s_booking_key(key, kinds[i], cm_doc_text(doc, kinds[i])),
                cm_doc_text(doc, "id"), cm_doc_time(doc, "starts_at", 0));
        }
    }
}

// ---- assign

static json_t *
s_field_problem(const char *field, const char *message)
{
    json_t *problem = NULL;
    cm_validate_fail(&problem, field, message);
    return problem;
}

// The version of lock record kind|id (CM_VERSION_NEW when none) into
// *version, its key into key: NULL or 503.
static json_t *
s_lock_version(cm_store_t *store, const char *kind, const char *id, char *key,
               int64_t *version)
{
    char ref[S_REF_MAX];
    snprintf(ref, sizeof ref, "%s|%s", kind, id);
    logistics_key(key, "lock", ref);
    cm_doc_t lock;
    int rc = cm_store_get(store, key, &lock);
    if (rc == CM_ENOTFOUND) {
        *version = CM_VERSION_NEW;
        return NULL;
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    *version = lock.version;
    cm_doc_clear(&lock);
    return NULL;
}

static void
s_lock_write(cm_action_t *a, const char *key, int64_t version)
{
    json_t *holder = json_pack("{s:O}", "trip", json_object_get(a->doc, "id"));
    char *text = json_dumps(holder, JSON_COMPACT);
    cm_commit_doc(a->commit, key, version, text);
    free(text);
    json_decref(holder);
}

static json_t *
s_booked_problem(cm_action_t *a, const char *kind, const json_t *other)
{
    char code[32], detail[S_DETAIL_MAX];
    snprintf(code, sizeof code, "%s_booked", kind);
    snprintf(detail, sizeof detail,
             "the %s is already on trip %s from %s to %s", kind,
             cm_doc_text(other, "id"), cm_doc_text(other, "starts_at"),
             cm_doc_text(other, "ends_at"));
    json_t *problem = cm_action_refuse(a, 409, code, detail);
    cm_problem_set(problem, "field", json_string(kind));
    cm_problem_set(problem, "conflicting_trip",
                   json_string(cm_doc_text(other, "id")));
    cm_problem_set(problem, "conflict_starts_at",
                   json_string(cm_doc_text(other, "starts_at")));
    cm_problem_set(problem, "conflict_ends_at",
                   json_string(cm_doc_text(other, "ends_at")));
    return problem;
}

// The first trip of the docs (n) other than this one overlapping its
// window, or NULL. Borrowed.
static const json_t *
s_first_overlap(const json_t *doc, json_t *const *docs, size_t n)
{
    int64_t starts = cm_doc_time(doc, "starts_at", 0);
    int64_t ends = cm_doc_time(doc, "ends_at", 0);
    for (size_t i = 0; i < n; i++) {
        if (!docs[i] || !s_is_booked(docs[i])
            || strcmp(cm_doc_text(docs[i], "id"), cm_doc_text(doc, "id"))
                   == 0) {
            continue;
        }
        if (cm_doc_time(docs[i], "starts_at", 0) < ends
            && cm_doc_time(docs[i], "ends_at", 0) > starts) {
            return docs[i];
        }
    }
    return NULL;
}

// No booked trip of the vehicle or driver (kind) overlaps: NULL, 409
// naming the trip, or 503.
static json_t *
s_check_overlap(cm_action_t *a, const char *kind)
{
    char key[CM_STORE_KEY_MAX];
    cm_page_t page;
    int rc = cm_store_list(a->store,
                           s_booking_key(key, kind, cm_doc_text(a->doc, kind)),
                           NULL, S_BOOKINGS_MAX, false, &page);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *problem = NULL;
    if (page.count > 0) {
        json_t **docs = calloc(page.count, sizeof(json_t *));
        int64_t *versions = calloc(page.count, sizeof *versions);
        if (!docs || !versions) {
            abort(); // out of memory
        }
        rc = cm_doc_read_many(a->store, &trip_type,
                              (const char *const *)page.members, page.count,
                              docs, versions);
        const json_t *other =
            rc == 0 ? s_first_overlap(a->doc, docs, page.count) : NULL;
        problem = rc != 0 ? cm_problem_from_status(rc, NULL)
                  : other ? s_booked_problem(a, kind, other)
                          : NULL;
        for (size_t i = 0; rc == 0 && i < page.count; i++) {
            json_decref(docs[i]);
        }
        free(docs);
        free(versions);
    }
    cm_page_clear(&page);
    return problem;
}

// The vehicle may carry this trip: NULL, 400 unknown, 409 not available,
// 422 too few seats, or 503.
static json_t *
s_check_vehicle(cm_action_t *a)
{
    json_t *vehicle = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(a->store, &vehicle_type,
                         cm_doc_text(a->doc, "vehicle"), &vehicle, &version);
    if (rc == CM_ENOTFOUND) {
        return s_field_problem("vehicle", "is not a registered vehicle");
    }
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *problem = NULL;
    const char *status = cm_doc_text(vehicle, "status");
    int64_t seats = cm_doc_integer(vehicle, "seats");
    if (strcmp(status, "available") != 0) {
        problem = cm_action_refuse(a, 409, "vehicle_unavailable",
                                   "the vehicle is not available");
        cm_problem_set(problem, "field", json_string("vehicle"));
        cm_problem_set(problem, "vehicle_status", json_string(status));
    } else if (cm_doc_integer(a->doc, "passengers") > seats) {
        problem = cm_action_refuse(a, 422, "too_many_passengers",
                                   "the vehicle has fewer seats than the "
                                   "trip has passengers");
        cm_problem_set(problem, "field", json_string("vehicle"));
        cm_problem_set(problem, "seats", json_integer(seats));
        cm_problem_set(problem, "passengers",
                       json_integer(cm_doc_integer(a->doc, "passengers")));
    } else {
        json_object_set(a->doc, "plate", json_object_get(vehicle, "plate"));
    }
    json_decref(vehicle);
    return problem;
}

static json_t *
s_check_driver(cm_action_t *a)
{
    json_t *staff =
        cm_org_staff(a->store, LOGISTICS_OWNER, cm_doc_text(a->doc, "driver"));
    bool active = staff && cm_org_is_active(staff);
    json_decref(staff);
    return active ? NULL
                  : s_field_problem("driver", "is not an active staff member");
}

// A concurrent assignment of the vehicle or the driver committed first
// (the lock records' versions moved): say so, unless the caller's If-Match
// was answered 412.
static void
s_after_assign(cm_action_t *a, int outcome)
{
    int64_t version = 0;
    if (outcome != CM_COMMIT_CONFLICT
        || cm_ctx_if_match(a->ctx, &version) == 1) {
        return;
    }
    json_t *problem = cm_problem_new(409, "booking_conflict",
                                     "another assignment of this vehicle or "
                                     "driver, or a change of this trip, was "
                                     "committed meanwhile; nothing was "
                                     "written: read the trip and retry");
    cm_problem_set(problem, "field", json_string("vehicle"));
    cm_ctx_fail(a->ctx, problem);
}

static json_t *
s_assign(cm_action_t *a)
{
    char vehicle_lock[CM_STORE_KEY_MAX], driver_lock[CM_STORE_KEY_MAX];
    int64_t vehicle_version = 0, driver_version = 0;
    // The locks are read before the bookings: an assignment committed
    // after these reads changed a lock, and this commit then conflicts.
    json_t *problem =
        s_lock_version(a->store, "vehicle", cm_doc_text(a->doc, "vehicle"),
                       vehicle_lock, &vehicle_version);
    if (!problem) {
        problem =
            s_lock_version(a->store, "driver", cm_doc_text(a->doc, "driver"),
                           driver_lock, &driver_version);
    }
    problem = problem ? problem : s_check_vehicle(a);
    problem = problem ? problem : s_check_driver(a);
    problem = problem ? problem : s_check_overlap(a, "vehicle");
    problem = problem ? problem : s_check_overlap(a, "driver");
    if (problem) {
        return problem;
    }
    s_lock_write(a, vehicle_lock, vehicle_version);
    s_lock_write(a, driver_lock, driver_version);
    a->after_commit = s_after_assign;
    cm_doc_set_string(a->doc, "assigned_by", cm_doc_text(a->actor, "id"));
    json_object_set(a->event_data, "plate", json_object_get(a->doc, "plate"));
    return NULL;
}

// ---- depart and return

// The trip's vehicle and its version: NULL after setting *problem_p.
static json_t *
s_vehicle(cm_action_t *a, int64_t *version, json_t **problem_p)
{
    json_t *vehicle = NULL;
    int rc = cm_doc_read(a->store, &vehicle_type,
                         cm_doc_text(a->doc, "vehicle"), &vehicle, version);
    if (rc != 0) {
        *problem_p = cm_problem_from_status(
            rc == CM_ENOTFOUND ? CM_EINTERNAL : rc, NULL);
    }
    return vehicle;
}

static json_t *
s_depart(cm_action_t *a)
{
    json_t *problem = NULL;
    int64_t version = 0;
    json_t *vehicle = s_vehicle(a, &version, &problem);
    if (!vehicle) {
        return problem;
    }
    int64_t recorded = cm_doc_integer(vehicle, "odometer_km");
    if (cm_doc_integer(a->doc, "odometer_start") < recorded) {
        char message[96];
        snprintf(message, sizeof message,
                 "is below the vehicle's recorded odometer (%" PRId64 " km)",
                 recorded);
        problem = s_field_problem("odometer_start", message);
    }
    json_decref(vehicle);
    cm_doc_set_time(a->doc, "departed_at", a->now_ms);
    return problem;
}

static json_t *
s_return(cm_action_t *a)
{
    int64_t start = cm_doc_integer(a->doc, "odometer_start");
    int64_t end = cm_doc_integer(a->doc, "odometer_end");
    if (end < start) {
        return s_field_problem("odometer_end",
                               "must not be below odometer_start");
    }
    int64_t version = 0;
    json_t *problem = NULL;
    json_t *vehicle = s_vehicle(a, &version, &problem);
    if (!vehicle) {
        return problem;
    }
    json_object_set_new(a->doc, "distance_km", json_integer(end - start));
    cm_doc_set_time(a->doc, "returned_at", a->now_ms);
    json_t *old = json_deep_copy(vehicle);
    if (end > cm_doc_integer(vehicle, "odometer_km")) {
        json_object_set_new(vehicle, "odometer_km", json_integer(end));
    }
    json_t *data =
        json_pack("{s:O, s:I}", "trip", json_object_get(a->doc, "id"),
                  "odometer_km", (json_int_t)end);
    cm_doc_history_add(vehicle, a->actor, "trip_returned", NULL, NULL, NULL,
                       data, a->now_ms);
    json_t *work = vehicle_due_by_mileage(vehicle);
    // The vehicle at the version read: a concurrent change conflicts (409).
    cm_doc_commit(a->commit, &vehicle_type, old, vehicle, version, a->now_ms);
    cm_doc_event(a->ctx, a->commit, &vehicle_type,
                 LOGISTICS_EVENT_VEHICLE_UPDATED, vehicle, version + 1,
                 json_pack("{s:s, s:O}", "cause", "trip_returned", "trip",
                           json_object_get(a->doc, "id")));
    if (work) {
        cm_doc_event(a->ctx, a->commit, &vehicle_type,
                     LOGISTICS_EVENT_VEHICLE_WORK_REQUESTED, vehicle,
                     version + 1, work);
    }
    json_decref(old);
    json_decref(vehicle);
    return NULL;
}

// ---- approval

static json_t *
s_approve(cm_action_t *a)
{
    return cm_approval_approve(a, "submitted", "approved");
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "rejected");
}

// The driver of the trip takes it out and brings it back.
static bool
s_driver_guard(const json_t *actor, const json_t *doc)
{
    const char *id = json_string_value(json_object_get(actor, "id"));
    return id && strcmp(id, cm_doc_text(doc, "driver")) == 0;
}

// ---- the process

#define S_OWN   (CM_WORKFLOW_ASSIGNEE | CM_WORKFLOW_STRICT)
#define S_L     LOGISTICS_STAFF_ROLES
#define S_ANY   LOGISTICS_ANY_STAFF
#define S_STAFF logistics_staff_guard

static const cm_workflow_row_t s_rows[] = {
    {"submitted", "approve", "*", CM_WORKFLOW_APPROVER, NULL,
     CM_WORKFLOW_BY_CODE, LOGISTICS_EVENT_TRIP_APPROVED,
     cm_approval_approve_fields, s_approve},
    {"submitted", "reject", "*", CM_WORKFLOW_APPROVER, NULL,
     CM_WORKFLOW_BY_CODE, LOGISTICS_EVENT_TRIP_REJECTED,
     cm_approval_reject_fields, s_reject},
    {"approved", "assign", S_L, 0, NULL, "assigned",
     LOGISTICS_EVENT_TRIP_ASSIGNED, s_assign_fields, s_assign, S_STAFF},
    {"assigned", "depart", S_L, 0, NULL, "departed",
     LOGISTICS_EVENT_TRIP_DEPARTED, s_depart_fields, s_depart, S_STAFF},
    {"assigned", "depart", S_ANY, 0, NULL, "departed",
     LOGISTICS_EVENT_TRIP_DEPARTED, s_depart_fields, s_depart, s_driver_guard},
    {"departed", "return", S_L, 0, NULL, "done", LOGISTICS_EVENT_TRIP_RETURNED,
     s_return_fields, s_return, S_STAFF},
    {"departed", "return", S_ANY, 0, NULL, "done",
     LOGISTICS_EVENT_TRIP_RETURNED, s_return_fields, s_return, s_driver_guard},
    {"submitted approved assigned", "cancel", S_ANY, S_OWN, NULL, "cancelled",
     LOGISTICS_EVENT_TRIP_CANCELLED, s_reason_fields, NULL},
    {"submitted approved assigned", "cancel", S_L, 0, NULL, "cancelled",
     LOGISTICS_EVENT_TRIP_CANCELLED, s_reason_fields, NULL, S_STAFF},
};

const cm_workflow_t trip_workflow = {
    .name = "trip_request",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "rejected done cancelled",
    .superuser_role = "station_head",
    .assignee_field = "requested_by",
};

static const cm_filter_t s_filters[] = {
    {"vehicle"},
    {"driver"},
    {"requested_by"},
    {"department"},
    {"state", NULL,
     "submitted approved rejected assigned departed done cancelled"},
    {NULL},
};

const cm_doc_type_t trip_type = {
    .owner = LOGISTICS_OWNER,
    .kind = "trip",
    .what = "trip request",
    .id_prefix = "TR",
    .path = "/v1/trip-requests",
    .filters = s_filters,
    .workflow = &trip_workflow,
    .indexes = s_indexes,
};

// ---- handlers

// The approval matrix's class of the requester's trip: the station head's
// needs no approval, a deputy head's goes to the station head, a
// department head's to the deputy head over the department.
static const char *
s_class(cm_ctx_t *ctx)
{
    const char *role = cm_ctx_actor_role(ctx);
    if (strcmp(role, "station_head") == 0) {
        return "station_head";
    }
    if (strcmp(role, "deputy_head") == 0) {
        return "deputy_head";
    }
    return strcmp(role, "dept_head") == 0 ? "dept_head" : "staff";
}

// The new request submitted for approval in memory: NULL or a problem.
// Its events (submitted; approved when no step is needed) go to commit.
static json_t *
s_submit(cm_ctx_t *ctx, cm_commit_t *commit, json_t *doc, int64_t now)
{
    cm_action_t a = {
        .ctx = ctx,
        .type = &trip_type,
        .name = "submit",
        .doc = doc,
        .body = cm_ctx_body(ctx),
        .actor = cm_ctx_actor(ctx),
        .store = cm_ctx_store(ctx),
        .commit = commit,
        .now_ms = now,
        .event_data = json_object(),
        .status = 201,
    };
    json_t *problem =
        cm_approval_submit(&a, "trip_request", cm_doc_text(doc, "department"),
                           0, s_class(ctx), "submitted", "approved");
    if (!problem) {
        json_object_set_new(doc, "state", json_string(a.next_state));
        cm_doc_commit(commit, &trip_type, NULL, doc, CM_VERSION_NEW, now);
        cm_doc_event(ctx, commit, &trip_type, LOGISTICS_EVENT_TRIP_SUBMITTED,
                     doc, 1, json_deep_copy(a.event_data));
        if (strcmp(a.next_state, "approved") == 0) {
            cm_doc_event(ctx, commit, &trip_type, LOGISTICS_EVENT_TRIP_APPROVED,
                         doc, 1, json_deep_copy(a.event_data));
        }
    }
    json_decref(a.event_data);
    return problem;
}

void
trip_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    const char *department = cm_ctx_actor_department(ctx);
    if (!cm_validate_name_in(S_ANY, cm_ctx_actor_role(ctx)) || !department
        || !*department) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "members of staff request trips");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_time(body, "ends_at", 0) <= cm_doc_time(body, "starts_at", 0)) {
        cm_ctx_fail(ctx, s_field_problem("ends_at", "must be after starts_at"));
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &trip_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "submitted", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    json_object_set_new(doc, "department", json_string(department));
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    cm_commit_t *commit = cm_commit_new(LOGISTICS_OWNER);
    problem = s_submit(ctx, commit, doc, now);
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        cm_doc_reply_commit(ctx, commit, &trip_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
trip_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &trip_type, NULL);
}

void
trip_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &trip_type);
}

void
trip_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &trip_type);
}

void
trip_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &trip_type);
}
