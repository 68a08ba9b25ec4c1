// oversight_reviews: the heads' periodic reviews over the gateway with real
// tokens (regulations ch. 2 (二)1–2) — a deputy's review of the department
// they oversee with improvement measures, published: each measure is a
// dispatch work order of its owner; an overdue measure escalates once per
// level (to the owner's department head, then to the reviewer); a measure
// done before its due time never escalates; the refusals.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "http_stack.h"
#include "suites.h"

#define S_BOOT_TOKEN "smt_oversight_suite_bootstrap_token_0123456789"
#define S_WAIT_MS    30000
#define S_DAY_MS     86400000LL

typedef enum {
    S_HEAD,      // station head (bootstrap)
    S_DEPUTY,    // deputy head overseeing tech
    S_DEPUTY2,   // deputy head overseeing logistics
    S_TECH_HEAD, // dept head of tech
    S_LOG_HEAD,  // dept head of logistics
    S_TECH,      // technician, tech: owns measures
    S_CLERK,     // logistics, logistics
    S_AUDITOR,   // auditor, management
    S_PEOPLE
} s_who_t;

static http_stack_t s_stack;

static const http_stack_person_t s_people[S_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Deputy Tech", "deputy_head", "management"},
    {"Deputy Log", "deputy_head", "management"},
    {"Tech head", "dept_head", "tech"},
    {"Logistics head", "dept_head", "logistics"},
    {"Tech One", "technician", "tech"},
    {"Clerk One", "logistics", "logistics"},
    {"Auditor One", "auditor", "management"},
};

static json_t *
s_expect(int status, s_who_t who, const char *method, const char *path,
         const char *body)
{
    return http_stack_expect(&s_stack, status, (int)who, method, path, body);
}

static const char *
s_str(const json_t *object, const char *member)
{
    return http_stack_text(object, member);
}

static const char *
s_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(s_str(e, "field"), field) == 0) {
            return s_str(e, "message");
        }
    }
    return NULL;
}

// oversight's and dispatch's org views know the heads and the deputies.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    bool ready = true;
    static const char *const keys[] = {
        "sm:{oversight}:org:department:tech",
        "sm:{oversight}:org:department:logistics",
        "sm:{dispatch}:org:department:tech",
    };
    static const s_who_t named[] = {S_DEPUTY, S_DEPUTY2, S_TECH_HEAD};
    for (size_t i = 0; i < 3; i++) {
        char *text = harness_redis_cmd(&s_stack.redis, "HGET", keys[i], "doc");
        ready = ready && text && strstr(text, s_stack.ids[named[i]]);
        free(text);
    }
    char key[96];
    snprintf(key, sizeof key, "sm:{oversight}:org:staff:%s",
             s_stack.ids[S_PEOPLE - 1]);
    char *staff = harness_redis_cmd(&s_stack.redis, "HGET", key, "doc");
    ready = ready && staff;
    free(staff);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    return http_stack_call(&s_stack, S_HEAD, "GET", "/v1/reviews", NULL, NULL,
                           NULL)
               == 200
           && http_stack_call(&s_stack, S_HEAD, "GET", "/v1/work-orders", NULL,
                              NULL, NULL)
                  == 200;
}

static void
s_setup(void)
{
    static const char *const services[] = {"dispatch", "oversight", NULL};
    static const char *const env[] = {
        "SM_GATEWAY__RATE_PER_S=100000", "SM_GATEWAY__BURST=100000",
        "SM_OVERSIGHT__ESCALATE_AFTER_MS=1500", NULL};
    const http_stack_def_t def = {.boot_token = S_BOOT_TOKEN,
                                  .services = services,
                                  .env = env,
                                  .people = s_people,
                                  .people_count = S_PEOPLE};
    http_stack_start(&s_stack, &def);
    http_stack_require(&s_stack,
                       http_stack_wait(s_routed, NULL, HARNESS_WAIT_MS),
                       "oversight or dispatch not routed");
    http_stack_department(&s_stack, "tech");
    http_stack_department(&s_stack, "logistics");
    for (int who = S_DEPUTY; who < S_PEOPLE; who++) {
        http_stack_person(&s_stack, who, NULL, NULL, NULL);
    }
    http_stack_set_head(&s_stack, "tech", S_TECH_HEAD, S_DEPUTY);
    http_stack_set_head(&s_stack, "logistics", S_LOG_HEAD, S_DEPUTY2);
    http_stack_require(&s_stack,
                       http_stack_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
                       "oversight never saw the org chart");
}

static void
s_teardown(void)
{
    http_stack_stop(&s_stack);
}

// ---- helpers

// The period of the last 30 days into buf (128).
static const char *
s_period(char *buf)
{
    char from[CM_TIME_TEXT_MAX], to[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() - 30 * S_DAY_MS, from);
    cm_time_format(cm_time_now_ms(), to);
    snprintf(buf, 128, "{\"from\":\"%.10s\",\"to\":\"%.10s\"}", from, to);
    return buf;
}

// A measure of owner due in `in_ms` into buf (256).
static const char *
s_measure(char *buf, s_who_t owner, int64_t in_ms)
{
    char due[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + in_ms, due);
    snprintf(buf, 256,
             "{\"text\":\"Check the spare parts weekly\",\"owner\":\"%s\","
             "\"due_at\":\"%s\"}",
             s_stack.ids[owner], due);
    return buf;
}

static json_t *
s_review(const json_t *doc, const char *member)
{
    return json_object_get(doc, member);
}

static json_t *
s_get(s_who_t who, const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/reviews/%s", id);
    return s_expect(200, who, "GET", path, NULL);
}

static json_t *
s_act(s_who_t who, const char *id, const char *action, const char *body,
      int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/reviews/%s/%s", id, action);
    return s_expect(status, who, "POST", path, body ? body : "{}");
}

static json_t *
s_done(s_who_t who, const char *id, const char *mid, int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/reviews/%s/measures/%s/done", id, mid);
    return s_expect(status, who, "POST", path,
                    "{\"result\":\"The parts are checked every Monday\"}");
}

static const json_t *
s_measure_of(const json_t *doc, size_t i)
{
    return json_array_get(s_review(doc, "measures"), i);
}

// Outbox entries of type whose envelope holds subject (quoted) and needle
// (may be NULL) on sm:{oversight}:outbox.
typedef struct {
    const char *type, *subject, *needle;
    int n;
} s_count_t;

static int
s_count(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, count->type) == 0
                && strstr(event->envelope, count->subject) != NULL
                && (!count->needle || strstr(event->envelope, count->needle));
    return 0;
}

static int
s_outbox_count(const char *type, const char *subject, const char *needle)
{
    cm_redis_t *redis = cm_redis_new("127.0.0.1", s_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    s_count_t count = {type, subject, needle, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{oversight}:outbox", "0-0",
                                     100000, s_count, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}

// ---- waiting

typedef struct {
    const char *id;
    size_t measure;
    long long level;
} s_level_t;

static bool
s_reached(void *arg)
{
    const s_level_t *want = arg;
    json_t *doc = s_get(S_HEAD, want->id);
    const json_t *m = s_measure_of(doc, want->measure);
    bool reached = json_integer_value(json_object_get(m, "escalation_level"))
                   >= want->level;
    json_decref(doc);
    return reached;
}

typedef struct {
    char key[96];
    char assignee[48];
    int found;
} s_order_t;

static bool
s_order_found(void *arg)
{
    s_order_t *order = arg;
    json_t *page = s_expect(200, S_HEAD, "GET",
                            "/v1/work-orders?queue=tech&limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    order->found = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        if (strcmp(s_str(json_object_get(item, "request"), "key"), order->key)
            == 0) {
            order->found++;
            snprintf(order->assignee, sizeof order->assignee, "%s",
                     s_str(item, "assignee"));
        }
    }
    json_decref(page);
    return order->found > 0;
}

static bool
s_time_passed(void *arg)
{
    return cm_time_now_ms() > *(const int64_t *)arg;
}

// ---- tests

START_TEST(test_review_measures_tracked_and_escalated)
{
    char body[2048], period[128], m1[256], m2[256], path[96], subject[64];
    int64_t due2 = cm_time_now_ms() + 10000;
    snprintf(body, sizeof body,
             "{\"period\":%s,\"departments\":[\"tech\"],"
             "\"analysis\":\"Repairs waited for parts twice.\","
             "\"problems\":[\"Spare parts ran out\"],"
             "\"measures\":[%s,%s]}",
             s_period(period), s_measure(m1, S_TECH, 3000),
             s_measure(m2, S_TECH_HEAD, 10000));
    json_t *doc = s_expect(201, S_DEPUTY, "POST", "/v1/reviews", body);
    char id[48];
    snprintf(id, sizeof id, "%s", s_str(doc, "id"));
    ck_assert_str_eq(s_str(doc, "state"), "draft");
    ck_assert_str_eq(s_str(doc, "scope"), "departments");
    ck_assert_str_eq(s_str(s_measure_of(doc, 0), "id"), "M1");
    ck_assert_str_eq(s_str(s_measure_of(doc, 0), "department"), "tech");
    json_decref(doc);
    // A draft is edited with If-Match; the department head does not see it.
    snprintf(path, sizeof path, "/v1/reviews/%s", id);
    json_decref(s_expect(404, S_TECH_HEAD, "GET", path, NULL));
    int status = http_stack_call(
        &s_stack, S_DEPUTY, "PATCH", path,
        "{\"analysis\":\"Repairs waited for parts twice in October.\"}",
        "If-Match: \"1\"\r\n", &doc);
    ck_assert_int_eq(status, 200);
    json_decref(doc);
    // A second replica of oversight claims the timers too.
    harness_proc_t second;
    memset(&second, 0, sizeof second);
    ck_assert_int_eq(harness_proc_start(&second, "oversight", s_stack.envp), 0);
    doc = s_act(S_DEPUTY, id, "publish", NULL, 200);
    ck_assert_str_eq(s_str(doc, "state"), "published");
    ck_assert_str_eq(s_str(doc, "measure_state"), "open");
    json_decref(doc);
    // The second measure is done at once by its owner: it never escalates.
    doc = s_done(S_TECH_HEAD, id, "M2", 200);
    ck_assert_str_eq(s_str(s_measure_of(doc, 1), "state"), "done");
    json_decref(doc);
    // M1 passes its due time: level 1, then level 2. Asserts come after the
    // second replica is stopped (a failure must not leave it running).
    s_level_t level = {id, 0, 2};
    bool reached = http_stack_wait(s_reached, &level, S_WAIT_MS);
    // Let both replicas tick past M2's due time too: no more events.
    int64_t settle = due2 + 3000;
    bool settled = http_stack_wait(s_time_passed, &settle, S_WAIT_MS);
    harness_proc_kill(&second, SIGTERM, 5000);
    harness_proc_cleanup(&second);
    ck_assert(reached);
    ck_assert(settled);
    // Each measure is a work order of dispatch, assigned to its owner.
    s_order_t order = {.found = 0};
    snprintf(order.key, sizeof order.key, "%s/M1", id);
    ck_assert(http_stack_wait(s_order_found, &order, S_WAIT_MS));
    ck_assert_int_eq(order.found, 1);
    ck_assert_str_eq(order.assignee, s_stack.ids[S_TECH]);

    doc = s_get(S_TECH_HEAD, id);
    const json_t *first = s_measure_of(doc, 0);
    ck_assert_int_eq(
        json_integer_value(json_object_get(first, "escalation_level")), 2);
    const json_t *escalations = json_object_get(first, "escalations");
    ck_assert_int_eq(json_array_size(escalations), 2);
    // Level 1 to the owner's department head, level 2 to the reviewer.
    ck_assert_str_eq(s_str(json_array_get(escalations, 0), "to"),
                     s_stack.ids[S_TECH_HEAD]);
    ck_assert_str_eq(s_str(json_array_get(escalations, 1), "to"),
                     s_stack.ids[S_DEPUTY]);
    ck_assert(json_is_true(json_object_get(doc, "overdue")));
    ck_assert_int_eq(json_integer_value(json_object_get(s_measure_of(doc, 1),
                                                        "escalation_level")),
                     0);
    json_decref(doc);
    snprintf(subject, sizeof subject, "\"review/%s\"", id);
    ck_assert_int_eq(s_outbox_count("oversight.measure.overdue", subject, NULL),
                     2);
    ck_assert_int_eq(
        s_outbox_count("oversight.review.work_requested", subject, NULL), 2);
    // Open measures keep the review open. The auditor reads but does not
    // act; the clerk does not even see the review.
    json_decref(s_act(S_DEPUTY, id, "close", NULL, 409));
    json_decref(s_done(S_AUDITOR, id, "M1", 403));
    json_decref(s_done(S_CLERK, id, "M1", 404));
    json_decref(s_done(S_TECH, id, "M9", 404));
    // The list of open measures, as the tech head sees it.
    doc = s_expect(200, S_TECH_HEAD, "GET",
                   "/v1/reviews?measure_state=open&department=tech", NULL);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
    doc = s_expect(200, S_LOG_HEAD, "GET", "/v1/reviews?measure_state=open",
                   NULL);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "items")), 0);
    json_decref(doc);
    doc = s_done(S_TECH, id, "M1", 200);
    ck_assert_str_eq(s_str(doc, "measure_state"), "done");
    ck_assert(json_is_false(json_object_get(doc, "overdue")));
    json_decref(doc);
    json_decref(s_done(S_TECH, id, "M1", 409));
    doc = s_act(S_DEPUTY, id, "close", NULL, 200);
    ck_assert_str_eq(s_str(doc, "state"), "closed");
    json_decref(doc);
    ck_assert_int_eq(
        s_outbox_count("oversight.review.work_cancelled", subject, NULL), 2);
    ck_assert_int_eq(s_outbox_count("oversight.measure.overdue", subject, NULL),
                     2);
}
END_TEST

START_TEST(test_review_refusals)
{
    char body[2048], period[128], m[256], path[96];
    s_period(period);
    s_measure(m, S_TECH, S_DAY_MS);
    // A deputy outside the departments they oversee, or for the station.
    snprintf(body, sizeof body,
             "{\"period\":%s,\"departments\":[\"logistics\"],"
             "\"analysis\":\"x\"}",
             period);
    json_t *doc = s_expect(403, S_DEPUTY, "POST", "/v1/reviews", body);
    ck_assert_ptr_nonnull(s_error_for(doc, "departments"));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"period\":%s,\"analysis\":\"x\"}", period);
    json_decref(s_expect(403, S_DEPUTY, "POST", "/v1/reviews", body));
    // Department heads and staff do not write reviews.
    snprintf(body, sizeof body,
             "{\"period\":%s,\"departments\":[\"tech\"],\"analysis\":\"x\"}",
             period);
    json_decref(s_expect(403, S_TECH_HEAD, "POST", "/v1/reviews", body));
    json_decref(s_expect(403, S_TECH, "POST", "/v1/reviews", body));
    json_decref(s_expect(403, S_TECH, "GET", "/v1/reviews", NULL));
    // Bad dates: the period backwards, a measure due in the past.
    snprintf(body, sizeof body,
             "{\"period\":{\"from\":\"2026-03-31\",\"to\":\"2026-03-01\"},"
             "\"departments\":[\"tech\"],\"analysis\":\"x\"}");
    doc = s_expect(400, S_DEPUTY, "POST", "/v1/reviews", body);
    ck_assert_ptr_nonnull(s_error_for(doc, "period.to"));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"period\":%s,\"departments\":[\"tech\"],\"analysis\":\"x\","
             "\"measures\":[{\"text\":\"t\",\"owner\":\"%s\","
             "\"due_at\":\"2020-01-01T00:00:00Z\"}]}",
             period, s_stack.ids[S_TECH]);
    doc = s_expect(400, S_DEPUTY, "POST", "/v1/reviews", body);
    ck_assert_ptr_nonnull(s_error_for(doc, "measures[0].due_at"));
    json_decref(doc);
    // An owner who is not active staff, or works outside the review.
    snprintf(body, sizeof body,
             "{\"period\":%s,\"departments\":[\"tech\"],\"analysis\":\"x\","
             "\"measures\":[%s,{\"text\":\"t\",\"owner\":\"ST-9999\","
             "\"due_at\":\"2099-01-01T00:00:00Z\"},{\"text\":\"t\","
             "\"owner\":\"%s\",\"due_at\":\"2099-01-01T00:00:00Z\"}]}",
             period, m, s_stack.ids[S_CLERK]);
    doc = s_expect(422, S_DEPUTY, "POST", "/v1/reviews", body);
    ck_assert_ptr_nonnull(s_error_for(doc, "measures[1].owner"));
    ck_assert_ptr_nonnull(s_error_for(doc, "measures[2].owner"));
    ck_assert_ptr_null(s_error_for(doc, "measures[0].owner"));
    json_decref(doc);
    // Nothing was written by the refusals.
    doc = s_expect(200, S_HEAD, "GET", "/v1/reviews?reviewer=ST-9999", NULL);
    json_decref(doc);
    // The station head's review of the station; edits end at publish.
    snprintf(body, sizeof body,
             "{\"period\":%s,\"analysis\":\"A quiet month.\","
             "\"measures\":[%s]}",
             period, m);
    doc = s_expect(201, S_HEAD, "POST", "/v1/reviews", body);
    char id[48];
    snprintf(id, sizeof id, "%s", s_str(doc, "id"));
    ck_assert_str_eq(s_str(doc, "scope"), "station");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/reviews/%s", id);
    // PATCH needs If-Match; another deputy may not edit it.
    ck_assert_int_eq(http_stack_call(&s_stack, S_HEAD, "PATCH", path,
                                     "{\"analysis\":\"y\"}", NULL, NULL),
                     428);
    // A draft is its reviewer's (and the station head's): unseen by others.
    json_decref(s_act(S_DEPUTY, id, "publish", NULL, 404));
    json_decref(s_act(S_HEAD, id, "measure_done", NULL, 404));
    doc = s_act(S_HEAD, id, "publish", NULL, 200);
    json_decref(doc);
    ck_assert_int_eq(http_stack_call(&s_stack, S_HEAD, "PATCH", path,
                                     "{\"analysis\":\"y\"}",
                                     "If-Match: \"2\"\r\n", NULL),
                     409);
    // Published, the station's review is the deputies' and auditors' to
    // read, not the logistics head's (no measure of theirs).
    json_decref(s_expect(200, S_DEPUTY2, "GET", path, NULL));
    json_decref(s_expect(200, S_AUDITOR, "GET", path, NULL));
    json_decref(s_expect(200, S_TECH, "GET", path, NULL));
    json_decref(s_expect(404, S_LOG_HEAD, "GET", path, NULL));
    json_decref(s_expect(404, S_CLERK, "GET", path, NULL));
}
END_TEST

Suite *
oversight_reviews_suite(void)
{
    Suite *s = suite_create("oversight_reviews");
    TCase *tc = tcase_create("reviews");
    tcase_add_unchecked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_review_measures_tracked_and_escalated);
    tcase_add_test(tc, test_review_refusals);
    suite_add_tcase(s, tc);
    return s;
}
