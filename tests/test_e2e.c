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
#include <csv.h>
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
#define S_KEEPER    e2e_person("logistics", "logistics")

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

// A CSV answer read back with libcsv: up to 8 rows of 16 cells.
typedef struct {
    char cells[8][16][64];
    int rows;
    int cell;
} s_csv_t;

static void
s_csv_field(void *data, size_t size, void *arg)
{
    s_csv_t *csv = arg;
    if (csv->rows < 8 && csv->cell < 16) {
        snprintf(csv->cells[csv->rows][csv->cell], 64, "%.*s", (int)size,
                 (const char *)data);
    }
    csv->cell++;
}

static void
s_csv_row(int end, void *arg)
{
    (void)end; // the row's terminator
    s_csv_t *csv = arg;
    csv->rows++;
    csv->cell = 0;
}

static void
s_csv_parse(const char *text, s_csv_t *csv)
{
    struct csv_parser parser;
    ck_assert_int_eq(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI), 0);
    size_t n = strlen(text);
    ck_assert_uint_eq(csv_parse(&parser, text, n, s_csv_field, s_csv_row, csv),
                      n);
    ck_assert_int_eq(csv_fini(&parser, s_csv_field, s_csv_row, csv), 0);
    csv_free(&parser);
}

// The index of column name in the header row, or -1.
static int
s_csv_column(const s_csv_t *csv, const char *name)
{
    for (int c = 0; c < 16; c++) {
        if (strcmp(csv->cells[0][c], name) == 0) {
            return c;
        }
    }
    return -1;
}

// The SLA report's CSV: true once its first_response row counts a clock.
typedef struct {
    char *text;
    size_t size;
    char *type;
} s_sla_t;

static bool
s_sla_counted(void *arg)
{
    s_sla_t *sla = arg;
    if (e2e_http_text(S_AUDITOR, "GET", "/v1/reports/sla",
                      "Accept: text/csv\r\n", sla->text, sla->size, sla->type)
        != 200) {
        return false;
    }
    s_csv_t csv = {0};
    s_csv_parse(sla->text, &csv);
    int count = s_csv_column(&csv, "count");
    return csv.rows == 4 && count >= 0
           && strcmp(csv.cells[1][0], "first_response") == 0
           && atoi(csv.cells[1][count]) >= 1;
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
    // The satisfaction report, as JSON and as CSV read back by libcsv.
    json_t *report =
        e2e_expect(200, S_AUDITOR, "GET", "/v1/reports/satisfaction", NULL);
    ck_assert_int_ge(e2e_int(report, "count"), 1);
    char text[2048], type[64];
    ck_assert_int_eq(e2e_http_text(S_AUDITOR, "GET", "/v1/reports/satisfaction",
                                   "Accept: text/csv\r\n", text, sizeof text,
                                   type),
                     200);
    ck_assert_str_eq(type, "text/csv; charset=utf-8");
    s_csv_t csv = {0};
    s_csv_parse(text, &csv);
    ck_assert_int_eq(csv.rows, 2);
    int column = s_csv_column(&csv, "count");
    ck_assert_int_ge(column, 0);
    ck_assert_int_eq(atoi(csv.cells[1][column]), e2e_int(report, "count"));
    json_decref(report);
    // SLA compliance as CSV: one row per target; the answer stopped the
    // first-response clock (dispatch gets there a moment later).
    s_sla_t sla = {text, sizeof text, type};
    ck_assert_msg(e2e_wait(s_sla_counted, &sla, S_WAIT_MS),
                  "the SLA report never counted a first response: %s", text);
    // The case list exported as CSV, a page at a time.
    ck_assert_int_eq(e2e_http_text(S_AUDITOR, "GET", "/v1/cases?limit=1",
                                   "Accept: text/csv\r\n", text, sizeof text,
                                   type),
                     200);
    ck_assert_str_eq(type, "text/csv; charset=utf-8");
    s_csv_t page = {0};
    s_csv_parse(text, &page);
    ck_assert_int_eq(page.rows, 2);
    ck_assert_int_eq(s_csv_column(&page, "id"), 0);
    ck_assert_int_ge(s_csv_column(&page, "customer_name"), 0);
    ck_assert(strncmp(page.cells[1][0], "CS-", 3) == 0);
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

// The person the case is assigned to (dispatch's pick among those on
// duty); fails the test when it is nobody the suite knows.
static int
s_assignee_of(const char *id)
{
    json_t *doc = s_case(S_AGENT, id);
    const char *assignee = e2e_str(doc, "assignee");
    int who = -1;
    for (int p = 0; p < E2E_PEOPLE && who < 0; p++) {
        if (strcmp(e2e_stack.ids[p], assignee) == 0) {
            who = p;
        }
    }
    ck_assert_msg(who >= 0, "%s is assigned to unknown %s", id, assignee);
    json_decref(doc);
    return who;
}

// One round of the department: a proposal by the case's assignee (not
// anyone else of the department), presented to the customer.
static void
s_proposal_round(const char *id, const char *solution, bool satisfied)
{
    char body[160];
    snprintf(body, sizeof body, "{\"solution\":\"%s\"}", solution);
    int assignee = s_assignee_of(id);
    int other = assignee == (int)S_TECH ? (int)E2E_TECH2 : (int)S_TECH;
    json_decref(e2e_act(other, "cases", id, "propose", body, 403));
    s_step(assignee, id, "propose", body, "proposed");
    s_step(S_AGENT, id, "present", "{\"opinion\":\"listened\"}", "presented");
    snprintf(body, sizeof body, "{\"satisfied\":%s,\"score\":%d}",
             satisfied ? "true" : "false", satisfied ? 4 : 2);
    s_step(S_AGENT, id, "confirm", body, satisfied ? "resolved" : "forwarded");
}

// A return visit's work order in the desk's queue (origin service) for a
// case or a customer (source id), assigned to `assignee` when not -1: its
// state into state ("" while none).
typedef struct {
    const char *source_id;
    int assignee;
    char state[32];
} s_visit_t;

static bool
s_visit_state(void *arg)
{
    s_visit_t *visit = arg;
    char path[128];
    snprintf(path, sizeof path,
             "/v1/work-orders?queue=customer_service&limit=200");
    json_t *page = e2e_expect(200, S_CS_HEAD, "GET", path, NULL);
    const json_t *items = json_object_get(page, "items");
    visit->state[0] = '\0';
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *wo = json_array_get(items, i);
        bool assigned =
            visit->assignee < 0
            || strcmp(e2e_str(wo, "assignee"), e2e_stack.ids[visit->assignee])
                   == 0;
        if (strcmp(e2e_str(json_object_get(wo, "source"), "id"),
                   visit->source_id)
                == 0
            && strcmp(e2e_str(wo, "origin"), "service") == 0 && assigned) {
            snprintf(visit->state, sizeof visit->state, "%s",
                     e2e_str(wo, "state"));
        }
    }
    json_decref(page);
    return visit->state[0] != '\0';
}

static bool
s_visit_closed(void *arg)
{
    s_visit_t *visit = arg;
    return s_visit_state(visit) && strcmp(visit->state, "closed") == 0;
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
    // The return visit is a work order of the desk for the agent, due when
    // the visit is.
    s_visit_t visit = {id, S_AGENT, ""};
    ck_assert_msg(e2e_wait(s_visit_state, &visit, S_WAIT_MS),
                  "no return-visit work order for %s", id);
    ck_assert_str_eq(visit.state, "assigned");
    s_step(S_AGENT, id, "return-visit",
           "{\"outcome\":\"calls ahead now\",\"new_issue\":{\"subject\":"
           "\"Invoice address wrong\"}}",
           "closed");
    // Recorded: the work order is closed.
    ck_assert_msg(e2e_wait(s_visit_closed, &visit, S_WAIT_MS),
                  "the return visit's work order stayed %s", visit.state);
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

// A suggestion: acknowledged by the desk, forwarded to finance without a
// promised time, adopted by finance's head (a clerk of finance may not),
// and closed once the desk has told the customer.
START_TEST(test_e2e_suggestion_adopted)
{
    char id[48], body[160];
    s_record("suggestion", "Send bills monthly", id);
    s_step(S_AGENT, id, "acknowledge", "{}", "acknowledged");
    s_step(S_AGENT, id, "forward", "{\"department\":\"finance\"}", "forwarded");
    snprintf(body, sizeof body, "{\"measure\":\"monthly bills from May\"}");
    json_decref(e2e_act(S_CLERK, "cases", id, "adopt", body, 403));
    s_step(S_FIN_HEAD, id, "adopt", body, "adopted");
    s_step(S_AGENT, id, "inform", "{\"note\":\"told by phone\"}", "closed");
    json_t *doc = s_case(S_AGENT, id);
    ck_assert_str_eq(e2e_str(doc, "adopted_measure"), "monthly bills from May");
    // A regular return visit to the customer becomes the desk's work order.
    char due[32];
    cm_time_format(cm_time_now_ms() + 7LL * 24 * 3600 * 1000, due);
    snprintf(body, sizeof body, "{\"customers\":[\"%s\"],\"due_at\":\"%s\"}",
             e2e_str(json_object_get(doc, "customer"), "id"), due);
    json_decref(e2e_expect(201, S_AGENT, "POST", "/v1/return-visits", body));
    s_visit_t visit = {e2e_str(json_object_get(doc, "customer"), "id"), -1, ""};
    ck_assert_msg(e2e_wait(s_visit_state, &visit, S_WAIT_MS),
                  "no return-visit work order for %s", visit.source_id);
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
    s_step(S_AGENT, id, "triage",
           "{\"severity\":\"high\",\"nature\":\"equipment\"}", "triaged");
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

// ---- personnel: people records, rewards and punishments

// POST /v1/sanctions/<id>/<action> as who, asserting 200 and the state.
static void
s_sanction_step(int who, const char *id, const char *action, const char *body,
                const char *state)
{
    json_t *doc = e2e_act(who, "sanctions", id, action, body, 200);
    ck_assert_str_eq(e2e_str(doc, "state"), state);
    json_decref(doc);
}

START_TEST(test_e2e_personnel_fine_published_with_response)
{
    const char *tech2 = e2e_stack.ids[E2E_TECH2];
    int deputy = e2e_deputy_of("technical");
    char body[512], id[48], notice[96];
    // Wrong role 403 (a missing field is the proxy's 422: the integration
    // suite checks the service's 400).
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"kind\":\"fine\",\"amount\":5000,"
             "\"reason\":\"Left the pump room unlocked\",\"evidence\":"
             "[\"HZ-1\"]}",
             tech2);
    json_decref(e2e_expect(403, S_AGENT, "POST", "/v1/sanctions", body));
    json_t *doc = e2e_expect(201, S_TECH_HEAD, "POST", "/v1/sanctions", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // The person answers before the decision; the station head approves;
    // the deputy head over technical publishes.
    s_sanction_step(E2E_TECH2, id, "respond",
                    "{\"response\":\"The lock was broken; reported it.\"}",
                    "draft");
    s_sanction_step(S_TECH_HEAD, id, "submit", "{}", "pending");
    json_decref(e2e_act(S_TECH_HEAD, "sanctions", id, "approve", "{}", 403));
    json_decref(e2e_act(deputy, "sanctions", id, "publish", "{}", 409));
    s_sanction_step(E2E_HEAD, id, "approve", "{}", "approved");
    json_decref(e2e_act(E2E_TECH2, "sanctions", id, "respond",
                        "{\"response\":\"late\"}", 409));
    doc = e2e_act(deputy, "sanctions", id, "publish", "{}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "published");
    snprintf(notice, sizeof notice, "/v1/notices/%s", e2e_str(doc, "notice"));
    json_decref(doc);
    // Public: anyone reads the notice, with the response on record.
    doc = e2e_expect(200, S_OUTSIDER, "GET", notice, NULL);
    ck_assert_str_eq(e2e_str(doc, "kind"), "fine");
    ck_assert_int_eq(e2e_int(doc, "amount"), 5000);
    ck_assert_str_eq(e2e_str(json_object_get(doc, "response"), "text"),
                     "The lock was broken; reported it.");
    json_decref(doc);
}
END_TEST

START_TEST(test_e2e_personnel_organisation_rules)
{
    int deputy = e2e_deputy_of("technical");
    const char *tech2 = e2e_stack.ids[E2E_TECH2];
    const char *tech_head = e2e_stack.ids[S_TECH_HEAD];
    char path[96];
    // There is one station head.
    json_decref(e2e_expect(409, E2E_HEAD, "POST", "/v1/staff",
                           "{\"name\":\"Second head\",\"role\":"
                           "\"station_head\",\"department\":\"management\"}"));
    // A deputy head can neither dismiss nor demote directly.
    snprintf(path, sizeof path, "/v1/staff/%s/leave", tech2);
    json_t *doc = e2e_expect(400, deputy, "POST", path,
                             "{\"kind\":\"resignation\",\"reason\":\"\"}");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/staff/%s/change-role", tech_head);
    doc = e2e_expect(409, deputy, "POST", path,
                     "{\"role\":\"technician\",\"reason\":\"demote\"}");
    ck_assert_str_eq(e2e_str(doc, "code"), "sanction_required");
    json_decref(doc);
    // A new hire with a contract and skills; a contract ending before it
    // starts is refused naming the field.
    doc = e2e_expect(
        201, deputy, "POST", "/v1/staff",
        "{\"name\":\"New fitter\",\"role\":\"technician\",\"department\":"
        "\"technical\",\"contract\":{\"kind\":\"probation\",\"start\":"
        "\"2027-01-01\",\"end\":\"2027-03-31\"},\"skills\":[\"electrical\"]}");
    ck_assert_str_eq(e2e_str(json_object_get(doc, "contract"), "end"),
                     "2027-03-31");
    json_decref(doc);
    doc = e2e_expect(
        400, deputy, "POST", "/v1/staff",
        "{\"name\":\"Bad dates\",\"role\":\"technician\",\"department\":"
        "\"technical\",\"contract\":{\"kind\":\"fixed_term\",\"start\":"
        "\"2027-01-01\",\"end\":\"2026-12-31\"}}");
    ck_assert_str_eq(
        e2e_str(json_array_get(json_object_get(doc, "errors"), 0), "field"),
        "contract.end");
    json_decref(doc);
}
END_TEST

// A budget of its own year (three years ahead) with a stopping personnel
// line of the technical department; its line reference into ref.
static void
s_personnel_budget(char *ref, size_t size)
{
    char body[512];
    int year = e2e_stack.year + 3;
    snprintf(body, sizeof body,
             "{\"year\":%d,\"title\":\"Budget %d\",\"lines\":[{\"category\":"
             "\"personnel\",\"department\":\"technical\",\"amount\":"
             "2000000,\"period\":\"yearly\",\"control\":\"stop\"}]}",
             year, year);
    json_t *doc = e2e_expect(201, S_CLERK, "POST", "/v1/budgets", body);
    char id[48];
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(s_budget_step(S_CLERK, id, "submit"));
    json_decref(s_budget_step(S_FIN_HEAD, id, "approve"));
    json_decref(s_budget_step(E2E_HEAD, id, "approve"));
    snprintf(ref, size, "%s/L1", id);
}

// A plan's cost is checked against finance's line when it is submitted.
START_TEST(test_e2e_personnel_plan_budget_checked)
{
    char line[64], body[512], plan[48];
    s_personnel_budget(line, sizeof line);
    json_t *doc = e2e_expect(201, E2E_HEAD, "POST", "/v1/positions",
                             "{\"title\":\"Planner\",\"department\":"
                             "\"technical\",\"grade\":2}");
    char position[48];
    snprintf(position, sizeof position, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    const char *lines[] = {"BU-999/L1", line, line};
    const long long amounts[] = {100000, 3000000, 1500000};
    const int statuses[] = {422, 422, 200};
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body,
                 "{\"position\":\"%s\",\"headcount\":1,\"conditions\":"
                 "\"Any\",\"period\":{\"start\":\"%s\",\"end\":\"%s\"},"
                 "\"budget_line\":\"%s\",\"budget_amount\":%lld}",
                 position, e2e_stack.today, e2e_stack.today, lines[i],
                 amounts[i]);
        doc =
            e2e_expect(201, S_TECH_HEAD, "POST", "/v1/recruitment-plans", body);
        snprintf(plan, sizeof plan, "%s", e2e_str(doc, "id"));
        json_decref(doc);
        doc = e2e_act(S_TECH_HEAD, "recruitment-plans", plan, "submit", "{}",
                      statuses[i]);
        if (statuses[i] == 200) {
            ck_assert_str_eq(e2e_str(doc, "state"), "pending");
            ck_assert(json_is_true(
                json_object_get(json_object_get(doc, "budget_check"), "fits")));
        } else {
            ck_assert_str_eq(
                e2e_str(json_array_get(json_object_get(doc, "errors"), 0),
                        "field"),
                "budget_line");
        }
        json_decref(doc);
    }
}
END_TEST

START_TEST(test_e2e_personnel_plan_to_hire)
{
    int deputy = e2e_deputy_of("technical");
    char body[512], plan[48], candidate[48], path[96], staff[48];
    json_t *doc = e2e_expect(201, E2E_HEAD, "POST", "/v1/positions",
                             "{\"title\":\"Field fitter\",\"department\":"
                             "\"technical\",\"grade\":3}");
    char position[48];
    snprintf(position, sizeof position, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"position\":\"%s\",\"headcount\":1,\"conditions\":"
             "\"Electrician's certificate\",\"period\":{\"start\":\"%s\","
             "\"end\":\"%s\"},\"budget_line\":\"BU-1/L2\"}",
             position, e2e_stack.today, e2e_stack.today);
    json_decref(e2e_expect(403, S_TECH, "POST", "/v1/recruitment-plans", body));
    doc = e2e_expect(201, S_TECH_HEAD, "POST", "/v1/recruitment-plans", body);
    snprintf(plan, sizeof plan, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(
        e2e_act(S_TECH_HEAD, "recruitment-plans", plan, "submit", "{}", 200));
    json_decref(
        e2e_act(deputy, "recruitment-plans", plan, "approve", "{}", 403));
    doc = e2e_act(E2E_HEAD, "recruitment-plans", plan, "approve", "{}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "approved");
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"plan\":\"%s\",\"name\":\"Wang Fang\",\"channel\":"
             "\"job_fair\"}",
             plan);
    doc = e2e_expect(201, S_TECH_HEAD, "POST", "/v1/candidates", body);
    snprintf(candidate, sizeof candidate, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(e2e_act(S_TECH_HEAD, "candidates", candidate, "interview",
                        "{\"score\":80,\"interviewer\":\"ST-1\"}", 409));
    json_decref(e2e_act(S_TECH_HEAD, "candidates", candidate, "screen",
                        "{\"result\":\"pass\",\"notes\":\"fits\"}", 200));
    snprintf(body, sizeof body, "{\"score\":84,\"interviewer\":\"%s\"}",
             e2e_stack.ids[S_TECH_HEAD]);
    json_decref(
        e2e_act(S_TECH_HEAD, "candidates", candidate, "interview", body, 200));
    json_decref(e2e_act(S_TECH_HEAD, "candidates", candidate, "test",
                        "{\"score\":77}", 200));
    json_decref(
        e2e_act(S_TECH_HEAD, "candidates", candidate, "offer", "{}", 200));
    doc = e2e_act(S_TECH_HEAD, "candidates", candidate, "hire",
                  "{\"role\":\"technician\",\"contract\":{\"kind\":"
                  "\"fixed_term\",\"start\":\"2027-01-01\",\"end\":"
                  "\"2028-12-31\"},\"skills\":[\"electrical\"]}",
                  200);
    ck_assert_str_eq(e2e_str(doc, "state"), "hired");
    snprintf(staff, sizeof staff, "%s", e2e_str(doc, "staff"));
    json_decref(doc);
    // The staff record exists with its contract dates and is untrained.
    snprintf(path, sizeof path, "/v1/staff/%s", staff);
    doc = e2e_expect(200, S_AGENT, "GET", path, NULL);
    ck_assert_str_eq(e2e_str(doc, "name"), "Wang Fang");
    ck_assert_str_eq(e2e_str(doc, "department"), "technical");
    ck_assert_str_eq(e2e_str(doc, "training_status"), "untrained");
    const json_t *contract = json_object_get(doc, "contract");
    ck_assert_str_eq(e2e_str(contract, "start"), "2027-01-01");
    ck_assert_str_eq(e2e_str(contract, "end"), "2028-12-31");
    json_decref(doc);
}
END_TEST

// An evaluation's customer score is intake's satisfaction report of the
// person for the cycle's period, read through a service call.
START_TEST(test_e2e_personnel_evaluation_customer_score)
{
    char id[48], body[768], cycle[48], evaluation[48], path[256];
    // A case the agent handles, confirmed with a score.
    s_record("inquiry", "Bus timetable", id);
    s_step(S_AGENT, id, "answer", "{\"answer\":\"Every 20 minutes\"}",
           "answered");
    s_step(S_AGENT, id, "confirm",
           "{\"satisfied\":true,\"score\":4,\"comment\":\"fine\"}", "closed");
    snprintf(body, sizeof body,
             "{\"title\":\"This month\",\"department\":"
             "\"customer_service\",\"period\":{\"start\":\"%s\",\"end\":"
             "\"%s\"},\"indicators\":[{\"name\":\"performance\","
             "\"weight\":100}],\"rater_weights\":{\"supervisor\":50,"
             "\"peer\":0,\"self\":0,\"customer\":50}}",
             e2e_stack.today, e2e_stack.today);
    json_t *doc =
        e2e_expect(201, S_CS_HEAD, "POST", "/v1/evaluation-cycles", body);
    snprintf(cycle, sizeof cycle, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    snprintf(body, sizeof body, "{\"cycle\":\"%s\",\"staff\":\"%s\"}", cycle,
             e2e_stack.ids[S_AGENT]);
    doc = e2e_expect(201, S_CS_HEAD, "POST", "/v1/evaluations", body);
    snprintf(evaluation, sizeof evaluation, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(e2e_act(S_AGENT, "evaluations", evaluation, "score-customers",
                        "{}", 403));
    doc = e2e_act(S_CS_HEAD, "evaluations", evaluation, "score-customers", "{}",
                  200);
    const json_t *customer =
        json_object_get(json_object_get(doc, "scores"), "customer");
    ck_assert_int_ge(e2e_int(customer, "count"), 1);
    // The same figures as the satisfaction report for the same period.
    snprintf(path, sizeof path,
             "/v1/reports/satisfaction?staff=%s&from=%s&to=%s",
             e2e_stack.ids[S_AGENT], e2e_str(customer, "from"),
             e2e_str(customer, "to"));
    json_t *report = e2e_expect(200, S_CS_HEAD, "GET", path, NULL);
    ck_assert_int_eq(e2e_int(customer, "count"), e2e_int(report, "count"));
    ck_assert_int_eq(e2e_int(customer, "satisfied"),
                     e2e_int(report, "satisfied"));
    ck_assert(json_equal(json_object_get(customer, "average_score"),
                         json_object_get(report, "average_score")));
    ck_assert(json_number_value(json_object_get(customer, "score"))
              == json_number_value(json_object_get(report, "average_score"))
                     * 20.0);
    json_decref(report);
    json_decref(doc);
    // The head scores and finalizes; the deputy head confirms.
    json_decref(e2e_act(S_CS_HEAD, "evaluations", evaluation, "score",
                        "{\"as\":\"supervisor\",\"scores\":"
                        "{\"performance\":95}}",
                        200));
    doc = e2e_act(S_CS_HEAD, "evaluations", evaluation, "finalize",
                  "{\"feedback\":\"Customers are happy\","
                  "\"improvement_plan\":\"Keep it up\"}",
                  200);
    ck_assert_str_eq(e2e_str(doc, "state"), "pending");
    json_decref(doc);
    doc = e2e_act(e2e_deputy_of("customer_service"), "evaluations", evaluation,
                  "confirm", "{}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "final");
    json_decref(doc);
}
// ---- inventory: the catalogue and the ledger

static int
s_movement(int who, const char *item, const char *kind, int quantity,
           json_t **out)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"%s\",\"quantity\":%d,"
             "\"reference\":\"E2E\"}",
             item, kind, quantity);
    return e2e_http(who, "POST", "/v1/stock/movements", body, NULL, out);
}

START_TEST(test_e2e_stock_received_issued_and_verified)
{
    char id[48], path[128];
    json_t *out = NULL;
    const char *item = "{\"name\":\"Fuse 10A\",\"unit\":\"piece\","
                       "\"category\":\"electrical\",\"location\":"
                       "\"main-store\",\"reorder_point\":4,"
                       "\"reorder_quantity\":20,\"max_stock\":50}";
    // Only the store keepers keep the catalogue; a bad field is named (a
    // body the contract refuses never reaches the service here).
    json_decref(e2e_expect(403, S_TECH, "POST", "/v1/items", item));
    ck_assert_int_eq(
        e2e_http(S_KEEPER, "POST", "/v1/items",
                 "{\"name\":\"Fuse\",\"unit\":\"piece\",\"category\":"
                 "\"electrical\",\"location\":\"attic\"}",
                 NULL, &out),
        400);
    ck_assert_str_eq(
        e2e_str(json_array_get(json_object_get(out, "errors"), 0), "field"),
        "location");
    json_decref(out);
    json_t *doc = e2e_expect(201, S_KEEPER, "POST", "/v1/items", item);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    ck_assert_int_eq(s_movement(S_KEEPER, id, "receipt", 10, NULL), 201);
    ck_assert_int_eq(s_movement(S_TECH, id, "issue", 1, NULL), 403);
    ck_assert_int_eq(s_movement(S_KEEPER, id, "issue", 6, NULL), 201);
    ck_assert_int_eq(s_movement(S_KEEPER, id, "issue", 5, &out), 422);
    ck_assert_str_eq(e2e_str(out, "code"), "insufficient_stock");
    ck_assert_int_eq(e2e_int(out, "shortfall"), 1);
    json_decref(out);
    snprintf(path, sizeof path, "/v1/stock?item=%s", id);
    doc = e2e_expect(200, S_TECH, "GET", path, NULL);
    ck_assert_int_eq(e2e_int(doc, "on_hand"), 4);
    ck_assert(json_is_true(json_object_get(doc, "low")));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/items/%s/ledger", id);
    json_decref(e2e_expect(403, S_TECH, "GET", path, NULL));
    doc = e2e_expect(200, S_AUDITOR, "GET", path, NULL);
    const json_t *entries = json_object_get(doc, "items");
    ck_assert_int_eq(json_array_size(entries), 2);
    ck_assert_int_eq(e2e_int(json_array_get(entries, 1), "balance_after"), 4);
    json_decref(doc);
    doc = e2e_expect(200, S_AUDITOR, "POST", "/v1/stock/verify", NULL);
    ck_assert(json_is_true(json_object_get(doc, "consistent")));
    json_decref(doc);
}
END_TEST

START_TEST(test_e2e_supplier_qualified_then_suspended_on_quality)
{
    char id[48], body[384];
    snprintf(body, sizeof body,
             "{\"name\":\"Hebei Pipes\",\"qualifications\":[{\"kind\":"
             "\"business licence\",\"number\":\"BL-E2E\",\"valid_until\":"
             "\"%d-12-31\"}]}",
             e2e_stack.year + 1);
    json_decref(e2e_expect(403, S_TECH, "POST", "/v1/suppliers", body));
    json_t *doc = e2e_expect(201, S_KEEPER, "POST", "/v1/suppliers", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // The logistics head qualifies; the store keeper may not.
    json_decref(e2e_act(S_KEEPER, "suppliers", id, "qualify", "{}", 403));
    int head = e2e_person("dept_head", "logistics");
    json_decref(e2e_act(head, "suppliers", id, "qualify", "{}", 200));
    json_decref(e2e_act(head, "suppliers", id, "qualify", "{}", 409));
    doc = e2e_act(S_KEEPER, "suppliers", id, "evaluate",
                  "{\"qualification\":4,\"reputation\":3,\"quality\":1}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "suspended");
    json_decref(doc);
}
END_TEST

START_TEST(test_e2e_procurement_plan_approved_by_logistics_head)
{
    char item[48], id[48], body[384];
    json_t *doc = e2e_expect(201, S_KEEPER, "POST", "/v1/items",
                             "{\"name\":\"Pump seal\",\"unit\":\"piece\","
                             "\"category\":\"spares\",\"location\":"
                             "\"main-store\"}");
    snprintf(item, sizeof item, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"title\":\"Spares\",\"lines\":[{\"item\":\"%s\","
             "\"quantity\":12,\"needed_by\":\"%d-06-30\"}]}",
             item, e2e_stack.year + 1);
    doc = e2e_expect(201, S_KEEPER, "POST", "/v1/procurement-plans", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    json_decref(
        e2e_act(S_KEEPER, "procurement-plans", id, "submit", "{}", 200));
    // Only the logistics head takes the step.
    json_decref(
        e2e_act(S_KEEPER, "procurement-plans", id, "approve", "{}", 403));
    json_decref(
        e2e_act(S_TECH_HEAD, "procurement-plans", id, "approve", "{}", 403));
    int head = e2e_person("dept_head", "logistics");
    doc = e2e_act(head, "procurement-plans", id, "approve", "{}", 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "approved");
    json_decref(doc);
}
END_TEST

// A step of a document as who, expecting 200; returns the state.
static void
s_inv_step(int who, const char *collection, const char *id, const char *action,
           const char *body, const char *state)
{
    json_t *doc = e2e_act(who, collection, id, action, body, 200);
    if (state) {
        ck_assert_str_eq(e2e_str(doc, "state"), state);
    }
    json_decref(doc);
}

// Next year's budget with a materials line of logistics: its line ref.
static void
s_materials_budget(char *line)
{
    char body[384], id[48];
    snprintf(body, sizeof body,
             "{\"year\":%d,\"title\":\"Materials\",\"lines\":[{"
             "\"category\":\"materials\",\"department\":\"logistics\","
             "\"amount\":3000000}]}",
             e2e_stack.year + 1);
    json_t *doc = e2e_expect(201, S_CLERK, "POST", "/v1/budgets", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    s_inv_step(S_CLERK, "budgets", id, "submit", "{}", NULL);
    s_inv_step(S_FIN_HEAD, "budgets", id, "approve", "{}", NULL);
    s_inv_step(E2E_HEAD, "budgets", id, "approve", "{}", "approved");
    snprintf(line, 64, "%s/L1", id);
}

static void
s_created(int who, const char *path, const char *body, char *id)
{
    json_t *doc = e2e_expect(201, who, "POST", path, body);
    snprintf(id, 48, "%s", e2e_str(doc, "id"));
    json_decref(doc);
}

START_TEST(test_e2e_plan_order_receipt_into_stock)
{
    char line[64], item[48], supplier[48], plan[48], order[48];
    char body[1024];
    int head = e2e_person("dept_head", "logistics");
    s_materials_budget(line);
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Valve DN50\",\"unit\":\"piece\",\"category\":"
              "\"plumbing\",\"location\":\"main-store\"}",
              item);
    snprintf(body, sizeof body,
             "{\"name\":\"Valve Works\",\"qualifications\":[{\"kind\":"
             "\"licence\",\"number\":\"VW-1\",\"valid_until\":"
             "\"%d-12-31\"}]}",
             e2e_stack.year + 2);
    s_created(S_KEEPER, "/v1/suppliers", body, supplier);
    s_inv_step(head, "suppliers", supplier, "qualify", "{}", "qualified");
    snprintf(body, sizeof body,
             "{\"title\":\"Valves\",\"lines\":[{\"item\":\"%s\","
             "\"quantity\":10,\"needed_by\":\"%d-03-01\"}]}",
             item, e2e_stack.year + 1);
    s_created(S_KEEPER, "/v1/procurement-plans", body, plan);
    s_inv_step(S_KEEPER, "procurement-plans", plan, "submit", "{}", "pending");
    s_inv_step(head, "procurement-plans", plan, "approve", "{}", "approved");
    snprintf(body, sizeof body,
             "{\"supplier\":\"%s\",\"budget_line\":\"%s\",\"plan\":"
             "\"%s\",\"delivery_place\":\"Main store\",\"payment_terms\":"
             "\"30 days after receipt\",\"lines\":[{\"item\":\"%s\","
             "\"quantity\":10,\"unit_price\":8000,\"delivery_date\":"
             "\"%d-02-01\"}]}",
             supplier, line, plan, item, e2e_stack.year + 1);
    s_created(S_KEEPER, "/v1/purchase-orders", body, order);
    // Finance checks the budget at submit and each step, commits it at
    // the last.
    s_inv_step(S_KEEPER, "purchase-orders", order, "submit", "{}", "pending");
    json_decref(
        e2e_act(S_FIN_HEAD, "purchase-orders", order, "approve", "{}", 403));
    s_inv_step(head, "purchase-orders", order, "approve", "{}", "pending");
    s_inv_step(S_FIN_HEAD, "purchase-orders", order, "approve", "{}",
               "approved");
    s_inv_step(S_KEEPER, "purchase-orders", order, "order", "{}", "ordered");
    json_decref(
        e2e_act(S_KEEPER, "purchase-orders", order, "order", "{}", 409));
    // A partial receipt with rejected pieces, inspected by the head.
    s_inv_step(head, "purchase-orders", order, "receive",
               "{\"lines\":[{\"line\":\"L1\",\"accepted\":7,\"rejected\":"
               "2,\"notes\":\"2 leaking\"}]}",
               "partially_received");
    char path[96];
    snprintf(path, sizeof path, "/v1/stock?item=%s", item);
    json_t *stock = e2e_expect(200, S_TECH, "GET", path, NULL);
    ck_assert_int_eq(e2e_int(stock, "on_hand"), 7);
    json_decref(stock);
    s_inv_step(S_KEEPER, "purchase-orders", order, "close", "{}", "closed");
}
END_TEST

START_TEST(test_e2e_requisition_valuable_issued_and_returned)
{
    char item[48], id[48], body[256], path[96];
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Insulation tester\",\"unit\":\"piece\","
              "\"category\":\"tools\",\"location\":\"main-store\","
              "\"control_class\":\"valuable\"}",
              item);
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":5}", item);
    json_decref(e2e_expect(201, S_KEEPER, "POST", "/v1/stock/movements", body));
    snprintf(body, sizeof body,
             "{\"purpose\":\"Substation check\",\"lines\":[{\"item\":"
             "\"%s\",\"quantity\":3}]}",
             item);
    s_created(S_TECH, "/v1/requisitions", body, id);
    s_inv_step(S_TECH, "requisitions", id, "submit", "{}", "pending");
    // A valuable item: the department head, then the deputy over it.
    json_decref(e2e_act(S_TECH, "requisitions", id, "approve", "{}", 403));
    s_inv_step(S_TECH_HEAD, "requisitions", id, "approve", "{}", "pending");
    json_decref(e2e_act(e2e_deputy_of("logistics"), "requisitions", id,
                        "approve", "{}", 403));
    s_inv_step(e2e_deputy_of("technical"), "requisitions", id, "approve", "{}",
               "approved");
    json_decref(e2e_act(S_TECH, "requisitions", id, "issue",
                        "{\"lines\":[{\"line\":\"L1\",\"quantity\":2}]}", 403));
    s_inv_step(S_KEEPER, "requisitions", id, "issue",
               "{\"lines\":[{\"line\":\"L1\",\"quantity\":2}]}",
               "partially_issued");
    s_inv_step(S_KEEPER, "requisitions", id, "return",
               "{\"lines\":[{\"line\":\"L1\",\"quantity\":1}]}",
               "partially_issued");
    snprintf(path, sizeof path, "/v1/stock?item=%s", item);
    json_t *stock = e2e_expect(200, S_TECH, "GET", path, NULL);
    ck_assert_int_eq(e2e_int(stock, "on_hand"), 4);
    json_decref(stock);
}
END_TEST

static int
s_move_status(const char *item, const char *kind, int quantity)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"%s\",\"quantity\":%d}", item, kind,
             quantity);
    return e2e_http(S_KEEPER, "POST", "/v1/stock/movements", body, NULL, NULL);
}

static long long
s_on_hand(const char *item)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/stock?item=%s", item);
    json_t *stock = e2e_expect(200, S_KEEPER, "GET", path, NULL);
    long long n = e2e_int(stock, "on_hand");
    json_decref(stock);
    return n;
}

START_TEST(test_e2e_count_surplus_and_shortage_posted)
{
    char bolt[48], nut[48], id[48], body[512];
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Bolt M8\",\"unit\":\"piece\",\"category\":"
              "\"e2e-count\",\"location\":\"spare-store\"}",
              bolt);
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Nut M8\",\"unit\":\"piece\",\"category\":"
              "\"e2e-count\",\"location\":\"spare-store\"}",
              nut);
    ck_assert_int_eq(s_move_status(bolt, "receipt", 10), 201);
    ck_assert_int_eq(s_move_status(nut, "receipt", 10), 201);
    s_created(S_KEEPER, "/v1/stock-counts",
              "{\"location\":\"spare-store\",\"category\":\"e2e-count\","
              "\"work_request\":true}",
              id);
    ck_assert_int_eq(s_move_status(bolt, "issue", 1), 409); // frozen
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"counted\":12,\"reason\":"
             "\"unbooked delivery\"},{\"item\":\"%s\",\"counted\":7,"
             "\"reason\":\"damaged\"}]}",
             bolt, nut);
    s_inv_step(S_KEEPER, "stock-counts", id, "record", body, "counted");
    s_inv_step(S_KEEPER, "stock-counts", id, "submit", "{}", "pending");
    json_decref(e2e_act(S_KEEPER, "stock-counts", id, "approve", "{}", 403));
    s_inv_step(e2e_person("dept_head", "logistics"), "stock-counts", id,
               "approve", "{}", "approved");
    s_inv_step(S_KEEPER, "stock-counts", id, "post", "{}", "posted");
    ck_assert_int_eq(s_on_hand(bolt), 12);
    ck_assert_int_eq(s_on_hand(nut), 7);
    ck_assert_int_eq(s_move_status(bolt, "issue", 1), 201);
}
END_TEST

// Plans the service proposed for item (draft, `proposed`).
static int
s_proposed(const char *item)
{
    json_t *list =
        e2e_expect(200, S_KEEPER, "GET",
                   "/v1/procurement-plans?state=draft&limit=200", NULL);
    const json_t *plans = json_object_get(list, "items");
    int n = 0;
    for (size_t i = 0; i < json_array_size(plans); i++) {
        const json_t *plan = json_array_get(plans, i);
        const json_t *line = json_array_get(json_object_get(plan, "lines"), 0);
        n += json_is_true(json_object_get(plan, "proposed"))
             && strcmp(e2e_str(line, "item"), item) == 0;
    }
    json_decref(list);
    return n;
}

START_TEST(test_e2e_reorder_alert_raised_once)
{
    char item[48];
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Filter cartridge\",\"unit\":\"piece\","
              "\"category\":\"spares\",\"location\":\"main-store\","
              "\"reorder_point\":5,\"reorder_quantity\":30}",
              item);
    ck_assert_int_eq(s_move_status(item, "receipt", 10), 201);
    ck_assert_int_eq(s_proposed(item), 0);
    ck_assert_int_eq(s_move_status(item, "issue", 6), 201);
    ck_assert_int_eq(s_move_status(item, "issue", 1), 201);
    ck_assert_int_eq(s_proposed(item), 1); // once, not again under the point
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
    tcase_add_test(tc, test_e2e_suggestion_adopted);
    tcase_add_test(tc, test_e2e_sla_breach_escalates_and_marks_overdue);
    tcase_add_test(tc, test_e2e_budget_and_expense_claim_paid);
    tcase_add_test(tc, test_e2e_personnel_fine_published_with_response);
    tcase_add_test(tc, test_e2e_personnel_organisation_rules);
    tcase_add_test(tc, test_e2e_personnel_plan_to_hire);
    tcase_add_test(tc, test_e2e_personnel_plan_budget_checked);
    tcase_add_test(tc, test_e2e_personnel_evaluation_customer_score);
    tcase_add_test(tc, test_e2e_stock_received_issued_and_verified);
    tcase_add_test(tc, test_e2e_supplier_qualified_then_suspended_on_quality);
    tcase_add_test(tc, test_e2e_procurement_plan_approved_by_logistics_head);
    tcase_add_test(tc, test_e2e_plan_order_receipt_into_stock);
    tcase_add_test(tc, test_e2e_requisition_valuable_issued_and_returned);
    tcase_add_test(tc, test_e2e_count_surplus_and_shortage_posted);
    tcase_add_test(tc, test_e2e_reorder_alert_raised_once);
    tcase_add_test(tc, test_e2e_new_hire_field_work_after_three_levels);
    tcase_add_test(tc, test_e2e_audit_trail_searched_and_verified);
    tcase_add_test(tc, test_e2e_inspection_hazard_rectified_and_closed);
    tcase_add_test(tc, test_e2e_alarm_posted_twice_is_one_hazard);
    suite_add_tcase(suite, tc);
    return suite;
}
