#include "stock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "count.h"
#include "events/inventory.h"
#include "inventory.h"
#include "item.h"
#include "plan.h"
#include "summary.h"

#define S_KINDS        "receipt issue return adjustment scrap"
#define S_QTY_MAX      1000000000LL
#define S_REF_MAX      (CM_ID_MAX * 2 + 2) // "<item>|<location>"
#define S_PAGE_DEFAULT 100
#define S_DETAIL_MAX   256
#define S_LIST_MAX     200 // items of one stock page

static const cm_field_t s_move_fields[] = {
    {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"location", CM_FIELD_CODE, 0},
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = S_KINDS},
    {"quantity", CM_FIELD_INTEGER, CM_FIELD_REQUIRED, .min = -S_QTY_MAX,
     .max = S_QTY_MAX},
    {"reference", CM_FIELD_STRING, 0, .max = 100},
    {"corrects", CM_FIELD_CODE, 0},
    {"reason", CM_FIELD_TEXT, 0, .max = 1000},
    {"expires_on", CM_FIELD_DATE, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// ---- keys

static const char *
s_balance_key(char *buf, const char *item, const char *location)
{
    char ref[S_REF_MAX];
    if (!location) {
        return inventory_key(buf, "stock", item);
    }
    snprintf(ref, sizeof ref, "%s|%s", item, location);
    return inventory_key(buf, "stock", ref);
}

const char *
stock_ledger_key(char *buf, const char *item)
{
    return inventory_key(buf, "ledger:item", item);
}

const char *
stock_locations_key(char *buf, const char *item)
{
    return inventory_key(buf, "idx:stock_item", item);
}

const char *
stock_lots_key(char *buf, const char *item, const char *location)
{
    char ref[S_REF_MAX];
    snprintf(ref, sizeof ref, "%s|%s", item, location);
    return inventory_key(buf, "lots", ref);
}

void
stock_set_expiry(json_t *entry, const json_t *item, const char *given,
                 int64_t now_ms)
{
    int64_t days = cm_doc_integer(item, "shelf_life_days");
    if (given && *given) {
        json_object_set_new(entry, "expires_on", json_string(given));
    } else if (days > 0) {
        char at[CM_TIME_TEXT_MAX];
        cm_time_format(now_ms + days * STOCK_DAY_MS, at);
        at[10] = '\0'; // the date
        json_object_set_new(entry, "expires_on", json_string(at));
    }
}

int64_t
stock_date_ms(const char *date)
{
    char text[CM_TIME_TEXT_MAX];
    int64_t ms = 0;
    if (!date || strlen(date) != 10) {
        return -1;
    }
    snprintf(text, sizeof text, "%sT00:00:00Z", date);
    return cm_time_parse(text, &ms) == 0 ? ms : -1;
}

const char *
stock_last_issue_key(char *buf)
{
    return inventory_key(buf, "idx:last_issue", NULL);
}

// ---- counts freeze a location

const char *
stock_freeze_key(char *buf, const char *location)
{
    return inventory_key(buf, "freeze", location);
}

void
stock_answer_frozen(cm_ctx_t *ctx, const char *location)
{
    char count[CM_ID_MAX] = "";
    count_open_at(cm_ctx_store(ctx), location, count);
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "stock count %s is open at %s: no movement there until it is "
             "posted or cancelled",
             *count ? count : "?", location);
    json_t *problem = cm_problem_new(409, "count_open", detail);
    cm_problem_set(problem, "count", json_string(count));
    cm_problem_set(problem, "location", json_string(location));
    cm_ctx_fail(ctx, problem);
}

void
stock_answer_limit(cm_ctx_t *ctx, int outcome)
{
    int64_t value = 0;
    const char *field =
        outcome == CM_COMMIT_LIMIT ? cm_ctx_limit(ctx, &value) : NULL;
    if (field && strcmp(field, STOCK_FIELD_ON_HAND) == 0) {
        json_t *problem =
            cm_problem_new(422, "insufficient_stock", "not that much in stock");
        cm_problem_set(problem, "balance", json_integer(value));
        cm_ctx_fail(ctx, problem);
    } else if (field && strcmp(field, STOCK_FIELD_FROZEN) == 0) {
        cm_ctx_fail(ctx, cm_problem_new(409, "count_open",
                                        "a stock count is open where this "
                                        "would move stock"));
    }
}

// ---- a movement

// The signed change a movement makes: issue and scrap take away.
static int64_t
s_delta(const char *kind, int64_t quantity)
{
    bool out = strcmp(kind, "issue") == 0 || strcmp(kind, "scrap") == 0;
    return out ? -quantity : quantity;
}

// The rules across members of a movement body (already type-checked).
static void
s_check_move(const json_t *body, json_t **problem_p)
{
    const char *kind = cm_doc_text(body, "kind");
    int64_t quantity = cm_doc_integer(body, "quantity");
    bool adjustment = strcmp(kind, "adjustment") == 0;
    if (quantity == 0) {
        cm_validate_fail(problem_p, "quantity", "must not be zero");
    } else if (quantity < 0 && !adjustment) {
        cm_validate_fail(problem_p, "quantity",
                         "must be positive: the kind gives the direction");
    }
    const char *reason = cm_doc_string(body, "reason");
    bool needs_reason = adjustment || strcmp(kind, "scrap") == 0;
    if (needs_reason && (!reason || !*reason)) {
        cm_validate_fail(problem_p, "reason",
                         "is required for an adjustment or a scrap");
    }
    if (strcmp(kind, "scrap") == 0) {
        cm_validate_fail(problem_p, "kind",
                         "damaged or expired goods leave stock only through "
                         "a stored-goods check's approved write-off "
                         "(/v1/stock-checks)");
    }
    if (json_object_get(body, "expires_on") && strcmp(kind, "receipt") != 0) {
        cm_validate_fail(problem_p, "expires_on",
                         "only a receipt brings a lot with an expiry date");
    }
}

// The item of a movement body; NULL after answering (400 naming `item` for
// an unknown one, 503).
static json_t *
s_body_item(cm_ctx_t *ctx, const char *id, int64_t *version)
{
    json_t *doc = NULL;
    int rc = cm_doc_read(cm_ctx_store(ctx), &item_type, id, &doc, version);
    if (rc == CM_ENOTFOUND) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "item", "is not an item of the catalogue");
        cm_ctx_fail(ctx, problem);
        return NULL;
    }
    if (rc != 0) {
        cm_doc_fail(ctx, rc, &item_type, id);
        return NULL;
    }
    return doc;
}

static json_t *
s_entry(cm_ctx_t *ctx, const char *id, const json_t *body, const char *location,
        int64_t now)
{
    char at[CM_TIME_TEXT_MAX];
    const char *kind = cm_doc_text(body, "kind");
    json_t *entry = json_pack(
        "{s:s, s:s, s:O, s:s, s:s, s:I, s:{s:s, s:s}}", "id", id, "at",
        cm_time_format(now, at), "item", json_object_get(body, "item"),
        "location", location, "kind", kind, "quantity",
        (json_int_t)s_delta(kind, cm_doc_integer(body, "quantity")), "actor",
        "id", cm_ctx_actor_id(ctx), "role", cm_ctx_actor_role(ctx));
    const char *optional[] = {"reference", "corrects", "reason", "note"};
    // expires_on: stock_set_expiry
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        const json_t *value = json_object_get(body, optional[i]);
        if (json_is_string(value) && *json_string_value(value)) {
            json_object_set(entry, optional[i], (json_t *)value);
        }
    }
    return entry;
}

// A refused movement (the commit hit a counter's bound): 422 naming the
// balance and the shortfall.
static void
s_answer_short(cm_ctx_t *ctx, const json_t *entry)
{
    int64_t balance = 0;
    const char *field = cm_ctx_limit(ctx, &balance);
    if (field && strcmp(field, STOCK_FIELD_FROZEN) == 0) {
        stock_answer_frozen(ctx, cm_doc_text(entry, "location"));
        return;
    }
    if (!field || strcmp(field, STOCK_FIELD_ON_HAND) != 0) {
        return;
    }
    int64_t change = cm_doc_integer(entry, "quantity");
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "%s has %" PRId64 " at %s; the movement takes %" PRId64,
             cm_doc_text(entry, "item"), balance,
             cm_doc_text(entry, "location"), -change);
    json_t *problem = cm_problem_new(422, "insufficient_stock", detail);
    cm_problem_set(problem, "item", json_string(cm_doc_text(entry, "item")));
    cm_problem_set(problem, "location",
                   json_string(cm_doc_text(entry, "location")));
    cm_problem_set(problem, "balance", json_integer(balance));
    cm_problem_set(problem, "requested", json_integer(-change));
    cm_problem_set(problem, "shortfall", json_integer(-change - balance));
    cm_ctx_fail(ctx, problem);
}

void
stock_commit_entry(cm_commit_t *commit, const json_t *entry, int64_t now_ms)
{
    const char *item = cm_doc_text(entry, "item");
    const char *location = cm_doc_text(entry, "location");
    int64_t delta = cm_doc_integer(entry, "quantity");
    char at_location[CM_STORE_KEY_MAX], total[CM_STORE_KEY_MAX];
    char ledger[CM_STORE_KEY_MAX], locations[CM_STORE_KEY_MAX];
    char freeze[CM_STORE_KEY_MAX];
    // No movement while a count is open at the location (its counter is 1).
    cm_commit_counter(commit, stock_freeze_key(freeze, location),
                      STOCK_FIELD_FROZEN, 0, 0, 0);
    cm_commit_counter(commit, s_balance_key(at_location, item, location),
                      STOCK_FIELD_ON_HAND, delta, 0, CM_COUNTER_NO_MAX);
    cm_commit_counter(commit, s_balance_key(total, item, NULL),
                      STOCK_FIELD_ON_HAND, delta, 0, CM_COUNTER_NO_MAX);
    cm_commit_index_add(commit, stock_locations_key(locations, item), location,
                        now_ms);
    if (strcmp(cm_doc_text(entry, "kind"), "issue") == 0) {
        char issues[CM_STORE_KEY_MAX];
        cm_commit_index_add(commit, stock_last_issue_key(issues), item, now_ms);
    }
    if (strcmp(cm_doc_text(entry, "kind"), "receipt") == 0 && delta > 0) {
        // The lot: "<movement>|<quantity>" scored by its expiry date.
        char lots[CM_STORE_KEY_MAX], lot[CM_ID_MAX + 32];
        int64_t expires = stock_date_ms(cm_doc_string(entry, "expires_on"));
        snprintf(lot, sizeof lot, "%s|%" PRId64, cm_doc_text(entry, "id"),
                 delta);
        cm_commit_index_add(commit, stock_lots_key(lots, item, location), lot,
                            expires < 0 ? STOCK_NEVER_MS : expires);
    }
    summary_commit_entry(commit, entry, now_ms); // write-offs, counted
    char *text = json_dumps(entry, JSON_COMPACT);
    cm_commit_ledger_stamped(commit, stock_ledger_key(ledger, item), text,
                             at_location, STOCK_FIELD_ON_HAND, "balance_after");
    free(text);
}

// The commit of one ledger entry with its event.
static cm_commit_t *
s_move_commit(cm_ctx_t *ctx, const json_t *entry, int64_t seq, int64_t now)
{
    const char *item = cm_doc_text(entry, "item");
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    stock_commit_entry(commit, entry, now);
    char subject[CM_ID_MAX + 8];
    snprintf(subject, sizeof subject, "item/%s", item);
    if (cm_ctx_event(ctx, commit, INVENTORY_EVENT_STOCK_MOVED, subject, seq,
                     json_deep_copy(entry))
        != 0) {
        cm_commit_destroy(&commit);
    }
    return commit;
}

// After a movement: raise the reorder alert once when the total of an item
// with a reorder quantity is at or under its reorder point, clear it once
// the total is above again.
// Its own small commit bounded by the counter `low` (0..1): exactly once
// per crossing, and it can never refuse the movement.
static void
s_reorder(cm_ctx_t *ctx, const json_t *item, int64_t version)
{
    if (cm_doc_integer(item, "reorder_quantity") <= 0) {
        return; // the item is not reordered
    }
    const char *id = cm_doc_text(item, "id");
    char key[CM_STORE_KEY_MAX];
    const char *keys[] = {s_balance_key(key, id, NULL)};
    const char *fields[] = {STOCK_FIELD_ON_HAND, STOCK_FIELD_LOW};
    int64_t values[2] = {0, 0};
    cm_store_t *store = cm_ctx_store(ctx);
    if (cm_store_counters(store, keys, 1, fields, 2, values) != 0) {
        return;
    }
    bool low = values[0] <= cm_doc_integer(item, "reorder_point");
    int64_t number = 0;
    if (low == (values[1] > 0)
        || (low && cm_store_next_id(store, INVENTORY_OWNER, "plan", &number))) {
        return; // no crossing (the commit's bound decides a race)
    }
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    cm_commit_counter(commit, key, STOCK_FIELD_LOW, low ? 1 : -1, 0, 1);
    if (low) {
        char plan[CM_ID_MAX];
        snprintf(plan, sizeof plan, "PP-%" PRId64, number);
        plan_propose(commit, plan, item, cm_ctx_actor(ctx), cm_time_now_ms());
        json_t *extra =
            json_pack("{s:I, s:I, s:s}", "on_hand", (json_int_t)values[0],
                      "suggested_quantity",
                      (json_int_t)cm_doc_integer(item, "reorder_quantity"),
                      "proposed_plan", plan);
        cm_doc_event_add(commit, &item_type, INVENTORY_EVENT_STOCK_LOW, item,
                         version, cm_ctx_actor(ctx), NULL, extra);
    }
    cm_commit_result_t result;
    if (cm_store_commit(store, commit, &result) == 0) {
        if (low && result.outcome == CM_COMMIT_OK) {
            cm_log_info("inventory.reorder.raised", "item", id);
        }
        cm_commit_result_clear(&result);
    }
    cm_commit_destroy(&commit);
}

// A movement body checked and its item loaded; NULL after answering.
static json_t *
s_move_item(cm_ctx_t *ctx, const json_t *body, int64_t *version)
{
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers move stock");
        return NULL;
    }
    if (!cm_field_check(s_move_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return NULL;
    }
    s_check_move(body, &problem);
    const char *location = cm_doc_string(body, "location");
    if (location && !inventory_is_location(ctx, location)) {
        cm_validate_fail(&problem, "location", "is not a storage location");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return NULL;
    }
    return s_body_item(ctx, cm_doc_text(body, "item"), version);
}

void
stock_move(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    int64_t version = 0, seq = 0;
    json_t *item = s_move_item(ctx, body, &version);
    if (!item) {
        return;
    }
    const char *location = cm_doc_string(body, "location");
    location = location ? location : cm_doc_text(item, "location");
    int rc =
        cm_store_next_id(cm_ctx_store(ctx), INVENTORY_OWNER, "movement", &seq);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        json_decref(item);
        return;
    }
    char id[CM_ID_MAX];
    snprintf(id, sizeof id, "MV-%" PRId64, seq);
    int64_t now = cm_time_now_ms();
    json_t *entry = s_entry(ctx, id, body, location, now);
    if (strcmp(cm_doc_text(body, "kind"), "receipt") == 0) {
        stock_set_expiry(entry, item, cm_doc_string(body, "expires_on"), now);
    }
    cm_commit_t *commit = s_move_commit(ctx, entry, seq, now);
    if (!commit) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, NULL);
    } else {
        rc = cm_ctx_commit(ctx, commit, 201, json_incref(entry));
        if (rc == CM_COMMIT_LIMIT) {
            s_answer_short(ctx, entry);
        } else if (rc == CM_COMMIT_OK) {
            cm_log_info("inventory.movement.written", "movement", id, "item",
                        cm_doc_text(item, "id"));
            s_reorder(ctx, item, version);
        }
    }
    cm_commit_destroy(&commit);
    json_decref(entry);
    json_decref(item);
}

// ---- reads

// The item named by id (path or query): NULL after answering 404/503.
static json_t *
s_item(cm_ctx_t *ctx, const char *id)
{
    int64_t version = 0;
    return cm_doc_load(ctx, &item_type, id, &version);
}

// Only the named query parameters: false after answering 400.
static bool
s_query_only(cm_ctx_t *ctx, const char *names)
{
    const json_t *query = cm_ctx_query_object(ctx); // borrowed
    json_t *problem = NULL;
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)query, name, value)
    {
        if (!cm_validate_name_in(names, name)) {
            cm_validate_fail(&problem, name, "is not a parameter of this list");
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    return true;
}

int
stock_balances(cm_store_t *store, const char *item, char **locations, size_t n,
               int64_t *total, json_t **out)
{
    char(*keys)[CM_STORE_KEY_MAX] = calloc(n + 1, sizeof *keys);
    const char **names = calloc(n + 1, sizeof *names);
    int64_t *values = calloc(n + 1, sizeof *values);
    if (!keys || !names || !values) {
        abort(); // out of memory
    }
    names[0] = s_balance_key(keys[0], item, NULL);
    for (size_t i = 0; i < n; i++) {
        names[i + 1] = s_balance_key(keys[i + 1], item, locations[i]);
    }
    const char *fields[] = {STOCK_FIELD_ON_HAND};
    int rc = cm_store_counters(store, names, n + 1, fields, 1, values);
    if (rc == 0) {
        *total = values[0];
        *out = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(*out, json_pack("{s:s, s:I}", "location",
                                                  locations[i], "on_hand",
                                                  (json_int_t)values[i + 1]));
        }
    }
    free(keys);
    free(names);
    free(values);
    return rc;
}

static json_t *
s_stock_view(const json_t *item, int64_t total, json_t *locations)
{
    int64_t point = cm_doc_integer(item, "reorder_point");
    int64_t max = cm_doc_integer(item, "max_stock");
    return json_pack("{s:O, s:I, s:I, s:I, s:b, s:b, s:o}", "item",
                     json_object_get(item, "id"), "on_hand", (json_int_t)total,
                     "reorder_point", (json_int_t)point, "max_stock",
                     (json_int_t)max, "low", total <= point, "overstock",
                     max > 0 && total > max, "locations", locations);
}

// limit and cursor of a page; false with the errors in *problem_p.
static bool
s_page_query(cm_ctx_t *ctx, size_t *limit, const char **cursor,
             json_t **problem_p)
{
    const char *text = cm_ctx_query(ctx, "limit");
    *cursor = cm_ctx_query(ctx, "cursor");
    *limit = S_PAGE_DEFAULT;
    if (text) {
        char *end = NULL;
        long value = strtol(text, &end, 10);
        if (*end || value < 1 || value > CM_STREAM_PAGE_MAX) {
            cm_validate_fail(problem_p, "limit", "must be an integer 1..1000");
        }
        *limit = (size_t)value;
    }
    if (*cursor && !cm_stream_id_is_valid(*cursor)) {
        cm_validate_fail(problem_p, "cursor", "is not a cursor of this list");
    }
    return *problem_p == NULL;
}

// One row of the stock list: the item's total and, with a location, its
// balance there.
static json_t *
s_stock_row(const json_t *item, const int64_t *values, const char *location)
{
    int64_t point = cm_doc_integer(item, "reorder_point");
    int64_t max = cm_doc_integer(item, "max_stock");
    json_t *row = json_pack(
        "{s:O, s:O, s:I, s:I, s:I, s:b, s:b}", "item",
        json_object_get(item, "id"), "name", json_object_get(item, "name"),
        "on_hand", (json_int_t)values[0], "reorder_point", (json_int_t)point,
        "max_stock", (json_int_t)max, "low", values[0] <= point, "overstock",
        max > 0 && values[0] > max);
    if (location) {
        json_object_set_new(row, "at_location", json_integer(values[1]));
    }
    return row;
}

// The balances of a page of items: [{item, name, on_hand, ...}]. 0 or a
// status.
static int
s_stock_rows(cm_store_t *store, const cm_page_t *page, const char *location,
             json_t *rows)
{
    size_t n = page->count, per = location ? 2 : 1;
    json_t **docs = calloc(n + 1, sizeof *docs);
    int64_t *versions = calloc(n + 1, sizeof *versions);
    char(*keys)[CM_STORE_KEY_MAX] = calloc(n * per + 1, sizeof *keys);
    const char **names = calloc(n * per + 1, sizeof *names);
    int64_t *values = calloc(n * per + 1, sizeof *values);
    if (!docs || !versions || !keys || !names || !values) {
        abort(); // out of memory
    }
    for (size_t i = 0; i < n; i++) {
        names[i * per] = s_balance_key(keys[i * per], page->members[i], NULL);
        if (location) {
            names[i * per + 1] =
                s_balance_key(keys[i * per + 1], page->members[i], location);
        }
    }
    int rc = n == 0 ? 0
                    : cm_doc_read_many(store, &item_type,
                                       (const char *const *)page->members, n,
                                       docs, versions);
    if (rc == 0 && n > 0) {
        const char *fields[] = {STOCK_FIELD_ON_HAND};
        rc = cm_store_counters(store, names, n * per, fields, 1, values);
    }
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && docs[i]) {
            json_array_append_new(
                rows, s_stock_row(docs[i], &values[i * per], location));
        }
        json_decref(docs[i]);
    }
    free(docs);
    free(versions);
    free(keys);
    free(names);
    free(values);
    return rc;
}

// GET /v1/stock without item: every item's balances, a page at a time.
static void
s_stock_list(cm_ctx_t *ctx, const char *location)
{
    json_t *problem = NULL;
    size_t limit = 0;
    const char *cursor = NULL;
    if (!s_page_query(ctx, &limit, &cursor, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char index[CM_STORE_KEY_MAX];
    cm_doc_index_key(&item_type, NULL, NULL, index, sizeof index);
    cm_page_t page;
    int rc =
        cm_store_list(cm_ctx_store(ctx), index, cursor,
                      limit > S_LIST_MAX ? S_LIST_MAX : limit, false, &page);
    if (rc == CM_EINVAL) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *rows = json_array();
    rc = rc == 0 ? s_stock_rows(cm_ctx_store(ctx), &page, location, rows) : rc;
    if (rc != 0) {
        json_decref(rows);
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    json_t *reply = json_pack("{s:o, s:s?}", "items", rows, "next_cursor",
                              page.next_cursor);
    if (!page.next_cursor) {
        json_object_set_new(reply, "next_cursor", json_null());
    }
    cm_page_clear(&page);
    cm_ctx_reply(ctx, 200, reply);
}

void
stock_get(cm_ctx_t *ctx)
{
    if (!s_query_only(ctx, "item location limit cursor")) {
        return;
    }
    const char *id = cm_ctx_query(ctx, "item");
    const char *location = cm_ctx_query(ctx, "location");
    json_t *problem = NULL;
    if (id && !*id) {
        cm_validate_fail(&problem, "item", "must not be blank");
    }
    if (location && !inventory_is_location(ctx, location)) {
        cm_validate_fail(&problem, "location", "is not a storage location");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (!id) {
        s_stock_list(ctx, location);
        return;
    }
    json_t *item = s_item(ctx, id);
    if (!item) {
        return;
    }
    char key[CM_STORE_KEY_MAX];
    cm_page_t page = {0};
    int rc = location ? 0
                      : cm_store_list(cm_ctx_store(ctx),
                                      stock_locations_key(key, id), NULL,
                                      STOCK_LOCATIONS_MAX, false, &page);
    int64_t total = 0;
    json_t *locations = NULL;
    if (rc == 0) {
        char *one[] = {(char *)location};
        rc =
            stock_balances(cm_ctx_store(ctx), id, location ? one : page.members,
                           location ? 1 : page.count, &total, &locations);
    }
    cm_page_clear(&page);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
    } else {
        cm_ctx_reply(ctx, 200, s_stock_view(item, total, locations));
    }
    json_decref(item);
}

// A time bound of the ledger query (RFC 3339) as a stream id "<ms>" into
// buf; NULL when absent. Errors into *problem_p.
static const char *
s_time_bound(cm_ctx_t *ctx, const char *name, char *buf, size_t size,
             json_t **problem_p)
{
    const char *text = cm_ctx_query(ctx, name);
    int64_t ms = 0;
    if (!text) {
        return NULL;
    }
    if (cm_time_parse(text, &ms) != 0 || ms < 0) {
        cm_validate_fail(problem_p, name, "must be an RFC 3339 date-time");
        return NULL;
    }
    snprintf(buf, size, "%" PRId64, ms);
    return buf;
}

void
stock_ledger(cm_ctx_t *ctx)
{
    if (!s_query_only(ctx, "from to limit cursor")) {
        return;
    }
    if (!inventory_may_read_ledger(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "store keepers, deputy heads, finance and "
                           "auditors read the ledger");
        return;
    }
    json_t *problem = NULL;
    size_t limit = 0;
    const char *cursor = NULL;
    char from[CM_STORE_NUM_MAX], to[CM_STORE_NUM_MAX];
    s_page_query(ctx, &limit, &cursor, &problem);
    const char *min = s_time_bound(ctx, "from", from, sizeof from, &problem);
    const char *max = s_time_bound(ctx, "to", to, sizeof to, &problem);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    const char *id = cm_ctx_param(ctx, "id");
    json_t *item = s_item(ctx, id);
    if (!item) {
        return;
    }
    json_decref(item);
    char key[CM_STORE_KEY_MAX];
    cm_stream_page_t page;
    int rc = cm_stream_read(cm_ctx_store(ctx), stock_ledger_key(key, id),
                            cursor, min, max, limit, false, &page);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    json_t *reply = json_pack("{s:s, s:O, s:s?}", "item", id, "items",
                              page.entries, "next_cursor", page.next_cursor);
    if (!page.next_cursor) {
        json_object_set_new(reply, "next_cursor", json_null());
    }
    cm_stream_page_clear(&page);
    cm_ctx_reply(ctx, 200, reply);
}
