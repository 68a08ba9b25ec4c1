// logistics: the vehicle register and trip requests over the gateway with
// real tokens — every rule and refusal of docs/domain.md's logistics
// chapter (vehicles and trips).
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_time.h"
#include "suites.h"
#include "test_logistics_stack.h"

#define S_HOUR_MS 3600000LL

// A unique plate per call.
static const char *
s_plate(char *buf)
{
    static int n;
    snprintf(buf, 24, "TST-%d%d", (int)(cm_time_now_ms() % 100000), ++n);
    return buf;
}

// A vehicle of seats registered by the clerk; its id into id (48).
static void
s_vehicle(int seats, char *id)
{
    char body[256], plate[24];
    snprintf(body, sizeof body,
             "{\"plate\":\"%s\",\"kind\":\"van\",\"seats\":%d,"
             "\"department\":\"logistics\",\"odometer_km\":1000,"
             "\"next_service_date\":\"2030-01-01\"}",
             s_plate(plate), seats);
    json_t *doc = log_expect(201, LOG_CLERK, "POST", "/v1/vehicles", body);
    snprintf(id, 48, "%s", log_str(doc, "id"));
    json_decref(doc);
}

// A trip body from hour `from` to hour `to` (relative to a base far in
// the future, so tests do not collide by accident) into buf (512).
static const char *
s_trip_body(char *buf, int from, int to, int passengers)
{
    static int64_t base;
    if (!base) {
        base = cm_time_now_ms() + S_HOUR_MS * 24 * 30;
    }
    char starts[CM_TIME_TEXT_MAX], ends[CM_TIME_TEXT_MAX];
    cm_time_format(base + from * S_HOUR_MS, starts);
    cm_time_format(base + to * S_HOUR_MS, ends);
    snprintf(buf, 512,
             "{\"purpose\":\"site visit\",\"from\":\"Station\",\"to\":\"Depot "
             "%d\",\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"passengers\":%d}",
             from, starts, ends, passengers);
    return buf;
}

static json_t *
s_act(log_who_t who, const char *id, const char *action, const char *body,
      int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/trip-requests/%s/%s", id, action);
    return log_expect(status, who, "POST", path, body ? body : "{}");
}

// A trip of the technician, approved by the tech head; its id into id.
static void
s_approved_trip(int from, int to, int passengers, char *id)
{
    char body[512];
    json_t *doc = log_expect(201, LOG_TECH, "POST", "/v1/trip-requests",
                             s_trip_body(body, from, to, passengers));
    ck_assert_str_eq(log_str(doc, "state"), "submitted");
    snprintf(id, 48, "%s", log_str(doc, "id"));
    json_decref(doc);
    doc = s_act(LOG_TECH_HEAD, id, "approve", NULL, 200);
    ck_assert_str_eq(log_str(doc, "state"), "approved");
    json_decref(doc);
}

static const char *
s_assign_body(char *buf, const char *vehicle, log_who_t driver)
{
    snprintf(buf, 160, "{\"vehicle\":\"%s\",\"driver\":\"%s\"}", vehicle,
             log_stack.ids[driver]);
    return buf;
}

static json_t *
s_get(const char *collection, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/%s/%s", collection, id);
    return log_expect(200, LOG_HEAD, "GET", path, NULL);
}

// ---- vehicles

START_TEST(test_vehicle_register)
{
    char plate[24], body[256], id[48];
    s_plate(plate);
    snprintf(body, sizeof body,
             "{\"plate\":\"%s\",\"kind\":\"car\",\"seats\":4,\"department\":"
             "\"logistics\",\"insurance_until\":\"2030-06-30\"}",
             plate);
    json_t *doc = log_expect(201, LOG_CLERK, "POST", "/v1/vehicles", body);
    snprintf(id, sizeof id, "%s", log_str(doc, "id"));
    ck_assert_str_eq(log_str(doc, "status"), "available");
    ck_assert_int_eq(log_int(doc, "odometer_km"), 0);
    json_decref(doc);
    // The plate is unique (also written another way).
    json_t *problem = NULL;
    ck_assert_int_eq(
        log_http(LOG_LOG_HEAD, "POST", "/v1/vehicles", body, NULL, &problem),
        409);
    ck_assert_str_eq(log_str(problem, "code"), "plate_taken");
    ck_assert_str_eq(log_str(problem, "vehicle"), id);
    json_decref(problem);
    // Only the logistics staff register: a logistics clerk placed in another
    // department, a technician, an auditor may not.
    log_who_t refused[] = {LOG_AWAY, LOG_TECH, LOG_AUDITOR, LOG_TECH_HEAD};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(log_http(refused[i], "POST", "/v1/vehicles",
                                  "{\"plate\":\"X1\",\"kind\":\"car\","
                                  "\"seats\":4,\"department\":\"logistics\"}",
                                  NULL, NULL),
                         403);
    }
    // Every field is checked.
    ck_assert_int_eq(log_http(LOG_CLERK, "POST", "/v1/vehicles",
                              "{\"plate\":\"X2\",\"kind\":\"boat\",\"seats\":0,"
                              "\"department\":\"nowhere\"}",
                              NULL, &problem),
                     400);
    ck_assert_ptr_nonnull(log_error_for(problem, "kind"));
    ck_assert_ptr_nonnull(log_error_for(problem, "seats"));
    json_decref(problem);
    ck_assert_int_eq(log_http(LOG_CLERK, "POST", "/v1/vehicles",
                              "{\"plate\":\"X3\",\"kind\":\"car\",\"seats\":4,"
                              "\"department\":\"nowhere\"}",
                              NULL, &problem),
                     400);
    ck_assert_ptr_nonnull(log_error_for(problem, "department"));
    json_decref(problem);
    // Everyone reads the register.
    json_decref(log_expect(200, LOG_AUDITOR, "GET", "/v1/vehicles", NULL));
    json_decref(log_expect(200, LOG_TECH, "GET",
                           "/v1/vehicles?status=available", NULL));
}
END_TEST

START_TEST(test_vehicle_edit)
{
    char id[48], path[96];
    s_vehicle(8, id);
    snprintf(path, sizeof path, "/v1/vehicles/%s", id);
    json_t *doc = log_expect(200, LOG_LOG_HEAD, "PATCH", path,
                             "{\"status\":\"out_of_service\","
                             "\"next_service_date\":\"2029-03-01\"}");
    ck_assert_str_eq(log_str(doc, "status"), "out_of_service");
    json_decref(doc);
    json_t *problem = NULL;
    ck_assert_int_eq(log_http(LOG_CLERK, "PATCH", path, "{\"odometer_km\":10}",
                              NULL, &problem),
                     400);
    ck_assert_ptr_nonnull(log_error_for(problem, "odometer_km"));
    json_decref(problem);
    ck_assert_int_eq(
        log_http(LOG_CLERK, "PATCH", path, "{\"plate\":\"Z9\"}", NULL, NULL),
        400);
    ck_assert_int_eq(
        log_http(LOG_TECH, "PATCH", path, "{\"seats\":9}", NULL, NULL), 403);
    ck_assert_int_eq(
        log_http(LOG_AWAY, "PATCH", path, "{\"seats\":9}", NULL, NULL), 403);
}
END_TEST

// ---- trip requests

START_TEST(test_trip_request_rules)
{
    char body[512];
    json_t *problem = NULL;
    // The window ends after it starts.
    ck_assert_int_eq(log_http(LOG_TECH, "POST", "/v1/trip-requests",
                              s_trip_body(body, 10, 9, 2), NULL, &problem),
                     400);
    ck_assert_ptr_nonnull(log_error_for(problem, "ends_at"));
    json_decref(problem);
    ck_assert_int_eq(log_http(LOG_TECH, "POST", "/v1/trip-requests",
                              "{\"purpose\":\"x\",\"passengers\":0}", NULL,
                              &problem),
                     400);
    ck_assert_ptr_nonnull(log_error_for(problem, "passengers"));
    ck_assert_ptr_nonnull(log_error_for(problem, "from"));
    ck_assert_ptr_nonnull(log_error_for(problem, "starts_at"));
    json_decref(problem);
    // An auditor is not a requester.
    ck_assert_int_eq(log_http(LOG_AUDITOR, "POST", "/v1/trip-requests",
                              s_trip_body(body, 1, 2, 1), NULL, NULL),
                     403);
}
END_TEST

START_TEST(test_trip_approval_chain)
{
    char body[512], id[48];
    json_t *doc = log_expect(201, LOG_TECH, "POST", "/v1/trip-requests",
                             s_trip_body(body, 20, 22, 2));
    snprintf(id, sizeof id, "%s", log_str(doc, "id"));
    ck_assert_str_eq(log_str(doc, "department"), "tech");
    json_decref(doc);
    // The requester's department head approves; nobody else.
    json_decref(s_act(LOG_LOG_HEAD, id, "approve", NULL, 403));
    json_decref(s_act(LOG_TECH, id, "approve", NULL, 403));
    json_decref(s_act(LOG_CLERK, id, "assign", NULL, 409));
    // A rejection needs a reason.
    json_decref(s_act(LOG_TECH_HEAD, id, "reject", "{}", 400));
    doc =
        s_act(LOG_TECH_HEAD, id, "reject", "{\"reason\":\"not needed\"}", 200);
    ck_assert_str_eq(log_str(doc, "state"), "rejected");
    json_decref(doc);
    // A department head's own trip goes to the deputy head over it.
    doc = log_expect(201, LOG_TECH_HEAD, "POST", "/v1/trip-requests",
                     s_trip_body(body, 24, 25, 1));
    snprintf(id, sizeof id, "%s", log_str(doc, "id"));
    json_decref(doc);
    json_decref(s_act(LOG_TECH_HEAD, id, "approve", NULL, 403));
    doc = s_act(LOG_DEPUTY, id, "approve", NULL, 200);
    ck_assert_str_eq(log_str(doc, "state"), "approved");
    json_decref(doc);
    // The station head's own trip needs no approval.
    doc = log_expect(201, LOG_HEAD, "POST", "/v1/trip-requests",
                     s_trip_body(body, 26, 27, 1));
    ck_assert_str_eq(log_str(doc, "state"), "approved");
    json_decref(doc);
}
END_TEST

START_TEST(test_trip_assign_rules)
{
    char id[48], vehicle[48], small[48], body[160];
    s_vehicle(8, vehicle);
    s_vehicle(2, small);
    s_approved_trip(40, 44, 3, id);
    // Only the logistics staff assign.
    json_decref(s_act(LOG_TECH_HEAD, id, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 403));
    json_decref(s_act(LOG_AWAY, id, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 403));
    // A vehicle that exists, with the seats, and a driver on the staff.
    json_t *problem = s_act(LOG_CLERK, id, "assign",
                            s_assign_body(body, "VH-9999", LOG_DRIVER), 400);
    ck_assert_ptr_nonnull(log_error_for(problem, "vehicle"));
    json_decref(problem);
    problem = s_act(LOG_CLERK, id, "assign",
                    s_assign_body(body, small, LOG_DRIVER), 422);
    ck_assert_str_eq(log_str(problem, "code"), "too_many_passengers");
    ck_assert_int_eq(log_int(problem, "seats"), 2);
    json_decref(problem);
    snprintf(body, sizeof body, "{\"vehicle\":\"%s\",\"driver\":\"ST-999\"}",
             vehicle);
    problem = s_act(LOG_CLERK, id, "assign", body, 400);
    ck_assert_ptr_nonnull(log_error_for(problem, "driver"));
    json_decref(problem);
    // A vehicle out of service is not assigned.
    char path[96];
    snprintf(path, sizeof path, "/v1/vehicles/%s", small);
    json_decref(log_expect(200, LOG_CLERK, "PATCH", path,
                           "{\"status\":\"out_of_service\",\"seats\":9}"));
    problem = s_act(LOG_CLERK, id, "assign",
                    s_assign_body(body, small, LOG_DRIVER), 409);
    ck_assert_str_eq(log_str(problem, "code"), "vehicle_unavailable");
    json_decref(problem);
    json_t *doc = s_act(LOG_CLERK, id, "assign",
                        s_assign_body(body, vehicle, LOG_DRIVER), 200);
    ck_assert_str_eq(log_str(doc, "state"), "assigned");
    ck_assert_str_eq(log_str(doc, "vehicle"), vehicle);
    ck_assert_str_eq(log_str(doc, "driver"), log_stack.ids[LOG_DRIVER]);
    json_decref(doc);
}
END_TEST

START_TEST(test_trip_double_booking)
{
    char first[48], second[48], third[48], fourth[48], vehicle[48], other[48],
        body[160], subject[64];
    s_vehicle(8, vehicle);
    s_vehicle(8, other);
    s_approved_trip(60, 64, 2, first);
    s_approved_trip(63, 66, 2, second); // overlaps the first
    s_approved_trip(64, 66, 2, third);  // starts as the first ends
    json_decref(s_act(LOG_CLERK, first, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 200));
    // The same vehicle: refused, naming the first trip.
    json_t *problem = s_act(LOG_CLERK, second, "assign",
                            s_assign_body(body, vehicle, LOG_DRIVER2), 409);
    ck_assert_str_eq(log_str(problem, "code"), "vehicle_booked");
    ck_assert_str_eq(log_str(problem, "conflicting_trip"), first);
    ck_assert_ptr_nonnull(strstr(log_str(problem, "detail"), first));
    json_decref(problem);
    // Another vehicle, the same driver: refused, naming the first trip.
    problem = s_act(LOG_CLERK, second, "assign",
                    s_assign_body(body, other, LOG_DRIVER), 409);
    ck_assert_str_eq(log_str(problem, "code"), "driver_booked");
    ck_assert_str_eq(log_str(problem, "conflicting_trip"), first);
    json_decref(problem);
    // Back to back is no overlap.
    json_decref(s_act(LOG_CLERK, third, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 200));
    // Another vehicle and driver: fine.
    json_decref(s_act(LOG_CLERK, second, "assign",
                      s_assign_body(body, other, LOG_DRIVER2), 200));
    // Cancelling the first frees its window.
    s_approved_trip(61, 62, 1, fourth);
    json_decref(s_act(LOG_CLERK, first, "cancel",
                      "{\"reason\":\"plans changed\"}", 200));
    json_decref(s_act(LOG_LOG_HEAD, fourth, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 200));
    snprintf(subject, sizeof subject, "\"trip/%s\"", first);
    ck_assert_int_eq(
        log_outbox_count("logistics.trip_request.cancelled", subject), 1);
}
END_TEST

// Two assignments of one vehicle to overlapping trips at once.
typedef struct {
    const char *trip;
    const char *vehicle;
    log_who_t driver;
    int status;
} s_race_t;

static void *
s_race_run(void *arg)
{
    s_race_t *race = arg;
    char path[128], body[160];
    snprintf(path, sizeof path, "/v1/trip-requests/%s/assign", race->trip);
    race->status =
        log_http(LOG_CLERK, "POST", path,
                 s_assign_body(body, race->vehicle, race->driver), NULL, NULL);
    return NULL;
}

START_TEST(test_trip_concurrent_assign)
{
    for (int round = 0; round < 4; round++) {
        char vehicle[48], a[48], b[48];
        s_vehicle(8, vehicle);
        s_approved_trip(100 + round * 10, 104 + round * 10, 1, a);
        s_approved_trip(102 + round * 10, 106 + round * 10, 1, b);
        // Different drivers: only the vehicle is shared.
        s_race_t races[2] = {{a, vehicle, LOG_DRIVER, 0},
                             {b, vehicle, LOG_DRIVER2, 0}};
        pthread_t threads[2];
        for (int i = 0; i < 2; i++) {
            ck_assert_int_eq(
                pthread_create(&threads[i], NULL, s_race_run, &races[i]), 0);
        }
        for (int i = 0; i < 2; i++) {
            pthread_join(threads[i], NULL);
        }
        int won = (races[0].status == 200) + (races[1].status == 200);
        ck_assert_int_eq(won, 1);
        ck_assert_int_eq(races[0].status + races[1].status, 200 + 409);
        char path[96];
        snprintf(path, sizeof path, "/v1/trip-requests?vehicle=%s", vehicle);
        json_t *list = log_expect(200, LOG_HEAD, "GET", path, NULL);
        ck_assert_int_eq(json_array_size(json_object_get(list, "items")), 1);
        json_decref(list);
    }
}
END_TEST

START_TEST(test_trip_depart_return)
{
    char id[48], vehicle[48], body[160], subject[64];
    s_vehicle(8, vehicle);
    s_approved_trip(200, 203, 4, id);
    json_decref(s_act(LOG_CLERK, id, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 200));
    // Someone else than the driver or the logistics staff may not.
    json_decref(s_act(LOG_TECH, id, "depart",
                      "{\"odometer_start\":1000,\"fuel_pct\":90}", 403));
    // The odometer never goes back.
    json_t *problem = s_act(LOG_DRIVER, id, "depart",
                            "{\"odometer_start\":999,\"fuel_pct\":90}", 400);
    ck_assert_ptr_nonnull(log_error_for(problem, "odometer_start"));
    json_decref(problem);
    json_decref(s_act(LOG_DRIVER, id, "depart", "{\"fuel_pct\":90}", 400));
    json_t *doc = s_act(LOG_DRIVER, id, "depart",
                        "{\"odometer_start\":1010,\"fuel_pct\":90}", 200);
    ck_assert_str_eq(log_str(doc, "state"), "departed");
    json_decref(doc);
    // Cancelled only before departure.
    json_decref(s_act(LOG_TECH, id, "cancel", "{\"reason\":\"late\"}", 409));
    problem = s_act(LOG_DRIVER, id, "return",
                    "{\"odometer_end\":1009,\"fuel_pct\":40}", 400);
    ck_assert_ptr_nonnull(log_error_for(problem, "odometer_end"));
    json_decref(problem);
    doc = s_act(LOG_DRIVER, id, "return",
                "{\"odometer_end\":1135,\"fuel_pct\":40,"
                "\"fuel_added_litres\":20}",
                200);
    ck_assert_str_eq(log_str(doc, "state"), "done");
    ck_assert_int_eq(log_int(doc, "distance_km"), 125);
    json_decref(doc);
    doc = s_get("vehicles", vehicle);
    ck_assert_int_eq(log_int(doc, "odometer_km"), 1135);
    json_decref(doc);
    // The vehicle is free again in that window.
    char next[48];
    s_approved_trip(201, 202, 1, next);
    json_decref(s_act(LOG_CLERK, next, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 200));
    // Every step is an event.
    snprintf(subject, sizeof subject, "\"trip/%s\"", id);
    const char *types[] = {
        "logistics.trip_request.submitted", "logistics.trip_request.approved",
        "logistics.trip_request.assigned", "logistics.trip_request.departed",
        "logistics.trip_request.returned"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(log_outbox_count(types[i], subject), 1);
    }
    snprintf(subject, sizeof subject, "\"vehicle/%s\"", vehicle);
    ck_assert_int_eq(log_outbox_count("logistics.vehicle.updated", subject), 1);
}
END_TEST

START_TEST(test_trip_cancel)
{
    char id[48], body[512];
    json_t *doc = log_expect(201, LOG_TECH, "POST", "/v1/trip-requests",
                             s_trip_body(body, 300, 301, 1));
    snprintf(id, sizeof id, "%s", log_str(doc, "id"));
    json_decref(doc);
    // Not someone else's; a reason is required.
    json_decref(s_act(LOG_DRIVER, id, "cancel", "{\"reason\":\"x\"}", 403));
    json_decref(s_act(LOG_TECH, id, "cancel", "{}", 400));
    doc =
        s_act(LOG_TECH, id, "cancel", "{\"reason\":\"no longer needed\"}", 200);
    ck_assert_str_eq(log_str(doc, "state"), "cancelled");
    json_decref(doc);
    json_decref(s_act(LOG_TECH_HEAD, id, "approve", NULL, 409));
    json_decref(s_act(LOG_TECH, id, "nonsense", NULL, 404));
}
END_TEST

// The vehicle's service falls due: one work request per vehicle and date,
// with two replicas of the service claiming the timers.
typedef struct {
    char id[48];
    const char *date;
} s_due_t;

static bool
s_requested(void *arg)
{
    const s_due_t *due = arg;
    json_t *doc = s_get("vehicles", due->id);
    bool done = strcmp(log_str(doc, "service_requested_for"), due->date) == 0;
    json_decref(doc);
    return done;
}

START_TEST(test_vehicle_service_due)
{
    harness_proc_t second;
    memset(&second, 0, sizeof second);
    ck_assert_int_eq(harness_proc_start(&second, "logistics", log_stack.envp),
                     0);
    char today[16], earlier[16], at[CM_TIME_TEXT_MAX];
    snprintf(today, sizeof today, "%.10s",
             cm_time_format(cm_time_now_ms(), at));
    snprintf(earlier, sizeof earlier, "%.10s",
             cm_time_format(cm_time_now_ms() - S_HOUR_MS * 24 * 10, at));
    s_due_t due[3];
    char later[48] = "", body[256], plate[24], subject[64], path[96];
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body,
                 "{\"plate\":\"%s\",\"kind\":\"car\",\"seats\":4,"
                 "\"department\":\"logistics\",\"next_service_date\":\"%s\"}",
                 s_plate(plate), i < 3 ? today : "2031-01-01");
        json_t *doc = log_expect(201, LOG_CLERK, "POST", "/v1/vehicles", body);
        snprintf(i < 3 ? due[i].id : later, 48, "%s", log_str(doc, "id"));
        json_decref(doc);
        if (i < 3) {
            due[i].date = today;
        }
    }
    // Asserts come after the second replica is stopped (a failure must
    // not leave it running).
    bool requested = true;
    for (int i = 0; i < 3; i++) {
        requested = requested && http_stack_wait(s_requested, &due[i], 15000);
    }
    // An edit that keeps the date asks nothing more; a new date asks again.
    snprintf(path, sizeof path, "/v1/vehicles/%s", due[0].id);
    json_decref(log_expect(200, LOG_CLERK, "PATCH", path, "{\"seats\":5}"));
    snprintf(body, sizeof body, "{\"next_service_date\":\"%s\"}", earlier);
    json_decref(log_expect(200, LOG_CLERK, "PATCH", path, body));
    due[0].date = earlier;
    bool again = http_stack_wait(s_requested, &due[0], 15000);
    // Let both replicas tick a few more times: still one per date.
    struct timespec pause = {2, 500000000L};
    nanosleep(&pause, NULL);
    harness_proc_kill(&second, SIGTERM, 5000);
    harness_proc_cleanup(&second);
    ck_assert(requested);
    ck_assert(again);
    for (int i = 0; i < 3; i++) {
        snprintf(subject, sizeof subject, "\"vehicle/%.48s\"", due[i].id);
        ck_assert_int_eq(
            log_outbox_count("logistics.vehicle.work_requested", subject),
            i == 0 ? 2 : 1);
    }
    snprintf(subject, sizeof subject, "\"vehicle/%s\"", later);
    ck_assert_int_eq(
        log_outbox_count("logistics.vehicle.work_requested", subject), 0);
}
END_TEST

START_TEST(test_vehicle_service_by_mileage)
{
    char plate[24], body[256], vehicle[48], id[48], path[96], subject[64];
    snprintf(body, sizeof body,
             "{\"plate\":\"%s\",\"kind\":\"van\",\"seats\":8,"
             "\"department\":\"logistics\",\"odometer_km\":1000,"
             "\"next_service_km\":1100}",
             s_plate(plate));
    json_t *doc = log_expect(201, LOG_CLERK, "POST", "/v1/vehicles", body);
    snprintf(vehicle, sizeof vehicle, "%s", log_str(doc, "id"));
    json_decref(doc);
    snprintf(subject, sizeof subject, "\"vehicle/%s\"", vehicle);
    s_approved_trip(400, 402, 1, id);
    json_decref(s_act(LOG_CLERK, id, "assign",
                      s_assign_body(body, vehicle, LOG_DRIVER), 200));
    json_decref(s_act(LOG_DRIVER, id, "depart",
                      "{\"odometer_start\":1000,\"fuel_pct\":90}", 200));
    ck_assert_int_eq(
        log_outbox_count("logistics.vehicle.work_requested", subject), 0);
    // The return passes the mark: the service is asked in its commit.
    json_decref(s_act(LOG_DRIVER, id, "return",
                      "{\"odometer_end\":1150,\"fuel_pct\":50}", 200));
    ck_assert_int_eq(
        log_outbox_count("logistics.vehicle.work_requested", subject), 1);
    doc = s_get("vehicles", vehicle);
    ck_assert_int_eq(log_int(doc, "service_requested_km"), 1100);
    json_decref(doc);
    // Once per mark; a new mark reached by a correction asks again.
    snprintf(path, sizeof path, "/v1/vehicles/%s", vehicle);
    json_decref(
        log_expect(200, LOG_CLERK, "PATCH", path, "{\"odometer_km\":1200}"));
    ck_assert_int_eq(
        log_outbox_count("logistics.vehicle.work_requested", subject), 1);
    json_decref(log_expect(200, LOG_CLERK, "PATCH", path,
                           "{\"next_service_km\":1300}"));
    json_decref(
        log_expect(200, LOG_CLERK, "PATCH", path, "{\"odometer_km\":1310}"));
    ck_assert_int_eq(
        log_outbox_count("logistics.vehicle.work_requested", subject), 2);
}
END_TEST

Suite *
logistics_suite(void)
{
    Suite *s = suite_create("logistics");
    TCase *tc = tcase_create("vehicles and trips");
    tcase_add_unchecked_fixture(tc, log_stack_setup, log_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_vehicle_register);
    tcase_add_test(tc, test_vehicle_edit);
    tcase_add_test(tc, test_trip_request_rules);
    tcase_add_test(tc, test_trip_approval_chain);
    tcase_add_test(tc, test_trip_assign_rules);
    tcase_add_test(tc, test_trip_double_booking);
    tcase_add_test(tc, test_trip_concurrent_assign);
    tcase_add_test(tc, test_trip_depart_return);
    tcase_add_test(tc, test_trip_cancel);
    tcase_add_test(tc, test_vehicle_service_due);
    tcase_add_test(tc, test_vehicle_service_by_mileage);
    suite_add_tcase(s, tc);
    return s;
}
