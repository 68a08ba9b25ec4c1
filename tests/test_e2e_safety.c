// End-to-end processes of safety-audit (suite e2e, tests/e2e_steps.h):
// training that gates field work, inspections and hazards, alarms, the
// audit trail.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "e2e_steps.h"

// ---- safety: three-level training gates field work

#define S_OFFICER  e2e_person("safety_officer", "technical")
#define S_LOG_HEAD e2e_person("dept_head", "logistics")

static bool
s_onboarding_exists(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/onboarding/%s", (const char *)arg);
    return e2e_http(S_OFFICER, "GET", path, NULL, NULL, NULL) == 200;
}

typedef struct {
    const char *workorder, *assignee;
} s_assign_t;

static bool
s_assigned(void *arg)
{
    const s_assign_t *a = arg;
    char path[96], body[96];
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign", a->workorder);
    snprintf(body, sizeof body, "{\"assignee\":\"%s\"}", a->assignee);
    return e2e_http(S_LOG_HEAD, "POST", path, body, NULL, NULL) == 200;
}

// A field work order for logistics as its head: its id and assignee.
static void
s_field_work(char *id, char *assignee)
{
    json_t *wo =
        e2e_expect(201, S_LOG_HEAD, "POST", "/v1/work-orders",
                   "{\"title\":\"Check the loading ramp\","
                   "\"department\":\"logistics\",\"field_work\":true}");
    snprintf(id, 48, "%s", e2e_str(wo, "id"));
    snprintf(assignee, 48, "%s", e2e_str(wo, "assignee"));
    json_decref(wo);
}

START_TEST(test_e2e_new_hire_field_work_after_three_levels)
{
    // Personnel hires; safety-audit opens the onboarding record, untrained.
    json_t *staff = e2e_expect(201, E2E_HEAD, "POST", "/v1/staff",
                               "{\"name\":\"New Hire\",\"role\":"
                               "\"logistics\",\"department\":\"logistics\"}");
    char hire[48];
    snprintf(hire, sizeof hire, "%s", e2e_str(staff, "id"));
    json_decref(staff);
    ck_assert_msg(e2e_wait(s_onboarding_exists, hire, S_WAIT_MS),
                  "no onboarding record for %s", hire);
    json_t *roster =
        e2e_expect(200, S_LOG_HEAD, "GET", "/v1/rosters/logistics", NULL);
    json_t *before =
        json_pack("{s:O}", "on_duty", json_object_get(roster, "on_duty"));
    json_decref(roster);
    char body[160], id[48], assignee[48], path[96];
    snprintf(body, sizeof body, "{\"on_duty\":[\"%s\"]}", hire);
    json_decref(
        e2e_expect(200, S_LOG_HEAD, "PUT", "/v1/rosters/logistics", body));
    // Automatic assignment skips the untrained hire; a manual one is a 409.
    s_field_work(id, assignee);
    ck_assert_str_eq(assignee, "");
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign", id);
    snprintf(body, sizeof body, "{\"assignee\":\"%s\"}", hire);
    json_t *problem = e2e_expect(409, S_LOG_HEAD, "POST", path, body);
    ck_assert_str_eq(e2e_str(problem, "code"), "training_incomplete");
    ck_assert_int_eq(
        (int)json_array_size(json_object_get(problem, "missing_levels")), 3);
    json_decref(problem);
    // Station (safety officer), department and team (the head): complete.
    json_decref(e2e_act(S_OFFICER, "onboarding", hire, "sign-off",
                        "{\"level\":\"station\"}", 200));
    json_decref(e2e_act(S_LOG_HEAD, "onboarding", hire, "sign-off",
                        "{\"level\":\"department\"}", 200));
    json_t *doc =
        e2e_act(S_LOG_HEAD, "onboarding", hire, "sign-off",
                "{\"level\":\"team\",\"note\":\"ramp and forklift\"}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "complete");
    json_decref(doc);
    // Dispatch learns it from the event: the assignment passes, and new
    // field work goes to the hire automatically.
    s_assign_t a = {id, hire};
    ck_assert_msg(e2e_wait(s_assigned, &a, S_WAIT_MS),
                  "the trained hire never got the field work");
    s_field_work(id, assignee);
    ck_assert_str_eq(assignee, hire);
    char *text = json_dumps(before, JSON_COMPACT);
    json_decref(
        e2e_expect(200, S_LOG_HEAD, "PUT", "/v1/rosters/logistics", text));
    free(text);
    json_decref(before);
}
END_TEST

// An inspection's failed item becomes a hazard, rectified by its owner,
// verified by someone else, closed; an alarm posted twice is one hazard.
static json_t *
s_hazard_step(int who, const char *id, const char *action, const char *body,
              int status)
{
    return e2e_act(who, "hazards", id, action, body, status);
}

START_TEST(test_e2e_inspection_hazard_rectified_and_closed)
{
    json_t *tpl = e2e_expect(
        201, S_OFFICER, "POST", "/v1/inspection-templates",
        "{\"title\":\"Fire rounds\",\"area\":\"fire_safety\",\"items\":["
        "{\"text\":\"Extinguishers sealed\"},{\"text\":\"Exits clear\"}]}");
    char body[256], id[48], hazard[48];
    snprintf(body, sizeof body,
             "{\"template\":\"%s\",\"department\":\"technical\"}",
             e2e_str(tpl, "id"));
    json_decref(tpl);
    json_t *doc = e2e_expect(201, S_OFFICER, "POST", "/v1/inspections", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    doc = e2e_act(S_TECH, "inspections", id, "record",
                  "{\"results\":[{\"item\":\"I1\",\"pass\":true},{\"item\":"
                  "\"I2\",\"pass\":false,\"note\":\"Boxes in exit B\","
                  "\"severity\":\"high\"}]}",
                  200);
    snprintf(
        hazard, sizeof hazard, "%s",
        json_string_value(json_array_get(json_object_get(doc, "hazards"), 0)));
    json_decref(doc);
    // High: the emergency measure first, then the owner and the deadline.
    snprintf(body, sizeof body,
             "{\"owner\":\"%s\",\"deadline\":\"2090-01-01T00:00:00Z\"}",
             e2e_stack.ids[S_TECH_HEAD]);
    json_decref(s_hazard_step(S_TECH_HEAD, hazard, "assign", body, 409));
    json_decref(s_hazard_step(S_OFFICER, hazard, "record-measure",
                              "{\"measure\":\"exit B taped, boxes moved\"}",
                              200));
    json_decref(s_hazard_step(S_TECH_HEAD, hazard, "assign", body, 200));
    json_decref(s_hazard_step(S_TECH_HEAD, hazard, "rectify",
                              "{\"what\":\"storage moved to room 2\"}", 200));
    json_decref(s_hazard_step(S_TECH_HEAD, hazard, "verify", "{}", 403));
    json_decref(s_hazard_step(S_OFFICER, hazard, "verify", "{}", 200));
    doc = s_hazard_step(S_OFFICER, hazard, "close", "{}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "closed");
    json_decref(doc);
}
END_TEST

static int
s_alarm_count(const char *alarm)
{
    json_t *page =
        e2e_expect(200, S_OFFICER, "GET",
                   "/v1/hazards?department=technical&limit=200", NULL);
    int count = 0;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *source =
            json_object_get(json_array_get(items, i), "source");
        count += strcmp(e2e_str(source, "id"), alarm) == 0;
    }
    json_decref(page);
    return count;
}

static bool
s_alarm_seen(void *arg)
{
    return s_alarm_count(arg) > 0;
}

START_TEST(test_e2e_alarm_posted_twice_is_one_hazard)
{
    const char *event =
        "{\"specversion\":\"1.0\",\"id\":\"e2e-alarm-1\",\"source\":"
        "\"bms/main\",\"type\":\"alarm.raised\",\"time\":"
        "\"2027-03-01T08:00:00Z\",\"data\":{\"kind\":\"gas\",\"location\":"
        "\"Kitchen\",\"severity\":\"high\",\"department\":\"technical\"}}";
    json_decref(e2e_expect(202, E2E_HEAD, "POST", "/v1/events", event));
    json_decref(e2e_expect(202, E2E_HEAD, "POST", "/v1/events", event));
    ck_assert_msg(e2e_wait(s_alarm_seen, "e2e-alarm-1", S_WAIT_MS),
                  "the alarm opened no hazard");
    ck_assert_int_eq(s_alarm_count("e2e-alarm-1"), 1);
}
END_TEST

// The audit trail: the auditor finds who created a person, the chain
// verifies end to end, and nobody else reads it.
static bool
s_audited(void *arg)
{
    char path[160];
    snprintf(path, sizeof path,
             "/v1/audit?type=personnel.staff.created&subject=staff/%s",
             (const char *)arg);
    json_t *page = e2e_expect(200, S_AUDITOR, "GET", path, NULL);
    const json_t *item = json_array_get(json_object_get(page, "items"), 0);
    bool found = item && strcmp(e2e_str(item, "actor"), "ST-1") == 0;
    json_decref(page);
    return found;
}

START_TEST(test_e2e_audit_trail_searched_and_verified)
{
    ck_assert_msg(e2e_wait(s_audited, e2e_stack.ids[S_TECH], S_WAIT_MS),
                  "the creation of %s is not in the audit trail",
                  e2e_stack.ids[S_TECH]);
    json_t *v = e2e_expect(200, S_AUDITOR, "POST", "/v1/audit/verify", NULL);
    ck_assert(json_is_true(json_object_get(v, "ok")));
    ck_assert_int_gt(e2e_int(json_object_get(v, "head"), "n"), 0);
    json_decref(v);
    ck_assert_int_eq(
        e2e_http(S_TECH_HEAD, "GET", "/v1/audit", NULL, NULL, NULL), 403);
    json_t *key = e2e_expect(200, S_TECH, "GET", "/v1/audit/key", NULL);
    ck_assert_str_eq(e2e_str(key, "algorithm"), "Ed25519");
    json_decref(key);
}
END_TEST

void
e2e_add_safety(TCase *tc)
{
    tcase_add_test(tc, test_e2e_new_hire_field_work_after_three_levels);
    tcase_add_test(tc, test_e2e_inspection_hazard_rectified_and_closed);
    tcase_add_test(tc, test_e2e_alarm_posted_twice_is_one_hazard);
    tcase_add_test(tc, test_e2e_audit_trail_searched_and_verified);
}
