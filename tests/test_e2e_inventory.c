// End-to-end processes of inventory (suite e2e, tests/e2e_steps.h): the
// ledger, suppliers, plans and orders to stock, requisitions, counts,
// reorder alerts, stored-goods checks with an expired lot written off.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "e2e_steps.h"

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

// A date days from today (UTC), YYYY-MM-DD, into buf (16 bytes).
static const char *
s_date(char *buf, int days)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + (int64_t)days * 86400000, at);
    snprintf(buf, 16, "%.10s", at);
    return buf;
}

// The station report's stock figure (the period today to tomorrow).
static json_int_t
s_report_stock(const char *figure)
{
    char path[128], tomorrow[16];
    snprintf(path, sizeof path, "/v1/reports/station?from=%s&to=%s",
             e2e_stack.today, s_date(tomorrow, 1));
    json_t *report = e2e_expect(200, E2E_HEAD, "GET", path, NULL);
    const json_t *stock =
        json_object_get(json_object_get(report, "sections"), "stock");
    ck_assert(json_is_true(json_object_get(stock, "available")));
    json_int_t value = json_integer_value(json_object_get(
        json_object_get(json_object_get(stock, "figures"), figure), "value"));
    json_decref(report);
    return value;
}

START_TEST(test_e2e_check_expired_goods_written_off)
{
    char item[48], id[48], body[512], date[16], path[160];
    s_created(S_KEEPER, "/v1/items",
              "{\"name\":\"Epoxy resin\",\"unit\":\"tube\",\"category\":"
              "\"e2e-check\",\"location\":\"main-store\","
              "\"shelf_life_days\":30,\"check_interval_days\":30}",
              item);
    // A lot past its date, then one that takes the shelf life.
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":6,"
             "\"expires_on\":\"%s\"}",
             item, s_date(date, -2));
    json_decref(e2e_expect(201, S_KEEPER, "POST", "/v1/stock/movements", body));
    ck_assert_int_eq(s_move_status(item, "receipt", 4), 201);
    // Due within the interval; the store keepers open the check.
    snprintf(path, sizeof path, "/v1/items?check_due=true&by=%s",
             s_date(date, 31));
    json_t *due = e2e_expect(200, S_TECH, "GET", path, NULL);
    bool listed = false;
    const json_t *items = json_object_get(due, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        listed |= strcmp(e2e_str(json_array_get(items, i), "item"), item) == 0;
    }
    ck_assert(listed);
    json_decref(due);
    snprintf(body, sizeof body, "{\"items\":[\"%s\"],\"within_days\":60}",
             item);
    json_decref(e2e_expect(403, S_TECH, "POST", "/v1/stock-checks", body));
    json_t *doc = e2e_expect(201, S_KEEPER, "POST", "/v1/stock-checks", body);
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    const json_t *line = json_array_get(json_object_get(doc, "lines"), 0);
    ck_assert_int_eq(e2e_int(line, "on_hand"), 10);
    ck_assert_int_eq(e2e_int(line, "expired"), 6);
    ck_assert_int_eq(e2e_int(line, "expiring"), 4);
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"expired\","
             "\"quantity\":6,\"note\":\"past its date\"}]}",
             item);
    s_inv_step(S_KEEPER, "stock-checks", id, "record", body, "open");
    json_decref(e2e_act(S_KEEPER, "stock-checks", id, "complete", "{}", 400));
    s_inv_step(S_KEEPER, "stock-checks", id, "complete",
               "{\"reason\":\"expired in store\"}", "pending");
    ck_assert_int_eq(s_on_hand(item), 10);
    json_int_t write_offs = s_report_stock("write_offs");
    json_int_t written = s_report_stock("write_off_quantity");
    json_decref(e2e_act(S_KEEPER, "stock-checks", id, "approve", "{}", 403));
    s_inv_step(e2e_person("dept_head", "logistics"), "stock-checks", id,
               "approve", "{}", "written_off");
    ck_assert_int_eq(s_on_hand(item), 4);
    // The station report counts the write-off in the period.
    ck_assert_int_eq(s_report_stock("write_offs"), write_offs + 1);
    ck_assert_int_eq(s_report_stock("write_off_quantity"), written + 6);
    snprintf(path, sizeof path, "/v1/items/%s/ledger", item);
    doc = e2e_expect(200, S_AUDITOR, "GET", path, NULL);
    const json_t *entries = json_object_get(doc, "items");
    const json_t *last = json_array_get(entries, json_array_size(entries) - 1);
    ck_assert_str_eq(e2e_str(last, "kind"), "write_off");
    ck_assert_int_eq(e2e_int(last, "quantity"), -6);
    ck_assert_str_eq(e2e_str(last, "reason"), "expired in store");
    ck_assert_str_eq(e2e_str(last, "reference"), id);
    json_decref(doc);
}
END_TEST

void
e2e_add_inventory(TCase *tc)
{
    tcase_add_test(tc, test_e2e_stock_received_issued_and_verified);
    tcase_add_test(tc, test_e2e_supplier_qualified_then_suspended_on_quality);
    tcase_add_test(tc, test_e2e_procurement_plan_approved_by_logistics_head);
    tcase_add_test(tc, test_e2e_plan_order_receipt_into_stock);
    tcase_add_test(tc, test_e2e_requisition_valuable_issued_and_returned);
    tcase_add_test(tc, test_e2e_count_surplus_and_shortage_posted);
    tcase_add_test(tc, test_e2e_reorder_alert_raised_once);
    tcase_add_test(tc, test_e2e_check_expired_goods_written_off);
}
