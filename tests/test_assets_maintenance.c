// Integration tests of assets' maintenance plans through the gateway with
// real tokens (test_assets_stack.h, where a maintenance "day" is one
// second): one maintenance work order in dispatch per plan and due time
// with two assets replicas, one of them killed and restarted; due times
// skipped and recorded while the equipment is laid up; completion per
// checklist item into the equipment's file. Suite: assets_maintenance.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_assets_stack.h"

#define S_BODY_MAX 1024

static void
s_register(const char *tag, char *id)
{
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"tag\":\"%s\",\"name\":\"Boiler\",\"location\":\"basement\","
             "\"department\":\"technical\"}",
             tag);
    json_t *doc = ast_expect(201, AST_TECH, "POST", "/v1/equipment", body);
    snprintf(id, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
}

static void
s_plan(const char *eq, char *id)
{
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"title\":\"Weekly care\","
             "\"interval_days\":1,\"checklist\":[{\"task\":\"clean\"},"
             "{\"task\":\"inspect\"},{\"task\":\"other\","
             "\"text\":\"check the flue\"}]}",
             eq);
    json_t *doc =
        ast_expect(201, AST_TECH, "POST", "/v1/maintenance-plans", body);
    snprintf(id, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
}

static json_t *
s_get_plan(const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/maintenance-plans/%s", id);
    return ast_expect(200, AST_TECH, "GET", path, NULL);
}

static long long
s_member(const char *id, const char *member)
{
    json_t *plan = s_get_plan(id);
    long long value =
        json_is_array(json_object_get(plan, member))
            ? (long long)json_array_size(json_object_get(plan, member))
            : json_integer_value(json_object_get(plan, member));
    json_decref(plan);
    return value;
}

typedef struct {
    const char *plan;
    const char *member;
    long long at_least;
} s_wait_t;

static bool
s_reached(void *arg)
{
    const s_wait_t *w = arg;
    return s_member(w->plan, w->member) >= w->at_least;
}

// Events of type in the assets outbox naming plan (its subject).
static long long
s_events(const char *type, const char *plan)
{
    char subject[64];
    snprintf(subject, sizeof subject, "maintenance/%s", plan);
    char *text = harness_redis_cmd(
        &ast_stack.redis, "EVAL",
        "local n = 0 "
        "for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do "
        "  local f = e[2] local t, env = nil, nil "
        "  for i = 1, #f, 2 do "
        "    if f[i] == 'type' then t = f[i + 1] end "
        "    if f[i] == 'envelope' then env = f[i + 1] end "
        "  end "
        "  if t == ARGV[1] and env and string.find(env, ARGV[2], 1, true) "
        "  then n = n + 1 end "
        "end return n",
        "1", "sm:{assets}:outbox", type, subject);
    long long n = text ? atoll(text) : -1;
    free(text);
    return n;
}

// Work orders dispatch opened for plan's due times.
static long long
s_work_orders(const char *plan)
{
    char pattern[96];
    snprintf(pattern, sizeof pattern, "sm:{dispatch}:work_request:assets:%s/*",
             plan);
    char *text =
        harness_redis_cmd(&ast_stack.redis, "EVAL",
                          "return #redis.call('KEYS', ARGV[1])", "0", pattern);
    long long n = text ? atoll(text) : -1;
    free(text);
    return n;
}

typedef struct {
    const char *plan;
    long long want;
} s_orders_t;

static bool
s_orders_reached(void *arg)
{
    const s_orders_t *o = arg;
    return s_work_orders(o->plan) == o->want;
}

START_TEST(test_assets_maintenance_once_per_due_with_two_replicas)
{
    char eq[32], plan[32];
    s_register("AT-900", eq);
    harness_proc_t second;
    memset(&second, 0, sizeof second);
    ck_assert_int_eq(harness_proc_start(&second, "assets", ast_stack.envp), 0);
    s_plan(eq, plan);
    s_wait_t two = {plan, "occurrences", 2};
    ck_assert_msg(ast_wait(s_reached, &two, HARNESS_WAIT_MS),
                  "the plan never fell due");
    // Kill one replica mid-stream and start it again once the broker has
    // taken its two workers off its list (three missed heartbeats): until
    // then the broker may hand them a request that nobody answers.
    const harness_proc_t *broker = http_stack_proc(&ast_stack, "broker");
    int expired = harness_proc_count_event(broker, "broker.worker.expired");
    harness_proc_kill(&second, SIGKILL, 2000);
    ck_assert_msg(harness_proc_wait_event(broker, "broker.worker.expired",
                                          expired + 2, 3 * HARNESS_WAIT_MS),
                  "the broker kept the killed replica's workers");
    ck_assert_int_eq(harness_proc_start(&second, "assets", ast_stack.envp), 0);
    s_wait_t five = {plan, "occurrences", 5};
    ck_assert_msg(ast_wait(s_reached, &five, HARNESS_WAIT_MS),
                  "the plan stopped falling due");
    char path[96];
    snprintf(path, sizeof path, "/v1/maintenance-plans/%s/stop", plan);
    json_decref(ast_expect(403, AST_OPS, "POST", path, "{}"));
    json_t *doc = ast_expect(200, AST_TECH, "POST", path, "{}");
    ck_assert_str_eq(ast_text(doc, "state"), "stopped");
    json_decref(doc);
    harness_proc_kill(&second, SIGTERM, 5000);
    harness_proc_cleanup(&second);
    // One request per due time: the plan's count, its events, dispatch's
    // work orders all agree.
    long long occurrences = s_member(plan, "occurrences");
    ck_assert_int_ge(occurrences, 5);
    ck_assert_int_eq(s_events("assets.maintenance.work_requested", plan),
                     occurrences);
    s_orders_t orders = {plan, occurrences};
    ck_assert_msg(ast_wait(s_orders_reached, &orders, HARNESS_WAIT_MS),
                  "dispatch has %lld work orders for %lld due times",
                  s_work_orders(plan), occurrences);
    // Completion per checklist item, once, into the equipment's file.
    json_t *plan_doc = s_get_plan(plan);
    char due[64], body[S_BODY_MAX];
    snprintf(due, sizeof due, "%s",
             ast_text(json_array_get(json_object_get(plan_doc, "requested"), 0),
                      "due"));
    json_decref(plan_doc);
    snprintf(path, sizeof path, "/v1/maintenance-plans/%s/complete", plan);
    snprintf(body, sizeof body,
             "{\"due\":\"%s\",\"results\":[{\"item\":1,\"result\":\"done\"},"
             "{\"item\":2,\"result\":\"defect\",\"note\":\"scale\"}]}",
             due);
    json_t *problem = ast_expect(400, AST_TECH, "POST", path, body);
    ck_assert_str_eq(ast_error_field(problem), "results");
    json_decref(problem);
    snprintf(body, sizeof body,
             "{\"due\":\"%s\",\"results\":[{\"item\":1,\"result\":\"done\"},"
             "{\"item\":2,\"result\":\"defect\",\"note\":\"scale\"},"
             "{\"item\":3,\"result\":\"done\"}],\"notes\":\"descaled\"}",
             due);
    json_decref(ast_expect(200, AST_TECH, "POST", path, body));
    json_decref(ast_expect(409, AST_TECH, "POST", path, body));
    snprintf(path, sizeof path, "/v1/equipment/%s/file", eq);
    json_t *file = ast_expect(200, AST_OPS, "GET", path, NULL);
    const json_t *records = json_object_get(file, "maintenance");
    ck_assert_uint_eq(json_array_size(records), 1);
    const json_t *results =
        json_object_get(json_array_get(records, 0), "results");
    ck_assert_uint_eq(json_array_size(results), 3);
    ck_assert_str_eq(ast_text(json_array_get(results, 1), "task"), "inspect");
    json_decref(file);
}
END_TEST

START_TEST(test_assets_maintenance_skipped_while_out_of_service)
{
    char eq[32], plan[32], path[96];
    s_register("AT-901", eq);
    snprintf(path, sizeof path, "/v1/equipment/%s/lay-up", eq);
    json_decref(ast_expect(200, AST_TECH, "POST", path, "{}"));
    s_plan(eq, plan);
    s_wait_t skipped = {plan, "skipped", 2};
    ck_assert_msg(ast_wait(s_reached, &skipped, HARNESS_WAIT_MS),
                  "no due time was skipped");
    ck_assert_int_eq(s_member(plan, "occurrences"), 0);
    ck_assert_int_eq(s_work_orders(plan), 0);
    json_t *doc = s_get_plan(plan);
    ck_assert_str_eq(
        ast_text(json_array_get(json_object_get(doc, "skipped"), 0),
                 "equipment_state"),
        "idle");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/equipment/%s/put-in-service", eq);
    json_decref(ast_expect(200, AST_TECH, "POST", path, "{}"));
    s_wait_t requested = {plan, "occurrences", 1};
    ck_assert_msg(ast_wait(s_reached, &requested, HARNESS_WAIT_MS),
                  "back in service, the plan asked for no work");
    snprintf(path, sizeof path, "/v1/maintenance-plans/%s/stop", plan);
    json_decref(ast_expect(200, AST_TECH, "POST", path, "{}"));
}
END_TEST

START_TEST(test_assets_maintenance_plan_bad_input)
{
    char eq[32];
    s_register("AT-902", eq);
    char body[S_BODY_MAX];
    // Both an interval and a calendar rule: 400 naming interval_days.
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"title\":\"x\",\"interval_days\":7,"
             "\"calendar\":{\"nth\":1,\"weekday\":\"monday\"},"
             "\"checklist\":[{\"task\":\"clean\"}]}",
             eq);
    json_t *problem =
        ast_expect(400, AST_TECH, "POST", "/v1/maintenance-plans", body);
    ck_assert_str_eq(ast_error_field(problem), "interval_days");
    json_decref(problem);
    // A free item needs its text; not a keeper: 403.
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"title\":\"x\","
             "\"calendar\":{\"nth\":1,\"weekday\":\"monday\"},"
             "\"checklist\":[{\"task\":\"other\"}]}",
             eq);
    problem = ast_expect(400, AST_TECH, "POST", "/v1/maintenance-plans", body);
    ck_assert_str_eq(ast_error_field(problem), "checklist[0].text");
    json_decref(problem);
    json_decref(
        ast_expect(403, AST_OPS, "POST", "/v1/maintenance-plans", body));
    // The first Monday of the month: due then, at 00:00 UTC.
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"title\":\"Monthly\",\"basis\":"
             "\"completion\",\"calendar\":{\"nth\":1,\"weekday\":\"monday\"},"
             "\"checklist\":[{\"task\":\"lubricate\"}]}",
             eq);
    json_t *doc =
        ast_expect(201, AST_TECH, "POST", "/v1/maintenance-plans", body);
    ck_assert_ptr_nonnull(strstr(ast_text(doc, "next_due"), "T00:00:00.000Z"));
    json_decref(doc);
}
END_TEST

Suite *
assets_maintenance_suite(void)
{
    Suite *s = suite_create("assets_maintenance");
    TCase *tc = tcase_create("maintenance");
    tcase_add_unchecked_fixture(tc, ast_stack_setup, ast_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_assets_maintenance_once_per_due_with_two_replicas);
    tcase_add_test(tc, test_assets_maintenance_skipped_while_out_of_service);
    tcase_add_test(tc, test_assets_maintenance_plan_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
