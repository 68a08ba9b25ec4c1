// Inventory integration tests, the documents that move stock: purchase
// orders, requisitions, stock counts, the stock report, random movements,
// finance down (suite inventory, tests/test_inventory_stack.h).
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "events/inventory.h"
#include "suites.h"
#include "test_inventory_stack.h"

// ---- purchase orders

#define S_ORDER_LINES                                                          \
    "[{\"item\":\"%s\",\"quantity\":10,\"unit_price\":500,"                    \
    "\"delivery_date\":\"%s\"},{\"item\":\"%s\",\"quantity\":1,"               \
    "\"unit_price\":200000,\"delivery_date\":\"%s\","                          \
    "\"equipment\":true,\"after_sales\":\"2 years on site\"}]"
#define S_ORDER                                                                \
    "{\"supplier\":\"%s\",\"budget_line\":\"%s\","                             \
    "\"delivery_place\":\"Main store\",\"payment_terms\":\"30 days\","         \
    "\"lines\":%s}"

static json_t *
s_order_act(inv_who_t who, const char *id, const char *action, const char *body,
            int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/purchase-orders/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body ? body : "{}");
}

// A supplier with a document valid next year; qualified when asked.
static void
s_supplier(bool qualified, char *id)
{
    char body[384], date[16];
    snprintf(body, sizeof body,
             "{\"name\":\"Supplier\",\"qualifications\":[{\"kind\":"
             "\"licence\",\"number\":\"L-1\",\"valid_until\":\"%s\"}]}",
             inv_date(date, 365));
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/suppliers", body);
    snprintf(id, 48, "%s", inv_str(doc, "id"));
    json_decref(doc);
    if (qualified) {
        json_decref(inv_supplier_act(INV_LOG_HEAD, id, "qualify", NULL, 200));
    }
}

static long long
s_committed(void)
{
    char path[128];
    const char *slash = strchr(inv_stack.line, '/');
    snprintf(path, sizeof path, "/v1/budgets/%.*s/lines/%s",
             (int)(slash - inv_stack.line), inv_stack.line, slash + 1);
    json_t *line = inv_expect(200, INV_FINANCE, "GET", path, NULL);
    long long value = inv_int(json_object_get(line, "execution"), "committed");
    json_decref(line);
    return value;
}

static int
s_equipment_events(const char *order)
{
    char subject[64];
    snprintf(subject, sizeof subject, "\"order/%s\"", order);
    return inv_outbox_count(INVENTORY_EVENT_EQUIPMENT_RECEIVED, subject);
}

START_TEST(test_inventory_order_approved_received_closed)
{
    char fuse[48], pump[48], supplier[48], candidate[48], id[48];
    char body[1536], date[16];
    inv_new_item("Fuse 5A", "electrical", NULL, fuse);
    inv_new_item("Pump", "equipment", NULL, pump);
    s_supplier(true, supplier);
    s_supplier(false, candidate);
    char line_text[512];
    inv_date(date, 30);
    snprintf(line_text, sizeof line_text, S_ORDER_LINES, fuse, date, pump,
             date);
    // Only a qualified supplier receives orders.
    json_t *out = NULL;
    snprintf(body, sizeof body, S_ORDER, candidate, inv_stack.line, line_text);
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/purchase-orders", body, NULL, &out),
        422);
    ck_assert_str_eq(inv_str(out, "code"), "supplier_not_qualified");
    ck_assert_str_eq(inv_str(out, "supplier_state"), "candidate");
    json_decref(out);
    snprintf(body, sizeof body, S_ORDER, supplier, inv_stack.line, line_text);
    json_t *doc =
        inv_expect(201, INV_KEEPER, "POST", "/v1/purchase-orders", body);
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    ck_assert_int_eq(inv_int(doc, "amount"), 205000);
    json_decref(doc);
    long long before = s_committed();
    // The chain: the logistics head, then the finance head; the last step
    // commits the budget.
    json_decref(s_order_act(INV_KEEPER, id, "submit", NULL, 200));
    json_decref(s_order_act(INV_KEEPER, id, "approve", NULL, 403));
    json_decref(s_order_act(INV_LOG_HEAD, id, "approve", NULL, 200));
    ck_assert_int_eq(s_committed(), before);
    doc = s_order_act(INV_FIN_HEAD, id, "approve", NULL, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "approved");
    ck_assert_str_ne(inv_str(doc, "budget_reservation"), "");
    json_decref(doc);
    ck_assert_int_eq(s_committed(), before + 205000);
    json_decref(s_order_act(INV_KEEPER, id, "order", NULL, 200));
    // The buyer does not inspect; more than ordered is refused.
    const char *receipt =
        "{\"lines\":[{\"line\":\"L1\",\"accepted\":6,\"rejected\":2,"
        "\"notes\":\"2 cracked\"},{\"line\":\"L2\",\"accepted\":1}]}";
    json_decref(s_order_act(INV_KEEPER, id, "receive", receipt, 403));
    doc = s_order_act(INV_LOG_HEAD, id, "receive", receipt, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "partially_received");
    json_decref(doc);
    ck_assert_int_eq(inv_on_hand(fuse), 6);
    ck_assert_int_eq(inv_on_hand(pump), 1);
    ck_assert_int_eq(s_equipment_events(id), 1);
    char key[96];
    snprintf(key, sizeof key, "sm:{inventory}:supplier:%s", supplier);
    char *rejected =
        harness_redis_cmd(&inv_stack.redis, "HGET", key, "rejected_quantity");
    ck_assert_str_eq(rejected, "2");
    free(rejected);
    char supplier_path[96];
    snprintf(supplier_path, sizeof supplier_path, "/v1/suppliers/%s", supplier);
    json_t *record = inv_expect(200, INV_KEEPER, "GET", supplier_path, NULL);
    ck_assert_int_eq(inv_int(record, "rejected_quantity"), 2);
    json_decref(record);
    char path[96];
    snprintf(path, sizeof path, "/v1/purchase-orders/%s/receive", id);
    ck_assert_int_eq(inv_http(INV_LOG_HEAD, "POST", path,
                              "{\"lines\":[{\"line\":\"L1\",\"accepted\":5}]}",
                              NULL, &out),
                     422);
    ck_assert_str_eq(inv_str(out, "code"), "over_delivery");
    ck_assert_str_eq(inv_str(out, "field"), "lines[0].accepted");
    json_decref(out);
    ck_assert_int_eq(inv_http(INV_LOG_HEAD, "POST", path,
                              "{\"lines\":[{\"line\":\"L9\",\"accepted\":1}]}",
                              NULL, &out),
                     400);
    ck_assert_ptr_nonnull(inv_error_for(out, "lines[0].line"));
    json_decref(out);
    json_decref(s_order_act(INV_LOG_HEAD, id, "receive",
                            "{\"lines\":[{\"line\":\"L1\",\"accepted\":3}]}",
                            200));
    ck_assert_int_eq(inv_on_hand(fuse), 9);
    // Closing releases what was not received: one fuse, 500 fen.
    doc = s_order_act(INV_KEEPER, id, "close", NULL, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "closed");
    json_decref(doc);
    ck_assert_int_eq(s_committed(), before + 205000 - 500);
    json_t *ledger = inv_ledger(INV_KEEPER, fuse, 200);
    const json_t *entry = json_array_get(json_object_get(ledger, "items"), 0);
    ck_assert_str_eq(inv_str(entry, "reference"), id);
    ck_assert_str_eq(inv_str(entry, "kind"), "receipt");
    json_decref(ledger);
}
END_TEST

START_TEST(test_inventory_order_over_budget_refused_at_submit)
{
    char item[48], supplier[48], id[48], body[1024], date[16];
    inv_new_item("Generator", "equipment", NULL, item);
    s_supplier(true, supplier);
    snprintf(body, sizeof body,
             "{\"supplier\":\"%s\",\"budget_line\":\"%s\","
             "\"delivery_place\":\"Yard\",\"payment_terms\":\"60 days\","
             "\"lines\":[{\"item\":\"%s\",\"quantity\":1,"
             "\"unit_price\":9000000,\"delivery_date\":\"%s\"}]}",
             supplier, inv_stack.line, item, inv_date(date, 60));
    json_t *doc =
        inv_expect(201, INV_KEEPER, "POST", "/v1/purchase-orders", body);
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    json_decref(doc);
    json_t *out = NULL;
    char path[96];
    snprintf(path, sizeof path, "/v1/purchase-orders/%s/submit", id);
    ck_assert_int_eq(inv_http(INV_KEEPER, "POST", path, "{}", NULL, &out), 422);
    ck_assert_str_eq(inv_str(out, "code"), "over_budget");
    json_decref(out);
    snprintf(path, sizeof path, "/v1/purchase-orders/%s", id);
    doc = inv_expect(200, INV_KEEPER, "GET", path, NULL);
    ck_assert_str_eq(inv_str(doc, "state"), "draft");
    json_decref(doc);
    json_decref(s_order_act(INV_KEEPER, id, "cancel",
                            "{\"reason\":\"too dear\"}", 200));
}
END_TEST

// ---- requisitions

static json_t *
s_req_act(inv_who_t who, const char *id, const char *action, const char *body,
          int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/requisitions/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body ? body : "{}");
}

static void
s_requisition(inv_who_t who, const char *item, int quantity, char *id)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"purpose\":\"Site work\",\"lines\":[{\"item\":\"%s\","
             "\"quantity\":%d}]}",
             item, quantity);
    json_t *doc = inv_expect(201, who, "POST", "/v1/requisitions", body);
    snprintf(id, 48, "%s", inv_str(doc, "id"));
    json_decref(doc);
}

START_TEST(test_inventory_requisition_valuable_two_approvals_issue_return)
{
    char meter[48], id[48], own[48];
    inv_new_item("Multimeter", "tools", ",\"control_class\":\"valuable\"",
                 meter);
    ck_assert_int_eq(inv_move(meter, "receipt", 10), 201);
    s_requisition(INV_TECH, meter, 3, id);
    json_t *doc = s_req_act(INV_TECH, id, "submit", NULL, 200);
    const json_t *steps =
        json_object_get(json_object_get(doc, "approval"), "steps");
    ck_assert_int_eq(json_array_size(steps), 2);
    json_decref(doc);
    json_decref(s_req_act(INV_TECH, id, "approve", NULL, 403));
    json_decref(s_req_act(INV_DEPUTY, id, "approve", NULL, 403)); // order
    json_decref(s_req_act(INV_TECH_HEAD, id, "approve", NULL, 200));
    doc = s_req_act(INV_DEPUTY, id, "approve", NULL, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "approved");
    json_decref(doc);
    // Logistics issues part, then the rest would pass the line.
    const char *two = "{\"lines\":[{\"line\":\"L1\",\"quantity\":2}]}";
    json_decref(s_req_act(INV_TECH, id, "issue", two, 403));
    doc = s_req_act(INV_KEEPER, id, "issue", two, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "partially_issued");
    json_decref(doc);
    ck_assert_int_eq(inv_on_hand(meter), 8);
    json_t *out = NULL;
    char path[96];
    snprintf(path, sizeof path, "/v1/requisitions/%s/issue", id);
    ck_assert_int_eq(inv_http(INV_KEEPER, "POST", path, two, NULL, &out), 422);
    ck_assert_str_eq(inv_str(out, "code"), "over_issue");
    json_decref(out);
    json_decref(s_req_act(INV_KEEPER, id, "return",
                          "{\"lines\":[{\"line\":\"L1\",\"quantity\":1}]}",
                          200));
    ck_assert_int_eq(inv_on_hand(meter), 9);
    json_t *ledger = inv_ledger(INV_KEEPER, meter, 200);
    const json_t *items = json_object_get(ledger, "items");
    ck_assert_str_eq(inv_str(json_array_get(items, 1), "kind"), "issue");
    ck_assert_str_eq(inv_str(json_array_get(items, 1), "reference"), id);
    ck_assert_str_eq(inv_str(json_array_get(items, 2), "kind"), "return");
    json_decref(ledger);
    // Nobody approves their own requisition.
    s_requisition(INV_TECH_HEAD, meter, 1, own);
    json_decref(s_req_act(INV_TECH_HEAD, own, "submit", NULL, 200));
    json_decref(s_req_act(INV_TECH_HEAD, own, "approve", NULL, 403));
}
END_TEST

START_TEST(test_inventory_requisition_limited_within_quota)
{
    char gloves[48], id[48], more[48], refused[48];
    inv_new_item("Arc gloves", "safety",
                 ",\"control_class\":\"limited\",\"quota\":5,"
                 "\"quota_period\":\"month\"",
                 gloves);
    ck_assert_int_eq(inv_move(gloves, "receipt", 20), 201);
    json_t *out = NULL;
    char path[96];
    s_requisition(INV_TECH, gloves, 6, refused);
    snprintf(path, sizeof path, "/v1/requisitions/%s/submit", refused);
    ck_assert_int_eq(inv_http(INV_TECH, "POST", path, "{}", NULL, &out), 422);
    ck_assert_str_eq(inv_str(out, "code"), "quota_exceeded");
    ck_assert_int_eq(inv_int(out, "quota"), 5);
    ck_assert_int_eq(inv_int(out, "remaining"), 5);
    json_decref(out);
    s_requisition(INV_TECH, gloves, 4, id);
    json_decref(s_req_act(INV_TECH, id, "submit", NULL, 200));
    json_decref(s_req_act(INV_TECH_HEAD, id, "approve", NULL, 200));
    json_decref(s_req_act(INV_DEPUTY, id, "approve", NULL, 200));
    json_t *doc =
        s_req_act(INV_KEEPER, id, "issue",
                  "{\"lines\":[{\"line\":\"L1\",\"quantity\":4}]}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "issued");
    json_decref(doc);
    s_requisition(INV_TECH, gloves, 2, more);
    snprintf(path, sizeof path, "/v1/requisitions/%s/submit", more);
    ck_assert_int_eq(inv_http(INV_TECH, "POST", path, "{}", NULL, &out), 422);
    ck_assert_int_eq(inv_int(out, "used"), 4);
    ck_assert_int_eq(inv_int(out, "remaining"), 1);
    json_decref(out);
    // Logistics may refuse an approved requisition, with a reason.
    s_requisition(INV_TECH, gloves, 1, more);
    json_decref(s_req_act(INV_TECH, more, "submit", NULL, 200));
    json_decref(s_req_act(INV_TECH_HEAD, more, "approve", NULL, 200));
    json_decref(s_req_act(INV_DEPUTY, more, "approve", NULL, 200));
    json_decref(s_req_act(INV_KEEPER, more, "reject", "{}", 400));
    doc = s_req_act(INV_KEEPER, more, "reject",
                    "{\"reason\":\"out of season\"}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "rejected");
    json_decref(doc);
}
END_TEST

// ---- stock counts

static json_t *
s_count_act(inv_who_t who, const char *id, const char *action, const char *body,
            int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/stock-counts/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body ? body : "{}");
}

static int
s_work_requests(const char *count)
{
    char subject[64];
    snprintf(subject, sizeof subject, "\"count/%s\"", count);
    return inv_outbox_count(INVENTORY_EVENT_COUNT_WORK_REQUESTED, subject);
}

START_TEST(test_inventory_count_freezes_then_posts_adjustments)
{
    char a[48], b[48], id[48], body[512];
    const char *spare = ",\"location\":\"spare-store\"";
    snprintf(body, sizeof body,
             "{\"name\":\"Bolt\",\"unit\":\"piece\",\"category\":"
             "\"counted\"%s}",
             spare);
    inv_item(body, a);
    snprintf(body, sizeof body,
             "{\"name\":\"Nut\",\"unit\":\"piece\",\"category\":"
             "\"counted\"%s}",
             spare);
    inv_item(body, b);
    ck_assert_int_eq(inv_move(a, "receipt", 10), 201);
    ck_assert_int_eq(inv_move(b, "receipt", 5), 201);
    const char *open = "{\"location\":\"spare-store\",\"category\":"
                       "\"counted\",\"work_request\":true}";
    json_decref(inv_expect(403, INV_TECH, "POST", "/v1/stock-counts", open));
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/stock-counts", open);
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    const json_t *lines = json_object_get(doc, "lines");
    ck_assert_int_eq(json_array_size(lines), 2);
    json_decref(doc);
    ck_assert_int_eq(s_work_requests(id), 1);
    // Frozen: no movement, no second count at the location.
    json_t *out = NULL;
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/stock-counts", open, NULL, &out),
        409);
    ck_assert_str_eq(inv_str(out, "count"), id);
    json_decref(out);
    ck_assert_int_eq(inv_move(a, "issue", 1), 409);
    // Every variance needs a reason.
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"counted\":12},{\"item\":"
             "\"%s\",\"counted\":3,\"reason\":\"damaged\"}]}",
             a, b);
    doc = s_count_act(INV_KEEPER, id, "record", body, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "counted");
    json_decref(doc);
    char path[96];
    snprintf(path, sizeof path, "/v1/stock-counts/%s/submit", id);
    ck_assert_int_eq(inv_http(INV_KEEPER, "POST", path, "{}", NULL, &out), 400);
    ck_assert(inv_error_for(out, "lines[0].reason")
              || inv_error_for(out, "lines[1].reason"));
    json_decref(out);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"counted\":12,\"reason\":"
             "\"box found\"}]}",
             a);
    json_decref(s_count_act(INV_KEEPER, id, "record", body, 200));
    json_decref(s_count_act(INV_KEEPER, id, "submit", NULL, 200));
    json_decref(s_count_act(INV_KEEPER, id, "approve", NULL, 403));
    json_decref(s_count_act(INV_LOG_HEAD, id, "approve", NULL, 200));
    doc = s_count_act(INV_KEEPER, id, "post", NULL, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "posted");
    ck_assert_int_eq(inv_int(doc, "variance_total"), 4);
    json_decref(doc);
    ck_assert_int_eq(inv_on_hand(a), 12);
    ck_assert_int_eq(inv_on_hand(b), 3);
    ck_assert_int_eq(inv_move(a, "issue", 1), 201); // thawed
    json_t *ledger = inv_ledger(INV_KEEPER, b, 200);
    const json_t *entry = json_array_get(json_object_get(ledger, "items"), 1);
    ck_assert_str_eq(inv_str(entry, "kind"), "adjustment");
    ck_assert_int_eq(inv_int(entry, "quantity"), -2);
    ck_assert_str_eq(inv_str(entry, "reference"), id);
    json_decref(ledger);
}
END_TEST

static bool
s_listed(const json_t *report, const char *list, const char *item)
{
    const json_t *entries = json_object_get(report, list);
    for (size_t i = 0; i < json_array_size(entries); i++) {
        if (strcmp(inv_str(json_array_get(entries, i), "item"), item) == 0) {
            return true;
        }
    }
    return false;
}

START_TEST(test_inventory_stock_report)
{
    char idle[48], busy[48], gold[48], short_item[48];
    inv_new_item("Idle part", "spares", NULL, idle);
    inv_new_item("Busy part", "spares", NULL, busy);
    inv_new_item("Gold contact", "spares", ",\"control_class\":\"valuable\"",
                 gold);
    inv_new_item("Short part", "spares", ",\"reorder_point\":3,\"max_stock\":4",
                 short_item);
    ck_assert_int_eq(inv_move(idle, "receipt", 5), 201);
    ck_assert_int_eq(inv_move(busy, "receipt", 5), 201);
    ck_assert_int_eq(inv_move(busy, "issue", 1), 201);
    ck_assert_int_eq(inv_move(gold, "receipt", 2), 201);
    ck_assert_int_eq(inv_move(short_item, "receipt", 9), 201);
    json_decref(inv_expect(403, INV_TECH, "GET", "/v1/reports/stock", NULL));
    json_decref(inv_expect(400, INV_AUDITOR, "GET",
                           "/v1/reports/stock?slow_days=0", NULL));
    json_t *report = inv_expect(200, INV_AUDITOR, "GET",
                                "/v1/reports/stock?slow_days=1", NULL);
    ck_assert(s_listed(report, "slow_movers", idle));
    ck_assert(!s_listed(report, "slow_movers", busy));
    ck_assert(s_listed(report, "valuable_on_hand", gold));
    ck_assert(s_listed(report, "overstock", short_item));
    ck_assert(!s_listed(report, "shortages", short_item));
    json_decref(report);
    ck_assert_int_eq(inv_move(short_item, "issue", 7), 201);
    report = inv_expect(200, INV_KEEPER, "GET", "/v1/reports/stock", NULL);
    ck_assert(s_listed(report, "shortages", short_item));
    json_decref(report);
}
END_TEST

#define S_RANDOM_MOVES   3000 // SM_INVENTORY_RANDOM_MOVES overrides
#define S_RANDOM_WORKERS 8    // one item each, on their own connection

typedef struct {
    pthread_t thread;
    char item[48];
    unsigned seed;
    long moves;
    long long expected[2]; // per location
    int refused, wrong;
} s_random_t;

static void *
s_random_run(void *arg)
{
    s_random_t *w = arg;
    const char *locations[] = {"main-store", "spare-store"};
    // No scrap: damaged goods leave stock through a check's write-off.
    const char *kinds[] = {"receipt", "issue", "return", "adjustment"};
    for (long n = 0; n < w->moves; n++) {
        int at = (int)(rand_r(&w->seed) % 2);
        const char *kind = kinds[rand_r(&w->seed) % 4];
        long quantity = 1 + (long)(rand_r(&w->seed) % 9);
        bool out = strcmp(kind, "issue") == 0
                   || (strcmp(kind, "adjustment") == 0 && rand_r(&w->seed) % 2);
        long delta = out ? -quantity : quantity;
        char body[256];
        snprintf(body, sizeof body,
                 "{\"item\":\"%s\",\"location\":\"%s\",\"kind\":\"%s\","
                 "\"quantity\":%ld,\"reason\":\"random\"}",
                 w->item, locations[at], kind,
                 strcmp(kind, "adjustment") == 0 ? delta : quantity);
        int status = inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body,
                              NULL, NULL);
        bool fits = w->expected[at] + delta >= 0;
        w->wrong += status != (fits ? 201 : 422);
        if (fits) {
            w->expected[at] += delta;
        } else {
            w->refused++;
        }
    }
    return NULL;
}

// Random movements (receipts, issues, returns, adjustments at two
// locations; refused ones included) by several workers at once: every
// balance equals the workers' own sums, and verify finds the book equal to
// the ledger.
START_TEST(test_inventory_random_movements_recompute)
{
    const char *env = getenv("SM_INVENTORY_RANDOM_MOVES");
    long total = env ? atol(env) : S_RANDOM_MOVES;
    static s_random_t workers[S_RANDOM_WORKERS];
    for (int i = 0; i < S_RANDOM_WORKERS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        inv_new_item("Random", "random", NULL, workers[i].item);
        workers[i].seed = 20271 + (unsigned)i;
        workers[i].moves = total / S_RANDOM_WORKERS;
        ck_assert_int_eq(
            pthread_create(&workers[i].thread, NULL, s_random_run, &workers[i]),
            0);
    }
    int refused = 0;
    for (int i = 0; i < S_RANDOM_WORKERS; i++) {
        pthread_join(workers[i].thread, NULL);
        ck_assert_int_eq(workers[i].wrong, 0);
        refused += workers[i].refused;
        ck_assert_int_eq(inv_on_hand(workers[i].item),
                         workers[i].expected[0] + workers[i].expected[1]);
    }
    ck_assert_int_gt(refused, 0);
    json_t *report =
        inv_expect(200, INV_AUDITOR, "POST", "/v1/stock/verify", "{}");
    ck_assert(json_is_true(json_object_get(report, "consistent")));
    ck_assert_int_ge(inv_int(report, "entries_checked"), total - refused);
    json_decref(report);
}
END_TEST

static char s_pending_order[48];

static bool
s_submitted(void *arg)
{
    (void)arg; // the order is s_pending_order
    char path[96];
    snprintf(path, sizeof path, "/v1/purchase-orders/%s/submit",
             s_pending_order);
    return inv_http(INV_KEEPER, "POST", path, "{}", NULL, NULL) == 200;
}

// Finance down: the submit answers 503 and writes nothing; once finance is
// back the same submit goes through.
START_TEST(test_inventory_order_finance_down_writes_nothing)
{
    char item[48], supplier[48], body[1024], date[16], path[96];
    inv_new_item("Valve", "plumbing", NULL, item);
    s_supplier(true, supplier);
    snprintf(body, sizeof body,
             "{\"supplier\":\"%s\",\"budget_line\":\"%s\","
             "\"delivery_place\":\"Yard\",\"payment_terms\":\"30 days\","
             "\"lines\":[{\"item\":\"%s\",\"quantity\":2,"
             "\"unit_price\":700,\"delivery_date\":\"%s\"}]}",
             supplier, inv_stack.line, item, inv_date(date, 20));
    json_t *doc =
        inv_expect(201, INV_KEEPER, "POST", "/v1/purchase-orders", body);
    snprintf(s_pending_order, sizeof s_pending_order, "%s", inv_str(doc, "id"));
    json_decref(doc);
    harness_proc_kill(&inv_stack.finance, SIGTERM, 5000);
    harness_proc_cleanup(&inv_stack.finance);
    json_t *out = NULL;
    snprintf(path, sizeof path, "/v1/purchase-orders/%s/submit",
             s_pending_order);
    ck_assert_int_eq(inv_http(INV_KEEPER, "POST", path, "{}", NULL, &out), 503);
    json_decref(out);
    snprintf(path, sizeof path, "/v1/purchase-orders/%s", s_pending_order);
    doc = inv_expect(200, INV_KEEPER, "GET", path, NULL);
    ck_assert_str_eq(inv_str(doc, "state"), "draft");
    ck_assert_int_eq(inv_int(doc, "version"), 1);
    json_decref(doc);
    ck_assert_int_eq(
        harness_proc_start(&inv_stack.finance, "finance", inv_stack.envp), 0);
    ck_assert(inv_wait(s_submitted, NULL, 15000));
}
END_TEST

void
inventory_add_flow(TCase *tc)
{
    tcase_add_test(tc, test_inventory_order_approved_received_closed);
    tcase_add_test(tc, test_inventory_order_over_budget_refused_at_submit);
    tcase_add_test(
        tc, test_inventory_requisition_valuable_two_approvals_issue_return);
    tcase_add_test(tc, test_inventory_requisition_limited_within_quota);
    tcase_add_test(tc, test_inventory_count_freezes_then_posts_adjustments);
    tcase_add_test(tc, test_inventory_stock_report);
    tcase_add_test(tc, test_inventory_random_movements_recompute);
    tcase_add_test(tc, test_inventory_order_finance_down_writes_nothing);
}
