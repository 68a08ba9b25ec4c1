// Integration tests of the dispatch service: a private redis-server, the
// broker, the hub and one or two dispatch replicas. Requests go over MDP
// (cm_mdp_client); intake and personnel events are committed straight into
// sm:{intake}:outbox and sm:{personnel}:outbox, shaped as those services
// publish them, so these tests depend on neither.
// Suite: dispatch_suite (declare it in tests/suites.h).
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_outbox.h"
#include "cm_store.h"
#include "cm_time.h"
#include "harness.h"
#include "harness_mdp.h"
#include "suites.h"

#define S_CALL_MS   5000
#define S_WAIT_MS   15000
#define S_ENV_MAX   96
#define S_ENV_COUNT 6
#define S_REPLICAS  2
#define S_TARGET_MS 2000 // the 2-second policy
#define S_LONG_MS   600000

typedef struct {
    harness_redis_t redis;               // private redis-server
    harness_proc_t broker;               // the broker binary
    harness_proc_t hub;                  // the hub binary
    harness_proc_t dispatch[S_REPLICAS]; // dispatch replicas
    size_t replicas;                     // started
    char endpoint[64];                   // broker endpoint for clients
    char env[S_ENV_COUNT][S_ENV_MAX];    // environment of the children
    cm_store_t *store;                   // the test's own connection
} s_stack_t;

static s_stack_t s_stack; // the running stack of the current test

// ---- stack

static bool
s_stack_start(s_stack_t *stack, size_t replicas)
{
    memset(stack, 0, sizeof *stack);
    if (harness_redis_start(&stack->redis) != 0) {
        return false;
    }
    int port = harness_free_port();
    snprintf(stack->endpoint, sizeof stack->endpoint, "tcp://127.0.0.1:%d",
             port);
    snprintf(stack->env[0], S_ENV_MAX, "SM_REDIS__PORT=%d", stack->redis.port);
    snprintf(stack->env[1], S_ENV_MAX, "SM_BROKER__PORT=%d", port);
    snprintf(stack->env[2], S_ENV_MAX, "SM_HUB__PUB_PORT=%d",
             harness_free_port());
    snprintf(stack->env[3], S_ENV_MAX, "SM_HUB__SUB_PORT=%d",
             harness_free_port());
    snprintf(stack->env[4], S_ENV_MAX, "SM_SERVICE__WORKERS=2");
    const char *env[] = {stack->env[0], stack->env[1], stack->env[2],
                         stack->env[3], stack->env[4], NULL};
    if (harness_proc_start(&stack->broker, "broker", env) != 0
        || harness_proc_start(&stack->hub, "hub", env) != 0) {
        return false;
    }
    for (size_t i = 0; i < replicas; i++) {
        if (harness_proc_start(&stack->dispatch[i], "dispatch", env) != 0) {
            return false;
        }
        stack->replicas++;
    }
    stack->store = cm_store_new("127.0.0.1", stack->redis.port, NULL, 1000);
    return stack->store
           && harness_proc_wait_event(&stack->broker, "broker.worker.ready",
                                      (int)(2 * replicas), HARNESS_WAIT_MS);
}

static void
s_stack_stop(s_stack_t *stack)
{
    for (size_t i = 0; i < stack->replicas; i++) {
        harness_proc_kill(&stack->dispatch[i], SIGTERM, 5000);
        harness_proc_cleanup(&stack->dispatch[i]);
    }
    harness_proc_kill(&stack->hub, SIGTERM, 2000);
    harness_proc_cleanup(&stack->hub);
    harness_proc_kill(&stack->broker, SIGTERM, 2000);
    harness_proc_cleanup(&stack->broker);
    cm_store_destroy(&stack->store);
    harness_redis_stop(&stack->redis);
}

static void
s_setup(void)
{
    ck_assert_msg(s_stack_start(&s_stack, 1), "stack did not start");
}

static void
s_setup_replicas(void)
{
    ck_assert_msg(s_stack_start(&s_stack, S_REPLICAS), "stack did not start");
}

static void
s_teardown(void)
{
    s_stack_stop(&s_stack);
}

// ---- requests

// Send a request as actor (taken) on a fresh client and return the reply
// envelope (never NULL: asserted).
static json_t *
s_call(json_t *actor, const char *method, const char *path, json_t *body)
{
    cm_mdp_client_t *client = cm_mdp_client_new(s_stack.endpoint);
    ck_assert_ptr_nonnull(client);
    cm_envelope_request_t fields = {
        .actor = actor, .method = method, .path = path, .body = body};
    json_t *reply = harness_mdp_call(client, "dispatch", &fields, S_CALL_MS);
    cm_mdp_client_destroy(&client);
    json_decref(actor);
    json_decref(body);
    ck_assert_msg(reply != NULL, "no reply to %s %s", method, path);
    return reply;
}

// ---- events as other services publish them

static void
s_publish(const char *producer, const char *type, const char *subject,
          json_t *data)
{
    json_t *actor = harness_mdp_actor("test", "system", "");
    cm_envelope_event_t fields = {.type = type,
                                  .source = producer,
                                  .subject = subject,
                                  .version = 1,
                                  .actor = actor,
                                  .data = data};
    json_t *event = cm_envelope_event_new(&fields);
    ck_assert_ptr_nonnull(event);
    char *text = cm_envelope_encode(event);
    cm_commit_t *commit = cm_commit_new(producer);
    cm_commit_event(commit, type, text);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(s_stack.store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    free(text);
    json_decref(event);
    json_decref(actor);
    json_decref(data);
}

static void
s_staff(const char *id, const char *role, const char *dept)
{
    char subject[64];
    snprintf(subject, sizeof subject, "staff/%s", id);
    s_publish("personnel", "personnel.staff.created", subject,
              json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "name", id,
                        "role", role, "department", dept, "status", "active"));
}

static void
s_department(const char *id, const char *head, const char *deputy)
{
    char subject[64];
    snprintf(subject, sizeof subject, "department/%s", id);
    s_publish("personnel", "personnel.department.created", subject,
              json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name", id, "head",
                        head, "deputy", deputy));
}

// True when the document key exists within S_WAIT_MS.
static bool
s_wait_doc(const char *key)
{
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        cm_doc_t doc;
        int rc = cm_store_get(s_stack.store, key, &doc);
        cm_doc_clear(&doc);
        if (rc == 0) {
            return true;
        }
        zmq_poll(NULL, 0, 20); // polling with a timeout, not a sync sleep
    }
    return false;
}

// The org chart: station head ST-1, deputy head ST-20, heads ST-2
// (customer_service), ST-3 (technical), ST-9 (logistics), technicians
// ST-5, ST-6, ST-7.
static void
s_seed_org(void)
{
    s_staff("ST-1", "station_head", "management");
    s_staff("ST-20", "deputy_head", "management");
    s_staff("ST-2", "dept_head", "customer_service");
    s_staff("ST-3", "dept_head", "technical");
    s_staff("ST-9", "dept_head", "logistics");
    s_staff("ST-5", "technician", "technical");
    s_staff("ST-6", "technician", "technical");
    s_staff("ST-7", "technician", "technical");
    s_department("technical", "ST-3", "ST-20");
    s_department("customer_service", "ST-2", "ST-20");
    ck_assert(s_wait_doc("sm:{dispatch}:org:department:customer_service"));
    ck_assert(s_wait_doc("sm:{dispatch}:org:staff:ST-7"));
}

static json_t *
s_case(const char *id, const char *kind, const char *state,
       const char *severity, const char *dept)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:n, s:s, s:s, s:n, s:b}",
                     "id", id, "kind", kind, "state", state, "severity",
                     severity, "department", dept, "assignee", "customer_id",
                     "CU-1", "channel", "phone", "promised_reply_at",
                     "awaiting_customer", 0);
}

static void
s_case_event(const char *type, json_t *summary)
{
    char subject[64];
    snprintf(subject, sizeof subject, "case/%s",
             json_string_value(json_object_get(summary, "id")));
    s_publish("intake", type, subject, summary);
}

// A JSON document stored at key (NULL when absent). Caller owns it.
static json_t *
s_doc(const char *key)
{
    cm_doc_t doc;
    if (cm_store_get(s_stack.store, key, &doc) != 0) {
        return NULL;
    }
    json_t *json = json_loads(doc.json, 0, NULL);
    cm_doc_clear(&doc);
    return json;
}

// The newest work order of case `id` into out, waiting for it.
static bool
s_wait_case_workorder(const char *case_id, char *out, size_t size)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:idx:wo_source:case:%s", case_id);
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        cm_page_t page;
        if (cm_store_list(s_stack.store, key, NULL, 1, false, &page) == 0
            && page.count) {
            snprintf(out, size, "%s", page.members[0]);
            cm_page_clear(&page);
            return true;
        }
        cm_page_clear(&page);
        zmq_poll(NULL, 0, 20); // polling with a timeout
    }
    return false;
}

// ---- the dispatch outbox

typedef struct {
    json_t *events; // envelopes of one type, in order
    const char *type;
} s_collect_t;

static int
s_collect(const cm_event_t *event, void *arg)
{
    s_collect_t *collect = arg;
    if (strcmp(event->type, collect->type) == 0) {
        json_array_append_new(collect->events,
                              json_loads(event->envelope, 0, NULL));
    }
    return 0;
}

// Every dispatch event of `type`. Caller owns the array.
static json_t *
s_dispatch_events(const char *type)
{
    s_collect_t collect = {json_array(), type};
    int read =
        cm_outbox_range(cm_store_redis(s_stack.store), "sm:{dispatch}:outbox",
                        "0-0", 10000, s_collect, &collect);
    ck_assert_int_ge(read, 0);
    return collect.events;
}

// ---- tests

static json_t *
s_workorder_body(const char *title, const char *dept)
{
    return json_pack("{s:s, s:s}", "title", title, "department", dept);
}

START_TEST(test_dispatch_forwarded_case_auto_assigned)
{
    s_seed_org();
    json_t *reply = s_call(harness_mdp_actor("ST-5", "technician", "technical"),
                           "PUT", "/v1/rosters/technical",
                           json_pack("{s:[s]}", "on_duty", "ST-5"));
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    reply = s_call(harness_mdp_actor("ST-3", "dept_head", "technical"), "PUT",
                   "/v1/rosters/technical",
                   json_pack("{s:[s,s,s]}", "on_duty", "ST-5", "ST-6", "ST-7"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    // Two manual work orders load ST-5 and ST-6 (ties go to the lower id).
    const char *expected[] = {"ST-5", "ST-6"};
    for (int i = 0; i < 2; i++) {
        reply = s_call(harness_mdp_actor("ST-3", "dept_head", "technical"),
                       "POST", "/v1/work-orders",
                       s_workorder_body("check the boiler", "technical"));
        ck_assert_int_eq(harness_mdp_status(reply), 201);
        ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"),
                         expected[i]);
        json_decref(reply);
    }
    s_case_event("intake.case.created",
                 s_case("CS-1", "complaint", "recorded", "high", NULL));
    s_case_event("intake.case.forwarded",
                 s_case("CS-1", "complaint", "forwarded", "high", "technical"));
    char id[64];
    ck_assert(s_wait_case_workorder("CS-1", id, sizeof id));
    char path[128];
    snprintf(path, sizeof path, "/v1/work-orders/%s", id);
    reply = s_call(harness_mdp_actor("ST-3", "dept_head", "technical"), "GET",
                   path, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"), "ST-7");
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "assigned");
    json_t *source = json_object_get(json_object_get(reply, "body"), "source");
    ck_assert_str_eq(json_string_value(json_object_get(source, "id")), "CS-1");
    json_decref(reply);
    json_t *assigned = s_dispatch_events("dispatch.workorder.assigned");
    ck_assert_int_eq(json_array_size(assigned), 3);
    json_decref(assigned);
    // The department-reply clock runs; a reply stops it.
    json_t *clock = s_doc("sm:{dispatch}:clock:CS-1:department_reply");
    ck_assert_ptr_nonnull(clock);
    ck_assert_str_eq(json_string_value(json_object_get(clock, "state")),
                     "running");
    json_decref(clock);
}
END_TEST

START_TEST(test_dispatch_manual_assign_and_reassign)
{
    s_seed_org();
    s_staff("ST-31", "logistics", "logistics");
    s_staff("ST-32", "logistics", "logistics");
    ck_assert(s_wait_doc("sm:{dispatch}:org:staff:ST-32"));
    // Nobody on duty in logistics: the work order stays open.
    json_t *reply = s_call(harness_mdp_actor("ST-9", "dept_head", "logistics"),
                           "POST", "/v1/work-orders",
                           s_workorder_body("count the stock", "logistics"));
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "open");
    char path[128];
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    ck_assert(harness_proc_wait_event(&s_stack.dispatch[0],
                                      "workorder.unassigned", 1, S_WAIT_MS));
    reply = s_call(harness_mdp_actor("ST-3", "dept_head", "technical"), "POST",
                   path, json_pack("{s:s}", "assignee", "ST-31"));
    ck_assert_int_eq(harness_mdp_status(reply),
                     403); // another department's head
    json_decref(reply);
    reply = s_call(harness_mdp_actor("ST-9", "dept_head", "logistics"), "POST",
                   path, json_pack("{s:s}", "assignee", "ST-31"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"), "ST-31");
    json_decref(reply);
    // assign again: 409 naming what the head may do now.
    reply = s_call(harness_mdp_actor("ST-9", "dept_head", "logistics"), "POST",
                   path, json_pack("{s:s}", "assignee", "ST-32"));
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    json_t *allowed =
        json_object_get(json_object_get(reply, "error"), "allowed_actions");
    ck_assert_int_eq(json_array_size(allowed), 1);
    ck_assert_str_eq(json_string_value(json_array_get(allowed, 0)), "reassign");
    json_decref(reply);
    char *action = strrchr(path, '/');
    snprintf(action, sizeof path - (size_t)(action - path), "/reassign");
    reply = s_call(harness_mdp_actor("ST-31", "logistics", "logistics"), "POST",
                   path, json_pack("{s:s}", "assignee", "ST-32"));
    ck_assert_int_eq(harness_mdp_status(reply), 403); // not the head
    json_decref(reply);
    reply = s_call(harness_mdp_actor("ST-9", "dept_head", "logistics"), "POST",
                   path,
                   json_pack("{s:s, s:s}", "assignee", "ST-32", "note",
                             "ST-31 is off sick"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "assignee"), "ST-32");
    json_decref(reply);
    snprintf(action, sizeof path - (size_t)(action - path), "/accept");
    reply = s_call(harness_mdp_actor("ST-32", "logistics", "logistics"), "POST",
                   path, NULL);
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
    json_t *reply = s_call(harness_mdp_actor("ST-5", "technician", "technical"),
                           "PUT", path,
                           json_pack("{s:b, s:{s:O}}", "business_time", 0,
                                     "targets", "default", row));
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    reply = s_call(harness_mdp_actor("ST-20", "deputy_head", "management"),
                   "PUT", path,
                   json_pack("{s:b, s:{s:o}}", "business_time", 0, "targets",
                             "default", row));
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
    s_seed_org();
    s_put_fast_policy("complaint");
    s_case_event("intake.case.created",
                 s_case("CS-10", "complaint", "recorded", "high", "technical"));
    ck_assert(harness_proc_wait_event(&s_stack.dispatch[0], "sla.escalated", 3,
                                      S_WAIT_MS));
    json_t *breaches = s_dispatch_events("dispatch.sla.breached");
    ck_assert_int_eq(json_array_size(breaches), 3);
    s_assert_chain(breaches, "CS-10");
    json_decref(breaches);
    // Fully escalated: no fourth step.
    ck_assert(!harness_proc_wait_event(&s_stack.dispatch[0], "sla.escalated", 4,
                                       2 * S_TARGET_MS + 500));
}
END_TEST

START_TEST(test_dispatch_response_stops_clock)
{
    s_seed_org();
    s_put_fast_policy("inquiry");
    s_case_event("intake.case.created",
                 s_case("CS-11", "inquiry", "recorded", NULL, NULL));
    s_case_event("intake.case.answered",
                 s_case("CS-11", "inquiry", "answered", NULL, NULL));
    ck_assert(s_wait_doc("sm:{dispatch}:clock:CS-11:first_response"));
    ck_assert(!harness_proc_wait_event(&s_stack.dispatch[0], "sla.escalated", 1,
                                       2 * S_TARGET_MS + 500));
    json_t *clock = s_doc("sm:{dispatch}:clock:CS-11:first_response");
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
        s_call(harness_mdp_actor("ST-1", "station_head", "management"), "PUT",
               path, body);
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
    json_t *reply =
        s_call(harness_mdp_actor("ST-1", "station_head", "management"), "PUT",
               "/v1/sla-policies/inquiry",
               json_pack("{s:b, s:s, s:{s:o}}", "business_time", 1, "calendar",
                         "makeup", "targets", "default", row));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    int64_t before = cm_time_now_ms();
    s_case_event("intake.case.created",
                 s_case("CS-20", "inquiry", "recorded", NULL, NULL));
    ck_assert(s_wait_doc("sm:{dispatch}:clock:CS-20:first_response"));
    int64_t after = cm_time_now_ms();
    json_t *clock = s_doc("sm:{dispatch}:clock:CS-20:first_response");
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
    s_seed_org();
    s_put_fast_policy("complaint");
    const char *cases[] = {"CS-30", "CS-31", "CS-32"};
    for (size_t i = 0; i < 3; i++) {
        s_case_event(
            "intake.case.created",
            s_case(cases[i], "complaint", "recorded", "low", "technical"));
    }
    int64_t until = cm_time_mono_ms() + 3 * S_WAIT_MS;
    int total = 0;
    while (total < 9 && cm_time_mono_ms() < until) {
        total =
            harness_proc_count_event(&s_stack.dispatch[0], "sla.escalated")
            + harness_proc_count_event(&s_stack.dispatch[1], "sla.escalated");
        zmq_poll(NULL, 0, 50); // polling with a timeout
    }
    ck_assert_int_eq(total, 9);
    // Give a duplicate every chance to appear, then count the events.
    ck_assert(!harness_proc_wait_event(&s_stack.dispatch[0], "sla.escalated",
                                       10, 2 * S_TARGET_MS));
    json_t *breaches = s_dispatch_events("dispatch.sla.breached");
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
    tcase_add_checked_fixture(core, s_setup, s_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_dispatch_forwarded_case_auto_assigned);
    tcase_add_test(core, test_dispatch_manual_assign_and_reassign);
    tcase_add_test(core, test_dispatch_sla_breach_escalates_up_the_chain);
    tcase_add_test(core, test_dispatch_response_stops_clock);
    tcase_add_test(core, test_dispatch_makeup_day_honoured);
    suite_add_tcase(suite, core);
    TCase *replicas = tcase_create("replicas");
    tcase_add_checked_fixture(replicas, s_setup_replicas, s_teardown);
    tcase_set_timeout(replicas, 90);
    tcase_add_test(replicas, test_dispatch_two_replicas_claim_each_timer_once);
    suite_add_tcase(suite, replicas);
    return suite;
}
