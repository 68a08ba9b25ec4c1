// Assignment by skill (services/dispatch/assign.h): a work order naming a
// skill is assigned automatically only to on-duty, active staff of its
// department whose record lists the skill (personnel's `skills`, carried by
// its staff events into dispatch's org view), least load first; when
// nobody on duty has it, it stays open. A work request may name the skill
// too. Suite: dispatch_skills_suite.
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_time.h"
#include "suites.h"
#include "test_dispatch_stack.h"

#define S_TECH_HEAD "ST-3"

// personnel.staff.updated of a technician of technical with `skills`
// (taken), as personnel publishes it, at version 2.
static void
s_skills(const char *id, json_t *skills)
{
    char subject[64];
    snprintf(subject, sizeof subject, "staff/%s", id);
    dispatch_publish_version(
        "personnel", "personnel.staff.updated", subject, 2,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:n, s:o, s:s}", "id", id,
                  "name", id, "role", "technician", "department", "technical",
                  "status", "active", "position", "contract", "skills", skills,
                  "changed", "skills"),
        NULL);
}

// Wait until dispatch's copy of staff id lists n skills.
static bool
s_wait_skills(const char *id, size_t n)
{
    char key[96];
    snprintf(key, sizeof key, "sm:{dispatch}:org:staff:%s", id);
    int64_t until = cm_time_mono_ms() + DISPATCH_TEST_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        json_t *doc = dispatch_doc(key);
        size_t have = json_array_size(json_object_get(doc, "skills"));
        json_decref(doc);
        if (have == n) {
            return true;
        }
        zmq_poll(NULL, 0, 20); // polling with a timeout
    }
    return false;
}

// POST /v1/work-orders by the technical head; skill may be NULL. The reply
// (caller owns it).
static json_t *
s_create(const char *skill)
{
    json_t *body = json_pack("{s:s, s:s}", "title", "repair the feed line",
                             "department", "technical");
    if (skill) {
        json_object_set_new(body, "skill", json_string(skill));
    }
    return dispatch_call(
        harness_mdp_actor(S_TECH_HEAD, "dept_head", "technical"), "POST",
        "/v1/work-orders", body);
}

// Create a work order needing skill and check who got it ("" : nobody).
static void
s_expect(const char *skill, const char *assignee)
{
    json_t *reply = s_create(skill);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const json_t *body = json_object_get(reply, "body");
    if (skill) {
        ck_assert_str_eq(cm_doc_text(body, "skill"), skill);
    } else {
        ck_assert(json_is_null(json_object_get(body, "skill")));
    }
    if (*assignee) {
        ck_assert_str_eq(cm_doc_text(body, "assignee"), assignee);
        ck_assert_str_eq(cm_doc_text(body, "state"), "assigned");
    } else {
        ck_assert(json_is_null(json_object_get(body, "assignee")));
        ck_assert_str_eq(cm_doc_text(body, "state"), "open");
    }
    json_decref(reply);
}

static void
s_seed(void)
{
    dispatch_seed_org();
    // ST-5 has no skill; ST-6 electrical; ST-7 electrical and hvac; ST-8
    // welding but not on duty.
    s_skills("ST-6", json_pack("[s]", "electrical"));
    s_skills("ST-7", json_pack("[s,s]", "electrical", "hvac"));
    dispatch_staff("ST-8", "technician", "technical");
    s_skills("ST-8", json_pack("[s]", "welding"));
    ck_assert(s_wait_skills("ST-6", 1));
    ck_assert(s_wait_skills("ST-7", 2));
    ck_assert(s_wait_skills("ST-8", 1));
    json_t *reply = dispatch_call(
        harness_mdp_actor(S_TECH_HEAD, "dept_head", "technical"), "PUT",
        "/v1/rosters/technical",
        json_pack("{s:[s,s,s]}", "on_duty", "ST-5", "ST-6", "ST-7"));
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
}

START_TEST(test_dispatch_skill_assigns_only_holders)
{
    s_seed();
    // Everyone at load 0: the electrician with the smallest id, not ST-5.
    s_expect("electrical", "ST-6");
    // ST-6 is loaded: the other electrician.
    s_expect("electrical", "ST-7");
    // Only ST-7 has hvac, though ST-5 has no load at all.
    s_expect("hvac", "ST-7");
    // Nobody on duty welds (ST-8 is off duty): it stays open.
    s_expect("welding", "");
    ck_assert(harness_proc_wait_event(&dispatch_stack.dispatch[0],
                                      "workorder.unassigned", 1,
                                      DISPATCH_TEST_WAIT_MS));
    // No skill: least load over everyone on duty.
    s_expect(NULL, "ST-5");
}
END_TEST

START_TEST(test_dispatch_skill_refused_when_malformed)
{
    s_seed();
    json_t *reply = s_create("Bad Skill");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_str_eq(cm_doc_text(json_array_get(errors, 0), "field"), "skill");
    json_decref(reply);
}
END_TEST

START_TEST(test_dispatch_skill_of_a_work_request)
{
    s_seed();
    dispatch_publish(
        "assets", "assets.maintenance.work_requested", "maintenance_plan/MP-9",
        json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s}, s:s, s:s, s:s, "
                  "s:s, s:s}",
                  "request", "key", "MP-9/2027-03-01", "department",
                  "technical", "title", "Service the air handling unit", "kind",
                  "maintenance", "source", "type", "maintenance_plan", "id",
                  "MP-9", "skill", "hvac", "id", "MP-9", "state", "active",
                  "equipment", "EQ-9", "basis", "due_date", "department",
                  "technical"));
    const char *record = "sm:{dispatch}:work_request:assets:MP-9/2027-03-01";
    ck_assert(dispatch_wait_doc(record));
    json_t *doc = dispatch_doc(record);
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:workorder:%s",
             cm_doc_text(doc, "workorder_id"));
    json_decref(doc);
    ck_assert(dispatch_wait_doc(key));
    json_t *workorder = dispatch_doc(key);
    ck_assert_str_eq(cm_doc_text(workorder, "skill"), "hvac");
    ck_assert_str_eq(cm_doc_text(workorder, "assignee"), "ST-7");
    json_decref(workorder);
}
END_TEST

Suite *
dispatch_skills_suite(void)
{
    Suite *suite = suite_create("dispatch_skills");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, dispatch_stack_setup,
                              dispatch_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_dispatch_skill_assigns_only_holders);
    tcase_add_test(core, test_dispatch_skill_refused_when_malformed);
    tcase_add_test(core, test_dispatch_skill_of_a_work_request);
    suite_add_tcase(suite, core);
    return suite;
}
