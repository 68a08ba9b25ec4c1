// Work other services ask for (services/dispatch/work_request.h): a
// producer's *.work_requested event opens one work order, however often it
// arrives; a named assignee is checked like a manual assignment; an
// unknown department is refused and logged; *.work_cancelled closes it.
#include <check.h>
#include <string.h>
#include <unistd.h>

#include "cm_doc.h"
#include "cm_time.h"
#include "suites.h"
#include "test_dispatch_stack.h"

// A work request as assets publishes one with its maintenance plan: the
// plan's own facts beside `request` (its event's contract asks for them).
static json_t *
s_request(const char *key, const char *dept, const char *assignee)
{
    json_t *data = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:b}, s:s, s:s, s:s, s:s, "
        "s:s}",
        "request", "key", key, "department", dept, "title",
        "Monthly maintenance of the pump", "kind", "maintenance", "source",
        "type", "maintenance_plan", "id", "MP-3", "priority", "high",
        "field_work", 1, "id", "MP-3", "state", "active", "equipment", "EQ-1",
        "basis", "due_date", "department", dept);
    if (assignee) {
        json_object_set_new(json_object_get(data, "request"), "assignee",
                            json_string(assignee));
    }
    return data;
}

// The work order opened for producer/key, waiting for it; "" when none.
static void
s_workorder_of(const char *producer, const char *key, char *id, size_t size)
{
    char record[256];
    snprintf(record, sizeof record, "sm:{dispatch}:work_request:%s:%s",
             producer, key);
    id[0] = '\0';
    if (dispatch_wait_doc(record)) {
        json_t *doc = dispatch_doc(record);
        snprintf(id, size, "%s", cm_doc_text(doc, "workorder_id"));
        json_decref(doc);
    }
}

static json_t *
s_workorder(const char *id)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s", id);
    return dispatch_doc(key);
}

START_TEST(test_dispatch_request_opens_one_workorder)
{
    dispatch_seed_org();
    for (int i = 0; i < 3; i++) { // published three times: one work order
        dispatch_publish("assets", "assets.maintenance.work_requested",
                         "maintenance_plan/MP-3",
                         s_request("MP-3/2027-03-01", "technical", "ST-5"));
    }
    char id[64];
    s_workorder_of("assets", "MP-3/2027-03-01", id, sizeof id);
    ck_assert_str_ne(id, "");
    json_t *wo = s_workorder(id);
    ck_assert_str_eq(cm_doc_text(wo, "origin"), "service");
    ck_assert_str_eq(cm_doc_text(wo, "department"), "technical");
    ck_assert_str_eq(cm_doc_text(wo, "assignee"), "ST-5");
    ck_assert_str_eq(cm_doc_text(wo, "priority"), "high");
    ck_assert_str_eq(cm_doc_text(json_object_get(wo, "source"), "id"), "MP-3");
    ck_assert_str_eq(cm_doc_text(json_object_get(wo, "request"), "key"),
                     "MP-3/2027-03-01");
    json_decref(wo);
    // Every event is handled before the check: the outbox holds one created.
    usleep(500 * 1000);
    json_t *created = dispatch_outbox_events("dispatch.workorder.created");
    ck_assert_int_eq(json_array_size(created), 1);
    json_decref(created);
}
END_TEST

// s_request as safety-audit publishes it: the hazard's data beside the
// request (docs/asyncapi.yaml, SafetyHazardWorkData).
static json_t *
s_hazard_request(const char *id, const char *dept, const char *assignee)
{
    json_t *data = s_request(id, dept, assignee);
    json_t *hazard = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s?, s:s, s:n, s:n, s:n,"
        " s:i}",
        "id", id, "state", "assigned", "title", "Loose railing", "department",
        dept, "severity", "medium", "source", "type", "report", "id", "ST-5",
        "owner", assignee, "deadline", "2090-01-01T00:00:00.000Z",
        "emergency_measure", "rectification", "verification", "version", 2);
    json_object_update(data, hazard);
    json_decref(hazard);
    return data;
}

START_TEST(test_dispatch_request_checks_and_cancels)
{
    dispatch_seed_org();
    // An assignee outside the department: assigned automatically instead.
    dispatch_publish("safety-audit", "safety.hazard.work_requested",
                     "hazard/HZ-1",
                     s_hazard_request("HZ-1", "technical", "ST-9"));
    char id[64];
    s_workorder_of("safety-audit", "HZ-1", id, sizeof id);
    ck_assert_str_ne(id, "");
    json_t *wo = s_workorder(id);
    ck_assert_str_ne(cm_doc_text(wo, "assignee"), "ST-9");
    json_decref(wo);
    // Cancelled by its producer: closed.
    dispatch_publish("safety-audit", "safety.hazard.work_cancelled",
                     "hazard/HZ-1",
                     json_pack("{s:{s:s}}", "request", "key", "HZ-1"));
    int64_t until = cm_time_mono_ms() + DISPATCH_TEST_WAIT_MS;
    const char *state = "";
    while (cm_time_mono_ms() < until) {
        wo = s_workorder(id);
        state = strcmp(cm_doc_text(wo, "state"), "closed") == 0 ? "closed" : "";
        json_decref(wo);
        if (*state) {
            break;
        }
        usleep(50 * 1000);
    }
    ck_assert_str_eq(state, "closed");
    // An unknown department and a malformed request: nothing opened. The
    // malformed one breaks its contract on purpose.
    harness_redis_exempt_subject(&dispatch_stack.redis, "stock_count/SC-2",
                                 "a malformed work request dispatch must "
                                 "refuse");
    dispatch_publish("assets", "assets.inspection.work_requested",
                     "stock_count/SC-1", s_request("SC-1", "nowhere", NULL));
    dispatch_publish("assets", "assets.inspection.work_requested",
                     "stock_count/SC-2",
                     json_pack("{s:{s:s}}", "request", "key", "SC-2"));
    dispatch_publish("assets", "assets.inspection.work_requested",
                     "stock_count/SC-3", s_request("SC-3", "technical", NULL));
    s_workorder_of("assets", "SC-3", id, sizeof id); // after the others
    ck_assert_str_ne(id, "");
    ck_assert_ptr_null(dispatch_doc("sm:{dispatch}:work_request:assets:SC-1"));
    ck_assert_ptr_null(dispatch_doc("sm:{dispatch}:work_request:assets:SC-2"));
}
END_TEST

Suite *
dispatch_requests_suite(void)
{
    Suite *suite = suite_create("dispatch_requests");
    TCase *tc = tcase_create("requests");
    tcase_add_checked_fixture(tc, dispatch_stack_setup,
                              dispatch_stack_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dispatch_request_opens_one_workorder);
    tcase_add_test(tc, test_dispatch_request_checks_and_cancels);
    suite_add_tcase(suite, tc);
    return suite;
}
