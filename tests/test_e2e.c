// The system through its front door, as staff use it: the whole stack as
// `make run` starts it, driven only over HTTP with each person's own token,
// every request and response checked against docs/openapi.yaml by the
// contract proxy (tests/e2e_stack.h). Suite: e2e.
//
// One test per process of the regulations. A service that lands adds its
// processes here as new tests in the same TCase (or a test_e2e_<service>.c
// with its own TCase added to e2e_suite below): use e2e_expect / e2e_act as
// the person who does the step in real life, create what the test needs
// through the API (the station of e2e_stack.h is shared, so use fresh
// documents and leave shared settings as found), and wait for what other
// services do with e2e_wait (poll with a timeout; never sleep).
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "e2e_stack.h"
#include "suites.h"

#define S_WAIT_MS 30000 // what another service does in reaction

// People of the stories below.
#define S_AGENT     e2e_person("cs_agent", "customer_service")
#define S_CS_HEAD   e2e_person("dept_head", "customer_service")
#define S_TECH      e2e_person("technician", "technical")
#define S_TECH_HEAD e2e_person("dept_head", "technical")
#define S_CLERK     e2e_person("finance", "finance")
#define S_FIN_HEAD  e2e_person("dept_head", "finance")
#define S_AUDITOR   e2e_person("auditor", "finance")
#define S_OUTSIDER  e2e_person("logistics", "logistics")

static json_t *
s_case(int who, const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    return e2e_expect(200, who, "GET", path, NULL);
}

// Record a case of kind as the agent; its id into id (48 bytes).
static void
s_record(const char *kind, const char *subject, char *id)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"channel\":\"phone\",\"subject\":\"%s\","
             "\"description\":\"Told at the counter\",\"customer\":{\"name\":"
             "\"Li Wei\",\"phone\":\"+86 555 0100\"}}",
             kind, subject);
    json_t *doc = e2e_expect(201, S_AGENT, "POST", "/v1/cases", body);
    ck_assert_str_eq(e2e_str(doc, "state"), "recorded");
    snprintf(id, 48, "%s", e2e_str(doc, "id"));
    json_decref(doc);
}

// Take one step and check the state it leads to.
static void
s_step(int who, const char *id, const char *action, const char *body,
       const char *state)
{
    json_t *doc = e2e_act(who, "cases", id, action, body, 200);
    ck_assert_msg(strcmp(e2e_str(doc, "state"), state) == 0,
                  "%s on %s: state %s, want %s", action, id,
                  e2e_str(doc, "state"), state);
    json_decref(doc);
}

static bool
s_listed(const json_t *array, const char *text)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        if (strcmp(json_string_value(json_array_get(array, i)), text) == 0) {
            return true;
        }
    }
    return false;
}

// A reply_by a day from now.
static void
s_reply_by(char *body, size_t size, const char *department)
{
    char at[40];
    cm_time_format(cm_time_now_ms() + 86400000, at);
    snprintf(body, size, "{\"department\":\"%s\",\"reply_by\":\"%s\"}",
             department, at);
}

START_TEST(test_e2e_inquiry_answered_on_the_spot)
{
    char id[48];
    s_record("inquiry", "Opening hours", id);
    json_t *doc = s_case(S_AGENT, id);
    ck_assert(s_listed(json_object_get(doc, "actions"), "answer"));
    json_decref(doc);
    s_step(S_AGENT, id, "answer", "{\"answer\":\"9 to 17, Saturdays too\"}",
           "answered");
    s_step(S_AGENT, id, "confirm",
           "{\"satisfied\":true,\"score\":5,\"comment\":\"thanks\"}", "closed");
    // The auditor reads it; someone of another department does not see it.
    doc = s_case(S_AUDITOR, id);
    ck_assert_int_ge(e2e_int(doc, "history_count"), 3);
    json_decref(doc);
    char path[96];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    ck_assert_int_eq(e2e_http(S_OUTSIDER, "GET", path, NULL, NULL, NULL), 404);
}
END_TEST

// The technical department's roster: both technicians on duty.
static void
s_roster(void)
{
    char body[160];
    snprintf(body, sizeof body, "{\"on_duty\":[\"%s\",\"%s\"]}",
             e2e_stack.ids[S_TECH], e2e_stack.ids[E2E_TECH2]);
    json_decref(
        e2e_expect(200, S_TECH_HEAD, "PUT", "/v1/rosters/technical", body));
}

static bool
s_has_assignee(void *arg)
{
    json_t *doc = s_case(S_AGENT, arg);
    bool done = *e2e_str(doc, "assignee") != '\0';
    json_decref(doc);
    return done;
}

// One round of the department: a proposal, presented to the customer.
static void
s_proposal_round(const char *id, const char *solution, bool satisfied)
{
    char body[160];
    snprintf(body, sizeof body, "{\"solution\":\"%s\"}", solution);
    s_step(S_TECH, id, "propose", body, "proposed");
    s_step(S_AGENT, id, "present", "{\"opinion\":\"listened\"}", "presented");
    snprintf(body, sizeof body, "{\"satisfied\":%s,\"score\":%d}",
             satisfied ? "true" : "false", satisfied ? 4 : 2);
    s_step(S_AGENT, id, "confirm", body, satisfied ? "resolved" : "forwarded");
}

START_TEST(test_e2e_complaint_through_rounds_and_return_visit)
{
    char id[48], body[256];
    s_roster();
    s_record("complaint", "Technician was late twice", id);
    s_step(S_AGENT, id, "triage",
           "{\"nature\":\"staff_conduct\",\"severity\":\"medium\","
           "\"calming_note\":\"apologised\"}",
           "triaged");
    s_reply_by(body, sizeof body, "technical");
    s_step(S_AGENT, id, "forward", body, "forwarded");
    // Dispatch opens the case's work order and assigns someone on duty.
    ck_assert_msg(e2e_wait(s_has_assignee, id, S_WAIT_MS),
                  "dispatch never assigned %s", id);
    s_proposal_round(id, "Fixed visit windows", false);
    s_proposal_round(id, "Fixed windows and a call ahead", true);
    json_t *doc = s_case(S_AGENT, id);
    ck_assert_int_eq(e2e_int(doc, "unsatisfied_rounds"), 1);
    ck_assert(s_listed(json_object_get(doc, "actions"), "return-visit"));
    json_decref(doc);
    s_step(S_AGENT, id, "return-visit",
           "{\"outcome\":\"calls ahead now\",\"new_issue\":{\"subject\":"
           "\"Invoice address wrong\"}}",
           "closed");
    doc = s_case(S_AGENT, id);
    const char *linked = json_string_value(
        json_array_get(json_object_get(doc, "linked_cases"), 0));
    ck_assert_ptr_nonnull(linked);
    json_t *other = s_case(S_AGENT, linked);
    ck_assert_str_eq(e2e_str(other, "linked_from"), id);
    json_decref(other);
    json_decref(doc);
}
END_TEST

static bool
s_workorder_assigned(void *arg)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/work-orders?assignee=%s",
             e2e_stack.ids[S_TECH]);
    json_t *page = e2e_expect(200, S_TECH_HEAD, "GET", path, NULL);
    bool found = false;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *source =
            json_object_get(json_array_get(items, i), "source");
        found = found || strcmp(e2e_str(source, "id"), arg) == 0;
    }
    json_decref(page);
    return found;
}

START_TEST(test_e2e_tech_support_assigned_fixed_summarized)
{
    char id[48], body[160];
    s_record("tech_support", "Boiler pressure drops", id);
    s_step(S_AGENT, id, "triage", "{\"severity\":\"high\"}", "triaged");
    // The agent may not assign; the technical department's head does.
    snprintf(body, sizeof body, "{\"technician\":\"%s\"}",
             e2e_stack.ids[S_TECH]);
    json_decref(e2e_act(S_AGENT, "cases", id, "assign", body, 403));
    s_step(S_TECH_HEAD, id, "assign", body, "assigned");
    ck_assert_msg(e2e_wait(s_workorder_assigned, id, S_WAIT_MS),
                  "no work order for %s assigned to the technician", id);
    s_step(S_TECH, id, "diagnose",
           "{\"diagnosis\":\"worn valve\",\"solution\":\"replace it\"}",
           "diagnosed");
    s_step(S_TECH, id, "fix", "{\"work_done\":\"valve replaced\"}", "fixed");
    s_step(S_TECH, id, "verify", "{\"result\":\"pressure holds\"}", "verified");
    s_step(S_TECH, id, "report", "{\"report\":\"replaced the valve\"}",
           "reported");
    s_step(S_AGENT, id, "confirm", "{\"satisfied\":true,\"score\":5}",
           "confirmed");
    s_step(S_TECH, id, "summarize",
           "{\"root_cause\":\"valve past its life\",\"improvement_measures\":"
           "\"yearly valve check\"}",
           "closed");
}
END_TEST

static bool
s_overdue_to_the_top(void *arg)
{
    json_t *doc = s_case(S_AGENT, arg);
    const json_t *escalations = json_object_get(doc, "escalations");
    bool top = false;
    for (size_t i = 0; i < json_array_size(escalations); i++) {
        const json_t *step = json_array_get(escalations, i);
        top = top || strcmp(e2e_str(step, "escalated_to"), "ST-1") == 0;
    }
    bool done = json_is_true(json_object_get(doc, "overdue")) && top;
    json_decref(doc);
    return done;
}

// PUT the inquiry SLA policy as body; returns the policy stored before.
static json_t *
s_policy(const char *body)
{
    json_t *old =
        e2e_expect(200, E2E_DEPUTY_A, "GET", "/v1/sla-policies/inquiry", NULL);
    json_decref(
        e2e_expect(200, E2E_DEPUTY_A, "PUT", "/v1/sla-policies/inquiry", body));
    return old;
}

START_TEST(test_e2e_sla_breach_escalates_and_marks_overdue)
{
    json_t *old = s_policy("{\"business_time\":false,\"targets\":{\"default\":{"
                           "\"first_response_ms\":1000,\"department_reply_ms\":"
                           "3600000,\"resolution_ms\":3600000}}}");
    char id[48];
    s_record("inquiry", "Nobody called back", id);
    // Nobody answers: dispatch escalates to the department head, the deputy
    // head, the station head; intake marks the case overdue.
    ck_assert_msg(e2e_wait(s_overdue_to_the_top, id, S_WAIT_MS),
                  "%s was not escalated to the station head", id);
    json_t *doc = s_case(S_AGENT, id);
    const json_t *steps = json_object_get(doc, "escalations");
    ck_assert_int_ge(json_array_size(steps), 3);
    ck_assert_str_eq(e2e_str(json_array_get(steps, 0), "escalated_to"),
                     e2e_stack.ids[S_CS_HEAD]);
    ck_assert_str_eq(e2e_str(json_array_get(steps, 1), "escalated_to"),
                     e2e_stack.ids[E2E_DEPUTY_A]);
    json_decref(doc);
    // Leave the policy as it was.
    json_object_del(old, "history");
    json_t *back = json_pack("{s:O, s:O}", "business_time",
                             json_object_get(old, "business_time"), "targets",
                             json_object_get(old, "targets"));
    char *text = json_dumps(back, JSON_COMPACT);
    json_decref(s_policy(text));
    free(text);
    json_decref(back);
    json_decref(old);
}
END_TEST

static json_t *
s_budget_step(int who, const char *id, const char *action)
{
    return e2e_act(who, "budgets", id, action, "{}", 200);
}

// This year's budget: a travel line of the technical department, drafted
// by a clerk, reviewed by the finance head, approved by the station head.
static void
s_budget(char *id)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"year\":%d,\"title\":\"Budget %d\",\"lines\":[{\"category\":"
             "\"travel\",\"department\":\"technical\",\"amount\":5000000,"
             "\"period\":\"yearly\",\"control\":\"stop\"}]}",
             e2e_stack.year, e2e_stack.year);
    json_t *doc = e2e_expect(201, S_CLERK, "POST", "/v1/budgets", body);
    snprintf(id, 48, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(s_budget_step(S_CLERK, id, "submit"));
    // Steps in order: the station head cannot approve before the review.
    json_decref(e2e_act(E2E_HEAD, "budgets", id, "approve", "{}", 403));
    json_decref(s_budget_step(S_FIN_HEAD, id, "approve"));
    doc = s_budget_step(E2E_HEAD, id, "approve");
    ck_assert_str_eq(e2e_str(doc, "state"), "approved");
    json_decref(doc);
}

static json_t *
s_claim_step(int who, const char *id, const char *action, const char *body)
{
    return e2e_act(who, "expense-claims", id, action, body, 200);
}

START_TEST(test_e2e_budget_and_expense_claim_paid)
{
    char budget[48], id[48], body[768], path[96];
    s_budget(budget);
    snprintf(body, sizeof body,
             "{\"date\":\"%s\",\"place\":\"Site B\",\"purpose\":\"Boiler "
             "repair visit\",\"category\":\"travel\",\"amount\":12000,"
             "\"invoices\":[{\"number\":\"E2E-RAIL-1\",\"date\":\"%s\","
             "\"amount\":12000,\"issuer\":\"Rail Co\"}]}",
             e2e_stack.today, e2e_stack.today);
    json_t *doc = e2e_expect(201, S_TECH, "POST", "/v1/expense-claims", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(s_claim_step(S_TECH, id, "submit", "{}"));
    // The department head checks first, then finance reviews; then paid.
    json_decref(e2e_act(S_CLERK, "expense-claims", id, "approve", "{}", 403));
    json_decref(s_claim_step(S_TECH_HEAD, id, "approve", "{}"));
    json_decref(s_claim_step(S_CLERK, id, "approve", "{}"));
    doc = s_claim_step(S_CLERK, id, "pay", "{\"method\":\"bank\"}");
    ck_assert_str_eq(e2e_str(doc, "state"), "paid");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/budgets/%s/lines/L1", budget);
    doc = e2e_expect(200, S_CLERK, "GET", path, NULL);
    const json_t *execution = json_object_get(doc, "execution");
    ck_assert_int_eq(e2e_int(execution, "actual"), 12000);
    ck_assert_int_eq(e2e_int(execution, "available"), 5000000 - 12000);
    json_decref(doc);
}
END_TEST

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

Suite *
e2e_suite(void)
{
    Suite *suite = suite_create("e2e");
    TCase *tc = tcase_create("processes");
    tcase_add_unchecked_fixture(tc, e2e_stack_setup, e2e_stack_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_e2e_inquiry_answered_on_the_spot);
    tcase_add_test(tc, test_e2e_complaint_through_rounds_and_return_visit);
    tcase_add_test(tc, test_e2e_tech_support_assigned_fixed_summarized);
    tcase_add_test(tc, test_e2e_sla_breach_escalates_and_marks_overdue);
    tcase_add_test(tc, test_e2e_budget_and_expense_claim_paid);
    tcase_add_test(tc, test_e2e_new_hire_field_work_after_three_levels);
    tcase_add_test(tc, test_e2e_audit_trail_searched_and_verified);
    tcase_add_test(tc, test_e2e_inspection_hazard_rectified_and_closed);
    tcase_add_test(tc, test_e2e_alarm_posted_twice_is_one_hazard);
    suite_add_tcase(suite, tc);
    return suite;
}
