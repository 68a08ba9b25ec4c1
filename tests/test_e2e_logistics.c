// End-to-end processes of logistics (suite e2e, tests/e2e_steps.h): a trip
// requested, approved, assigned without double booking, departed and
// returned with the odometer recorded on the vehicle; a vehicle's service
// date becoming a work order; a due security patrol becoming one work
// order whose failed item opens a hazard in safety-audit.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "e2e_steps.h"

#define S_LOG_CLERK e2e_person("logistics", "logistics")
#define S_DRIVER    e2e_person("cs_agent", "logistics")
#define S_HOUR_MS   3600000LL

// A trip of the technician from hour `from` to hour `to` after a base a
// week ahead, approved by the technical head; its id into id (48).
static void
s_trip(int from, int to, char *id)
{
    int64_t base = cm_time_now_ms() + S_HOUR_MS * 24 * 7;
    char starts[CM_TIME_TEXT_MAX], ends[CM_TIME_TEXT_MAX], body[512];
    cm_time_format(base + from * S_HOUR_MS, starts);
    cm_time_format(base + to * S_HOUR_MS, ends);
    snprintf(body, sizeof body,
             "{\"purpose\":\"Repair at the north site\",\"from\":\"Station\","
             "\"to\":\"North site\",\"starts_at\":\"%s\",\"ends_at\":\"%s\","
             "\"passengers\":3}",
             starts, ends);
    json_t *doc = e2e_expect(201, S_TECH, "POST", "/v1/trip-requests", body);
    ck_assert_str_eq(e2e_str(doc, "state"), "submitted");
    snprintf(id, 48, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // The logistics clerk is not the approver; the requester's head is.
    json_decref(
        e2e_act(S_LOG_CLERK, "trip-requests", id, "approve", NULL, 403));
    doc = e2e_act(S_TECH_HEAD, "trip-requests", id, "approve", NULL, 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "approved");
    json_decref(doc);
}

START_TEST(test_e2e_trip_assigned_once_departed_returned)
{
    char vehicle[48], first[48], second[48], body[256], path[96];
    json_t *doc = e2e_expect(201, S_LOG_CLERK, "POST", "/v1/vehicles",
                             "{\"plate\":\"E2E-001\",\"kind\":\"van\","
                             "\"seats\":7,\"department\":\"logistics\","
                             "\"odometer_km\":5000,"
                             "\"next_service_date\":\"2030-01-01\","
                             "\"insurance_until\":\"2030-12-31\"}");
    snprintf(vehicle, sizeof vehicle, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // Only the logistics staff register vehicles.
    json_decref(e2e_expect(403, S_TECH, "POST", "/v1/vehicles",
                           "{\"plate\":\"E2E-002\",\"kind\":\"car\","
                           "\"seats\":4,\"department\":\"logistics\"}"));
    s_trip(9, 12, first);
    s_trip(11, 14, second);
    snprintf(body, sizeof body, "{\"vehicle\":\"%s\",\"driver\":\"%s\"}",
             vehicle, e2e_stack.ids[S_DRIVER]);
    doc = e2e_act(S_LOG_CLERK, "trip-requests", first, "assign", body, 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "assigned");
    ck_assert_str_eq(e2e_str(doc, "plate"), "E2E001");
    json_decref(doc);
    // The same vehicle for an overlapping trip: refused, naming the trip.
    snprintf(body, sizeof body, "{\"vehicle\":\"%s\",\"driver\":\"%s\"}",
             vehicle, e2e_stack.ids[E2E_TECH2]);
    doc = e2e_act(S_LOG_CLERK, "trip-requests", second, "assign", body, 409);
    ck_assert_str_eq(e2e_str(doc, "code"), "vehicle_booked");
    ck_assert_str_eq(e2e_str(doc, "conflicting_trip"), first);
    json_decref(doc);
    // The driver takes the trip out and brings it back.
    doc = e2e_act(S_DRIVER, "trip-requests", first, "depart",
                  "{\"odometer_start\":5002,\"fuel_pct\":85}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "departed");
    json_decref(doc);
    json_decref(e2e_act(S_DRIVER, "trip-requests", first, "return",
                        "{\"odometer_end\":5001,\"fuel_pct\":40}", 400));
    doc = e2e_act(S_DRIVER, "trip-requests", first, "return",
                  "{\"odometer_end\":5130,\"fuel_pct\":40,"
                  "\"fuel_added_litres\":30}",
                  200);
    ck_assert_str_eq(e2e_str(doc, "state"), "done");
    ck_assert_int_eq(e2e_int(doc, "distance_km"), 128);
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/vehicles/%s", vehicle);
    doc = e2e_expect(200, S_AUDITOR, "GET", path, NULL);
    ck_assert_int_eq(e2e_int(doc, "odometer_km"), 5130);
    json_decref(doc);
    // Back from the first trip, the vehicle takes the second.
    doc = e2e_act(S_LOG_CLERK, "trip-requests", second, "assign", body, 200);
    ck_assert_str_eq(e2e_str(doc, "vehicle"), vehicle);
    json_decref(doc);
}
END_TEST

// A vehicle's service date becomes one dispatch work order of logistics.
typedef struct {
    char key[96];
    int found;
} s_service_t;

static bool
s_work_order_found(void *arg)
{
    s_service_t *service = arg;
    json_t *page =
        e2e_expect(200, E2E_HEAD, "GET",
                   "/v1/work-orders?queue=logistics&limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    service->found = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *request =
            json_object_get(json_array_get(items, i), "request");
        service->found += strcmp(e2e_str(request, "key"), service->key) == 0;
    }
    json_decref(page);
    return service->found > 0;
}

START_TEST(test_e2e_vehicle_service_due_becomes_work_order)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"plate\":\"E2E-SVC\",\"kind\":\"car\",\"seats\":4,"
             "\"department\":\"logistics\",\"next_service_date\":\"%s\"}",
             e2e_stack.today);
    json_t *doc = e2e_expect(201, S_LOG_CLERK, "POST", "/v1/vehicles", body);
    s_service_t service = {.found = 0};
    snprintf(service.key, sizeof service.key, "%s/%s", e2e_str(doc, "id"),
             e2e_stack.today);
    json_decref(doc);
    ck_assert(e2e_wait(s_work_order_found, &service, S_WAIT_MS));
    ck_assert_int_eq(service.found, 1);
}
END_TEST

// A due security patrol: one work order in dispatch, its record filled in
// by the assignee, a failed item one hazard in safety-audit.
typedef struct {
    char round[48];
    char record[48];
    int found;
    char severity[16];
} s_patrol_t;

static bool
s_patrol_work_order(void *arg)
{
    s_patrol_t *patrol = arg;
    json_t *page =
        e2e_expect(200, E2E_HEAD, "GET",
                   "/v1/work-orders?queue=logistics&limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s/", patrol->round);
    patrol->found = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *request =
            json_object_get(json_array_get(items, i), "request");
        patrol->found +=
            strncmp(e2e_str(request, "key"), prefix, strlen(prefix)) == 0;
    }
    json_decref(page);
    return patrol->found > 0;
}

static bool
s_patrol_hazard(void *arg)
{
    s_patrol_t *patrol = arg;
    json_t *page =
        e2e_expect(200, E2E_HEAD, "GET",
                   "/v1/hazards?department=logistics&limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    patrol->found = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *hazard = json_array_get(items, i);
        const json_t *source = json_object_get(hazard, "source");
        if (strcmp(e2e_str(source, "type"), "round_record") == 0
            && strcmp(e2e_str(source, "id"), patrol->record) == 0) {
            patrol->found++;
            snprintf(patrol->severity, sizeof patrol->severity, "%s",
                     e2e_str(hazard, "severity"));
        }
    }
    json_decref(page);
    return patrol->found > 0;
}

START_TEST(test_e2e_security_patrol_failed_item_opens_hazard)
{
    char body[1024], due[CM_TIME_TEXT_MAX], path[128];
    cm_time_format(cm_time_now_ms() - S_HOUR_MS, due);
    snprintf(body, sizeof body,
             "{\"title\":\"Night patrol\",\"kind\":\"security\",\"area\":"
             "\"Depot gate\",\"interval_days\":1,\"first_due\":\"%s\","
             "\"assignee\":\"%s\",\"checklist\":[{\"text\":\"Gate "
             "locked\",\"hazard_level\":\"high\"},{\"text\":\"Lights on\"}]}",
             due, e2e_stack.ids[S_DRIVER]);
    // Only the logistics staff schedule rounds.
    json_decref(e2e_expect(403, S_TECH, "POST", "/v1/rounds", body));
    json_t *doc = e2e_expect(201, S_LOG_CLERK, "POST", "/v1/rounds", body);
    s_patrol_t patrol = {.found = 0};
    snprintf(patrol.round, sizeof patrol.round, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // The due patrol becomes one work order in the logistics queue.
    ck_assert(e2e_wait(s_patrol_work_order, &patrol, S_WAIT_MS));
    ck_assert_int_eq(patrol.found, 1);
    snprintf(path, sizeof path, "/v1/round-records?round=%s", patrol.round);
    doc = e2e_expect(200, S_DRIVER, "GET", path, NULL);
    const json_t *items = json_object_get(doc, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    snprintf(patrol.record, sizeof patrol.record, "%s",
             e2e_str(json_array_get(items, 0), "id"));
    json_decref(doc);
    // Someone else may not record it; the assignee records a failed gate.
    const char *results =
        "{\"results\":[{\"item\":1,\"result\":\"failed\",\"note\":\"lock "
        "broken\"},{\"item\":2,\"result\":\"ok\"}]}";
    json_decref(e2e_act(S_TECH, "round-records", patrol.record, "record",
                        results, 403));
    doc = e2e_act(S_DRIVER, "round-records", patrol.record, "record", results,
                  200);
    ck_assert_str_eq(e2e_str(doc, "state"), "completed");
    json_decref(doc);
    // The failed item is one hazard in safety-audit, of its level.
    ck_assert(e2e_wait(s_patrol_hazard, &patrol, S_WAIT_MS));
    ck_assert_int_eq(patrol.found, 1);
    ck_assert_str_eq(patrol.severity, "high");
    // Still one work order for the due time.
    ck_assert(s_patrol_work_order(&patrol));
    ck_assert_int_eq(patrol.found, 1);
}
END_TEST

void
e2e_add_logistics(TCase *tc)
{
    tcase_add_test(tc, test_e2e_trip_assigned_once_departed_returned);
    tcase_add_test(tc, test_e2e_vehicle_service_due_becomes_work_order);
    tcase_add_test(tc, test_e2e_security_patrol_failed_item_opens_hazard);
}
