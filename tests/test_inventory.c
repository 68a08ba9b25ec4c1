// Integration tests of the inventory service through the gateway with real
// tokens (test_inventory_stack.h): the catalogue, the append-only ledger and
// its balances (never negative, recomputable, 64 concurrent issues), the
// reorder alert. Suite: inventory.
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "events/inventory.h"
#include "suites.h"
#include "test_inventory_stack.h"

#define S_RACERS 64

START_TEST(test_inventory_items_roles_and_fields)
{
    char id[48];
    const char *body = "{\"name\":\"Cable\",\"unit\":\"m\",\"category\":"
                       "\"electrical\",\"location\":\"main-store\"}";
    ck_assert_int_eq(inv_http(INV_TECH, "POST", "/v1/items", body, NULL, NULL),
                     403);
    // A logistics clerk placed outside logistics keeps nothing.
    ck_assert_int_eq(inv_http(INV_AWAY, "POST", "/v1/items", body, NULL, NULL),
                     403);
    json_t *doc = inv_expect(201, INV_LOG_HEAD, "POST", "/v1/items", body);
    ck_assert_str_eq(inv_str(doc, "control_class"), "normal");
    ck_assert_int_eq(inv_int(doc, "reorder_point"), 0);
    json_decref(doc);
    json_t *out = NULL;
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/items",
                 "{\"name\":\"Seal\",\"unit\":\"piece\",\"category\":\"x\","
                 "\"location\":\"attic\",\"control_class\":\"limited\","
                 "\"reorder_point\":-1,\"bogus\":1}",
                 NULL, &out),
        400);
    ck_assert_ptr_nonnull(inv_error_for(out, "reorder_point"));
    ck_assert_ptr_nonnull(inv_error_for(out, "bogus"));
    json_decref(out);
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/items",
                 "{\"name\":\"Seal\",\"unit\":\"piece\",\"category\":\"x\","
                 "\"location\":\"attic\",\"control_class\":\"limited\","
                 "\"reorder_point\":5,\"max_stock\":2}",
                 NULL, &out),
        400);
    ck_assert_str_eq(inv_error_for(out, "location"),
                     "is not a storage location");
    ck_assert_str_eq(inv_error_for(out, "quota"),
                     "is required for a limited item");
    ck_assert_ptr_nonnull(inv_error_for(out, "max_stock"));
    json_decref(out);
    inv_new_item("Seal", "spares",
                 ",\"control_class\":\"limited\",\"quota\":4,\"quota_period\":"
                 "\"month\",\"label\":\"A-3-2\"",
                 id);
    char path[96];
    snprintf(path, sizeof path, "/v1/items/%s", id);
    ck_assert_int_eq(
        inv_http(INV_TECH, "PATCH", path, "{\"label\":\"B\"}", NULL, NULL),
        403);
    doc = inv_expect(200, INV_KEEPER, "PATCH", path,
                     "{\"label\":\"B-1\",\"reorder_point\":3}");
    ck_assert_str_eq(inv_str(doc, "label"), "B-1");
    ck_assert_int_eq(inv_int(doc, "version"), 2);
    json_decref(doc);
    ck_assert_int_eq(inv_http(INV_KEEPER, "PATCH", path,
                              "{\"control_class\":\"normal\"}", NULL, &out),
                     400);
    ck_assert_ptr_nonnull(inv_error_for(out, "quota"));
    json_decref(out);
    // Everyone reads the catalogue; a filter outside its values is a 400.
    json_t *list = inv_expect(200, INV_TECH, "GET",
                              "/v1/items?control_class=limited", NULL);
    ck_assert_int_ge(json_array_size(json_object_get(list, "items")), 1);
    json_decref(list);
    ck_assert_int_eq(inv_http(INV_TECH, "GET", "/v1/items?control_class=rare",
                              NULL, NULL, NULL),
                     400);
}
END_TEST

START_TEST(test_inventory_ledger_and_balances)
{
    char id[48];
    inv_new_item("Fuse", "electrical", NULL, id);
    ck_assert_int_eq(inv_move(id, "receipt", 10), 201);
    ck_assert_int_eq(inv_move(id, "issue", 3), 201);
    ck_assert_int_eq(inv_move(id, "return", 1), 201);
    ck_assert_int_eq(inv_move(id, "adjustment", -2), 201);
    ck_assert_int_eq(inv_on_hand(id), 6);
    // Too much: 422 naming the balance and the shortfall, nothing written.
    json_t *out = NULL;
    char body[256];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"issue\",\"quantity\":7}", id);
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body, NULL, &out),
        422);
    ck_assert_str_eq(inv_str(out, "code"), "insufficient_stock");
    ck_assert_int_eq(inv_int(out, "balance"), 6);
    ck_assert_int_eq(inv_int(out, "shortfall"), 1);
    json_decref(out);
    // Bad input names the field.
    ck_assert_int_eq(inv_move(id, "issue", 0), 400);
    ck_assert_int_eq(inv_move(id, "issue", -1), 400);
    ck_assert_int_eq(inv_move("IT-99999", "receipt", 1), 400);
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":1,"
             "\"location\":\"attic\"}",
             id);
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body, NULL, &out),
        400);
    ck_assert_str_eq(inv_error_for(out, "location"),
                     "is not a storage location");
    json_decref(out);
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"adjustment\",\"quantity\":1}", id);
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body, NULL, &out),
        400);
    ck_assert_ptr_nonnull(inv_error_for(out, "reason"));
    json_decref(out);
    ck_assert_int_eq(
        inv_http(INV_TECH, "POST", "/v1/stock/movements", body, NULL, NULL),
        403);
    // A second location, and a correction that names the entry it corrects.
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":4,"
             "\"location\":\"spare-store\",\"reference\":\"DN-7\"}",
             id);
    json_t *moved =
        inv_expect(201, INV_KEEPER, "POST", "/v1/stock/movements", body);
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"adjustment\",\"quantity\":-1,"
             "\"location\":\"spare-store\",\"corrects\":\"%s\",\"reason\":"
             "\"counted twice\"}",
             id, inv_str(moved, "id"));
    json_decref(
        inv_expect(201, INV_KEEPER, "POST", "/v1/stock/movements", body));
    json_decref(moved);
    char path[96];
    snprintf(path, sizeof path, "/v1/stock?item=%s&location=spare-store", id);
    json_t *stock = inv_expect(200, INV_TECH, "GET", path, NULL);
    ck_assert_int_eq(inv_int(stock, "on_hand"), 9);
    ck_assert_int_eq(
        inv_int(json_array_get(json_object_get(stock, "locations"), 0),
                "on_hand"),
        3);
    json_decref(stock);
    // The ledger: every entry with its balance after, in order.
    json_t *ledger = inv_ledger(INV_AUDITOR, id, 200);
    const json_t *items = json_object_get(ledger, "items");
    ck_assert_int_eq(json_array_size(items), 6);
    const long long quantities[] = {10, -3, 1, -2, 4, -1};
    const long long after[] = {10, 7, 8, 6, 4, 3};
    for (size_t i = 0; i < 6; i++) {
        const json_t *entry = json_array_get(items, i);
        ck_assert_int_eq(inv_int(entry, "quantity"), quantities[i]);
        ck_assert_int_eq(inv_int(entry, "balance_after"), after[i]);
    }
    ck_assert_str_eq(inv_str(json_array_get(items, 4), "reference"), "DN-7");
    json_decref(ledger);
    json_decref(inv_ledger(INV_TECH, id, 403));
    ck_assert_int_eq(
        inv_http(INV_TECH, "GET", "/v1/stock?item=", NULL, NULL, &out), 400);
    ck_assert_ptr_nonnull(inv_error_for(out, "item"));
    json_decref(out);
    // Without an item: every item's balances, a page at a time.
    json_t *all = inv_expect(200, INV_TECH, "GET",
                             "/v1/stock?location=spare-store&limit=200", NULL);
    bool found = false;
    const json_t *rows = json_object_get(all, "items");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        if (strcmp(inv_str(row, "item"), id) == 0) {
            found = true;
            ck_assert_int_eq(inv_int(row, "on_hand"), 9);
            ck_assert_int_eq(inv_int(row, "at_location"), 3);
        }
    }
    ck_assert(found);
    json_decref(all);
    // The book equals the ledger.
    json_decref(inv_expect(403, INV_TECH, "POST", "/v1/stock/verify", "{}"));
    json_t *report =
        inv_expect(200, INV_AUDITOR, "POST", "/v1/stock/verify", "{}");
    ck_assert(json_is_true(json_object_get(report, "consistent")));
    ck_assert_int_ge(inv_int(report, "entries_checked"), 6);
    json_decref(report);
}
END_TEST

// A balance tampered with outside the service shows in verify.
START_TEST(test_inventory_verify_finds_a_difference)
{
    char id[48], key[96];
    inv_new_item("Washer", "spares", NULL, id);
    ck_assert_int_eq(inv_move(id, "receipt", 5), 201);
    snprintf(key, sizeof key, "sm:{inventory}:stock:%s|main-store", id);
    free(harness_redis_cmd(&inv_stack.redis, "HINCRBY", key, "on_hand", "2"));
    json_t *report =
        inv_expect(200, INV_KEEPER, "POST", "/v1/stock/verify", "{}");
    ck_assert(json_is_false(json_object_get(report, "consistent")));
    const json_t *diff =
        json_array_get(json_object_get(report, "differences"), 0);
    ck_assert_str_eq(inv_str(diff, "item"), id);
    ck_assert_int_eq(inv_int(diff, "book"), 7);
    ck_assert_int_eq(inv_int(diff, "ledger"), 5);
    json_decref(report);
    free(harness_redis_cmd(&inv_stack.redis, "HINCRBY", key, "on_hand", "-2"));
}
END_TEST

static char s_race_item[48];
static int s_statuses[S_RACERS];

// One issue, sent as a careful client sends it: with an Idempotency-Key,
// and again with the same key while the answer is not a verdict (a 503 or
// 504 of a loaded machine, a 409 while the first try is still running).
static void *
s_racer(void *arg)
{
    long i = (long)arg;
    char body[128], key[96];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"issue\",\"quantity\":1}",
             s_race_item);
    snprintf(key, sizeof key, "Idempotency-Key: race-%s-%ld\r\n", s_race_item,
             i);
    int status = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        status = inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body, key,
                          NULL);
        if (status == 201 || status == 422) {
            break;
        }
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    s_statuses[i] = status;
    return NULL;
}

START_TEST(test_inventory_concurrent_issues_never_overdraw)
{
    inv_new_item("Glove", "safety", NULL, s_race_item);
    ck_assert_int_eq(inv_move(s_race_item, "receipt", 10), 201);
    pthread_t threads[S_RACERS];
    for (long i = 0; i < S_RACERS; i++) {
        ck_assert_int_eq(pthread_create(&threads[i], NULL, s_racer, (void *)i),
                         0);
    }
    int issued = 0, refused = 0;
    for (int i = 0; i < S_RACERS; i++) {
        pthread_join(threads[i], NULL);
        issued += s_statuses[i] == 201;
        refused += s_statuses[i] == 422;
    }
    int other = 0;
    for (int i = 0; i < S_RACERS && !other; i++) {
        other =
            s_statuses[i] == 201 || s_statuses[i] == 422 ? 0 : s_statuses[i];
    }
    ck_assert_msg(issued == 10 && refused == S_RACERS - 10,
                  "issued %d, refused %d of %d (another answer: %d)", issued,
                  refused, S_RACERS, other);
    ck_assert_int_eq(inv_on_hand(s_race_item), 0);
    json_t *ledger = inv_ledger(INV_KEEPER, s_race_item, 200);
    const json_t *items = json_object_get(ledger, "items");
    int issues = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        issues +=
            strcmp(inv_str(json_array_get(items, i), "kind"), "issue") == 0;
    }
    ck_assert_int_eq(issues, 10);
    ck_assert_int_eq(json_array_size(items), 11);
    json_decref(ledger);
}
END_TEST

static int
s_low_events(const char *item)
{
    char subject[64];
    snprintf(subject, sizeof subject, "\"item/%s\"", item);
    return inv_outbox_count(INVENTORY_EVENT_STOCK_LOW, subject);
}

START_TEST(test_inventory_reorder_alert_once_per_crossing)
{
    char id[48];
    inv_new_item(
        "Filter", "spares",
        ",\"reorder_point\":5,\"reorder_quantity\":20,\"max_stock\":30", id);
    ck_assert_int_eq(inv_move(id, "receipt", 10), 201);
    ck_assert_int_eq(s_low_events(id), 0);
    ck_assert_int_eq(inv_move(id, "issue", 5), 201); // at the point
    ck_assert_int_eq(s_low_events(id), 1);
    ck_assert_int_eq(inv_move(id, "issue", 1), 201); // still under: no more
    ck_assert_int_eq(s_low_events(id), 1);
    ck_assert_int_eq(inv_move(id, "receipt", 30), 201); // recovered, over max
    char path[96];
    snprintf(path, sizeof path, "/v1/stock?item=%s", id);
    json_t *stock = inv_expect(200, INV_KEEPER, "GET", path, NULL);
    ck_assert(json_is_true(json_object_get(stock, "overstock")));
    ck_assert(json_is_false(json_object_get(stock, "low")));
    json_decref(stock);
    ck_assert_int_eq(inv_move(id, "issue", 30), 201); // a second crossing
    ck_assert_int_eq(s_low_events(id), 2);
    // Each crossing drafted one procurement plan line of the reorder quantity.
    json_t *list =
        inv_expect(200, INV_KEEPER, "GET",
                   "/v1/procurement-plans?state=draft&limit=200", NULL);
    int proposed = 0;
    const json_t *plans = json_object_get(list, "items");
    for (size_t i = 0; i < json_array_size(plans); i++) {
        const json_t *line = json_array_get(
            json_object_get(json_array_get(plans, i), "lines"), 0);
        if (strcmp(inv_str(line, "item"), id) == 0) {
            proposed++;
            ck_assert_int_eq(inv_int(line, "quantity"), 20);
        }
    }
    ck_assert_int_eq(proposed, 2);
    json_decref(list);
}
END_TEST

static json_t *
s_plan_act(inv_who_t who, const char *id, const char *action, const char *body,
           int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/procurement-plans/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body ? body : "{}");
}

START_TEST(test_inventory_plan_approved_by_logistics_head)
{
    char item[48], body[512], id[48];
    inv_new_item("Pump seal", "spares", NULL, item);
    json_t *out = NULL;
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/procurement-plans",
                 "{\"title\":\"Q3\",\"lines\":[{\"item\":\"IT-99999\","
                 "\"quantity\":0,\"needed_by\":\"2040-01-01\"}]}",
                 NULL, &out),
        400);
    ck_assert_ptr_nonnull(inv_error_for(out, "lines[0].quantity"));
    json_decref(out);
    ck_assert_int_eq(
        inv_http(INV_KEEPER, "POST", "/v1/procurement-plans",
                 "{\"title\":\"Q3\",\"lines\":[{\"item\":\"IT-99999\","
                 "\"quantity\":2,\"needed_by\":\"2040-01-01\"}]}",
                 NULL, &out),
        400);
    ck_assert_ptr_nonnull(inv_error_for(out, "lines[0].item"));
    json_decref(out);
    snprintf(body, sizeof body,
             "{\"title\":\"Q3 spares\",\"lines\":[{\"item\":\"%s\","
             "\"specification\":\"EPDM\",\"quantity\":12,\"needed_by\":"
             "\"2040-01-01\"}]}",
             item);
    json_decref(
        inv_expect(403, INV_TECH, "POST", "/v1/procurement-plans", body));
    json_t *doc =
        inv_expect(201, INV_KEEPER, "POST", "/v1/procurement-plans", body);
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    json_decref(doc);
    doc = s_plan_act(INV_KEEPER, id, "submit", NULL, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "pending");
    json_decref(doc);
    json_decref(s_plan_act(INV_KEEPER, id, "approve", NULL, 403));
    json_decref(s_plan_act(INV_TECH_HEAD, id, "approve", NULL, 403));
    json_decref(s_plan_act(INV_LOG_HEAD, id, "reject",
                           "{\"reason\":\"too many\"}", 200));
    json_decref(s_plan_act(INV_KEEPER, id, "resubmit", NULL, 200));
    doc = s_plan_act(INV_LOG_HEAD, id, "approve", NULL, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "approved");
    json_decref(doc);
    json_decref(s_plan_act(INV_KEEPER, id, "withdraw", NULL, 409));
}
END_TEST

static char s_watched[48];

static bool
s_expired(void *arg)
{
    (void)arg; // the supplier is s_watched
    char path[96];
    snprintf(path, sizeof path, "/v1/suppliers/%s", s_watched);
    json_t *doc = inv_expect(200, INV_KEEPER, "GET", path, NULL);
    bool done = strcmp(inv_str(doc, "state"), "suspended") == 0;
    json_decref(doc);
    return done;
}

START_TEST(test_inventory_supplier_qualified_evaluated_suspended)
{
    char body[512], date[16], id[48];
    snprintf(body, sizeof body,
             "{\"name\":\"Hebei Pipes\",\"categories\":[\"plumbing\"],"
             "\"qualifications\":[{\"kind\":\"business licence\","
             "\"number\":\"BL-1\",\"valid_until\":\"%s\"}]}",
             inv_date(date, 365));
    json_decref(inv_expect(403, INV_TECH, "POST", "/v1/suppliers", body));
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/suppliers", body);
    ck_assert_str_eq(inv_str(doc, "state"), "candidate");
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    json_decref(doc);
    // The logistics head qualifies; a keeper may not.
    json_decref(inv_supplier_act(INV_KEEPER, id, "qualify", NULL, 403));
    json_decref(inv_supplier_act(INV_LOG_HEAD, id, "qualify", NULL, 200));
    json_t *out = NULL;
    char path[96];
    snprintf(path, sizeof path, "/v1/suppliers/%s/evaluate", id);
    ck_assert_int_eq(inv_http(INV_KEEPER, "POST", path,
                              "{\"qualification\":4,\"reputation\":6}", NULL,
                              &out),
                     400);
    ck_assert_ptr_nonnull(inv_error_for(out, "quality"));
    ck_assert_ptr_nonnull(inv_error_for(out, "reputation"));
    json_decref(out);
    const char *good = "{\"qualification\":4,\"reputation\":4,\"quality\":4}";
    doc = inv_supplier_act(INV_KEEPER, id, "evaluate", good, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "qualified");
    json_decref(doc);
    // Quality under the floor (3) suspends at once.
    doc = inv_supplier_act(INV_KEEPER, id, "evaluate",
                           "{\"qualification\":4,\"reputation\":4,"
                           "\"quality\":2,\"note\":\"leaking joints\"}",
                           200);
    ck_assert_str_eq(inv_str(doc, "state"), "suspended");
    ck_assert_str_eq(inv_str(json_object_get(doc, "suspension"), "cause"),
                     "quality_below_floor");
    ck_assert_int_eq(
        inv_int(json_object_get(doc, "last_evaluation"), "quality"), 2);
    json_decref(doc);
    json_decref(inv_supplier_act(INV_KEEPER, id, "evaluate", good, 409));
    json_decref(inv_supplier_act(INV_LOG_HEAD, id, "reinstate", NULL, 200));
    // A document recorded past its date: the service suspends by itself.
    snprintf(body, sizeof body,
             "{\"qualifications\":[{\"kind\":\"business licence\","
             "\"number\":\"BL-1\",\"valid_until\":\"%s\"}]}",
             inv_date(date, -1));
    snprintf(path, sizeof path, "/v1/suppliers/%s", id);
    json_decref(inv_expect(200, INV_KEEPER, "PATCH", path, body));
    snprintf(s_watched, sizeof s_watched, "%s", id);
    ck_assert(inv_wait(s_expired, NULL, 10000));
    doc = inv_expect(200, INV_KEEPER, "GET", path, NULL);
    ck_assert_str_eq(inv_str(json_object_get(doc, "suspension"), "cause"),
                     "qualification_expired");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/suppliers/%s/reinstate", id);
    ck_assert_int_eq(inv_http(INV_LOG_HEAD, "POST", path, "{}", NULL, &out),
                     422);
    ck_assert_str_eq(inv_str(out, "code"), "qualification_expired");
    ck_assert_str_eq(inv_str(out, "field"), "qualifications[0].valid_until");
    json_decref(out);
    // No documents: nothing to qualify on.
    doc = inv_expect(201, INV_KEEPER, "POST", "/v1/suppliers",
                     "{\"name\":\"Bare Ltd\"}");
    snprintf(path, sizeof path, "/v1/suppliers/%s/qualify", inv_str(doc, "id"));
    json_decref(doc);
    ck_assert_int_eq(inv_http(INV_HEAD, "POST", path, "{}", NULL, &out), 422);
    ck_assert_str_eq(inv_str(out, "code"), "qualification_missing");
    json_decref(out);
}
END_TEST

Suite *
inventory_suite(void)
{
    Suite *s = suite_create("inventory");
    TCase *tc = tcase_create("stock");
    tcase_add_unchecked_fixture(tc, inv_stack_setup, inv_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_inventory_items_roles_and_fields);
    tcase_add_test(tc, test_inventory_ledger_and_balances);
    tcase_add_test(tc, test_inventory_verify_finds_a_difference);
    tcase_add_test(tc, test_inventory_concurrent_issues_never_overdraw);
    tcase_add_test(tc, test_inventory_reorder_alert_once_per_crossing);
    tcase_add_test(tc, test_inventory_supplier_qualified_evaluated_suspended);
    tcase_add_test(tc, test_inventory_plan_approved_by_logistics_head);
    inventory_add_flow(tc);
    suite_add_tcase(s, tc);
    TCase *checks = tcase_create("checks");
    tcase_add_unchecked_fixture(checks, inv_stack_setup, inv_stack_teardown);
    tcase_set_timeout(checks, 120);
    inventory_add_checks(checks);
    suite_add_tcase(s, checks);
    return s;
}
