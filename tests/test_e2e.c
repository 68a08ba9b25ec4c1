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
#include "e2e_steps.h"
#include "suites.h"

// People of the stories below.

static json_t *
s_case(int who, const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    return e2e_expect(200, who, "GET", path, NULL);
}

// Record a case of kind as the agent; its id into id (48 bytes).
void
e2e_record(const char *kind, const char *subject, char *id)
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
void
e2e_step(int who, const char *id, const char *action, const char *body,
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
    e2e_record("inquiry", "Opening hours", id);
    json_t *doc = s_case(S_AGENT, id);
    ck_assert(s_listed(json_object_get(doc, "actions"), "answer"));
    json_decref(doc);
    e2e_step(S_AGENT, id, "answer", "{\"answer\":\"9 to 17, Saturdays too\"}",
             "answered");
    e2e_step(S_AGENT, id, "confirm",
             "{\"satisfied\":true,\"score\":5,\"comment\":\"thanks\"}",
             "closed");
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
    e2e_step(assignee, id, "propose", body, "proposed");
    e2e_step(S_AGENT, id, "present", "{\"opinion\":\"listened\"}", "presented");
    snprintf(body, sizeof body, "{\"satisfied\":%s,\"score\":%d}",
             satisfied ? "true" : "false", satisfied ? 4 : 2);
    e2e_step(S_AGENT, id, "confirm", body,
             satisfied ? "resolved" : "forwarded");
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
    e2e_record("complaint", "Technician was late twice", id);
    e2e_step(S_AGENT, id, "triage",
             "{\"nature\":\"staff_conduct\",\"severity\":\"medium\","
             "\"calming_note\":\"apologised\"}",
             "triaged");
    s_reply_by(body, sizeof body, "technical");
    e2e_step(S_AGENT, id, "forward", body, "forwarded");
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
    e2e_step(S_AGENT, id, "return-visit",
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
    e2e_record("suggestion", "Send bills monthly", id);
    e2e_step(S_AGENT, id, "acknowledge", "{}", "acknowledged");
    e2e_step(S_AGENT, id, "forward", "{\"department\":\"finance\"}",
             "forwarded");
    snprintf(body, sizeof body, "{\"measure\":\"monthly bills from May\"}");
    json_decref(e2e_act(S_CLERK, "cases", id, "adopt", body, 403));
    e2e_step(S_FIN_HEAD, id, "adopt", body, "adopted");
    e2e_step(S_AGENT, id, "inform", "{\"note\":\"told by phone\"}", "closed");
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
    e2e_record("tech_support", "Boiler pressure drops", id);
    e2e_step(S_AGENT, id, "triage",
             "{\"severity\":\"high\",\"nature\":\"equipment\"}", "triaged");
    // The agent may not assign; the technical department's head does.
    snprintf(body, sizeof body, "{\"technician\":\"%s\"}",
             e2e_stack.ids[S_TECH]);
    json_decref(e2e_act(S_AGENT, "cases", id, "assign", body, 403));
    e2e_step(S_TECH_HEAD, id, "assign", body, "assigned");
    ck_assert_msg(e2e_wait(s_workorder_assigned, id, S_WAIT_MS),
                  "no work order for %s assigned to the technician", id);
    e2e_step(S_TECH, id, "diagnose",
             "{\"diagnosis\":\"worn valve\",\"solution\":\"replace it\"}",
             "diagnosed");
    e2e_step(S_TECH, id, "fix", "{\"work_done\":\"valve replaced\"}", "fixed");
    e2e_step(S_TECH, id, "verify", "{\"result\":\"pressure holds\"}",
             "verified");
    e2e_step(S_TECH, id, "report", "{\"report\":\"replaced the valve\"}",
             "reported");
    e2e_step(S_AGENT, id, "confirm", "{\"satisfied\":true,\"score\":5}",
             "confirmed");
    e2e_step(S_TECH, id, "summarize",
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
    e2e_record("inquiry", "Nobody called back", id);
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

json_t *
e2e_budget_step(int who, const char *id, const char *action)
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
    json_decref(e2e_budget_step(S_CLERK, id, "submit"));
    // Steps in order: the station head cannot approve before the review.
    json_decref(e2e_act(E2E_HEAD, "budgets", id, "approve", "{}", 403));
    json_decref(e2e_budget_step(S_FIN_HEAD, id, "approve"));
    doc = e2e_budget_step(E2E_HEAD, id, "approve");
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
    e2e_add_personnel(tc);
    e2e_add_inventory(tc);
    e2e_add_safety(tc);
    e2e_add_assets(tc);
    e2e_add_webhooks(tc);
    e2e_add_logistics(tc);
    e2e_add_oversight(tc);
    e2e_add_desk(tc);
    e2e_add_oversight_report(tc);
    suite_add_tcase(suite, tc);
    return suite;
}
