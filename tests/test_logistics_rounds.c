// logistics_rounds: hygiene and security rounds over the gateway with real
// tokens — who schedules and records them, every refusal, a due round
// becoming exactly one record and one work request with two replicas
// claiming the timers, and what failed items publish (docs/domain.md,
// logistics: rounds).
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "suites.h"
#include "test_logistics_stack.h"

#define S_HOUR_MS 3600000LL
#define S_WAIT_MS 20000

static const char *
s_time(int64_t offset_ms, char *buf)
{
    return cm_time_format(cm_time_now_ms() + offset_ms, buf);
}

// A round body of kind with checklist (JSON array text), first due at
// offset from now, into buf (2048); extra: more members ("" for none).
static const char *
s_body(char *buf, const char *kind, const char *checklist, int64_t offset_ms,
       const char *extra)
{
    char due[CM_TIME_TEXT_MAX];
    snprintf(buf, 2048,
             "{\"title\":\"Night patrol\",\"kind\":\"%s\",\"area\":\"Yard "
             "north\",\"interval_days\":1,\"first_due\":\"%s\","
             "\"checklist\":%s%s}",
             kind, s_time(offset_ms, due), checklist, extra);
    return buf;
}

static json_t *
s_round(const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/rounds/%.47s", id);
    return log_expect(200, LOG_HEAD, "GET", path, NULL);
}

static json_t *
s_act(log_who_t who, const char *collection, const char *id, const char *action,
      const char *body, int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/%s/%s/%s", collection, id, action);
    return log_expect(status, who, "POST", path, body ? body : "{}");
}

// A refused create: status, and the field the problem names.
static void
s_refused(log_who_t who, const char *body, int status, const char *field)
{
    json_t *problem = NULL;
    ck_assert_int_eq(log_http(who, "POST", "/v1/rounds", body, NULL, &problem),
                     status);
    if (field) {
        ck_assert_msg(log_error_for(problem, field), "no error for %s in %s",
                      field, json_dumps(problem, JSON_COMPACT));
    }
    json_decref(problem);
}

START_TEST(test_round_create_rules)
{
    char body[2048], extra[256];
    const char *items = "[{\"text\":\"Gate locked\"},{\"text\":\"Fence "
                        "intact\",\"hazard_level\":\"high\"}]";
    // Only the logistics staff schedule rounds.
    s_refused(LOG_TECH, s_body(body, "security", items, S_HOUR_MS, ""), 403,
              NULL);
    s_refused(LOG_AWAY, body, 403, NULL);
    s_refused(LOG_CLERK, "{\"kind\":\"patrol\",\"checklist\":[]}", 400,
              "title");
    s_refused(LOG_CLERK, "{\"kind\":\"patrol\",\"checklist\":[]}", 400, "kind");
    s_refused(LOG_CLERK,
              s_body(body, "security", items, S_HOUR_MS,
                     ",\"calendar\":{\"nth\":1,\"weekday\":\"monday\"}"),
              400, "interval_days");
    s_refused(LOG_CLERK,
              s_body(body, "security", items, S_HOUR_MS,
                     ",\"calendar\":{\"nth\":0,\"weekday\":\"monday\"}"),
              400, "calendar.nth");
    s_refused(LOG_CLERK, s_body(body, "hygiene", items, S_HOUR_MS, ""), 400,
              "checklist[1].hazard_level");
    s_refused(LOG_CLERK,
              s_body(body, "security",
                     "[{\"text\":\"x\",\"hazard_level\":"
                     "\"extreme\"}]",
                     S_HOUR_MS, ""),
              400, "checklist[0].hazard_level");
    s_refused(LOG_CLERK,
              s_body(body, "security", items, S_HOUR_MS,
                     ",\"department\":\"nowhere\""),
              400, "department");
    s_refused(LOG_CLERK,
              s_body(body, "security", items, S_HOUR_MS,
                     ",\"assignee\":\"ST-99999\""),
              422, "assignee");
    // The department head schedules one: a security item without a level
    // is a medium one.
    snprintf(extra, sizeof extra, ",\"assignee\":\"%s\"",
             log_stack.ids[LOG_DRIVER2]);
    json_t *doc = log_expect(201, LOG_LOG_HEAD, "POST", "/v1/rounds",
                             s_body(body, "security", items, S_HOUR_MS, extra));
    char id[48], path[96];
    snprintf(id, sizeof id, "%s", log_str(doc, "id"));
    ck_assert_str_eq(log_str(doc, "state"), "active");
    ck_assert_str_eq(log_str(doc, "department"), "logistics");
    const json_t *checklist = json_object_get(doc, "checklist");
    ck_assert_str_eq(log_str(json_array_get(checklist, 0), "hazard_level"),
                     "medium");
    json_decref(doc);
    // Everyone reads; lists filter by kind.
    snprintf(path, sizeof path, "/v1/rounds/%.47s", id);
    json_decref(log_expect(200, LOG_AUDITOR, "GET", path, NULL));
    doc = log_expect(200, LOG_TECH, "GET", "/v1/rounds?kind=security", NULL);
    ck_assert_int_ge(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
    json_decref(
        log_expect(400, LOG_TECH, "GET", "/v1/rounds?kind=patrol", NULL));
    json_decref(log_expect(404, LOG_TECH, "GET", "/v1/rounds/RD-99999", NULL));
}
END_TEST

START_TEST(test_round_edit_stop_resume)
{
    char body[2048], path[96], id[48];
    json_t *doc =
        log_expect(201, LOG_CLERK, "POST", "/v1/rounds",
                   s_body(body, "hygiene", "[{\"text\":\"Floors swept\"}]",
                          S_HOUR_MS * 48, ""));
    snprintf(id, sizeof id, "%s", log_str(doc, "id"));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/rounds/%.47s", id);
    // Refusals change nothing.
    json_decref(log_expect(403, LOG_TECH, "PATCH", path, "{\"area\":\"x\"}"));
    json_decref(log_expect(400, LOG_CLERK, "PATCH", path, "{\"area\":null}"));
    json_decref(log_expect(400, LOG_CLERK, "PATCH", path,
                           "{\"interval_days\":2,\"calendar\":{\"nth\":1,"
                           "\"weekday\":\"friday\"}}"));
    json_decref(log_expect(400, LOG_CLERK, "PATCH", path,
                           "{\"checklist\":[{\"text\":\"Bins\","
                           "\"hazard_level\":\"low\"}]}"));
    doc = s_round(id);
    ck_assert_int_eq(log_int(doc, "version"), 1);
    json_decref(doc);
    // A calendar rule replaces the interval: due on the last Friday.
    doc = log_expect(200, LOG_CLERK, "PATCH", path,
                     "{\"calendar\":{\"nth\":-1,\"weekday\":\"friday\"}}");
    ck_assert_ptr_null(json_object_get(doc, "interval_days"));
    ck_assert_str_eq(log_str(json_object_get(doc, "calendar"), "weekday"),
                     "friday");
    ck_assert_str_ne(log_str(doc, "next_due"), "");
    json_decref(doc);
    doc =
        s_act(LOG_CLERK, "rounds", id, "stop", "{\"note\":\"holidays\"}", 200);
    ck_assert_str_eq(log_str(doc, "state"), "stopped");
    ck_assert(json_is_null(json_object_get(doc, "next_due")));
    json_decref(doc);
    json_decref(s_act(LOG_CLERK, "rounds", id, "stop", NULL, 409));
    json_decref(s_act(LOG_TECH, "rounds", id, "resume", NULL, 403));
    json_decref(s_act(LOG_CLERK, "rounds", id, "nonsense", NULL, 404));
    doc = s_act(LOG_HEAD, "rounds", id, "resume", NULL, 200);
    ck_assert_str_eq(log_str(doc, "state"), "active");
    ck_assert_str_ne(log_str(doc, "next_due"), "");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/rounds/%s/history", id);
    doc = log_expect(200, LOG_AUDITOR, "GET", path, NULL);
    ck_assert_int_ge(json_array_size(json_object_get(doc, "items")), 4);
    json_decref(doc);
}
END_TEST

// The record the tick opened for a round, into record (48): true once
// there is exactly one.
typedef struct {
    const char *round;
    char record[48];
} s_due_t;

static bool
s_recorded(void *arg)
{
    s_due_t *due = arg;
    char path[128];
    snprintf(path, sizeof path, "/v1/round-records?round=%s", due->round);
    json_t *page = log_expect(200, LOG_HEAD, "GET", path, NULL);
    const json_t *items = json_object_get(page, "items");
    bool one = json_array_size(items) == 1;
    if (one) {
        snprintf(due->record, sizeof due->record, "%s",
                 log_str(json_array_get(items, 0), "id"));
    }
    json_decref(page);
    return one;
}

// A round of kind whose first due time has passed; its id into id (48) and
// its record into record (48) once the tick opened it.
static void
s_due_round(const char *kind, const char *checklist, const char *extra,
            char *id, char *record)
{
    char body[2048];
    json_t *doc = log_expect(201, LOG_CLERK, "POST", "/v1/rounds",
                             s_body(body, kind, checklist, -S_HOUR_MS, extra));
    snprintf(id, 48, "%s", log_str(doc, "id"));
    json_decref(doc);
    s_due_t due = {.round = id};
    ck_assert(http_stack_wait(s_recorded, &due, S_WAIT_MS));
    snprintf(record, 48, "%s", due.record);
}

START_TEST(test_round_due_once)
{
    harness_proc_t second;
    memset(&second, 0, sizeof second);
    ck_assert_int_eq(harness_proc_start(&second, "logistics", log_stack.envp),
                     0);
    char body[2048], ids[4][48], subject[80];
    s_due_t due[3];
    for (int i = 0; i < 4; i++) {
        json_t *doc = log_expect(
            201, LOG_CLERK, "POST", "/v1/rounds",
            s_body(body, i % 2 ? "security" : "hygiene",
                   "[{\"text\":\"Checked\"}]",
                   i < 3 ? -S_HOUR_MS * 30 : S_HOUR_MS * 24 * 30, ""));
        snprintf(ids[i], sizeof ids[i], "%s", log_str(doc, "id"));
        json_decref(doc);
        if (i < 3) {
            due[i].round = ids[i];
        }
    }
    // Asserts come after the second replica is stopped (a failure must not
    // leave it running).
    bool recorded = true;
    for (int i = 0; i < 3; i++) {
        recorded = recorded && http_stack_wait(s_recorded, &due[i], S_WAIT_MS);
    }
    // Let both replicas tick a few more times: still one per due time.
    struct timespec pause = {2, 500000000L};
    nanosleep(&pause, NULL);
    harness_proc_kill(&second, SIGTERM, 5000);
    harness_proc_cleanup(&second);
    ck_assert(recorded);
    for (int i = 0; i < 3; i++) {
        ck_assert(s_recorded(&due[i]));
        snprintf(subject, sizeof subject, "\"round/%.47s\"", ids[i]);
        ck_assert_int_eq(
            log_outbox_count("logistics.round.work_requested", subject), 1);
        json_t *doc = s_round(ids[i]);
        ck_assert_int_eq(log_int(doc, "occurrences"), 1);
        int64_t next = 0;
        ck_assert_int_eq(cm_time_parse(log_str(doc, "next_due"), &next), 0);
        ck_assert_int_gt(next, cm_time_now_ms()); // missed days: one record
        json_decref(doc);
        snprintf(subject, sizeof subject, "\"round_record/%s\"", due[i].record);
        ck_assert_int_eq(
            log_outbox_count("logistics.round_record.opened", subject), 1);
    }
    snprintf(subject, sizeof subject, "\"round/%.47s\"", ids[3]);
    ck_assert_int_eq(
        log_outbox_count("logistics.round.work_requested", subject), 0);
}
END_TEST

START_TEST(test_round_record_security)
{
    char round[48], record[48], extra[128], subject[80], path[96];
    snprintf(extra, sizeof extra, ",\"assignee\":\"%s\"",
             log_stack.ids[LOG_TECH]);
    s_due_round("security",
                "[{\"text\":\"Gate 1\"},{\"text\":\"Gate 2\",\"hazard_level\":"
                "\"high\"},{\"text\":\"Gate 3\"},{\"text\":\"Gate 4\"},"
                "{\"text\":\"Gate 5\"},{\"text\":\"Gate 6\"},"
                "{\"text\":\"Gate 7\",\"hazard_level\":\"low\"}]",
                extra, round, record);
    snprintf(path, sizeof path, "/v1/round-records/%s", record);
    json_t *doc = log_expect(200, LOG_AUDITOR, "GET", path, NULL);
    ck_assert_str_eq(log_str(doc, "state"), "open");
    ck_assert_str_eq(log_str(doc, "assignee"), log_stack.ids[LOG_TECH]);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "items")), 7);
    json_decref(doc);
    // Not the assignee, not logistics staff; a failed item needs a note;
    // items exist once.
    json_decref(s_act(LOG_DRIVER, "round-records", record, "record",
                      "{\"results\":[{\"item\":1,\"result\":\"ok\"}]}", 403));
    json_decref(s_act(LOG_AUDITOR, "round-records", record, "record",
                      "{\"results\":[{\"item\":1,\"result\":\"ok\"}]}", 403));
    doc = s_act(LOG_TECH, "round-records", record, "record",
                "{\"results\":[{\"item\":1,\"result\":\"failed\"}]}", 400);
    ck_assert_ptr_nonnull(log_error_for(doc, "results[0].note"));
    json_decref(doc);
    doc = s_act(LOG_TECH, "round-records", record, "record",
                "{\"results\":[{\"item\":8,\"result\":\"ok\"}]}", 400);
    ck_assert_ptr_nonnull(log_error_for(doc, "results[0].item"));
    json_decref(doc);
    json_decref(s_act(LOG_TECH, "round-records", record, "record",
                      "{\"results\":[{\"item\":1,\"result\":\"ok\"},"
                      "{\"item\":1,\"result\":\"ok\"}]}",
                      400));
    json_decref(s_act(LOG_TECH, "round-records", record, "record",
                      "{\"results\":[{\"item\":1,\"result\":\"maybe\"}]}",
                      400));
    snprintf(subject, sizeof subject, "\"round_record/%s\"", record);
    ck_assert_int_eq(
        log_outbox_count("logistics.round_record.recorded", subject), 0);
    // The assignee: item 1 fine, item 2 failed.
    doc = s_act(LOG_TECH, "round-records", record, "record",
                "{\"results\":[{\"item\":1,\"result\":\"ok\"},{\"item\":2,"
                "\"result\":\"failed\",\"note\":\"lock broken\"}]}",
                200);
    ck_assert_str_eq(log_str(doc, "state"), "open");
    ck_assert_int_eq(log_int(doc, "recorded"), 2);
    ck_assert_int_eq(log_int(doc, "failed"), 1);
    json_decref(doc);
    ck_assert_int_eq(
        log_outbox_count("logistics.round_record.security_failed", subject), 1);
    // An item has one result.
    doc = s_act(LOG_CLERK, "round-records", record, "record",
                "{\"results\":[{\"item\":2,\"result\":\"ok\"}]}", 409);
    ck_assert_str_eq(log_str(doc, "code"), "item_recorded");
    json_decref(doc);
    // The logistics clerk records the rest: five failed items, two events
    // (at most four items each); the record is complete.
    doc = s_act(LOG_CLERK, "round-records", record, "record",
                "{\"results\":[{\"item\":3,\"result\":\"failed\",\"note\":"
                "\"a\"},{\"item\":4,\"result\":\"failed\",\"note\":\"b\"},"
                "{\"item\":5,\"result\":\"failed\",\"note\":\"c\"},"
                "{\"item\":6,\"result\":\"failed\",\"note\":\"d\"},"
                "{\"item\":7,\"result\":\"failed\",\"note\":\"e\"}]}",
                200);
    ck_assert_str_eq(log_str(doc, "state"), "completed");
    ck_assert_int_eq(log_int(doc, "failed"), 6);
    ck_assert_str_eq(
        log_str(json_array_get(json_object_get(doc, "items"), 6), "result"),
        "failed");
    json_decref(doc);
    ck_assert_int_eq(
        log_outbox_count("logistics.round_record.security_failed", subject), 3);
    ck_assert_int_eq(
        log_outbox_count("logistics.round_record.work_requested", subject), 0);
    json_decref(s_act(LOG_CLERK, "round-records", record, "record",
                      "{\"results\":[{\"item\":1,\"result\":\"ok\"}]}", 409));
}
END_TEST

START_TEST(test_round_record_hygiene)
{
    char round[48], record[48], subject[80];
    s_due_round("hygiene",
                "[{\"text\":\"Toilets\"},{\"text\":\"Kitchen\"},"
                "{\"text\":\"Corridor\"}]",
                "", round, record);
    // No assignee: the logistics staff record; a failed hygiene item asks
    // dispatch for one follow-up.
    json_t *doc = s_act(LOG_DRIVER2, "round-records", record, "record",
                        "{\"results\":[{\"item\":1,\"result\":\"failed\","
                        "\"note\":\"no soap\"},{\"item\":3,\"result\":"
                        "\"failed\",\"note\":\"litter\"},{\"item\":2,"
                        "\"result\":\"ok\"}]}",
                        200);
    ck_assert_str_eq(log_str(doc, "state"), "completed");
    json_decref(doc);
    snprintf(subject, sizeof subject, "\"round_record/%s\"", record);
    ck_assert_int_eq(
        log_outbox_count("logistics.round_record.work_requested", subject), 1);
    ck_assert_int_eq(
        log_outbox_count("logistics.round_record.security_failed", subject), 0);
    doc = log_expect(200, LOG_TECH, "GET",
                     "/v1/round-records?kind=hygiene&state=completed", NULL);
    ck_assert_int_ge(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
}
END_TEST

// The hazards safety-audit opened from a record's failed items.
typedef struct {
    const char *record;
    int count;
} s_hazards_t;

static bool
s_hazards(void *arg)
{
    s_hazards_t *hazards = arg;
    json_t *page = NULL;
    hazards->count = 0;
    if (log_http(LOG_HEAD, "GET", "/v1/hazards?department=logistics&limit=200",
                 NULL, NULL, &page)
        == 200) {
        const json_t *items = json_object_get(page, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *source =
                json_object_get(json_array_get(items, i), "source");
            hazards->count +=
                strcmp(log_str(source, "type"), "round_record") == 0
                && strcmp(log_str(source, "id"), hazards->record) == 0;
        }
    }
    json_decref(page);
    return hazards->count >= 2;
}

// The id of the security_failed event of a record (subject) on logistics'
// outbox.
typedef struct {
    const char *subject;
    char id[80];
} s_event_t;

static int
s_find_event(const cm_event_t *event, void *arg)
{
    s_event_t *find = arg;
    if (strcmp(event->type, "logistics.round_record.security_failed") == 0
        && strstr(event->envelope, find->subject)) {
        json_t *envelope = json_loads(event->envelope, 0, NULL);
        snprintf(find->id, sizeof find->id, "%s", log_str(envelope, "id"));
        json_decref(envelope);
    }
    return 0;
}

static bool
s_marker_back(void *arg)
{
    char *text = harness_redis_cmd(&log_stack.redis, "EXISTS", (char *)arg);
    bool back = text && strcmp(text, "1") == 0;
    free(text);
    return back;
}

START_TEST(test_round_failed_security_items_open_hazards_once)
{
    char round[48], record[48], subject[80], marker[160];
    s_due_round("security",
                "[{\"text\":\"Fence\",\"hazard_level\":\"high\"},"
                "{\"text\":\"Cameras\"},{\"text\":\"Lights\"}]",
                "", round, record);
    json_decref(s_act(LOG_CLERK, "round-records", record, "record",
                      "{\"results\":[{\"item\":1,\"result\":\"failed\","
                      "\"note\":\"hole\"},{\"item\":2,\"result\":\"failed\","
                      "\"note\":\"dark\"},{\"item\":3,\"result\":\"ok\"}]}",
                      200));
    s_hazards_t hazards = {.record = record};
    ck_assert(http_stack_wait(s_hazards, &hazards, S_WAIT_MS));
    ck_assert_int_eq(hazards.count, 2);
    // Delivered again, without the consumer's own dedupe marker: the
    // per-item markers keep it at one hazard per item.
    snprintf(subject, sizeof subject, "\"round_record/%.47s\"", record);
    s_event_t find = {.subject = subject};
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", log_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{logistics}:outbox", "0-0",
                                     100000, s_find_event, &find),
                     0);
    cm_redis_destroy(&redis);
    ck_assert_str_ne(find.id, "");
    snprintf(marker, sizeof marker, "sm:{safety-audit}:seen:%s", find.id);
    ck_assert(s_marker_back(marker));
    free(harness_redis_cmd(&log_stack.redis, "DEL", marker));
    char *reply =
        harness_redis_cmd(&log_stack.redis, "XGROUP", "SETID",
                          "sm:{logistics}:outbox", "safety-audit", "0");
    ck_assert_ptr_nonnull(reply);
    free(reply);
    ck_assert(http_stack_wait(s_marker_back, marker, S_WAIT_MS));
    ck_assert(s_hazards(&hazards));
    ck_assert_int_eq(hazards.count, 2);
}
END_TEST

Suite *
logistics_rounds_suite(void)
{
    Suite *s = suite_create("logistics_rounds");
    TCase *tc = tcase_create("rounds");
    tcase_add_unchecked_fixture(tc, log_stack_setup, log_stack_teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_round_create_rules);
    tcase_add_test(tc, test_round_edit_stop_resume);
    tcase_add_test(tc, test_round_due_once);
    tcase_add_test(tc, test_round_record_security);
    tcase_add_test(tc, test_round_record_hygiene);
    suite_add_tcase(s, tc);
    TCase *hazards = tcase_create("hazards");
    tcase_add_unchecked_fixture(hazards, log_stack_setup_safety,
                                log_stack_teardown);
    tcase_set_timeout(hazards, 180);
    tcase_add_test(hazards, test_round_failed_security_items_open_hazards_once);
    suite_add_tcase(s, hazards);
    return s;
}
