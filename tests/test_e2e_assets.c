// End-to-end processes of equipment (assets), through the front door with
// each person's own token (e2e_steps.h): equipment of a purchase order
// registered once at its receipt; a fault from another system through
// repair with a part issued from inventory and acceptance by the using
// department; the scrapping chain to the proceeds in finance's journal; a
// maintenance plan falling due into a work order and completed into the
// equipment's file.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_steps.h"

#define S_BODY_MAX 1024

static void
s_created(int who, const char *path, const char *body, char *id)
{
    json_t *doc = e2e_expect(201, who, "POST", path, body);
    snprintf(id, 48, "%s", e2e_str(doc, "id"));
    json_decref(doc);
}

static void
s_step(int who, const char *collection, const char *id, const char *action,
       const char *body, const char *state)
{
    json_t *doc = e2e_act(who, collection, id, action, body, 200);
    if (state) {
        ck_assert_str_eq(e2e_str(doc, "state"), state);
    }
    json_decref(doc);
}

static const char *
s_state(const char *collection, const char *id, char *state)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/%s/%s", collection, id);
    json_t *doc = e2e_expect(200, S_AGENT, "GET", path, NULL);
    snprintf(state, 48, "%s", e2e_str(doc, "state"));
    json_decref(doc);
    return state;
}

// ---- a purchase order's equipment line registered once

// A budget for the year +5 with an equipment line of logistics.
static void
s_budget(char *line)
{
    char body[384], id[48];
    snprintf(body, sizeof body,
             "{\"year\":%d,\"title\":\"Equipment\",\"lines\":[{"
             "\"category\":\"equipment\",\"department\":\"logistics\","
             "\"amount\":3000000}]}",
             e2e_stack.year + 5);
    s_created(S_CLERK, "/v1/budgets", body, id);
    s_step(S_CLERK, "budgets", id, "submit", "{}", NULL);
    s_step(S_FIN_HEAD, "budgets", id, "approve", "{}", NULL);
    s_step(E2E_HEAD, "budgets", id, "approve", "{}", "approved");
    snprintf(line, 64, "%s/L1", id);
}

// The equipment registered from order (its source), how many.
static size_t
s_registered(const char *order, char *id)
{
    json_t *page =
        e2e_expect(200, S_AGENT, "GET", "/v1/equipment?limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    size_t count = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        if (strcmp(e2e_str(json_object_get(item, "source"), "id"), order)
            == 0) {
            count++;
            if (id) {
                snprintf(id, 48, "%s", e2e_str(item, "id"));
            }
        }
    }
    json_decref(page);
    return count;
}

static bool
s_is_registered(void *arg)
{
    return s_registered(arg, NULL) > 0;
}

START_TEST(test_e2e_equipment_received_registered_once)
{
    char line[64], item[48], supplier[48], order[48], body[S_BODY_MAX];
    int head = e2e_person("dept_head", "logistics");
    s_budget(line);
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Water pump 5 kW\",\"unit\":\"piece\",\"category\":"
              "\"equipment\",\"location\":\"main-store\"}",
              item);
    snprintf(body, sizeof body,
             "{\"name\":\"Pump Works\",\"qualifications\":[{\"kind\":"
             "\"licence\",\"number\":\"PW-1\",\"valid_until\":"
             "\"%d-12-31\"}]}",
             e2e_stack.year + 2);
    s_created(S_KEEPER, "/v1/suppliers", body, supplier);
    s_step(head, "suppliers", supplier, "qualify", "{}", "qualified");
    snprintf(body, sizeof body,
             "{\"supplier\":\"%s\",\"budget_line\":\"%s\","
             "\"delivery_place\":\"Pump room\",\"payment_terms\":"
             "\"30 days after receipt\",\"lines\":[{\"item\":\"%s\","
             "\"quantity\":1,\"unit_price\":650000,\"delivery_date\":"
             "\"%d-02-01\",\"equipment\":true,\"specification\":"
             "\"Water pump 5 kW\",\"after_sales\":\"two years on site\"}]}",
             supplier, line, item, e2e_stack.year + 5);
    s_created(S_KEEPER, "/v1/purchase-orders", body, order);
    s_step(S_KEEPER, "purchase-orders", order, "submit", "{}", "pending");
    s_step(head, "purchase-orders", order, "approve", "{}", NULL);
    char state[48];
    if (strcmp(s_state("purchase-orders", order, state), "approved") != 0) {
        s_step(S_FIN_HEAD, "purchase-orders", order, "approve", "{}",
               "approved");
    }
    s_step(S_KEEPER, "purchase-orders", order, "order", "{}", "ordered");
    s_step(head, "purchase-orders", order, "receive",
           "{\"lines\":[{\"line\":\"L1\",\"accepted\":1,\"rejected\":0}]}",
           "received");
    ck_assert_msg(e2e_wait(s_is_registered, order, S_WAIT_MS),
                  "the received pump was never registered");
    char eq[48];
    ck_assert_uint_eq(s_registered(order, eq), 1);
    // A keeper puts it in service where it stands.
    s_step(S_TECH, "equipment", eq, "put-in-service", "{}", "in_service");
}
END_TEST

// ---- a fault from another system to acceptance

static void
s_register(const char *tag, const char *dept, char *id)
{
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"tag\":\"%s\",\"serial\":\"S%s\",\"name\":\"Ticket printer\","
             "\"location\":\"front desk\",\"department\":\"%s\","
             "\"purchase_date\":\"%d-01-15\",\"cost\":480000}",
             tag, tag, dept, e2e_stack.year - 3);
    s_created(S_TECH, "/v1/equipment", body, id);
}

// The fault an event opened (source.id), into fault; true when found.
static bool
s_fault_of(const char *event_id, char *fault)
{
    json_t *page =
        e2e_expect(200, S_AGENT, "GET", "/v1/faults?limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    bool found = false;
    for (size_t i = 0; i < json_array_size(items) && !found; i++) {
        const json_t *item = json_array_get(items, i);
        if (strcmp(e2e_str(json_object_get(item, "source"), "id"), event_id)
            == 0) {
            found = true;
            snprintf(fault, 48, "%s", e2e_str(item, "id"));
        }
    }
    json_decref(page);
    return found;
}

static bool
s_has_fault(void *arg)
{
    char fault[48];
    return s_fault_of(arg, fault);
}

// A part issued to the technician on a requisition: its id into id.
static void
s_part(char *item, char *id)
{
    char body[S_BODY_MAX];
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Print head\",\"unit\":\"piece\",\"category\":"
              "\"spares\",\"location\":\"main-store\"}",
              item);
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":3}", item);
    json_decref(e2e_expect(201, S_KEEPER, "POST", "/v1/stock/movements", body));
    snprintf(body, sizeof body,
             "{\"purpose\":\"Repair of the ticket printer\",\"lines\":[{"
             "\"item\":\"%s\",\"quantity\":1}]}",
             item);
    s_created(S_TECH, "/v1/requisitions", body, id);
    s_step(S_TECH, "requisitions", id, "submit", "{}", "pending");
    s_step(S_TECH_HEAD, "requisitions", id, "approve", "{}", "approved");
    s_step(S_KEEPER, "requisitions", id, "issue",
           "{\"lines\":[{\"line\":\"L1\",\"quantity\":1}]}", "issued");
}

START_TEST(test_e2e_fault_event_repair_accepted)
{
    char eq[48], fault[48], state[48], body[S_BODY_MAX];
    s_register("E2E-PR-1", "customer_service", eq);
    // The building-management system reports it, twice.
    const char *event =
        "{\"specversion\":\"1.0\",\"id\":\"bms-e2e-1\",\"source\":\"bms/hq\","
        "\"type\":\"equipment.fault\",\"time\":\"2027-03-01T08:00:00Z\","
        "\"data\":{\"tag\":\"E2E-PR-1\",\"description\":\"paper jam "
        "sensor\",\"severity\":\"medium\"}}";
    int system = e2e_person("system", "technical");
    json_decref(e2e_expect(202, system, "POST", "/v1/events", event));
    json_decref(e2e_expect(202, system, "POST", "/v1/events", event));
    ck_assert_msg(e2e_wait(s_has_fault, "bms-e2e-1", S_WAIT_MS),
                  "the fault event opened no fault");
    ck_assert(s_fault_of("bms-e2e-1", fault));
    ck_assert_str_eq(s_state("equipment", eq, state), "faulty");
    // The technician repairs it with a part issued from the store.
    char item[48], requisition[48];
    s_part(item, requisition);
    s_step(S_TECH, "faults", fault, "start-repair", "{}", "repairing");
    snprintf(body, sizeof body,
             "{\"cause\":\"worn print head\",\"actions\":\"replaced it\","
             "\"parts\":[{\"item\":\"%s\",\"quantity\":1,\"requisition\":"
             "\"%s\"}],\"hours\":1}",
             item, requisition);
    s_step(S_TECH, "faults", fault, "repair", body, "repaired");
    ck_assert_str_eq(s_state("equipment", eq, state), "awaiting_acceptance");
    // Not the repairer: the using department accepts.
    json_decref(
        e2e_act(S_TECH, "faults", fault, "accept", "{\"passed\":true}", 403));
    s_step(S_AGENT, "faults", fault, "accept",
           "{\"passed\":true,\"note\":\"prints again\"}", "accepted");
    ck_assert_str_eq(s_state("equipment", eq, state), "in_service");
    char path[96];
    snprintf(path, sizeof path, "/v1/equipment/%s/file", eq);
    json_t *file = e2e_expect(200, S_AUDITOR, "GET", path, NULL);
    ck_assert_int_eq(e2e_int(file, "failures"), 1);
    ck_assert(json_is_real(json_object_get(file, "mttr_hours")));
    json_decref(file);
}
END_TEST

// ---- scrapping to the journal

static bool
s_proceeds_posted(void *arg)
{
    json_t *page =
        e2e_expect(200, S_CLERK, "GET", "/v1/journal?limit=200", NULL);
    char memo[64];
    snprintf(memo, sizeof memo, "disposal proceeds of %s", (const char *)arg);
    bool found = false;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        found = found
                || strcmp(e2e_str(json_array_get(items, i), "memo"), memo) == 0;
    }
    json_decref(page);
    return found;
}

START_TEST(test_e2e_scrapping_chain_and_proceeds)
{
    char eq[48], id[48], state[48], body[S_BODY_MAX];
    s_register("E2E-PR-2", "customer_service", eq);
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"reason\":\"obsolete, no spares\"}", eq);
    s_created(S_AGENT, "/v1/scrap-requests", body, id);
    ck_assert_str_eq(s_state("equipment", eq, state), "scrapping");
    // Out of order, then in order, each by its own person.
    json_decref(e2e_act(E2E_HEAD, "scrap-requests", id, "approve", "{}", 409));
    json_decref(e2e_act(S_CLERK, "scrap-requests", id, "review",
                        "{\"book_value\":50000,\"expected_proceeds\":30000}",
                        409));
    s_step(S_TECH, "scrap-requests", id, "appraise",
           "{\"report\":\"no spare parts made\",\"recommendation\":\"scrap\"}",
           "appraised");
    json_decref(e2e_act(S_TECH, "scrap-requests", id, "review",
                        "{\"book_value\":50000,\"expected_proceeds\":30000}",
                        403));
    s_step(S_CLERK, "scrap-requests", id, "review",
           "{\"book_value\":50000,\"expected_proceeds\":30000}", "reviewed");
    json_decref(e2e_act(S_CLERK, "scrap-requests", id, "approve", "{}", 403));
    s_step(E2E_HEAD, "scrap-requests", id, "approve", "{}", "approved");
    s_step(S_TECH, "scrap-requests", id, "dispose",
           "{\"method\":\"sale\",\"proceeds\":32000}", "disposed");
    ck_assert_str_eq(s_state("equipment", eq, state), "scrapped");
    ck_assert_msg(e2e_wait(s_proceeds_posted, id, S_WAIT_MS),
                  "no journal entry for the proceeds of %s", id);
}
END_TEST

// ---- maintenance into a work order and the file

static bool
s_requested(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/maintenance-plans/%s", (const char *)arg);
    json_t *plan = e2e_expect(200, S_TECH, "GET", path, NULL);
    bool done = e2e_int(plan, "occurrences") > 0;
    json_decref(plan);
    return done;
}

START_TEST(test_e2e_maintenance_due_work_order_completed)
{
    char eq[48], plan[48], body[S_BODY_MAX], path[96];
    s_register("E2E-PR-3", "technical", eq);
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"title\":\"Monthly care\","
             "\"interval_days\":30,\"first_due\":\"%d-01-05T00:00:00Z\","
             "\"checklist\":[{\"task\":\"clean\"},{\"task\":\"lubricate\"}]}",
             eq, e2e_stack.year);
    s_created(S_TECH, "/v1/maintenance-plans", body, plan);
    ck_assert_msg(e2e_wait(s_requested, plan, S_WAIT_MS),
                  "the due plan asked dispatch for no work");
    // The work order in dispatch names the plan.
    json_t *orders =
        e2e_expect(200, E2E_HEAD, "GET", "/v1/work-orders?limit=200", NULL);
    bool found = false;
    const json_t *items = json_object_get(orders, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *source =
            json_object_get(json_array_get(items, i), "source");
        found = found || strcmp(e2e_str(source, "id"), plan) == 0;
    }
    json_decref(orders);
    ck_assert_msg(found, "no work order for %s", plan);
    snprintf(body, sizeof body,
             "{\"due\":\"%d-01-05T00:00:00.000Z\",\"results\":["
             "{\"item\":1,\"result\":\"done\"},{\"item\":2,\"result\":"
             "\"done\",\"note\":\"grease point 3 stiff\"}]}",
             e2e_stack.year);
    s_step(S_TECH, "maintenance-plans", plan, "complete", body, "active");
    snprintf(path, sizeof path, "/v1/equipment/%s/file", eq);
    json_t *file = e2e_expect(200, S_AGENT, "GET", path, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(file, "maintenance")), 1);
    json_decref(file);
    s_step(S_TECH, "maintenance-plans", plan, "stop", "{}", "stopped");
}
END_TEST

void
e2e_add_assets(TCase *tc)
{
    tcase_add_test(tc, test_e2e_equipment_received_registered_once);
    tcase_add_test(tc, test_e2e_fault_event_repair_accepted);
    tcase_add_test(tc, test_e2e_scrapping_chain_and_proceeds);
    tcase_add_test(tc, test_e2e_maintenance_due_work_order_completed);
}
