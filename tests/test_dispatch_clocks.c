// SLA clocks start at the case's own time and once: an event handled twice
// (its dedupe marker gone, or the consumer killed mid-batch and its entries
// claimed by the next process) has the effect of handling it once.
// Suite: dispatch_clocks_suite.
#include <check.h>
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_redis.h"
#include "cm_time.h"
#include "suites.h"
#include "test_dispatch_stack.h"

#define S_FIRST_MS      600000 // first response, wall time
#define S_REPLY_MS      700000 // department reply
#define S_RESOLUTION_MS 900000 // resolution
#define S_KILL_CASES    200    // cases in flight at the kill
#define S_KILL_WAIT_MS  75000  // claims come after 30 s idle

// Wall-time targets for inquiries, so a deadline is exactly start + target.
static void
s_put_policy(void)
{
    json_t *row = json_pack("{s:i, s:i, s:i}", "first_response_ms", S_FIRST_MS,
                            "department_reply_ms", S_REPLY_MS, "resolution_ms",
                            S_RESOLUTION_MS);
    json_t *reply =
        dispatch_call(harness_mdp_actor("ST-1", "station_head", "management"),
                      "PUT", "/v1/sla-policies/inquiry",
                      json_pack("{s:b, s:{s:o}}", "business_time", 0, "targets",
                                "default", row));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
}

static json_t *
s_clock(const char *case_id, const char *target)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:clock:%s:%s", case_id, target);
    return dispatch_doc(key);
}

static int64_t
s_clock_version(const char *case_id, const char *target)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:clock:%s:%s", case_id, target);
    return dispatch_doc_version(key);
}

static int64_t
s_deadline(const char *case_id, const char *target)
{
    json_t *clock = s_clock(case_id, target);
    ck_assert_msg(clock != NULL, "no %s clock for %s", target, case_id);
    int64_t deadline =
        json_integer_value(json_object_get(clock, "deadline_ms"));
    json_decref(clock);
    return deadline;
}

// The event's dedupe marker in dispatch, as if its TTL had passed.
static void
s_forget(const char *envelope_text)
{
    json_t *envelope = json_loads(envelope_text, 0, NULL);
    char key[160];
    snprintf(key, sizeof key, "sm:{dispatch}:seen:%s",
             json_string_value(json_object_get(envelope, "id")));
    json_decref(envelope);
    char *reply = harness_redis_cmd(&dispatch_stack.redis, "DEL", key);
    ck_assert_str_eq(reply, "1");
    free(reply);
}

// Publish an intake event of case id at version; the envelope text to
// *text (caller frees). Returns its time.
static int64_t
s_case_event(const char *type, const char *id, const char *state,
             const char *dept, int64_t version, char **text)
{
    char subject[64];
    snprintf(subject, sizeof subject, "case/%s", id);
    return dispatch_publish_version(
        "intake", type, subject, version,
        dispatch_case(id, "inquiry", state, NULL, dept), text);
}

START_TEST(test_dispatch_clocks_redelivery_after_marker_expired)
{
    dispatch_seed_org();
    s_put_policy();
    char *created = NULL, *forwarded = NULL;
    int64_t created_ms = s_case_event("intake.case.created", "CS-40",
                                      "recorded", NULL, 1, &created);
    int64_t forwarded_ms =
        s_case_event("intake.case.forwarded", "CS-40", "forwarded", "technical",
                     2, &forwarded);
    char wo[32];
    ck_assert(dispatch_wait_case_workorder("CS-40", wo, sizeof wo));
    ck_assert(dispatch_wait_doc("sm:{dispatch}:clock:CS-40:department_reply"));
    // Started at the case's own time, not when dispatch got to it.
    ck_assert_int_eq(s_deadline("CS-40", "first_response"),
                     created_ms + S_FIRST_MS);
    ck_assert_int_eq(s_deadline("CS-40", "resolution"),
                     created_ms + S_RESOLUTION_MS);
    ck_assert_int_eq(s_deadline("CS-40", "department_reply"),
                     forwarded_ms + S_REPLY_MS);
    int64_t versions[3] = {s_clock_version("CS-40", "first_response"),
                           s_clock_version("CS-40", "department_reply"),
                           s_clock_version("CS-40", "resolution")};
    // Both events again, their markers expired; then a later case, so the
    // single replica has handled the redeliveries once it has a clock.
    s_forget(created);
    s_forget(forwarded);
    dispatch_publish_again("intake", "intake.case.forwarded", forwarded);
    dispatch_publish_again("intake", "intake.case.created", created);
    s_case_event("intake.case.created", "CS-41", "recorded", NULL, 1, NULL);
    ck_assert(dispatch_wait_doc("sm:{dispatch}:clock:CS-41:first_response"));
    ck_assert_int_eq(s_clock_version("CS-40", "first_response"), versions[0]);
    ck_assert_int_eq(s_clock_version("CS-40", "department_reply"), versions[1]);
    ck_assert_int_eq(s_clock_version("CS-40", "resolution"), versions[2]);
    ck_assert_int_eq(s_deadline("CS-40", "department_reply"),
                     forwarded_ms + S_REPLY_MS);
    json_t *opened = dispatch_outbox_events("dispatch.workorder.created");
    ck_assert_int_eq(json_array_size(opened), 1);
    json_decref(opened);
    free(created);
    free(forwarded);
}
END_TEST

// Entries of intake's outbox delivered to dispatch and not acknowledged.
static int64_t
s_pending(void)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(dispatch_stack.store), "XPENDING",
                     "sm:{intake}:outbox", "dispatch");
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(reply->type, REDIS_REPLY_ARRAY);
    int64_t pending = reply->element[0]->integer;
    freeReplyObject(reply);
    return pending;
}

// True when every case CS-<1000+i> has both clocks.
static bool
s_all_clocks(void)
{
    for (int i = 0; i < S_KILL_CASES; i++) {
        char id[32];
        snprintf(id, sizeof id, "CS-%d", 1000 + i);
        if (s_clock_version(id, "first_response") == 0
            || s_clock_version(id, "resolution") == 0) {
            return false;
        }
    }
    return true;
}

START_TEST(test_dispatch_clocks_killed_consumer)
{
    dispatch_seed_org();
    s_put_policy();
    static int64_t created[S_KILL_CASES];
    for (int i = 0; i < S_KILL_CASES; i++) {
        char id[32];
        snprintf(id, sizeof id, "CS-%d", 1000 + i);
        created[i] =
            s_case_event("intake.case.created", id, "recorded", NULL, 1, NULL);
    }
    // kill -9 while the events are being handled, then start again.
    ck_assert(harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                      "clock.started", 20,
                                      DISPATCH_TEST_WAIT_MS));
    harness_proc_kill(&dispatch_stack.dispatch[0], SIGKILL, 0);
    ck_assert_msg(s_pending() > 0, "no event was in flight at the kill");
    ck_assert(dispatch_stack_restart(0));
    int64_t until = cm_time_mono_ms() + S_KILL_WAIT_MS;
    while (!s_all_clocks() && cm_time_mono_ms() < until) {
        zmq_poll(NULL, 0, 200); // polling with a timeout
    }
    ck_assert_msg(s_all_clocks(), "some cases have no clocks");
    // One clock per case and target, written once, deadline = created +
    // target whenever dispatch handled the event.
    for (int i = 0; i < S_KILL_CASES; i++) {
        char id[32];
        snprintf(id, sizeof id, "CS-%d", 1000 + i);
        ck_assert_int_eq(s_clock_version(id, "first_response"), 1);
        ck_assert_int_eq(s_clock_version(id, "resolution"), 1);
        ck_assert_int_eq(s_deadline(id, "first_response"),
                         created[i] + S_FIRST_MS);
        ck_assert_int_eq(s_deadline(id, "resolution"),
                         created[i] + S_RESOLUTION_MS);
    }
}
END_TEST

// The SLA report: an inquiry answered in time and one answered after its
// first-response target passed (escalated meanwhile), counted per target;
// a department head reads only their own department; a technician none.
START_TEST(test_dispatch_clocks_sla_report)
{
    dispatch_seed_org();
    json_t *row = json_pack("{s:i, s:i, s:i}", "first_response_ms", 3000,
                            "department_reply_ms", S_REPLY_MS, "resolution_ms",
                            S_RESOLUTION_MS);
    json_t *reply =
        dispatch_call(harness_mdp_actor("ST-1", "station_head", "management"),
                      "PUT", "/v1/sla-policies/inquiry",
                      json_pack("{s:b, s:{s:o}}", "business_time", 0, "targets",
                                "default", row));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    // Answered at once: the event times are what count, not when dispatch
    // handles them.
    s_case_event("intake.case.created", "CS-1", "recorded", "customer_service",
                 1, NULL);
    s_case_event("intake.case.answered", "CS-1", "answered", "customer_service",
                 2, NULL);
    s_case_event("intake.case.created", "CS-2", "recorded", "customer_service",
                 1, NULL);
    ck_assert(dispatch_wait_doc("sm:{dispatch}:clock:CS-2:first_response"));
    int64_t level = 0;
    for (int i = 0; i < 150 && level == 0; i++) {
        json_t *clock = s_clock("CS-2", "first_response");
        level = json_integer_value(json_object_get(clock, "level"));
        json_decref(clock);
        usleep(100 * 1000);
    }
    ck_assert_int_ge(level, 1);
    s_case_event("intake.case.answered", "CS-2", "answered", "customer_service",
                 2, NULL);
    const json_t *first = NULL;
    json_t *report = NULL;
    for (int i = 0; i < 100; i++) {
        json_decref(report);
        report = dispatch_call(
            harness_mdp_actor("ST-1", "station_head", "management"), "GET",
            "/v1/reports/sla", NULL);
        ck_assert_int_eq(harness_mdp_status(report), 200);
        first = json_array_get(
            json_object_get(json_object_get(report, "body"), "targets"), 0);
        if (json_integer_value(json_object_get(first, "count")) == 2) {
            break;
        }
        usleep(100 * 1000);
    }
    ck_assert_str_eq(json_string_value(json_object_get(first, "target")),
                     "first_response");
    ck_assert_int_eq(json_integer_value(json_object_get(first, "count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "on_time")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "breached")), 1);
    ck_assert(json_is_integer(json_object_get(first, "p90_ms")));
    json_decref(report);
    // The technical head's own department: none of these.
    report = dispatch_call(harness_mdp_actor("ST-3", "dept_head", "technical"),
                           "GET", "/v1/reports/sla", NULL);
    ck_assert_int_eq(harness_mdp_status(report), 200);
    first = json_array_get(
        json_object_get(json_object_get(report, "body"), "targets"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(first, "count")), 0);
    json_decref(report);
    report = dispatch_call(harness_mdp_actor("ST-5", "technician", "technical"),
                           "GET", "/v1/reports/sla", NULL);
    ck_assert_int_eq(harness_mdp_status(report), 403);
    json_decref(report);
}
END_TEST

Suite *
dispatch_clocks_suite(void)
{
    Suite *suite = suite_create("dispatch_clocks");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, dispatch_stack_setup,
                              dispatch_stack_teardown);
    tcase_set_timeout(core, 120);
    tcase_add_test(core, test_dispatch_clocks_redelivery_after_marker_expired);
    tcase_add_test(core, test_dispatch_clocks_killed_consumer);
    tcase_add_test(core, test_dispatch_clocks_sla_report);
    suite_add_tcase(suite, core);
    return suite;
}
