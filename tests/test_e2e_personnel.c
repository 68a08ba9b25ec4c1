// End-to-end processes of personnel (suite e2e, tests/e2e_steps.h):
// rewards and punishments, organisation rules, recruitment to hire,
// evaluations.
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "e2e_steps.h"

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
    json_decref(e2e_budget_step(S_CLERK, id, "submit"));
    json_decref(e2e_budget_step(S_FIN_HEAD, id, "approve"));
    json_decref(e2e_budget_step(E2E_HEAD, id, "approve"));
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
    e2e_record("inquiry", "Bus timetable", id);
    e2e_step(S_AGENT, id, "answer", "{\"answer\":\"Every 20 minutes\"}",
             "answered");
    e2e_step(S_AGENT, id, "confirm",
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

// ---- personnel: learning resources in the training record

// True when item list (borrowed) holds a member `member` equal to value.
static bool
s_lists(const json_t *items, const char *member, const char *value)
{
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        if (strcmp(e2e_str(item, member), value) == 0) {
            return true;
        }
    }
    return false;
}

START_TEST(test_e2e_personnel_learning_resource_studied)
{
    const char *tech = e2e_stack.ids[S_TECH];
    char path[128], id[48], record[48];
    const char *course =
        "{\"title\":\"Pump station safety (online)\",\"kind\":\"course\","
        "\"link\":\"https://learn.example.org/pump-safety\",\"tags\":"
        "[\"safety\",\"pumps\"],\"roles\":[\"technician\"],\"hours\":6,"
        "\"department\":\"technical\"}";
    // Not a writer: 403; the technical head adds the course.
    json_decref(
        e2e_expect(403, S_AGENT, "POST", "/v1/learning-resources", course));
    json_t *doc =
        e2e_expect(201, S_TECH_HEAD, "POST", "/v1/learning-resources", course);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    json_decref(doc);
    // Meant for technicians: in the technician's list, not the agent's.
    doc = e2e_expect(200, S_TECH, "GET", "/v1/learning-resources?for_me=true",
                     NULL);
    ck_assert(s_lists(json_object_get(doc, "items"), "id", id));
    json_decref(doc);
    doc = e2e_expect(200, S_AGENT, "GET", "/v1/learning-resources?for_me=true",
                     NULL);
    ck_assert(!s_lists(json_object_get(doc, "items"), "id", id));
    json_decref(doc);
    // The technician marks it studied.
    snprintf(path, sizeof path, "/v1/learning-resources/%s/studied", id);
    doc = e2e_expect(201, S_TECH, "POST", path,
                     "{\"hours\":5,\"note\":\"Finished the final quiz\"}");
    snprintf(record, sizeof record, "%s", e2e_str(doc, "id"));
    ck_assert_str_eq(e2e_str(doc, "kind"), "self_study");
    json_decref(doc);
    // It shows in their training record, to them and their head.
    snprintf(path, sizeof path, "/v1/staff/%s/trainings", tech);
    doc = e2e_expect(200, S_TECH, "GET", path, NULL);
    ck_assert(s_lists(json_object_get(doc, "items"), "id", record));
    ck_assert(s_lists(json_object_get(doc, "items"), "resource", id));
    ck_assert(s_lists(json_object_get(doc, "items"), "course",
                      "Pump station safety (online)"));
    json_decref(doc);
    doc = e2e_expect(200, S_TECH_HEAD, "GET", path, NULL);
    ck_assert(s_lists(json_object_get(doc, "items"), "id", record));
    json_decref(doc);
    // Studied: no longer suggested; retired: nobody else marks it.
    doc = e2e_expect(200, S_TECH, "GET", "/v1/learning-resources?for_me=true",
                     NULL);
    ck_assert(!s_lists(json_object_get(doc, "items"), "id", id));
    json_decref(doc);
    json_decref(e2e_act(S_TECH_HEAD, "learning-resources", id, "retire",
                        "{\"reason\":\"Replaced\"}", 200));
    snprintf(path, sizeof path, "/v1/learning-resources/%s/studied", id);
    json_decref(e2e_expect(409, S_TECH_HEAD, "POST", path, "{}"));
}
END_TEST

void
e2e_add_personnel(TCase *tc)
{
    tcase_add_test(tc, test_e2e_personnel_fine_published_with_response);
    tcase_add_test(tc, test_e2e_personnel_organisation_rules);
    tcase_add_test(tc, test_e2e_personnel_plan_budget_checked);
    tcase_add_test(tc, test_e2e_personnel_plan_to_hire);
    tcase_add_test(tc, test_e2e_personnel_evaluation_customer_score);
    tcase_add_test(tc, test_e2e_personnel_learning_resource_studied);
}
