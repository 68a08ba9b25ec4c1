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

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "events/inventory.h"
#include "suites.h"
#include "test_inventory_stack.h"

#define S_ITEM                                                                 \
    "{\"name\":\"%s\",\"unit\":\"piece\",\"category\":\"%s\",\"location\":"    \
    "\"main-store\"%s}"
#define S_RACERS 64

static void
s_new_item(const char *name, const char *category, const char *more, char *id)
{
    char body[512];
    snprintf(body, sizeof body, S_ITEM, name, category, more ? more : "");
    inv_item(body, id);
}

// The item's ledger page (all of it: tests stay under 1000 entries).
static json_t *
s_ledger(inv_who_t who, const char *item, int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/items/%s/ledger?limit=1000", item);
    return inv_expect(status, who, "GET", path, NULL);
}

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
    s_new_item("Seal", "spares",
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
    s_new_item("Fuse", "electrical", NULL, id);
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
    json_t *ledger = s_ledger(INV_AUDITOR, id, 200);
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
    json_decref(s_ledger(INV_TECH, id, 403));
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
    s_new_item("Washer", "spares", NULL, id);
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

static void *
s_racer(void *arg)
{
    long i = (long)arg;
    char body[128];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"issue\",\"quantity\":1}",
             s_race_item);
    s_statuses[i] =
        inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body, NULL, NULL);
    return NULL;
}

START_TEST(test_inventory_concurrent_issues_never_overdraw)
{
    s_new_item("Glove", "safety", NULL, s_race_item);
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
    ck_assert_msg(issued == 10 && refused == S_RACERS - 10,
                  "issued %d, refused %d of %d", issued, refused, S_RACERS);
    ck_assert_int_eq(inv_on_hand(s_race_item), 0);
    json_t *ledger = s_ledger(INV_KEEPER, s_race_item, 200);
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

typedef struct {
    const char *subject; // "item/IT-3"
    int n;               // inventory.stock.low events about it
} s_count_t;

static int
s_count(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, INVENTORY_EVENT_STOCK_LOW) == 0
                && strstr(event->envelope, count->subject) != NULL;
    return 0;
}

// Events of inventory.equipment.received about a subject.
static int
s_count_type(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, INVENTORY_EVENT_EQUIPMENT_RECEIVED) == 0
                && strstr(event->envelope, count->subject) != NULL;
    return 0;
}

static int
s_count_work(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, INVENTORY_EVENT_COUNT_WORK_REQUESTED) == 0
                && strstr(event->envelope, count->subject) != NULL;
    return 0;
}

static int
s_low_events(const char *item)
{
    char subject[64];
    snprintf(subject, sizeof subject, "\"item/%s\"", item);
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", inv_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    s_count_t count = {subject, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{inventory}:outbox", "0-0",
                                     100000, s_count, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}

START_TEST(test_inventory_reorder_alert_once_per_crossing)
{
    char id[48];
    s_new_item("Filter", "spares",
               ",\"reorder_point\":5,\"reorder_quantity\":20,\"max_stock\":30",
               id);
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
    s_new_item("Pump seal", "spares", NULL, item);
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

// A date days from today (UTC), YYYY-MM-DD, into buf (16 bytes).
static const char *
s_date(char *buf, int days)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + (int64_t)days * 86400000, at);
    snprintf(buf, 16, "%.10s", at);
    return buf;
}

static json_t *
s_supplier_act(inv_who_t who, const char *id, const char *action,
               const char *body, int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/suppliers/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body ? body : "{}");
}

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
             s_date(date, 365));
    json_decref(inv_expect(403, INV_TECH, "POST", "/v1/suppliers", body));
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/suppliers", body);
    ck_assert_str_eq(inv_str(doc, "state"), "candidate");
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    json_decref(doc);
    // The logistics head qualifies; a keeper may not.
    json_decref(s_supplier_act(INV_KEEPER, id, "qualify", NULL, 403));
    json_decref(s_supplier_act(INV_LOG_HEAD, id, "qualify", NULL, 200));
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
    doc = s_supplier_act(INV_KEEPER, id, "evaluate", good, 200);
    ck_assert_str_eq(inv_str(doc, "state"), "qualified");
    json_decref(doc);
    // Quality under the floor (3) suspends at once.
    doc = s_supplier_act(INV_KEEPER, id, "evaluate",
                         "{\"qualification\":4,\"reputation\":4,"
                         "\"quality\":2,\"note\":\"leaking joints\"}",
                         200);
    ck_assert_str_eq(inv_str(doc, "state"), "suspended");
    ck_assert_str_eq(inv_str(json_object_get(doc, "suspension"), "cause"),
                     "quality_below_floor");
    ck_assert_int_eq(
        inv_int(json_object_get(doc, "last_evaluation"), "quality"), 2);
    json_decref(doc);
    json_decref(s_supplier_act(INV_KEEPER, id, "evaluate", good, 409));
    json_decref(s_supplier_act(INV_LOG_HEAD, id, "reinstate", NULL, 200));
    // A document recorded past its date: the service suspends by itself.
    snprintf(body, sizeof body,
             "{\"qualifications\":[{\"kind\":\"business licence\","
             "\"number\":\"BL-1\",\"valid_until\":\"%s\"}]}",
             s_date(date, -1));
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
             s_date(date, 365));
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/suppliers", body);
    snprintf(id, 48, "%s", inv_str(doc, "id"));
    json_decref(doc);
    if (qualified) {
        json_decref(s_supplier_act(INV_LOG_HEAD, id, "qualify", NULL, 200));
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
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", inv_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    char subject[64];
    snprintf(subject, sizeof subject, "\"order/%s\"", order);
    s_count_t count = {subject, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{inventory}:outbox", "0-0",
                                     100000, s_count_type, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}

START_TEST(test_inventory_order_approved_received_closed)
{
    char fuse[48], pump[48], supplier[48], candidate[48], id[48];
    char body[1536], date[16];
    s_new_item("Fuse 5A", "electrical", NULL, fuse);
    s_new_item("Pump", "equipment", NULL, pump);
    s_supplier(true, supplier);
    s_supplier(false, candidate);
    char line_text[512];
    s_date(date, 30);
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
    json_t *ledger = s_ledger(INV_KEEPER, fuse, 200);
    const json_t *entry = json_array_get(json_object_get(ledger, "items"), 0);
    ck_assert_str_eq(inv_str(entry, "reference"), id);
    ck_assert_str_eq(inv_str(entry, "kind"), "receipt");
    json_decref(ledger);
}
END_TEST

START_TEST(test_inventory_order_over_budget_refused_at_submit)
{
    char item[48], supplier[48], id[48], body[1024], date[16];
    s_new_item("Generator", "equipment", NULL, item);
    s_supplier(true, supplier);
    snprintf(body, sizeof body,
             "{\"supplier\":\"%s\",\"budget_line\":\"%s\","
             "\"delivery_place\":\"Yard\",\"payment_terms\":\"60 days\","
             "\"lines\":[{\"item\":\"%s\",\"quantity\":1,"
             "\"unit_price\":9000000,\"delivery_date\":\"%s\"}]}",
             supplier, inv_stack.line, item, s_date(date, 60));
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
    s_new_item("Multimeter", "tools", ",\"control_class\":\"valuable\"", meter);
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
    json_t *ledger = s_ledger(INV_KEEPER, meter, 200);
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
    s_new_item("Arc gloves", "safety",
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
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", inv_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    char subject[64];
    snprintf(subject, sizeof subject, "\"count/%s\"", count);
    s_count_t count_of = {subject, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{inventory}:outbox", "0-0",
                                     100000, s_count_work, &count_of),
                     0);
    cm_redis_destroy(&redis);
    return count_of.n;
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
    json_t *ledger = s_ledger(INV_KEEPER, b, 200);
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
    s_new_item("Idle part", "spares", NULL, idle);
    s_new_item("Busy part", "spares", NULL, busy);
    s_new_item("Gold contact", "spares", ",\"control_class\":\"valuable\"",
               gold);
    s_new_item("Short part", "spares", ",\"reorder_point\":3,\"max_stock\":4",
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
    const char *kinds[] = {"receipt", "issue", "return", "scrap", "adjustment"};
    for (long n = 0; n < w->moves; n++) {
        int at = (int)(rand_r(&w->seed) % 2);
        const char *kind = kinds[rand_r(&w->seed) % 5];
        long quantity = 1 + (long)(rand_r(&w->seed) % 9);
        bool out = strcmp(kind, "issue") == 0 || strcmp(kind, "scrap") == 0
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

// Random movements (receipts, issues, returns, scraps, adjustments at two
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
        s_new_item("Random", "random", NULL, workers[i].item);
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
    s_new_item("Valve", "plumbing", NULL, item);
    s_supplier(true, supplier);
    snprintf(body, sizeof body,
             "{\"supplier\":\"%s\",\"budget_line\":\"%s\","
             "\"delivery_place\":\"Yard\",\"payment_terms\":\"30 days\","
             "\"lines\":[{\"item\":\"%s\",\"quantity\":2,"
             "\"unit_price\":700,\"delivery_date\":\"%s\"}]}",
             supplier, inv_stack.line, item, s_date(date, 20));
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
    tcase_add_test(tc, test_inventory_order_approved_received_closed);
    tcase_add_test(tc, test_inventory_order_over_budget_refused_at_submit);
    tcase_add_test(
        tc, test_inventory_requisition_valuable_two_approvals_issue_return);
    tcase_add_test(tc, test_inventory_requisition_limited_within_quota);
    tcase_add_test(tc, test_inventory_count_freezes_then_posts_adjustments);
    tcase_add_test(tc, test_inventory_stock_report);
    tcase_add_test(tc, test_inventory_random_movements_recompute);
    tcase_add_test(tc, test_inventory_order_finance_down_writes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
