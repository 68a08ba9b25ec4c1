// Inventory integration tests, stored-goods checks (regulations ch. 5(2)4):
// expiry from receipt lots, a check recorded and its expired goods written
// off through the stock_write_off approval, the refusals, a rejected
// write-off that moves nothing, due checks listed and announced once
// (suite inventory, case checks; tests/test_inventory_stack.h).
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_redis.h"
#include "cm_time.h"
#include "events/inventory.h"
#include "suites.h"
#include "test_inventory_stack.h"

// A receipt of quantity on item with an expiry date days from today.
static void
s_receive(const char *item, long quantity, int days)
{
    char body[256], date[16];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":%ld,"
             "\"expires_on\":\"%s\"}",
             item, quantity, inv_date(date, days));
    json_decref(
        inv_expect(201, INV_KEEPER, "POST", "/v1/stock/movements", body));
}

static json_t *
s_act(inv_who_t who, const char *id, const char *action, const char *body,
      int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/stock-checks/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body);
}

// A new check of the named items (JSON array text) by the keeper.
static void
s_open(const char *items, char *id)
{
    char body[256];
    snprintf(body, sizeof body, "{\"items\":%s,\"within_days\":30}", items);
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/stock-checks", body);
    ck_assert_str_eq(inv_str(doc, "state"), "open");
    snprintf(id, 48, "%s", inv_str(doc, "id"));
    json_decref(doc);
}

// The write_off entries of item's ledger; the last one into *last (owned).
static int
s_write_offs(const char *item, json_t **last)
{
    json_t *ledger = inv_ledger(INV_AUDITOR, item, 200);
    const json_t *entries = json_object_get(ledger, "items");
    int n = 0;
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const json_t *entry = json_array_get(entries, i);
        if (strcmp(inv_str(entry, "kind"), "write_off") == 0) {
            n++;
            if (last) {
                json_decref(*last);
                *last = json_deep_copy(entry);
            }
        }
    }
    json_decref(ledger);
    return n;
}

START_TEST(test_inventory_check_expired_written_off)
{
    char item[48], other[48], id[48], body[512], today[16], yesterday[16];
    inv_new_item("Sealant", "chem",
                 ",\"shelf_life_days\":180,\"check_interval_days\":90", item);
    inv_new_item("Gloves", "ppe", NULL, other);
    s_receive(item, 5, -1);                            // expired yesterday
    s_receive(item, 7, 100);                           // good for 100 days
    ck_assert_int_eq(inv_move(item, "issue", 2), 201); // first expiry out
    ck_assert_int_eq(inv_move(other, "receipt", 4), 201);
    // Damaged or expired goods never leave stock by a direct scrap.
    ck_assert_int_eq(inv_move(item, "scrap", 1), 400);
    // Only the store keepers open a check; every item must exist.
    snprintf(body, sizeof body, "{\"items\":[\"%s\"]}", item);
    json_decref(inv_expect(403, INV_TECH, "POST", "/v1/stock-checks", body));
    json_decref(inv_expect(403, INV_AWAY, "POST", "/v1/stock-checks", body));
    json_t *problem = inv_expect(400, INV_KEEPER, "POST", "/v1/stock-checks",
                                 "{\"items\":[\"IT-999999\"]}");
    ck_assert_ptr_nonnull(inv_error_for(problem, "items[0]"));
    json_decref(problem);
    snprintf(body, sizeof body, "[\"%s\",\"%s\"]", item, other);
    s_open(body, id);
    char path[96];
    snprintf(path, sizeof path, "/v1/stock-checks/%s", id);
    json_t *doc = inv_expect(200, INV_AUDITOR, "GET", path, NULL);
    const json_t *line = json_array_get(json_object_get(doc, "lines"), 0);
    ck_assert_int_eq(inv_int(line, "on_hand"), 10);
    ck_assert_int_eq(inv_int(line, "expired"), 3); // 5 received, 2 issued
    ck_assert_int_eq(inv_int(line, "expiring"), 0);
    ck_assert_str_eq(inv_str(line, "earliest_expiry"), inv_date(yesterday, -1));
    json_decref(doc);
    // Out of order: every line needs its result first.
    problem = s_act(INV_KEEPER, id, "complete", "{\"reason\":\"x\"}", 409);
    ck_assert_str_eq(inv_str(problem, "code"), "lines_unrecorded");
    json_decref(problem);
    // More than on hand, a loss without its quantity, someone else.
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"expired\","
             "\"quantity\":11}]}",
             item);
    problem = s_act(INV_KEEPER, id, "record", body, 422);
    ck_assert_str_eq(inv_str(problem, "code"), "exceeds_on_hand");
    ck_assert_ptr_nonnull(inv_error_for(problem, "lines[0].quantity"));
    json_decref(problem);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"expired\"}]}", item);
    problem = s_act(INV_KEEPER, id, "record", body, 400);
    ck_assert_ptr_nonnull(inv_error_for(problem, "lines[0].quantity"));
    json_decref(problem);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"expired\","
             "\"quantity\":3,\"note\":\"lot past its date\"},{\"item\":"
             "\"%s\",\"result\":\"ok\"}]}",
             item, other);
    json_decref(s_act(INV_TECH, id, "record", body, 403));
    json_decref(s_act(INV_KEEPER, id, "record", body, 200));
    // A loss needs its reason.
    problem = s_act(INV_KEEPER, id, "complete", "{}", 400);
    ck_assert_ptr_nonnull(inv_error_for(problem, "reason"));
    json_decref(problem);
    doc = s_act(INV_KEEPER, id, "complete",
                "{\"reason\":\"expired on the shelf\"}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "pending");
    ck_assert_int_eq(inv_int(doc, "write_off_total"), 3);
    json_decref(doc);
    ck_assert_int_eq(inv_on_hand(item), 10); // nothing moved yet
    // The logistics head approves: neither the keeper nor anyone else.
    json_decref(s_act(INV_KEEPER, id, "approve", "{}", 403));
    json_decref(s_act(INV_TECH_HEAD, id, "approve", "{}", 403));
    doc = s_act(INV_LOG_HEAD, id, "approve", "{}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "written_off");
    json_decref(doc);
    json_decref(s_act(INV_LOG_HEAD, id, "approve", "{}", 409));
    ck_assert_int_eq(inv_on_hand(item), 7);
    ck_assert_int_eq(inv_on_hand(other), 4);
    json_t *entry = NULL;
    ck_assert_int_eq(s_write_offs(item, &entry), 1);
    ck_assert_int_eq(inv_int(entry, "quantity"), -3);
    ck_assert_int_eq(inv_int(entry, "balance_after"), 7);
    ck_assert_str_eq(inv_str(entry, "reason"), "expired on the shelf");
    ck_assert_str_eq(inv_str(entry, "result"), "expired");
    ck_assert_str_eq(inv_str(entry, "reference"), id);
    json_decref(entry);
    ck_assert_int_eq(s_write_offs(other, NULL), 0);
    char subject[64];
    snprintf(subject, sizeof subject, "\"stock_check/%s\"", id);
    ck_assert_int_eq(
        inv_outbox_count(INVENTORY_EVENT_CHECK_WRITTEN_OFF, subject), 1);
    // The check moved the item's next check one interval on.
    snprintf(path, sizeof path, "/v1/items/%s", item);
    doc = inv_expect(200, INV_TECH, "GET", path, NULL);
    ck_assert_int_eq(
        strncmp(inv_str(doc, "last_checked_at"), inv_date(today, 0), 10), 0);
    json_decref(doc);
    doc = inv_expect(200, INV_AUDITOR, "POST", "/v1/stock/verify", NULL);
    ck_assert(json_is_true(json_object_get(doc, "consistent")));
    json_decref(doc);
}
END_TEST

START_TEST(test_inventory_check_write_off_rejected_or_refused)
{
    char paint[48], gem[48], id[48], body[512];
    inv_new_item("Paint", "chem", NULL, paint);
    inv_new_item("Lens", "optics", ",\"control_class\":\"valuable\"", gem);
    s_receive(paint, 4, -3);
    ck_assert_int_eq(inv_move(gem, "receipt", 2), 201);
    snprintf(body, sizeof body, "[\"%s\",\"%s\"]", paint, gem);
    s_open(body, id);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"damaged\","
             "\"quantity\":2},{\"item\":\"%s\",\"result\":\"damaged\","
             "\"quantity\":1,\"note\":\"scratched\"}]}",
             paint, gem);
    json_decref(s_act(INV_KEEPER, id, "record", body, 200));
    json_t *doc =
        s_act(INV_KEEPER, id, "complete", "{\"reason\":\"water damage\"}", 200);
    // A valuable item: the logistics head, then the station head.
    const json_t *steps =
        json_object_get(json_object_get(doc, "approval"), "steps");
    ck_assert_int_eq(json_array_size(steps), 2);
    json_decref(doc);
    json_decref(s_act(INV_HEAD, id, "approve", "{}", 403)); // out of order
    doc = s_act(INV_LOG_HEAD, id, "approve", "{}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "pending");
    json_decref(doc);
    // Stock moved meanwhile: the write-off would overdraw, nothing moves.
    ck_assert_int_eq(inv_move(paint, "issue", 3), 201);
    json_t *problem = s_act(INV_HEAD, id, "approve", "{}", 422);
    ck_assert_str_eq(inv_str(problem, "code"), "insufficient_stock");
    json_decref(problem);
    ck_assert_int_eq(inv_on_hand(paint), 1);
    ck_assert_int_eq(inv_on_hand(gem), 2);
    // Rejected (a reason is required): the check ends, nothing moves.
    problem = s_act(INV_HEAD, id, "reject", "{}", 400);
    ck_assert_ptr_nonnull(inv_error_for(problem, "reason"));
    json_decref(problem);
    doc =
        s_act(INV_HEAD, id, "reject", "{\"reason\":\"sell as seconds\"}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "rejected");
    json_decref(doc);
    json_decref(s_act(INV_HEAD, id, "approve", "{}", 409));
    json_decref(s_act(INV_KEEPER, id, "complete", "{\"reason\":\"x\"}", 409));
    ck_assert_int_eq(inv_on_hand(paint), 1);
    ck_assert_int_eq(inv_on_hand(gem), 2);
    ck_assert_int_eq(s_write_offs(paint, NULL), 0);
    ck_assert_int_eq(s_write_offs(gem, NULL), 0);
    // A check without losses closes without approval.
    snprintf(body, sizeof body, "[\"%s\"]", gem);
    s_open(body, id);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"ok\","
             "\"quantity\":1}]}",
             gem);
    problem = s_act(INV_KEEPER, id, "record", body, 400);
    ck_assert_ptr_nonnull(inv_error_for(problem, "lines[0].quantity"));
    json_decref(problem);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"ok\"}]}", gem);
    json_decref(s_act(INV_KEEPER, id, "record", body, 200));
    doc = s_act(INV_KEEPER, id, "complete", "{}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "closed");
    json_decref(doc);
}
END_TEST

// ---- due checks

static cm_redis_t *
s_redis(void)
{
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", inv_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    return redis;
}

// Make item look created two days ago with a one-day interval: its due
// time (yesterday) in the due index and the due timer.
static void
s_backdate(const char *item)
{
    cm_redis_t *redis = s_redis();
    char key[96], at[CM_TIME_TEXT_MAX], due[32];
    int64_t created = cm_time_now_ms() - 2 * 86400000LL;
    snprintf(key, sizeof key, "sm:{inventory}:item:%s", item);
    redisReply *reply = cm_redis_cmd(redis, "HGET", key, "doc");
    ck_assert_ptr_nonnull(reply);
    json_t *doc = json_loads(reply->str, 0, NULL);
    freeReplyObject(reply);
    ck_assert_ptr_nonnull(doc);
    json_object_set_new(doc, "created_at",
                        json_string(cm_time_format(created, at)));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    freeReplyObject(cm_redis_cmd(redis, "HSET", key, "doc", text));
    free(text);
    snprintf(due, sizeof due, "%lld", (long long)(created + 86400000LL));
    freeReplyObject(
        cm_redis_cmd(redis, "ZADD", "sm:{inventory}:idx:check_due", due, item));
    freeReplyObject(cm_redis_cmd(redis, "ZADD",
                                 "sm:{inventory}:timers:check_due", due, item));
    cm_redis_destroy(&redis);
}

// Is the item's due timer gone (announced and settled)?
static bool
s_timer_gone(void *arg)
{
    cm_redis_t *redis = s_redis();
    redisReply *reply =
        cm_redis_cmd(redis, "ZSCORE", "sm:{inventory}:timers:check_due", arg);
    bool gone = reply && reply->type == REDIS_REPLY_NIL;
    freeReplyObject(reply);
    cm_redis_destroy(&redis);
    return gone;
}

static bool
s_announced(void *arg)
{
    char subject[64];
    snprintf(subject, sizeof subject, "\"item/%s\"", (const char *)arg);
    return inv_outbox_count(INVENTORY_EVENT_ITEM_CHECK_DUE, subject) == 1;
}

// Whether item is among the items due (by: a date or NULL).
static bool
s_listed_due(const char *item, const char *by)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/items?check_due=true%s%s",
             by ? "&by=" : "", by ? by : "");
    json_t *list = inv_expect(200, INV_TECH, "GET", path, NULL);
    const json_t *items = json_object_get(list, "items");
    bool found = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        found |= strcmp(inv_str(json_array_get(items, i), "item"), item) == 0;
    }
    json_decref(list);
    return found;
}

START_TEST(test_inventory_check_due_listed_and_announced_once)
{
    char item[48], id[48], body[256], date[16], subject[64];
    inv_new_item("Extinguisher foam", "fire", ",\"check_interval_days\":1",
                 item);
    ck_assert(!s_listed_due(item, NULL));
    ck_assert(s_listed_due(item, inv_date(date, 2)));
    json_decref(
        inv_expect(400, INV_TECH, "GET", "/v1/items?check_due=yes", NULL));
    json_t *problem = inv_expect(400, INV_TECH, "GET",
                                 "/v1/items?check_due=true&by=tomorrow", NULL);
    ck_assert_ptr_nonnull(inv_error_for(problem, "by"));
    json_decref(problem);
    problem = inv_expect(422, INV_KEEPER, "POST", "/v1/stock-checks", "{}");
    ck_assert_str_eq(inv_str(problem, "code"), "nothing_due");
    json_decref(problem);
    // Due since yesterday: the tick announces it once.
    s_backdate(item);
    ck_assert(inv_wait(s_announced, item, 30000));
    ck_assert(inv_wait(s_timer_gone, item, 30000));
    ck_assert(s_listed_due(item, NULL));
    // A second claim of the same due date announces nothing.
    cm_redis_t *redis = s_redis();
    freeReplyObject(cm_redis_cmd(redis, "ZADD",
                                 "sm:{inventory}:timers:check_due", "1", item));
    cm_redis_destroy(&redis);
    ck_assert(inv_wait(s_timer_gone, item, 30000));
    snprintf(subject, sizeof subject, "\"item/%s\"", item);
    ck_assert_int_eq(inv_outbox_count(INVENTORY_EVENT_ITEM_CHECK_DUE, subject),
                     1);
    // A check of the items due covers it; recording moves its next check.
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/stock-checks", "{}");
    snprintf(id, sizeof id, "%s", inv_str(doc, "id"));
    const json_t *lines = json_object_get(doc, "lines");
    ck_assert_int_eq(json_array_size(lines), 1);
    ck_assert_str_eq(inv_str(json_array_get(lines, 0), "item"), item);
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"item\":\"%s\",\"result\":\"ok\"}]}", item);
    json_decref(s_act(INV_KEEPER, id, "record", body, 200));
    ck_assert(!s_listed_due(item, NULL));
    ck_assert(s_listed_due(item, inv_date(date, 2)));
    json_decref(s_act(INV_KEEPER, id, "cancel", "{}", 400));
    doc =
        s_act(INV_KEEPER, id, "cancel", "{\"reason\":\"done on paper\"}", 200);
    ck_assert_str_eq(inv_str(doc, "state"), "cancelled");
    json_decref(doc);
}
END_TEST

void
inventory_add_checks(TCase *tc)
{
    tcase_add_test(tc, test_inventory_check_expired_written_off);
    tcase_add_test(tc, test_inventory_check_write_off_rejected_or_refused);
    tcase_add_test(tc, test_inventory_check_due_listed_and_announced_once);
}
