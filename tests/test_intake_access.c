// Integration tests of who may do and read what in intake: agent actions
// belong to the customer service desk (a cs_agent placed in logistics may
// not answer, forward or cancel; a deputy overseeing the desk and the
// station head may), and need-to-know on reads (cases by department and
// assignment, customer contact details for the desk, heads and auditors,
// reports by department). Suite: intake_access_suite.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

static json_t *s_agent;     // cs_agent at the desk
static json_t *s_away;      // cs_agent placed in logistics
static json_t *s_deputy;    // deputy head overseeing the desk
static json_t *s_deputy2;   // deputy head overseeing nothing here
static json_t *s_tech;      // technician ST-4
static json_t *s_tech_head; // head of the technical department
static json_t *s_finance;   // finance staff
static json_t *s_fin_head;  // dept_head of finance
static json_t *s_log_head;  // dept_head of logistics
static json_t *s_auditor;   // reads everything
static json_t *s_head;      // station head

static void
s_setup(void)
{
    intake_stack_setup();
    intake_org_event("personnel.department.updated",
                     "{\"code\":\"customer_service\",\"deputy\":\"ST-30\"}");
    intake_org_event("personnel.department.updated",
                     "{\"code\":\"finance\",\"head\":\"ST-12\"}");
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
    s_away = harness_mdp_actor("ST-20", "cs_agent", "logistics");
    s_deputy = harness_mdp_actor("ST-30", "deputy_head", "management");
    s_deputy2 = harness_mdp_actor("ST-31", "deputy_head", "management");
    s_tech = harness_mdp_actor("ST-4", "technician", "technical");
    s_tech_head = harness_mdp_actor("ST-3", "dept_head", "technical");
    s_finance = harness_mdp_actor("ST-6", "finance", "finance");
    s_fin_head = harness_mdp_actor("ST-12", "dept_head", "finance");
    intake_org_event("personnel.department.updated",
                     "{\"code\":\"logistics\",\"head\":\"ST-21\"}");
    s_log_head = harness_mdp_actor("ST-21", "dept_head", "logistics");
    s_auditor = harness_mdp_actor("ST-9", "auditor", "audit");
    s_head = harness_mdp_actor("ST-1", "station_head", "management");
}

static void
s_release(json_t **actor)
{
    json_decref(*actor);
    *actor = NULL;
}

static void
s_teardown(void)
{
    s_release(&s_agent);
    s_release(&s_away);
    s_release(&s_deputy);
    s_release(&s_deputy2);
    s_release(&s_tech);
    s_release(&s_tech_head);
    s_release(&s_finance);
    s_release(&s_fin_head);
    s_release(&s_log_head);
    s_release(&s_auditor);
    s_release(&s_head);
    intake_stack_teardown();
}

// A case of kind by the desk; returns its id (free).
static char *
s_create(const char *kind, const char *phone)
{
    json_t *body =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind", kind, "channel",
                  "phone", "customer", "name", "Li Wei", "phone", phone,
                  "subject", "Water pressure", "description", "Low since May");
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/cases", body);
    json_decref(body);
    char *id = strdup(json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    return id;
}

static json_t *
s_forward_to(const char *department)
{
    char text[32];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, text);
    return json_pack("{s:s, s:s}", "department", department, "reply_by", text);
}

// GET path as actor with query (JSON text or NULL); the status.
static int
s_status(const json_t *actor, const char *path, const char *query_text)
{
    json_t *query = query_text ? json_loads(query_text, 0, NULL) : NULL;
    json_t *reply = intake_call(actor, "GET", path, query, NULL, NULL);
    ck_assert_ptr_nonnull(reply);
    int status = harness_mdp_status(reply);
    json_decref(reply);
    json_decref(query);
    return status;
}

static int
s_case_status(const json_t *actor, const char *id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    return s_status(actor, path, NULL);
}

// GET /v1/cases?query as actor: the ids listed, space-separated, in buf.
static const char *
s_list(const json_t *actor, const char *query_text, char *buf, size_t size)
{
    json_t *query = query_text ? json_loads(query_text, 0, NULL) : NULL;
    json_t *reply = intake_call(actor, "GET", "/v1/cases", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_t *items = json_object_get(json_object_get(reply, "body"), "items");
    buf[0] = '\0';
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *id =
            json_string_value(json_object_get(json_array_get(items, i), "id"));
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? " " : "", id);
    }
    json_decref(reply);
    json_decref(query);
    return buf;
}

START_TEST(test_intake_access_agent_actions_belong_to_the_desk)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind",
                             "inquiry", "channel", "phone", "customer", "name",
                             "Bo", "phone", "+86 139 5555 0001", "subject",
                             "Hours", "description", "When open?");
    json_decref(intake_expect(403, s_away, "POST", "/v1/cases", body));
    json_decref(body);
    char *id = s_create("inquiry", "+86 139 5555 0002");
    // Not the desk's, and not yet its department's: the case is not there.
    json_decref(intake_act(s_away, id, "answer",
                           json_pack("{s:s}", "answer", "8-17"), 404));
    json_decref(
        intake_act(s_agent, id, "forward", s_forward_to("logistics"), 200));
    // Forwarded to logistics: the agent placed there reads it as
    // department staff, not as the desk; the department answers through
    // its head (or the case's assignee, which this agent is not).
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    json_t *doc = intake_expect(200, s_away, "GET", path, NULL);
    json_t *actions = json_object_get(doc, "actions");
    ck_assert(intake_has(actions, "note"));
    ck_assert(!intake_has(actions, "reply"));
    ck_assert(!intake_has(actions, "cancel"));
    json_decref(doc);
    json_decref(intake_act(s_away, id, "cancel",
                           json_pack("{s:s}", "reason", "mine now"), 403));
    json_decref(intake_act(s_away, id, "reply",
                           json_pack("{s:s}", "answer", "Open 8-17"), 403));
    json_decref(intake_act(s_log_head, id, "reply",
                           json_pack("{s:s}", "answer", "Open 8-17"), 200));
    json_decref(intake_act(s_away, id, "relay", NULL, 403));
    // The deputy overseeing the desk and the station head keep their rights.
    json_decref(intake_act(s_deputy2, id, "relay", NULL, 404));
    json_decref(intake_act(s_deputy, id, "relay", NULL, 200));
    json_decref(intake_act(s_head, id, "confirm",
                           json_pack("{s:b, s:i}", "satisfied", 1, "score", 5),
                           200));
    free(id);
}
END_TEST

START_TEST(test_intake_access_cases_by_department)
{
    char *open = s_create("inquiry", "+86 139 5555 0003");
    char *tech = s_create("tech_support", "+86 139 5555 0004");
    char *fin = s_create("inquiry", "+86 139 5555 0005");
    json_decref(intake_act(
        s_agent, tech, "triage",
        json_pack("{s:s, s:s}", "severity", "low", "nature", "equipment"),
        200));
    json_decref(
        intake_act(s_agent, fin, "forward", s_forward_to("finance"), 200));
    ck_assert_int_eq(s_case_status(s_tech, open), 404);
    ck_assert_int_eq(s_case_status(s_tech, tech), 200);
    ck_assert_int_eq(s_case_status(s_tech, fin), 404);
    ck_assert_int_eq(s_case_status(s_fin_head, fin), 200);
    ck_assert_int_eq(s_case_status(s_fin_head, tech), 404);
    ck_assert_int_eq(s_case_status(s_auditor, open), 200);
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s/history", open);
    ck_assert_int_eq(s_status(s_tech, path, NULL), 404);
    ck_assert_int_eq(s_status(s_auditor, path, NULL), 200);
    char buf[128];
    ck_assert_str_eq(s_list(s_tech, NULL, buf, sizeof buf), tech);
    ck_assert_str_eq(s_list(s_tech, "{\"kind\":\"inquiry\"}", buf, sizeof buf),
                     "");
    ck_assert_str_eq(
        s_list(s_tech, "{\"department\":\"finance\"}", buf, sizeof buf), "");
    ck_assert_str_eq(s_list(s_finance, NULL, buf, sizeof buf), fin);
    char all[128];
    snprintf(all, sizeof all, "%s %s %s", fin, tech, open);
    ck_assert_str_eq(s_list(s_auditor, NULL, buf, sizeof buf), all);
    ck_assert_str_eq(s_list(s_agent, NULL, buf, sizeof buf), all);
    // Assigned to the technician: listed by assignee.
    json_decref(intake_act(s_tech_head, tech, "assign",
                           json_pack("{s:s}", "technician", "ST-4"), 200));
    ck_assert_str_eq(s_list(s_tech, "{\"assignee\":\"ST-4\"}", buf, sizeof buf),
                     tech);
    ck_assert_int_eq(s_status(s_tech, "/v1/cases", "{\"colour\":\"red\"}"),
                     400);
    free(open);
    free(tech);
    free(fin);
}
END_TEST

START_TEST(test_intake_access_customer_contacts)
{
    char *id = s_create("tech_support", "+86 139 5555 0006");
    json_decref(intake_act(
        s_agent, id, "triage",
        json_pack("{s:s, s:s}", "severity", "low", "nature", "equipment"),
        200));
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    json_t *doc = intake_expect(200, s_tech, "GET", path, NULL);
    json_t *customer = json_object_get(doc, "customer");
    ck_assert_str_eq(json_string_value(json_object_get(customer, "name")),
                     "Li Wei");
    ck_assert_ptr_null(json_object_get(customer, "phone"));
    const char *customer_id =
        json_string_value(json_object_get(doc, "customer_id"));
    char customer_path[64];
    snprintf(customer_path, sizeof customer_path, "/v1/customers/%s",
             customer_id);
    json_decref(doc);
    doc = intake_expect(200, s_agent, "GET", path, NULL);
    ck_assert_ptr_nonnull(
        json_object_get(json_object_get(doc, "customer"), "phone"));
    json_decref(doc);
    doc = intake_expect(200, s_tech, "GET", customer_path, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "name")), "Li Wei");
    const char *hidden[] = {"phone", "email", "notes", "history"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_msg(!json_object_get(doc, hidden[i]), "%s shown", hidden[i]);
    }
    json_decref(doc);
    doc = intake_expect(200, s_auditor, "GET", customer_path, NULL);
    ck_assert_ptr_nonnull(json_object_get(doc, "phone"));
    ck_assert_ptr_null(json_object_get(doc, "email")); // never set: absent
    json_decref(doc);
    ck_assert_int_eq(s_status(s_tech, "/v1/customers", NULL), 403);
    ck_assert_int_eq(s_status(s_agent, "/v1/customers", "{\"bogus\":\"1\"}"),
                     400);
    ck_assert_int_eq(s_status(s_agent, "/v1/customers", NULL), 200);
    json_t *patch = json_pack("{s:s}", "notes", "prefers email");
    json_decref(intake_expect(403, s_away, "PATCH", customer_path, patch));
    json_decref(intake_expect(403, s_away, "POST", "/v1/customers", patch));
    json_decref(patch);
    free(id);
}
END_TEST

START_TEST(test_intake_access_satisfaction_report)
{
    const char *report = "/v1/reports/satisfaction";
    ck_assert_int_eq(s_status(s_tech_head, report, NULL), 200);
    ck_assert_int_eq(
        s_status(s_tech_head, report, "{\"department\":\"finance\"}"), 403);
    ck_assert_int_eq(s_status(s_fin_head, report,
                              "{\"department\":\"finance\",\"staff\":"
                              "\"ST-6\"}"),
                     200);
    ck_assert_int_eq(s_status(s_away, report, NULL), 403);
    ck_assert_int_eq(s_status(s_deputy, report, "{\"staff\":\"ST-6\"}"), 200);
    ck_assert_int_eq(s_status(s_auditor, report, "{\"x\":\"1\"}"), 400);
    json_t *query = NULL;
    json_t *reply = intake_call(s_tech_head, "GET", report, query, NULL, NULL);
    ck_assert_str_eq(harness_mdp_body_string(reply, "department"), "technical");
    json_decref(reply);
}
END_TEST

Suite *
intake_access_suite(void)
{
    Suite *suite = suite_create("intake_access");
    TCase *access = tcase_create("access");
    tcase_add_checked_fixture(access, s_setup, s_teardown);
    tcase_set_timeout(access, 60);
    tcase_add_test(access, test_intake_access_agent_actions_belong_to_the_desk);
    tcase_add_test(access, test_intake_access_cases_by_department);
    tcase_add_test(access, test_intake_access_customer_contacts);
    tcase_add_test(access, test_intake_access_satisfaction_report);
    suite_add_tcase(suite, access);
    return suite;
}
