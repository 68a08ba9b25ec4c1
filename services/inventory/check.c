#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_approval.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/inventory.h"
#include "inventory.h"
#include "item.h"
#include "stock.h"

#define S_FIELD_MAX      64
#define S_DETAIL_MAX     256
#define S_QTY_MAX        1000000000LL
#define S_WITHIN_MAX     365
#define S_WITHIN_DEFAULT 30
#define S_LOTS_MAX       1000 // lots read per item and location
#define S_LEASE_MS       30000
#define S_BATCH          50
#define S_DUE_INDEX      "idx:check_due"
#define S_DUE_TIMERS     "timers:check_due"
#define S_RESULTS        "ok damaged expired"

// ---- due checks

static const char *
s_due_key(char *buf)
{
    return inventory_key(buf, S_DUE_INDEX, NULL);
}

static const char *
s_timer_key(char *buf)
{
    return inventory_key(buf, S_DUE_TIMERS, NULL);
}

// When item is next due for a check (ms), 0 when it has no interval.
static int64_t
s_next_check_ms(const json_t *item)
{
    int64_t days = item ? cm_doc_integer(item, "check_interval_days") : 0;
    if (days <= 0) {
        return 0;
    }
    int64_t created = cm_doc_time(item, "created_at", 0);
    return cm_doc_time(item, "last_checked_at", created) + days * STOCK_DAY_MS;
}

void
check_item_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
                   int64_t now_ms)
{
    (void)now_ms; // the due time is the item's own
    int64_t before = s_next_check_ms(old), after = s_next_check_ms(doc);
    if (before == after) {
        return;
    }
    char due[CM_STORE_KEY_MAX], timers[CM_STORE_KEY_MAX];
    const char *id = cm_doc_text(doc, "id");
    if (after == 0) {
        cm_commit_index_remove(commit, s_due_key(due), id);
        cm_commit_index_remove(commit, s_timer_key(timers), id);
        return;
    }
    cm_commit_index_add(commit, s_due_key(due), id, after);
    cm_commit_index_add(commit, s_timer_key(timers), id, after);
}

// The end of `by` (a date; NULL: now) in ms; -1 after adding the error.
static int64_t
s_due_by(const char *by, int64_t now_ms, json_t **problem_p)
{
    if (!by) {
        return now_ms;
    }
    int64_t day = stock_date_ms(by);
    if (day < 0) {
        cm_validate_fail(problem_p, "by", "must be a date (YYYY-MM-DD)");
        return -1;
    }
    return day + STOCK_DAY_MS - 1;
}

void
check_due_list(cm_ctx_t *ctx)
{
    json_t *problem = NULL;
    const char *flag = cm_ctx_query(ctx, "check_due");
    if (strcmp(flag, "true") != 0) {
        cm_validate_fail(&problem, "check_due", "must be true");
    }
    const json_t *query = cm_ctx_query_object(ctx);
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)query, name, value)
    {
        if (!cm_validate_name_in("check_due by", name)) {
            cm_validate_fail(&problem, name, "is not a parameter of this list");
        }
    }
    int64_t by = s_due_by(cm_ctx_query(ctx, "by"), cm_time_now_ms(), &problem);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char key[CM_STORE_KEY_MAX], cursor[CM_STORE_NUM_MAX + 2];
    snprintf(cursor, sizeof cursor, "%" PRId64 ":", by + 1);
    cm_page_t page;
    int rc = cm_store_list(cm_ctx_store(ctx), s_due_key(key), cursor,
                           CHECK_ITEMS_MAX, false, &page);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = page.count; i-- > 0;) { // earliest due first
        char at[CM_TIME_TEXT_MAX];
        json_array_append_new(
            items, json_pack("{s:s, s:s}", "item", page.members[i], "due_at",
                             cm_time_format(page.scores[i], at)));
    }
    json_t *reply = json_pack("{s:o, s:b}", "items", items, "more",
                              page.next_cursor != NULL);
    cm_page_clear(&page);
    cm_ctx_reply(ctx, 200, reply);
}

// The service's own actor, for what the tick writes.
static json_t *
s_self_actor(void)
{
    return json_pack("{s:s, s:s}", "id", INVENTORY_OWNER, "role",
                     INVENTORY_OWNER);
}

// Announce one item's due check: the item records the due date it
// announced (at its version), so a second claim of the same date writes
// nothing. Returns the next time to look again (0: never).
static int64_t
s_announce(cm_store_t *store, const char *id, int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    if (cm_doc_read(store, &item_type, id, &doc, &version) != 0) {
        return 0; // gone, or Redis away: the lease brings it back
    }
    int64_t due = s_next_check_ms(doc);
    char date[CM_TIME_TEXT_MAX];
    cm_time_format(due, date);
    date[10] = '\0';
    if (due == 0 || due > now_ms
        || strcmp(cm_doc_text(doc, "check_announced_for"), date) == 0) {
        json_decref(doc);
        return due > now_ms ? due : 0;
    }
    json_t *old = json_deep_copy(doc), *actor = s_self_actor();
    cm_doc_set_string(doc, "check_announced_for", date);
    cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
    int rc = cm_doc_commit(commit, &item_type, old, doc, version, now_ms);
    char at[CM_TIME_TEXT_MAX], timers[CM_STORE_KEY_MAX];
    rc = rc == 0 ? cm_doc_event_add(
             commit, &item_type, INVENTORY_EVENT_ITEM_CHECK_DUE, doc,
             version + 1, actor, NULL,
             json_pack("{s:s}", "due_at", cm_time_format(due, at)))
                 : rc;
    cm_commit_index_remove(commit, s_timer_key(timers), id);
    cm_commit_result_t result;
    if (rc == 0 && cm_store_commit(store, commit, &result) == 0) {
        if (result.outcome == CM_COMMIT_OK) {
            cm_log_info("inventory.check.due", "item", id, "due", date);
        }
        cm_commit_result_clear(&result);
    }
    cm_commit_destroy(&commit);
    json_decref(actor);
    json_decref(old);
    json_decref(doc);
    return 0;
}

void
check_due_tick(cm_store_t *store, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    char **due = NULL;
    size_t count = 0;
    s_timer_key(key);
    if (cm_store_timer_claim(store, key, now_ms, S_LEASE_MS, S_BATCH, &due,
                             &count)
        != 0) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int64_t next = s_announce(store, due[i], now_ms);
        cm_store_timer_settle(store, key, due[i], now_ms + S_LEASE_MS, next);
    }
    cm_store_strings_free(&due, count);
}

// ---- the lines: on hand and what expires

// What of on_hand at item's location has expired by today and what expires
// within `within` days, from the receipt lots, latest expiry first: the
// store issues first-expiry-first-out, so what is on hand is the latest
// received part. Stock no lot accounts for (returns, count surpluses) is
// not counted as expiring. Sets line members. 0 or a store status.
static int
s_expiry(cm_store_t *store, json_t *line, int64_t on_hand, int within,
         int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX];
    cm_page_t page;
    int rc = cm_store_list(store,
                           stock_lots_key(key, cm_doc_text(line, "item"),
                                          cm_doc_text(line, "location")),
                           NULL, S_LOTS_MAX, false, &page);
    if (rc != 0) {
        return rc;
    }
    int64_t today = now_ms - now_ms % STOCK_DAY_MS;
    int64_t horizon = today + (within + 1) * STOCK_DAY_MS;
    int64_t expired = 0, expiring = 0, earliest = 0, left = on_hand;
    for (size_t i = 0; i < page.count && left > 0; i++) {
        const char *bar = strchr(page.members[i], '|');
        int64_t quantity = bar ? strtoll(bar + 1, NULL, 10) : 0;
        int64_t part = quantity < left ? quantity : left;
        int64_t expires = page.scores[i];
        left -= part;
        if (part <= 0 || expires >= STOCK_NEVER_MS) {
            continue;
        }
        earliest = expires;
        expired += expires < today ? part : 0;
        expiring += expires >= today && expires < horizon ? part : 0;
    }
    cm_page_clear(&page);
    json_object_set_new(line, "expired", json_integer(expired));
    json_object_set_new(line, "expiring", json_integer(expiring));
    char at[CM_TIME_TEXT_MAX];
    if (earliest > 0) {
        cm_time_format(earliest, at);
        at[10] = '\0';
    }
    json_object_set_new(line, "earliest_expiry",
                        earliest > 0 ? json_string(at) : json_null());
    return 0;
}

// The line of one item: on hand at its location and its expiry figures.
// 0 or a store status.
static int
s_line_of(cm_store_t *store, const json_t *item, int within, int64_t now_ms,
          json_t *lines)
{
    const char *id = cm_doc_text(item, "id");
    const char *location = cm_doc_text(item, "location");
    char *where[] = {(char *)location};
    int64_t total = 0;
    json_t *balances = NULL;
    int rc = stock_balances(store, id, where, 1, &total, &balances);
    if (rc != 0) {
        return rc;
    }
    int64_t on_hand =
        cm_doc_integer(json_array_get(balances, 0), STOCK_FIELD_ON_HAND);
    json_decref(balances);
    json_t *line = json_pack("{s:s, s:O, s:s, s:s, s:I}", "item", id, "name",
                             json_object_get(item, "name"), "location",
                             location, "control_class",
                             cm_doc_string(item, "control_class")
                                 ? cm_doc_text(item, "control_class")
                                 : "normal",
                             "on_hand", (json_int_t)on_hand);
    rc = s_expiry(store, line, on_hand, within, now_ms);
    json_array_append_new(lines, line);
    return rc;
}

// The ids of the items due now (at most CHECK_ITEMS_MAX) into ids. 0 or a
// store status.
static int
s_due_ids(cm_store_t *store, int64_t now_ms, json_t *ids)
{
    char key[CM_STORE_KEY_MAX], cursor[CM_STORE_NUM_MAX + 2];
    snprintf(cursor, sizeof cursor, "%" PRId64 ":", now_ms + 1);
    cm_page_t page;
    int rc = cm_store_list(store, s_due_key(key), cursor, CHECK_ITEMS_MAX,
                           false, &page);
    for (size_t i = page.count; rc == 0 && i-- > 0;) {
        json_array_append_new(ids, json_string(page.members[i]));
    }
    if (rc == 0) {
        cm_page_clear(&page);
    }
    return rc;
}

// The lines of the named items (ids, checked: each once). NULL after
// answering (400 naming an unknown item, 503).
static json_t *
s_lines(cm_ctx_t *ctx, const json_t *ids, int within, int64_t now_ms)
{
    json_t *lines = json_array(), *problem = NULL;
    cm_store_t *store = cm_ctx_store(ctx);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        json_t *item = NULL;
        int64_t version = 0;
        char field[S_FIELD_MAX];
        snprintf(field, sizeof field, "items[%zu]", i);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(json_string_value(json_array_get(ids, j)), id) == 0) {
                cm_validate_fail(&problem, field, "names an item twice");
            }
        }
        rc = cm_doc_read(store, &item_type, id, &item, &version);
        if (rc == CM_ENOTFOUND) {
            cm_validate_fail(&problem, field,
                             "is not an item of the catalogue");
            rc = 0;
        } else if (rc == 0 && !problem) {
            rc = s_line_of(store, item, within, now_ms, lines);
        }
        json_decref(item);
    }
    if (rc != 0) {
        json_decref(problem);
        cm_ctx_fail_status(ctx, rc, NULL);
    } else if (problem) {
        cm_ctx_fail(ctx, problem);
    }
    if (rc != 0 || problem) {
        json_decref(lines);
        return NULL;
    }
    return lines;
}

// ---- bodies

static bool
s_check_item_id(const json_t *value, const char *field, json_t **problem_p)
{
    const char *text = json_string_value(value);
    size_t length = text ? strlen(text) : 0;
    if (length == 0 || length >= CM_ID_MAX
        || strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789_.-")
               != length) {
        return cm_validate_fail(problem_p, field, "must be an item id");
    }
    return true;
}

static const cm_field_t s_create_fields[] = {
    {"items", CM_FIELD_ARRAY, CM_FIELD_NONEMPTY, .max = CHECK_ITEMS_MAX,
     .check = s_check_item_id},
    {"within_days", CM_FIELD_INTEGER, 0, .min = 0, .max = S_WITHIN_MAX},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static bool
s_check_result(const json_t *value, const char *field, json_t **problem_p)
{
    static const cm_field_t fields[] = {
        {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
        {"result", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = S_RESULTS},
        {"quantity", CM_FIELD_INTEGER, 0, .min = 1, .max = S_QTY_MAX},
        {"note", CM_FIELD_TEXT, 0, .max = 1000},
        CM_FIELD_END,
    };
    if (!json_is_object(value)) {
        return cm_validate_fail(problem_p, field, "must be an object");
    }
    if (!cm_field_check_object(fields, value, field, problem_p)) {
        return false;
    }
    bool ok = strcmp(cm_doc_text(value, "result"), "ok") == 0;
    bool has = json_object_get(value, "quantity") != NULL;
    char path[S_FIELD_MAX];
    snprintf(path, sizeof path, "%s.quantity", field);
    if (!ok && !has) {
        return cm_validate_fail(problem_p, path,
                                "is required for damaged or expired goods");
    }
    if (ok && has) {
        return cm_validate_fail(problem_p, path,
                                "only damaged or expired goods have one");
    }
    return true;
}

static const cm_field_t s_record_fields[] = {
    {"lines", CM_FIELD_ARRAY, CM_FIELD_REQUIRED | CM_FIELD_NONEMPTY,
     .max = CHECK_ITEMS_MAX, .check = s_check_result},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_complete_fields[] = {
    {"reason", CM_FIELD_TEXT, 0, .max = 1000},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_reason_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    CM_FIELD_END,
};

// ---- effects

// The check's line of item, or NULL. Borrowed.
static json_t *
s_line(json_t *doc, const char *item)
{
    json_t *lines = json_object_get(doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "item"), item) == 0) {
            return line;
        }
    }
    return NULL;
}

// The item was checked now: its last check moves (and with it its due
// time, check_item_indexes) in the check's commit, at the version read.
static json_t *
s_checked(cm_action_t *a, const char *id)
{
    json_t *item = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(a->store, &item_type, id, &item, &version);
    if (rc == CM_ENOTFOUND) {
        return NULL; // nothing to move
    }
    if (rc != 0) {
        return cm_problem_from_status(CM_EUNAVAILABLE, NULL);
    }
    json_t *old = json_deep_copy(item);
    cm_doc_set_time(item, "last_checked_at", a->now_ms);
    rc = cm_doc_commit(a->commit, &item_type, old, item, version, a->now_ms);
    json_decref(old);
    json_decref(item);
    return rc == 0 ? NULL : cm_problem_from_status(CM_EINTERNAL, NULL);
}

// One recorded line (in: the body's, checked) onto the check's line.
static json_t *
s_record_line(cm_action_t *a, size_t i, const json_t *in, json_t **problem_p)
{
    char field[S_FIELD_MAX];
    json_t *line = s_line(a->doc, cm_doc_text(in, "item"));
    if (!line) {
        snprintf(field, sizeof field, "lines[%zu].item", i);
        cm_validate_fail(problem_p, field, "is not an item of this check");
        return NULL;
    }
    int64_t quantity = cm_doc_integer(in, "quantity");
    if (quantity > cm_doc_integer(line, "on_hand")) {
        char detail[S_DETAIL_MAX];
        snprintf(field, sizeof field, "lines[%zu].quantity", i);
        snprintf(detail, sizeof detail,
                 "%s has %" PRId64 " on hand at %s; %" PRId64 " cannot be "
                 "damaged or expired",
                 cm_doc_text(line, "item"), cm_doc_integer(line, "on_hand"),
                 cm_doc_text(line, "location"), quantity);
        json_t *problem = cm_problem_new(422, "exceeds_on_hand", detail);
        cm_problem_add_error(problem, field, "is more than on hand");
        cm_problem_set(problem, "on_hand",
                       json_integer(cm_doc_integer(line, "on_hand")));
        return problem;
    }
    json_object_set(line, "result", json_object_get(in, "result"));
    json_object_set_new(line, "quantity", json_integer(quantity));
    json_object_del(line, "note");
    if (json_is_string(json_object_get(in, "note"))) {
        json_object_set(line, "note", json_object_get(in, "note"));
    }
    cm_doc_set_time(line, "recorded_at", a->now_ms);
    cm_doc_set_string(line, "recorded_by", cm_doc_text(a->actor, "id"));
    return s_checked(a, cm_doc_text(line, "item"));
}

static json_t *
s_record(cm_action_t *a)
{
    const json_t *in = json_object_get(a->body, "lines");
    json_t *problem = NULL;
    for (size_t i = 0; i < json_array_size(in); i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cm_doc_text(json_array_get(in, i), "item"),
                       cm_doc_text(json_array_get(in, j), "item"))
                == 0) {
                char field[S_FIELD_MAX];
                snprintf(field, sizeof field, "lines[%zu].item", i);
                cm_validate_fail(&problem, field, "names an item twice");
            }
        }
    }
    for (size_t i = 0; !problem && i < json_array_size(in); i++) {
        json_t *refused = s_record_line(a, i, json_array_get(in, i), &problem);
        if (refused) {
            json_decref(problem);
            return refused;
        }
    }
    return problem;
}

// The quantity a check writes off and the class of its approval (any
// valuable or limited item: "valuable").
static int64_t
s_loss(const json_t *doc, const char **item_class)
{
    const json_t *lines = json_object_get(doc, "lines");
    int64_t total = 0;
    *item_class = "normal";
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "result"), "ok") == 0) {
            continue;
        }
        total += cm_doc_integer(line, "quantity");
        if (strcmp(cm_doc_text(line, "control_class"), "normal") != 0) {
            *item_class = "valuable";
        }
    }
    return total;
}

static json_t *s_write_off(cm_action_t *a);

static json_t *
s_complete(cm_action_t *a)
{
    const json_t *lines = json_object_get(a->doc, "lines");
    for (size_t i = 0; i < json_array_size(lines); i++) {
        if (!json_object_get(json_array_get(lines, i), "result")) {
            char detail[S_DETAIL_MAX];
            snprintf(detail, sizeof detail,
                     "line %zu (%s) has no result: record every line first", i,
                     cm_doc_text(json_array_get(lines, i), "item"));
            json_t *problem =
                cm_action_refuse(a, 409, "lines_unrecorded", detail);
            cm_problem_set(problem, "line", json_integer((json_int_t)i));
            return problem;
        }
    }
    const char *item_class = NULL;
    int64_t loss = s_loss(a->doc, &item_class);
    json_object_set_new(a->doc, "write_off_total", json_integer(loss));
    if (loss == 0) {
        a->next_state = "closed";
        return NULL;
    }
    const char *reason = cm_doc_string(a->body, "reason");
    if (!reason || !*reason) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "reason",
                         "is required to write off damaged or expired goods");
        return problem;
    }
    json_object_set_new(a->doc, "reason", json_string(reason));
    json_t *problem =
        cm_approval_submit(a, "stock_write_off", INVENTORY_DEPARTMENT, loss,
                           item_class, "pending", "written_off");
    // A rule without steps approves at once: the write-off goes with it.
    return problem || !cm_approval_is_complete(a->doc) ? problem
                                                       : s_write_off(a);
}

// One write_off ledger entry of a line. 0 or a store status.
static int
s_write_off_line(cm_action_t *a, const json_t *line)
{
    int64_t number = 0;
    int rc = cm_store_next_id(a->store, INVENTORY_OWNER, "movement", &number);
    if (rc != 0) {
        return rc;
    }
    char id[CM_ID_MAX], at[CM_TIME_TEXT_MAX];
    snprintf(id, sizeof id, "MV-%" PRId64, number);
    json_t *entry =
        json_pack("{s:s, s:s, s:O, s:O, s:s, s:I, s:O, s:O, s:O, s:{s:O, s:O}}",
                  "id", id, "at", cm_time_format(a->now_ms, at), "item",
                  json_object_get(line, "item"), "location",
                  json_object_get(line, "location"), "kind", "write_off",
                  "quantity", (json_int_t)-cm_doc_integer(line, "quantity"),
                  "reference", json_object_get(a->doc, "id"), "reason",
                  json_object_get(a->doc, "reason"), "result",
                  json_object_get(line, "result"), "actor", "id",
                  json_object_get(a->actor, "id"), "role",
                  json_object_get(a->actor, "role"));
    stock_commit_entry(a->commit, entry, a->now_ms);
    json_t *entries = json_object_get(a->doc, "entries");
    json_array_append_new(entries, entry);
    return 0;
}

// A write-off the balances refused (stock moved meanwhile, or a count is
// open there): 422 insufficient_stock / 409 count_open, nothing written.
static void
s_after_write_off(cm_action_t *a, int outcome)
{
    stock_answer_limit(a->ctx, outcome);
}

// The approved write-off: one write_off entry per damaged or expired line,
// in the action's commit, and its event.
static json_t *
s_write_off(cm_action_t *a)
{
    const json_t *lines = json_object_get(a->doc, "lines");
    json_object_set_new(a->doc, "entries", json_array());
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (strcmp(cm_doc_text(line, "result"), "ok") != 0
            && s_write_off_line(a, line) != 0) {
            return cm_problem_from_status(CM_EUNAVAILABLE, NULL);
        }
    }
    a->after_commit = s_after_write_off;
    cm_action_event(
        a, INVENTORY_EVENT_CHECK_WRITTEN_OFF,
        json_pack("{s:O}", "entries", json_object_get(a->doc, "entries")));
    return NULL;
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "written_off");
    if (problem || !cm_approval_is_complete(a->doc)) {
        return problem;
    }
    return s_write_off(a);
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "rejected");
}

#define S_K     INVENTORY_KEEPERS
#define S_GUARD inventory_keeper_guard

static const cm_workflow_row_t s_rows[] = {
    {"open", "record", S_K, 0, NULL, CM_WORKFLOW_STAY,
     INVENTORY_EVENT_CHECK_RECORDED, s_record_fields, s_record, S_GUARD},
    {"open", "complete", S_K, 0, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_CHECK_COMPLETED, s_complete_fields, s_complete, S_GUARD},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_CHECK_STEP_APPROVED, cm_approval_approve_fields,
     s_approve},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     INVENTORY_EVENT_CHECK_REJECTED, cm_approval_reject_fields, s_reject},
    {"open", "cancel", S_K, 0, NULL, "cancelled",
     INVENTORY_EVENT_CHECK_CANCELLED, s_reason_fields, NULL, S_GUARD},
};

const cm_workflow_t check_workflow = {
    .name = "stock_check",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed written_off rejected cancelled",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"state", NULL, "open pending closed written_off rejected cancelled"},
    {NULL},
};

const cm_doc_type_t check_type = {
    .owner = INVENTORY_OWNER,
    .kind = "stock_check",
    .what = "stock check",
    .id_prefix = "CK",
    .path = "/v1/stock-checks",
    .filters = s_filters,
    .workflow = &check_workflow,
    .history_keep = 10,
};

// ---- handlers

// The items a new check covers: the body's, else those due now. NULL after
// answering (422 nothing_due, 503).
static json_t *
s_scope(cm_ctx_t *ctx, const json_t *body, int64_t now_ms)
{
    const json_t *named = json_object_get(body, "items");
    if (json_is_array(named)) {
        return json_deep_copy(named);
    }
    json_t *ids = json_array();
    int rc = s_due_ids(cm_ctx_store(ctx), now_ms, ids);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
    } else if (json_array_size(ids) == 0) {
        cm_ctx_fail(ctx, cm_problem_new(422, "nothing_due",
                                        "no item is due for a check: name "
                                        "the items to check"));
    }
    if (rc != 0 || json_array_size(ids) == 0) {
        json_decref(ids);
        return NULL;
    }
    return ids;
}

void
check_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!inventory_is_keeper(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the logistics store keepers check stored goods");
        return;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    const json_t *given = json_object_get(body, "within_days");
    int within = given ? (int)json_integer_value(given) : S_WITHIN_DEFAULT;
    json_t *ids = s_scope(ctx, body, now);
    json_t *lines = ids ? s_lines(ctx, ids, within, now) : NULL;
    char id[CM_ID_MAX];
    if (lines && cm_doc_next_id(ctx, &check_type, id) == 0) {
        json_t *doc = cm_doc_new(id, "open", cm_ctx_actor(ctx), now);
        json_object_set_new(doc, "within_days", json_integer(within));
        json_object_set(doc, "lines", lines);
        json_object_set_new(doc, "department",
                            json_string(INVENTORY_DEPARTMENT));
        json_object_set_new(doc, "requested_by",
                            json_string(cm_ctx_actor_id(ctx)));
        cm_commit_t *commit = cm_commit_new(INVENTORY_OWNER);
        cm_doc_commit(commit, &check_type, NULL, doc, CM_VERSION_NEW, now);
        cm_doc_event(ctx, commit, &check_type, INVENTORY_EVENT_CHECK_CREATED,
                     doc, 1, NULL);
        if (cm_doc_reply_commit(ctx, commit, &check_type, 201, doc, 1)
            == CM_COMMIT_OK) {
            cm_log_info("inventory.check.opened", "check", id);
        }
        cm_commit_destroy(&commit);
        json_decref(doc);
    }
    json_decref(lines);
    json_decref(ids);
}

void
check_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &check_type, NULL);
}

void
check_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &check_type);
}

void
check_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &check_type);
}

void
check_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &check_type);
}
