// Integration tests of the dispatch service: a private redis-server, the
// broker, the hub and one or two dispatch replicas (test_dispatch_stack.h).
// Suite: dispatch_suite (declare it in tests/suites.h).
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "suites.h"
#include "test_dispatch_stack.h"

#define S_WAIT_MS   DISPATCH_TEST_WAIT_MS
#define S_TARGET_MS 2000 // the 2-second policy
#define S_LONG_MS   600000

// ---- tests

static json_t *
s_workorder_body(const char *title, const char *dept)
{
    return json_pack("{s:s, s:s}", "title", title, "department", dept);
}

START_TEST(test_dispatch_forwarded_case_auto_assigned)
{
    dispatch_seed_org();
    json_t *reply = dispatch_call(
        harness_mdp_actor("ST-5", "technician", "technical"), "PUT",
        "/v1/rosters/technical", json_pack("{s:[s]}", "on_duty", "ST-5"));
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    reply = dispatch_call(
        harness_mdp_actor("ST-3", "dept_head", "technical"), "PUT",
        "/v1/rosters/technical",
        json_pack("{s:[s,s,s]}", "on_duty", "ST-5", "ST-6", "ST-7"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    // Two manual work orders load ST-5 and ST-6 (ties go to the lower id).
    const char *expected[] = {"ST-5", "ST-6"};
    for (int i = 0; i < 2; i++) {
        reply =
            dispatch_call(harness_mdp_actor("ST-3", "dept_head", "technical"),
                          "POST", "/v1/work-orders",
                          s_workorder_body("check the boiler", "technical"));
        ck_assert_int_eq(harness_mdp_status(reply), 201);
        ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"),
                         expected[i]);
        json_decref(reply);
    }
    dispatch_case_event(
        "intake.case.created",
        dispatch_case("CS-1", "complaint", "recorded", "high", NULL));
    dispatch_case_event(
        "intake.case.forwarded",
        dispatch_case("CS-1", "complaint", "forwarded", "high", "technical"));
    char id[64];
    ck_assert(dispatch_wait_case_workorder("CS-1", id, sizeof id));
    char path[128];
    snprintf(path, sizeof path, "/v1/work-orders/%s", id);
    reply = dispatch_call(harness_mdp_actor("ST-3", "dept_head", "technical"),
                          "GET", path, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"), "ST-7");
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "assigned");
    json_t *source = json_object_get(json_object_get(reply, "body"), "source");
    ck_assert_str_eq(json_string_value(json_object_get(source, "id")), "CS-1");
    json_decref(reply);
    json_t *assigned = dispatch_outbox_events("dispatch.workorder.assigned");
    ck_assert_int_eq(json_array_size(assigned), 3);
    json_decref(assigned);
    // The department-reply clock runs; a reply stops it.
    json_t *clock = dispatch_doc("sm:{dispatch}:clock:CS-1:department_reply");
    ck_assert_ptr_nonnull(clock);
    ck_assert_str_eq(json_string_value(json_object_get(clock, "state")),
                     "running");
    json_decref(clock);
}
END_TEST

START_TEST(test_dispatch_manual_assign_and_reassign)
{
    dispatch_seed_org();
    dispatch_staff("ST-31", "logistics", "logistics");
    dispatch_staff("ST-32", "logistics", "logistics");
    ck_assert(dispatch_wait_doc("sm:{dispatch}:org:staff:ST-32"));
    // Nobody on duty in logistics: the work order stays open.
    json_t *reply = dispatch_call(
        harness_mdp_actor("ST-9", "dept_head", "logistics"), "POST",
        "/v1/work-orders", s_workorder_body("count the stock", "logistics"));
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "open");
    char path[128];
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    ck_assert(harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                      "workorder.unassigned", 1, S_WAIT_MS));
    reply =
        dispatch_call(harness_mdp_actor("ST-3", "dept_head", "technical"),
                      "POST", path, json_pack("{s:s}", "assignee", "ST-31"));
    ck_assert_int_eq(harness_mdp_status(reply),
                     403); // another department's head
    json_decref(reply);
    reply =
        dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                      "POST", path, json_pack("{s:s}", "assignee", "ST-31"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"), "ST-31");
    json_decref(reply);
    // assign again: 409 naming what the head may do now.
    reply =
        dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                      "POST", path, json_pack("{s:s}", "assignee", "ST-32"));
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    json_t *allowed =
        json_object_get(json_object_get(reply, "error"), "allowed_actions");
    ck_assert_int_eq(json_array_size(allowed), 1);
    ck_assert_str_eq(json_string_value(json_array_get(allowed, 0)), "reassign");
    json_decref(reply);
    char *action = strrchr(path, '/');
    snprintf(action, sizeof path - (size_t)(action - path), "/reassign");
    reply =
        dispatch_call(harness_mdp_actor("ST-31", "logistics", "logistics"),
                      "POST", path, json_pack("{s:s}", "assignee", "ST-32"));
    ck_assert_int_eq(harness_mdp_status(reply), 403); // not the head
    json_decref(reply);
    reply = dispatch_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                          "POST", path,
                          json_pack("{s:s, s:s}", "assignee", "ST-32", "note",
                                    "ST-31 is off sick"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"), "ST-32");
    json_decref(reply);
    snprintf(action, sizeof path - (size_t)(action - path), "/accept");
    reply = dispatch_call(harness_mdp_actor("ST-32", "logistics", "logistics"),
                          "POST", path, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "accepted");
    json_t *actions =
        json_object_get(json_object_get(reply, "body"), "actions");
    ck_assert_str_eq(json_string_value(json_array_get(actions, 0)), "start");
    json_decref(reply);
}
END_TEST

// The 2-second policy: first response breaches after 2 s and escalates one
// level per further 2 s, each level an event.
static void
s_put_fast_policy(const char *kind)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/sla-policies/%s", kind);
    json_t *row =
        json_pack("{s:i, s:i, s:i}", "first_response_ms", S_TARGET_MS,
                  "department_reply_ms", S_LONG_MS, "resolution_ms", S_LONG_MS);
    json_t *reply = dispatch_call(
        harness_mdp_actor("ST-5", "technician", "technical"), "PUT", path,
        json_pack("{s:b, s:{s:O}}", "business_time", 0, "targets", "default",
                  row));
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    reply = dispatch_call(
        harness_mdp_actor("ST-20", "deputy_head", "management"), "PUT", path,
        json_pack("{s:b, s:{s:o}}", "business_time", 0, "targets", "default",
                  row));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
}

static void
s_assert_chain(const json_t *breaches, const char *case_id)
{
    const char *chain[] = {"ST-3", "ST-20", "ST-1"};
    int seen = 0;
    size_t i;
    const json_t *event;
    json_array_foreach(breaches, i, event)
    {
        const json_t *data = json_object_get(event, "data");
        if (strcmp(json_string_value(json_object_get(data, "case_id")), case_id)
            || strcmp(json_string_value(json_object_get(data, "target")),
                      "first_response")) {
            continue;
        }
        int level = (int)json_integer_value(json_object_get(data, "level"));
        ck_assert_int_eq(level, seen + 1);
        ck_assert_str_eq(
            json_string_value(json_object_get(data, "escalated_to")),
            chain[seen]);
        seen++;
    }
    ck_assert_int_eq(seen, 3);
}

START_TEST(test_dispatch_sla_breach_escalates_up_the_chain)
{
    dispatch_seed_org();
    s_put_fast_policy("complaint");
    dispatch_case_event(
        "intake.case.created",
        dispatch_case("CS-10", "complaint", "recorded", "high", "technical"));
    ck_assert(harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                      "sla.escalated", 3, S_WAIT_MS));
    json_t *breaches = dispatch_outbox_events("dispatch.sla.breached");
    ck_assert_int_eq(json_array_size(breaches), 3);
    s_assert_chain(breaches, "CS-10");
    json_decref(breaches);
    // Fully escalated: no fourth step.
    ck_assert(!harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                       "sla.escalated", 4,
                                       2 * S_TARGET_MS + 500));
}
END_TEST

START_TEST(test_dispatch_response_stops_clock)
{
    dispatch_seed_org();
    s_put_fast_policy("inquiry");
    dispatch_case_event(
        "intake.case.created",
        dispatch_case("CS-11", "inquiry", "recorded", NULL, NULL));
    dispatch_case_event(
        "intake.case.answered",
        dispatch_case("CS-11", "inquiry", "answered", NULL, NULL));
    ck_assert(dispatch_wait_doc("sm:{dispatch}:clock:CS-11:first_response"));
    ck_assert(!harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                       "sla.escalated", 1,
                                       2 * S_TARGET_MS + 500));
    json_t *clock = dispatch_doc("sm:{dispatch}:clock:CS-11:first_response");
    ck_assert_str_eq(json_string_value(json_object_get(clock, "state")),
                     "stopped");
    json_decref(clock);
}
END_TEST

static void
s_put_calendar(const char *name, json_t *body)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/calendars/%s", name);
    json_t *reply =
        dispatch_call(harness_mdp_actor("ST-1", "station_head", "management"),
                      "PUT", path, body);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
}

START_TEST(test_dispatch_makeup_day_honoured)
{
    char today[16], tomorrow[16];
    int64_t now = cm_time_now_ms();
    char text[CM_TIME_TEXT_MAX];
    snprintf(today, sizeof today, "%.10s", cm_time_format(now, text));
    snprintf(tomorrow, sizeof tomorrow, "%.10s",
             cm_time_format(now + 86400000LL, text));
    // No weekday hours at all: only today and tomorrow, as make-up days.
    s_put_calendar("makeup",
                   json_pack("{s:i, s:{}, s:[s], s:[s,s]}",
                             "utc_offset_minutes", 0, "hours", "makeup_hours",
                             "00:00-24:00", "makeup_days", today, tomorrow));
    json_t *row =
        json_pack("{s:i, s:i, s:i}", "first_response_ms", 3600000,
                  "department_reply_ms", 3600000, "resolution_ms", 3600000);
    json_t *reply = dispatch_call(
        harness_mdp_actor("ST-1", "station_head", "management"), "PUT",
        "/v1/sla-policies/inquiry",
        json_pack("{s:b, s:s, s:{s:o}}", "business_time", 1, "calendar",
                  "makeup", "targets", "default", row));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    int64_t before = cm_time_now_ms();
    dispatch_case_event(
        "intake.case.created",
        dispatch_case("CS-20", "inquiry", "recorded", NULL, NULL));
    ck_assert(dispatch_wait_doc("sm:{dispatch}:clock:CS-20:first_response"));
    int64_t after = cm_time_now_ms();
    json_t *clock = dispatch_doc("sm:{dispatch}:clock:CS-20:first_response");
    int64_t deadline =
        json_integer_value(json_object_get(clock, "deadline_ms"));
    // Honoured: one business hour from now is one wall hour from now.
    ck_assert_int_ge(deadline, before + 3600000);
    ck_assert_int_le(deadline, after + 3600000);
    json_decref(clock);
}
END_TEST

START_TEST(test_dispatch_two_replicas_claim_each_timer_once)
{
    dispatch_seed_org();
    s_put_fast_policy("complaint");
    const char *cases[] = {"CS-30", "CS-31", "CS-32"};
    for (size_t i = 0; i < 3; i++) {
        dispatch_case_event("intake.case.created",
                            dispatch_case(cases[i], "complaint", "recorded",
                                          "low", "technical"));
    }
    int64_t until = cm_time_mono_ms() + 3 * S_WAIT_MS;
    int total = 0;
    while (total < 9 && cm_time_mono_ms() < until) {
        total = harness_proc_count_event(&dispatch_stack.dispatch[0],
                                         "sla.escalated")
                + harness_proc_count_event(&dispatch_stack.dispatch[1],
                                           "sla.escalated");
        zmq_poll(NULL, 0, 50); // polling with a timeout
    }
    ck_assert_int_eq(total, 9);
    // Give a duplicate every chance to appear, then count the events.
    ck_assert(!harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                       "sla.escalated", 10, 2 * S_TARGET_MS));
    json_t *breaches = dispatch_outbox_events("dispatch.sla.breached");
    ck_assert_int_eq(json_array_size(breaches), 9);
    for (size_t i = 0; i < 3; i++) {
        s_assert_chain(breaches, cases[i]);
    }
    json_decref(breaches);
}
END_TEST

Suite *
dispatch_suite(void)
{
    Suite *suite = suite_create("dispatch");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, dispatch_stack_setup,
                              dispatch_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_dispatch_forwarded_case_auto_assigned);
    tcase_add_test(core, test_dispatch_manual_assign_and_reassign);
    tcase_add_test(core, test_dispatch_sla_breach_escalates_up_the_chain);
    tcase_add_test(core, test_dispatch_response_stops_clock);
    tcase_add_test(core, test_dispatch_makeup_day_honoured);
    suite_add_tcase(suite, core);
    TCase *replicas = tcase_create("replicas");
    tcase_add_checked_fixture(replicas, dispatch_stack_setup_replicas,
                              dispatch_stack_teardown);
    tcase_set_timeout(replicas, 90);
    tcase_add_test(replicas, test_dispatch_two_replicas_claim_each_timer_once);
    suite_add_tcase(suite, replicas);
    return suite;
}
