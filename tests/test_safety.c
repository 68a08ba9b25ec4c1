// Integration tests of safety-audit through the gateway with real tokens
// (test_safety_stack.h): the three-level onboarding training of a new hire,
// each level signed by its owner, and dispatch's training gate — field
// work goes only to people whose three levels are complete. Suite: safety.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "suites.h"
#include "test_safety_stack.h"

static const char *
s_hire(void)
{
    return saf_stack.ids[SAF_HIRE];
}

static bool
s_onboarding_exists(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/onboarding/%s", (const char *)arg);
    return saf_http(SAF_OFFICER, "GET", path, NULL, NULL) == 200;
}

// Hire a technician into tech and wait for their onboarding document.
static void
s_new_hire(const char *name)
{
    saf_staff(SAF_HIRE, name, "technician", "tech");
    ck_assert_msg(
        saf_wait(s_onboarding_exists, (void *)s_hire(), HARNESS_WAIT_MS),
        "no onboarding document for %s", s_hire());
}

static json_t *
s_sign(saf_who_t who, const char *level, int status)
{
    char path[96], body[96];
    snprintf(path, sizeof path, "/v1/onboarding/%s/sign-off", s_hire());
    snprintf(body, sizeof body, "{\"level\":\"%s\",\"note\":\"done\"}", level);
    return saf_expect(status, who, "POST", path, body);
}

static size_t
s_missing(const json_t *doc)
{
    return json_array_size(json_object_get(doc, "missing"));
}

START_TEST(test_safety_onboarding_three_levels)
{
    s_new_hire("Hire One");
    char path[96];
    snprintf(path, sizeof path, "/v1/onboarding/%s", s_hire());
    json_t *doc = saf_expect(200, SAF_HIRE, "GET", path, NULL);
    ck_assert_str_eq(saf_text(doc, "state"), "untrained");
    ck_assert_str_eq(saf_text(doc, "department"), "tech");
    ck_assert_uint_eq(s_missing(doc), 3);
    json_decref(doc);
    // Need-to-know: another technician does not see it.
    ck_assert_int_eq(saf_http(SAF_TECH, "GET", path, NULL, NULL), 404);
    ck_assert_int_eq(saf_http(SAF_OPS_HEAD, "GET", path, NULL, NULL), 404);
    // Each level by its owner only; a bad level is a 400 naming it.
    json_t *problem = s_sign(SAF_OFFICER, "floor", 400);
    ck_assert_str_eq(
        saf_text(json_array_get(json_object_get(problem, "errors"), 0),
                 "field"),
        "level");
    json_decref(problem);
    json_decref(s_sign(SAF_TECH_HEAD, "station", 403));
    json_decref(s_sign(SAF_OPS_HEAD, "department", 404)); // cannot see it
    json_decref(s_sign(SAF_HIRE, "team", 403));
    doc = s_sign(SAF_OFFICER, "station", 200);
    ck_assert_str_eq(saf_text(doc, "state"), "in_training");
    ck_assert_uint_eq(s_missing(doc), 2);
    json_decref(doc);
    problem = s_sign(SAF_OFFICER2, "station", 409);
    ck_assert_str_eq(saf_text(problem, "code"), "level_already_signed_off");
    json_decref(problem);
    json_decref(s_sign(SAF_OFFICER, "department", 403));
    json_decref(s_sign(SAF_TECH_HEAD, "department", 200));
    // The team level: the team lead once named by the head (who then sees
    // the document), not a peer.
    json_decref(s_sign(SAF_LEAD, "team", 404)); // a peer does not see it
    char body[96];
    snprintf(body, sizeof body, "{\"team_lead\":\"%s\"}", s_hire());
    json_decref(saf_expect(422, SAF_TECH_HEAD, "PATCH", path, body));
    snprintf(body, sizeof body, "{\"team_lead\":\"%s\"}",
             saf_stack.ids[SAF_LEAD]);
    json_decref(saf_expect(404, SAF_TECH, "PATCH", path, body));
    json_decref(saf_expect(200, SAF_TECH_HEAD, "PATCH", path, body));
    doc = s_sign(SAF_LEAD, "team", 200);
    ck_assert_str_eq(saf_text(doc, "state"), "complete");
    ck_assert(json_is_true(json_object_get(doc, "complete")));
    ck_assert_uint_eq(s_missing(doc), 0);
    ck_assert_str_eq(
        saf_text(json_object_get(json_object_get(doc, "levels"), "team"), "by"),
        saf_stack.ids[SAF_LEAD]);
    json_decref(doc);
    problem = s_sign(SAF_TECH_HEAD, "team", 409);
    ck_assert_str_eq(saf_text(problem, "code"), "invalid_transition");
    json_decref(problem);
    // Lists: the complete ones, as the safety officer.
    json_t *page = saf_expect(200, SAF_OFFICER, "GET",
                              "/v1/onboarding?state=complete", NULL);
    ck_assert_uint_ge(json_array_size(json_object_get(page, "items")), 1);
    json_decref(page);
    json_decref(
        saf_expect(400, SAF_OFFICER, "GET", "/v1/onboarding?state=x", NULL));
}
END_TEST

// ---- the training gate in dispatch

typedef struct {
    const char *key;
    const char *needle;
} s_redis_wait_t;

static bool
s_redis_has(void *arg)
{
    const s_redis_wait_t *w = arg;
    char *text = harness_redis_cmd(&saf_stack.redis, "HGET", w->key, "doc");
    bool found = text && strcmp(text, "(nil)") != 0
                 && (!w->needle || strstr(text, w->needle));
    free(text);
    return found;
}

static void
s_wait_doc(const char *kind, const char *id, const char *needle)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:org:%s:%s", kind, id);
    s_redis_wait_t w = {key, needle};
    ck_assert_msg(saf_wait(s_redis_has, &w, HARNESS_WAIT_MS),
                  "dispatch's org view never had %s %s", kind, id);
}

// A work order for tech by its head: its assignee ("" when open).
static void
s_workorder(bool field_work, char *id, char *assignee)
{
    char body[160];
    snprintf(body, sizeof body,
             "{\"title\":\"Replace the pump seal\",\"department\":\"tech\","
             "\"field_work\":%s}",
             field_work ? "true" : "false");
    json_t *wo =
        saf_expect(201, SAF_TECH_HEAD, "POST", "/v1/work-orders", body);
    snprintf(id, 48, "%s", saf_text(wo, "id"));
    snprintf(assignee, 48, "%s", saf_text(wo, "assignee"));
    ck_assert(json_is_boolean(json_object_get(wo, "field_work")));
    json_decref(wo);
}

START_TEST(test_safety_new_hire_refused_field_work_until_trained)
{
    s_new_hire("Hire Two");
    s_wait_doc("staff", s_hire(), NULL);
    char body[128], id[48], assignee[48], path[96];
    snprintf(body, sizeof body, "{\"on_duty\":[\"%s\"]}", s_hire());
    json_decref(
        saf_expect(200, SAF_TECH_HEAD, "PUT", "/v1/rosters/tech", body));
    // Work that is not field work goes to the only one on duty.
    s_workorder(false, id, assignee);
    ck_assert_str_eq(assignee, s_hire());
    // Field work: automatic assignment skips the untrained hire...
    s_workorder(true, id, assignee);
    ck_assert_str_eq(assignee, "");
    // ...and a manual assignment to them is a 409 naming the levels.
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign", id);
    snprintf(body, sizeof body, "{\"assignee\":\"%s\"}", s_hire());
    json_t *problem = saf_expect(409, SAF_TECH_HEAD, "POST", path, body);
    ck_assert_str_eq(saf_text(problem, "code"), "training_incomplete");
    const json_t *missing = json_object_get(problem, "missing_levels");
    ck_assert_uint_eq(json_array_size(missing), 3);
    ck_assert_str_eq(json_string_value(json_array_get(missing, 0)), "station");
    json_decref(problem);
    // Two levels: still refused, naming the one left.
    json_decref(s_sign(SAF_OFFICER, "station", 200));
    json_decref(s_sign(SAF_TECH_HEAD, "department", 200));
    s_wait_doc("training", s_hire(), "\"department\":{");
    problem = saf_expect(409, SAF_TECH_HEAD, "POST", path, body);
    missing = json_object_get(problem, "missing_levels");
    ck_assert_uint_eq(json_array_size(missing), 1);
    ck_assert_str_eq(json_string_value(json_array_get(missing, 0)), "team");
    json_decref(problem);
    // All three: the manual assignment passes, new field work is automatic.
    json_decref(s_sign(SAF_TECH_HEAD, "team", 200));
    s_wait_doc("training", s_hire(), "\"complete\":true");
    json_t *wo = saf_expect(200, SAF_TECH_HEAD, "POST", path, body);
    ck_assert_str_eq(saf_text(wo, "assignee"), s_hire());
    json_decref(wo);
    s_workorder(true, id, assignee);
    ck_assert_str_eq(assignee, s_hire());
}
END_TEST

// ---- procedures and training sessions

static const char *
s_error_field(const json_t *problem)
{
    return saf_text(json_array_get(json_object_get(problem, "errors"), 0),
                    "field");
}

static long long
s_count_actions(const json_t *page, const char *action)
{
    long long count = 0;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        count +=
            strcmp(saf_text(json_array_get(items, i), "action"), action) == 0;
    }
    return count;
}

static bool
s_page_has(const json_t *page, const char *id)
{
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        if (strcmp(saf_text(json_array_get(items, i), "id"), id) == 0) {
            return true;
        }
    }
    return false;
}

static bool
s_announced(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/procedures/%s", (const char *)arg);
    json_t *doc = saf_expect(200, SAF_TECH, "GET", path, NULL);
    bool done = json_is_string(json_object_get(doc, "overdue_notified_for"));
    json_decref(doc);
    char *timer = harness_redis_cmd(&saf_stack.redis, "ZSCORE",
                                    "sm:{safety-audit}:timers:procedure_review",
                                    (const char *)arg);
    done = done && timer && strcmp(timer, "(nil)") == 0;
    free(timer);
    return done;
}

START_TEST(test_safety_procedure_versions_and_overdue_review)
{
    const char *body =
        "{\"title\":\"Working at height\",\"scope\":\"roofs\","
        "\"text\":\"Harness always.\",\"review_interval_days\":1}";
    ck_assert_int_eq(saf_http(SAF_TECH, "POST", "/v1/procedures", body, NULL),
                     403);
    json_t *problem = saf_expect(400, SAF_OFFICER, "POST", "/v1/procedures",
                                 "{\"title\":\"T\",\"scope\":\"s\"}");
    ck_assert_str_eq(s_error_field(problem), "text");
    json_decref(problem);
    json_t *fresh =
        saf_expect(201, SAF_OFFICER, "POST", "/v1/procedures", body);
    char fresh_id[48], path[128], stale_id[48];
    snprintf(fresh_id, sizeof fresh_id, "%s", saf_text(fresh, "id"));
    ck_assert_int_eq(json_integer_value(json_object_get(fresh, "revision")), 1);
    json_decref(fresh);
    // Revise keeps every version; a revision must change something.
    snprintf(path, sizeof path, "/v1/procedures/%s/revise", fresh_id);
    problem = saf_expect(400, SAF_OFFICER, "POST", path, "{\"note\":\"x\"}");
    ck_assert_str_eq(s_error_field(problem), "text");
    json_decref(problem);
    ck_assert_int_eq(
        saf_http(SAF_TECH, "POST", path, "{\"text\":\"no\"}", NULL), 403);
    json_t *doc =
        saf_expect(200, SAF_OFFICER, "POST", path,
                   "{\"text\":\"Harness and helmet.\",\"note\":\"v2\"}");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "revision")), 2);
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/procedures/%s/versions", fresh_id);
    json_t *page = saf_expect(200, SAF_TECH, "GET", path, NULL);
    const json_t *items = json_object_get(page, "items");
    ck_assert_uint_eq(json_array_size(items), 2);
    ck_assert_str_eq(saf_text(json_array_get(items, 0), "text"),
                     "Harness always.");
    json_decref(page);
    // A procedure in force whose last review is two days old: overdue, and
    // announced once for its due date.
    char stale[512];
    snprintf(stale, sizeof stale,
             "{\"title\":\"Fire doors\",\"scope\":\"all floors\",\"document\":"
             "\"DOC-7\",\"review_interval_days\":1,\"owner\":\"%s\","
             "\"last_reviewed_at\":\"2020-01-01T00:00:00Z\"}",
             saf_stack.ids[SAF_TECH_HEAD]);
    doc = saf_expect(201, SAF_OFFICER, "POST", "/v1/procedures", stale);
    snprintf(stale_id, sizeof stale_id, "%s", saf_text(doc, "id"));
    json_decref(doc);
    page =
        saf_expect(200, SAF_TECH, "GET", "/v1/procedures?review=overdue", NULL);
    ck_assert(s_page_has(page, stale_id));
    ck_assert(!s_page_has(page, fresh_id));
    json_decref(page);
    ck_assert_msg(saf_wait(s_announced, stale_id, HARNESS_WAIT_MS),
                  "the overdue review of %s was not announced", stale_id);
    snprintf(path, sizeof path, "/v1/procedures/%s/history", stale_id);
    page = saf_expect(200, SAF_TECH, "GET", path, NULL);
    ck_assert_int_eq(s_count_actions(page, "review_overdue"), 1);
    json_decref(page);
    // The owner reviews it: no longer overdue.
    snprintf(path, sizeof path, "/v1/procedures/%s/review", stale_id);
    doc = saf_expect(200, SAF_TECH_HEAD, "POST", path, "{\"note\":\"ok\"}");
    ck_assert(json_is_null(json_object_get(doc, "overdue_notified_for")));
    json_decref(doc);
    page =
        saf_expect(200, SAF_TECH, "GET", "/v1/procedures?review=overdue", NULL);
    ck_assert(!s_page_has(page, stale_id));
    json_decref(page);
    json_decref(
        saf_expect(400, SAF_TECH, "GET", "/v1/procedures?review=soon", NULL));
    json_decref(saf_expect(400, SAF_TECH, "GET",
                           "/v1/procedures?review=overdue&state=active", NULL));
    // Retired: nothing more.
    snprintf(path, sizeof path, "/v1/procedures/%s/retire", stale_id);
    json_decref(saf_expect(400, SAF_OFFICER, "POST", path, "{}"));
    json_decref(saf_expect(200, SAF_OFFICER, "POST", path,
                           "{\"reason\":\"doors replaced\"}"));
    snprintf(path, sizeof path, "/v1/procedures/%s/review", stale_id);
    json_decref(saf_expect(409, SAF_OFFICER, "POST", path, "{}"));
}
END_TEST

START_TEST(test_safety_training_session_recorded)
{
    char body[512], path[96], id[48];
    snprintf(body, sizeof body,
             "{\"topic\":\"procedures\",\"title\":\"Fire doors\",\"date\":"
             "\"2027-03-01\",\"trainer\":\"%s\",\"attendees\":[\"%s\",\"%s\"]}",
             saf_stack.ids[SAF_TECH_HEAD], saf_stack.ids[SAF_TECH],
             saf_stack.ids[SAF_LEAD]);
    ck_assert_int_eq(
        saf_http(SAF_TECH_HEAD, "POST", "/v1/safety-trainings", body, NULL),
        403);
    json_t *problem = saf_expect(
        422, SAF_OFFICER, "POST", "/v1/safety-trainings",
        "{\"topic\":\"procedures\",\"title\":\"x\",\"date\":\"2027-03-01\","
        "\"trainer\":\"ST-1\",\"attendees\":[\"ST-999\"]}");
    ck_assert_str_eq(s_error_field(problem), "attendees[0]");
    json_decref(problem);
    json_t *doc =
        saf_expect(201, SAF_OFFICER, "POST", "/v1/safety-trainings", body);
    snprintf(id, sizeof id, "%s", saf_text(doc, "id"));
    ck_assert_str_eq(saf_text(doc, "state"), "planned");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/safety-trainings/%s", id);
    ck_assert_int_eq(saf_http(SAF_OPS_HEAD, "GET", path, NULL, NULL), 200);
    ck_assert_int_eq(saf_http(SAF_OFFICER2, "GET", path, NULL, NULL), 200);
    ck_assert_int_eq(saf_http(SAF_AUDITOR, "GET", path, NULL, NULL), 200);
    snprintf(path, sizeof path, "/v1/safety-trainings/%s/record", id);
#define S_RESULTS                                                              \
    "{\"results\":[{\"staff\":\"%s\",\"attended\":true,\"assessment\":"        \
    "\"pass\",\"score\":90},{\"staff\":\"%s\",\"attended\":false}]}"
    snprintf(body, sizeof body, S_RESULTS, saf_stack.ids[SAF_TECH],
             saf_stack.ids[SAF_LEAD]);
    ck_assert_int_eq(saf_http(SAF_TECH, "POST", path, body, NULL), 403);
    char wrong[512];
    snprintf(wrong, sizeof wrong, S_RESULTS, saf_stack.ids[SAF_OPS_HEAD],
             saf_stack.ids[SAF_LEAD]);
    problem = saf_expect(400, SAF_TECH_HEAD, "POST", path, wrong);
    ck_assert_str_eq(s_error_field(problem), "results[0].staff");
    json_decref(problem);
    doc = saf_expect(200, SAF_TECH_HEAD, "POST", path, body);
    ck_assert_str_eq(saf_text(doc, "state"), "held");
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "results")), 2);
    json_decref(doc);
    json_t *page = saf_expect(200, SAF_OFFICER, "GET",
                              "/v1/safety-trainings?state=held", NULL);
    ck_assert(s_page_has(page, id));
    json_decref(page);
}
END_TEST

// ---- hazards

static json_t *
s_hazard_act(saf_who_t who, const char *id, const char *action,
             const char *body, int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/hazards/%s/%s", id, action);
    return saf_expect(status, who, "POST", path, body);
}

static bool
s_work_requested(void *arg)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:work_request:safety-audit:%s",
             (const char *)arg);
    char *text = harness_redis_cmd(&saf_stack.redis, "HGET", key, "doc");
    bool found = text && strstr(text, "WO-");
    free(text);
    return found;
}

START_TEST(test_safety_hazard_rectified_verified_closed)
{
    json_t *problem = saf_expect(400, SAF_TECH, "POST", "/v1/hazards",
                                 "{\"title\":\"Loose cable\",\"severity\":"
                                 "\"extreme\",\"department\":\"tech\"}");
    json_decref(problem);
    json_t *doc = saf_expect(
        201, SAF_TECH, "POST", "/v1/hazards",
        "{\"title\":\"Exposed wiring\",\"description\":\"Panel 3 open\","
        "\"location\":\"Plant room\",\"department\":\"tech\",\"severity\":"
        "\"high\"}");
    char id[48], body[256];
    snprintf(id, sizeof id, "%s", saf_text(doc, "id"));
    ck_assert_str_eq(saf_text(doc, "state"), "reported");
    ck_assert_str_eq(saf_text(json_object_get(doc, "source"), "type"),
                     "report");
    json_decref(doc);
    // High: the emergency measure comes before anything else.
    snprintf(body, sizeof body,
             "{\"owner\":\"%s\",\"deadline\":\"2090-01-01T00:00:00Z\"}",
             saf_stack.ids[SAF_TECH_HEAD]);
    problem = s_hazard_act(SAF_TECH_HEAD, id, "assign", body, 409);
    ck_assert_str_eq(saf_text(problem, "code"), "emergency_measure_required");
    json_decref(problem);
    json_decref(s_hazard_act(SAF_TECH, id, "record-measure",
                             "{\"measure\":\"cordoned off\"}", 403));
    json_decref(s_hazard_act(SAF_TECH_HEAD, id, "record-measure",
                             "{\"measure\":\"cordoned off, power cut\"}", 200));
    json_decref(s_hazard_act(SAF_TECH, id, "assign", body, 403));
    doc = s_hazard_act(SAF_TECH_HEAD, id, "assign", body, 200);
    ck_assert_str_eq(saf_text(doc, "state"), "assigned");
    json_decref(doc);
    // Dispatch opened the rectification work order.
    ck_assert_msg(saf_wait(s_work_requested, id, HARNESS_WAIT_MS),
                  "no rectification work order for %s", id);
    // The owner rectifies; the rectifier may not verify; another does.
    json_decref(s_hazard_act(SAF_TECH, id, "rectify", "{\"what\":\"x\"}", 403));
    json_decref(s_hazard_act(SAF_TECH_HEAD, id, "rectify",
                             "{\"what\":\"panel closed and locked\"}", 200));
    problem = s_hazard_act(SAF_TECH_HEAD, id, "verify", "{}", 403);
    json_decref(problem);
    json_decref(s_hazard_act(SAF_OFFICER, id, "close", "{}", 409));
    json_decref(s_hazard_act(SAF_OFFICER, id, "verify",
                             "{\"note\":\"checked on site\"}", 200));
    doc = s_hazard_act(SAF_OFFICER, id, "close", "{}", 200);
    ck_assert_str_eq(saf_text(doc, "state"), "closed");
    ck_assert_str_eq(saf_text(json_object_get(doc, "verification"), "by"),
                     saf_stack.ids[SAF_OFFICER]);
    json_decref(doc);
}
END_TEST

static int
s_alarm_hazards(const char *alarm)
{
    json_t *page = saf_expect(200, SAF_OFFICER, "GET",
                              "/v1/hazards?department=tech&limit=200", NULL);
    int count = 0;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *source =
            json_object_get(json_array_get(items, i), "source");
        count += strcmp(saf_text(source, "type"), "alarm") == 0
                 && strcmp(saf_text(source, "id"), alarm) == 0;
    }
    json_decref(page);
    return count;
}

static bool
s_alarm_hazard(void *arg)
{
    return s_alarm_hazards(arg) > 0;
}

START_TEST(test_safety_alarm_posted_twice_one_hazard)
{
    const char *event =
        "{\"specversion\":\"1.0\",\"id\":\"alarm-77\",\"source\":\"bms/"
        "site-a\",\"type\":\"alarm.raised\",\"time\":\"2027-03-01T08:00:00Z\","
        "\"data\":{\"kind\":\"smoke\",\"location\":\"Boiler room\","
        "\"severity\":\"high\",\"department\":\"tech\"}}";
    json_t *first = saf_expect(202, SAF_HEAD, "POST", "/v1/events", event);
    json_t *second = saf_expect(202, SAF_HEAD, "POST", "/v1/events", event);
    ck_assert(json_is_true(json_object_get(second, "duplicate")));
    json_decref(first);
    json_decref(second);
    ck_assert_msg(saf_wait(s_alarm_hazard, "alarm-77", HARNESS_WAIT_MS),
                  "the alarm opened no hazard");
    ck_assert_int_eq(s_alarm_hazards("alarm-77"), 1);
}
END_TEST

// ---- inspections

static bool
s_scheduled(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/inspections?schedule=%s",
             (const char *)arg);
    json_t *page = saf_expect(200, SAF_OFFICER, "GET", path, NULL);
    bool found = json_array_size(json_object_get(page, "items")) > 0;
    json_decref(page);
    return found;
}

START_TEST(test_safety_inspection_failed_item_to_closed_hazard)
{
    json_decref(saf_expect(400, SAF_OFFICER, "POST", "/v1/inspection-templates",
                           "{\"title\":\"x\",\"area\":\"kitchen\",\"items\":["
                           "{\"text\":\"a\"}]}"));
    json_t *tpl = saf_expect(
        201, SAF_OFFICER, "POST", "/v1/inspection-templates",
        "{\"title\":\"Electrical rounds\",\"area\":\"electrical\",\"items\":"
        "[{\"text\":\"Panels closed\"},{\"text\":\"Cables intact\"}]}");
    char tpl_id[48], body[512], id[48], path[96], hazard[48];
    snprintf(tpl_id, sizeof tpl_id, "%s", saf_text(tpl, "id"));
    ck_assert_str_eq(
        saf_text(json_array_get(json_object_get(tpl, "items"), 1), "id"), "I2");
    json_decref(tpl);
    snprintf(body, sizeof body, "{\"template\":\"%s\",\"department\":\"tech\"}",
             tpl_id);
    ck_assert_int_eq(saf_http(SAF_TECH, "POST", "/v1/inspections", body, NULL),
                     403);
    json_t *doc = saf_expect(201, SAF_OFFICER, "POST", "/v1/inspections", body);
    snprintf(id, sizeof id, "%s", saf_text(doc, "id"));
    json_decref(doc);
    ck_assert_msg(saf_wait(s_work_requested, id, HARNESS_WAIT_MS),
                  "no work order for inspection %s", id);
    // Every item once; a failed one opens a hazard in the same commit.
    snprintf(path, sizeof path, "/v1/inspections/%s/record", id);
    json_t *problem =
        saf_expect(400, SAF_TECH, "POST", path,
                   "{\"results\":[{\"item\":\"I1\",\"pass\":true}]}");
    ck_assert_str_eq(s_error_field(problem), "results");
    json_decref(problem);
    problem = saf_expect(400, SAF_TECH, "POST", path,
                         "{\"results\":[{\"item\":\"I9\",\"pass\":true},"
                         "{\"item\":\"I2\",\"pass\":true}]}");
    ck_assert_str_eq(s_error_field(problem), "results[0].item");
    json_decref(problem);
    ck_assert_int_eq(
        saf_http(SAF_OPS_HEAD, "POST", path,
                 "{\"results\":[{\"item\":\"I1\",\"pass\":true},{\"item\":"
                 "\"I2\",\"pass\":true}]}",
                 NULL),
        403);
    doc = saf_expect(
        200, SAF_TECH, "POST", path,
        "{\"results\":[{\"item\":\"I1\",\"pass\":true},{\"item\":\"I2\","
        "\"pass\":false,\"note\":\"Cable frayed by door 4\",\"photo\":"
        "\"photos/door4.jpg\"}]}");
    ck_assert_str_eq(saf_text(doc, "state"), "recorded");
    const json_t *hazards = json_object_get(doc, "hazards");
    ck_assert_uint_eq(json_array_size(hazards), 1);
    snprintf(hazard, sizeof hazard, "%s",
             json_string_value(json_array_get(hazards, 0)));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/hazards/%s", hazard);
    doc = saf_expect(200, SAF_TECH, "GET", path, NULL);
    ck_assert_str_eq(saf_text(doc, "state"), "reported");
    ck_assert_str_eq(saf_text(json_object_get(doc, "source"), "id"), id);
    ck_assert_str_eq(saf_text(doc, "department"), "tech");
    json_decref(doc);
    // Rectification work order, rectified, verified by another, closed.
    snprintf(body, sizeof body,
             "{\"owner\":\"%s\",\"deadline\":\"2090-01-01T00:00:00Z\"}",
             saf_stack.ids[SAF_TECH_HEAD]);
    json_decref(s_hazard_act(SAF_OFFICER, hazard, "assign", body, 200));
    ck_assert_msg(saf_wait(s_work_requested, hazard, HARNESS_WAIT_MS),
                  "no rectification work order for %s", hazard);
    json_decref(s_hazard_act(SAF_TECH_HEAD, hazard, "rectify",
                             "{\"what\":\"cable replaced\"}", 200));
    json_decref(s_hazard_act(SAF_TECH_HEAD, hazard, "verify", "{}", 403));
    json_decref(s_hazard_act(SAF_OFFICER2, hazard, "verify", "{}", 200));
    doc = s_hazard_act(SAF_OFFICER, hazard, "close", "{}", 200);
    ck_assert_str_eq(saf_text(doc, "state"), "closed");
    json_decref(doc);
    // A schedule due now opens one inspection and moves on a week.
    snprintf(body, sizeof body,
             "{\"template\":\"%s\",\"department\":\"tech\",\"frequency\":"
             "\"weekly\",\"next_due\":\"2020-01-01T00:00:00Z\"}",
             tpl_id);
    doc =
        saf_expect(201, SAF_OFFICER, "POST", "/v1/inspection-schedules", body);
    char sched[48];
    snprintf(sched, sizeof sched, "%s", saf_text(doc, "id"));
    json_decref(doc);
    ck_assert_msg(saf_wait(s_scheduled, sched, HARNESS_WAIT_MS),
                  "schedule %s opened no inspection", sched);
    snprintf(path, sizeof path, "/v1/inspection-schedules/%s", sched);
    doc = saf_expect(200, SAF_OFFICER, "GET", path, NULL);
    ck_assert_str_gt(saf_text(doc, "next_due"), "2026-01-01");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/inspections?schedule=%s", sched);
    json_t *page = saf_expect(200, SAF_OFFICER, "GET", path, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(page, "items")), 1);
    json_decref(page);
}
END_TEST

// ---- overdue rectification escalates

static bool
s_escalated_to_top(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/hazards/%s", (const char *)arg);
    json_t *doc = saf_expect(200, SAF_OFFICER, "GET", path, NULL);
    bool top =
        json_integer_value(json_object_get(doc, "escalation_level")) == 3;
    json_decref(doc);
    return top;
}

START_TEST(test_safety_overdue_rectification_escalates)
{
    json_t *doc = saf_expect(
        201, SAF_TECH, "POST", "/v1/hazards",
        "{\"title\":\"Slippery ramp\",\"description\":\"oil\",\"department\":"
        "\"tech\",\"severity\":\"low\"}");
    char id[48], body[256], at[40], path[96];
    snprintf(id, sizeof id, "%s", saf_text(doc, "id"));
    json_decref(doc);
    cm_time_format(cm_time_now_ms() + 1000, at);
    snprintf(body, sizeof body, "{\"owner\":\"%s\",\"deadline\":\"%s\"}",
             saf_stack.ids[SAF_LEAD], at);
    json_decref(s_hazard_act(SAF_TECH_HEAD, id, "assign", body, 200));
    ck_assert_msg(saf_wait(s_escalated_to_top, id, 30000),
                  "%s never reached the station head", id);
    snprintf(path, sizeof path, "/v1/hazards/%s/history", id);
    json_t *page = saf_expect(200, SAF_OFFICER, "GET", path, NULL);
    ck_assert_int_eq(s_count_actions(page, "escalate"), 3);
    const json_t *items = json_object_get(page, "items");
    const char *first = NULL, *last = NULL;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *entry = json_array_get(items, i);
        if (strcmp(saf_text(entry, "action"), "escalate") == 0) {
            const char *to =
                saf_text(json_object_get(entry, "data"), "escalated_to");
            first = first ? first : to;
            last = to;
        }
    }
    ck_assert_str_eq(first, saf_stack.ids[SAF_TECH_HEAD]);
    ck_assert_str_eq(last, "ST-1");
    json_decref(page);
    // Rectified: no more steps (the timer went with the rectification).
    json_decref(
        s_hazard_act(SAF_LEAD, id, "rectify", "{\"what\":\"sanded\"}", 200));
    char *timer =
        harness_redis_cmd(&saf_stack.redis, "ZSCORE",
                          "sm:{safety-audit}:timers:hazard_deadlines", id);
    ck_assert_str_eq(timer, "(nil)");
    free(timer);
}
END_TEST

Suite *
safety_suite(void)
{
    Suite *s = suite_create("safety");
    TCase *tc = tcase_create("onboarding");
    tcase_add_unchecked_fixture(tc, saf_stack_setup, saf_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_safety_onboarding_three_levels);
    tcase_add_test(tc, test_safety_new_hire_refused_field_work_until_trained);
    tcase_add_test(tc, test_safety_procedure_versions_and_overdue_review);
    tcase_add_test(tc, test_safety_training_session_recorded);
    tcase_add_test(tc, test_safety_hazard_rectified_verified_closed);
    tcase_add_test(tc, test_safety_alarm_posted_twice_one_hazard);
    tcase_add_test(tc, test_safety_inspection_failed_item_to_closed_hazard);
    tcase_add_test(tc, test_safety_overdue_rectification_escalates);
    suite_add_tcase(s, tc);
    return s;
}
