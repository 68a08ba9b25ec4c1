#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "inventory.h"
#include "item.h"
#include "stock.h"

#define S_DAY_MS       86400000LL
#define S_SLOW_DEFAULT 90
#define S_LIST_MAX     200 // entries of each list

typedef struct {
    json_t *last_issue; // {item: ms}
    int64_t slow_before_ms;
    json_t *shortages, *overstock, *slow, *valuable;
    size_t items;
    int64_t shortage_count; // every shortage (the list stops at S_LIST_MAX)
} s_report_t;

static void
s_add(json_t *list, json_t *entry)
{
    if (json_array_size(list) < S_LIST_MAX) {
        json_array_append_new(list, entry);
    } else {
        json_decref(entry);
    }
}

// One item into the report's lists.
static void
s_item(s_report_t *r, const json_t *item, int64_t on_hand)
{
    const char *id = cm_doc_text(item, "id");
    int64_t point = cm_doc_integer(item, "reorder_point");
    int64_t max = cm_doc_integer(item, "max_stock");
    json_t *base = json_pack("{s:s, s:O, s:I}", "item", id, "name",
                             json_object_get(item, "name"), "on_hand",
                             (json_int_t)on_hand);
    if (on_hand <= point) {
        r->shortage_count++;
        json_t *e = json_deep_copy(base);
        json_object_set_new(e, "reorder_point", json_integer(point));
        s_add(r->shortages, e);
    }
    if (max > 0 && on_hand > max) {
        json_t *e = json_deep_copy(base);
        json_object_set_new(e, "max_stock", json_integer(max));
        s_add(r->overstock, e);
    }
    const json_t *last = json_object_get(r->last_issue, id);
    if (on_hand > 0
        && (!last || json_integer_value(last) < r->slow_before_ms)) {
        json_t *e = json_deep_copy(base);
        char at[CM_TIME_TEXT_MAX];
        json_object_set_new(
            e, "last_issue_at",
            last ? json_string(cm_time_format(json_integer_value(last), at))
                 : json_null());
        s_add(r->slow, e);
    }
    const char *cls = cm_doc_text(item, "control_class");
    if (on_hand > 0 && strcmp(cls, "normal") != 0) {
        json_t *e = json_deep_copy(base);
        json_object_set_new(e, "control_class", json_string(cls));
        s_add(r->valuable, e);
    }
    json_decref(base);
    r->items++;
}

// One page of the catalogue into the report.
static int
s_page(cm_store_t *store, const cm_page_t *page, s_report_t *r)
{
    size_t n = page->count;
    json_t **docs = calloc(n + 1, sizeof *docs);
    int64_t *versions = calloc(n + 1, sizeof *versions);
    int64_t *totals = calloc(n + 1, sizeof *totals);
    char(*keys)[CM_STORE_KEY_MAX] = calloc(n + 1, sizeof *keys);
    const char **names = calloc(n + 1, sizeof *names);
    if (!docs || !versions || !totals || !keys || !names) {
        abort(); // out of memory
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = inventory_key(keys[i], "stock", page->members[i]);
    }
    const char *fields[] = {STOCK_FIELD_ON_HAND};
    int rc = n == 0 ? 0
                    : cm_doc_read_many(store, &item_type,
                                       (const char *const *)page->members, n,
                                       docs, versions);
    rc = rc == 0 && n > 0
             ? cm_store_counters(store, names, n, fields, 1, totals)
             : rc;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && docs[i]) {
            s_item(r, docs[i], totals[i]);
        }
        json_decref(docs[i]);
    }
    free(docs);
    free(versions);
    free(totals);
    free(keys);
    free(names);
    return rc;
}

// Every page of index into fn. 0 or a store status.
static int
s_walk(cm_store_t *store, const char *index,
       int (*fn)(cm_store_t *, const cm_page_t *, s_report_t *), s_report_t *r)
{
    char *cursor = NULL;
    int rc = 0;
    do {
        cm_page_t page;
        rc = cm_store_list(store, index, cursor, CM_STORE_PAGE_MAX, false,
                           &page);
        free(cursor);
        cursor = NULL;
        if (rc != 0) {
            break;
        }
        rc = fn(store, &page, r);
        if (rc == 0 && page.next_cursor) {
            cursor = strdup(page.next_cursor);
        }
        cm_page_clear(&page);
    } while (rc == 0 && cursor);
    free(cursor);
    return rc;
}

static int
s_issues(cm_store_t *store, const cm_page_t *page, s_report_t *r)
{
    (void)store; // the page holds what is needed
    for (size_t i = 0; i < page->count; i++) {
        json_object_set_new(r->last_issue, page->members[i],
                            json_integer(page->scores[i]));
    }
    return 0;
}

// slow_days of the query: 1..3650 (default 90); -1 after answering 400.
static int64_t
s_slow_days(cm_ctx_t *ctx)
{
    const json_t *query = cm_ctx_query_object(ctx);
    const char *name;
    json_t *value;
    json_t *problem = NULL;
    json_object_foreach((json_t *)query, name, value)
    {
        if (strcmp(name, "slow_days") != 0) {
            cm_validate_fail(&problem, name,
                             "is not a parameter of this report");
        }
    }
    const char *text = cm_ctx_query(ctx, "slow_days");
    long days = S_SLOW_DEFAULT;
    if (text) {
        char *end = NULL;
        days = strtol(text, &end, 10);
        if (*end || days < 1 || days > 3650) {
            cm_validate_fail(&problem, "slow_days",
                             "must be an integer 1..3650");
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return days;
}

void
report_stock(cm_ctx_t *ctx)
{
    if (!inventory_may_read_ledger(ctx)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "store keepers, deputy heads, finance and "
                           "auditors read the stock report");
        return;
    }
    int64_t days = s_slow_days(ctx);
    if (days < 0) {
        return;
    }
    s_report_t r = {.last_issue = json_object(),
                    .slow_before_ms = cm_time_now_ms() - days * S_DAY_MS,
                    .shortages = json_array(),
                    .overstock = json_array(),
                    .slow = json_array(),
                    .valuable = json_array()};
    char issues[CM_STORE_KEY_MAX], items[CM_STORE_KEY_MAX];
    cm_doc_index_key(&item_type, NULL, NULL, items, sizeof items);
    int rc =
        s_walk(cm_ctx_store(ctx), stock_last_issue_key(issues), s_issues, &r);
    rc = rc == 0 ? s_walk(cm_ctx_store(ctx), items, s_page, &r) : rc;
    json_decref(r.last_issue);
    if (rc != 0) {
        json_decref(r.shortages);
        json_decref(r.overstock);
        json_decref(r.slow);
        json_decref(r.valuable);
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}", "items_checked",
                           (json_int_t)r.items, "slow_days", (json_int_t)days,
                           "shortages", r.shortages, "overstock", r.overstock,
                           "slow_movers", r.slow, "valuable_on_hand",
                           r.valuable));
}

int
report_shortages(cm_store_t *store, int64_t *items, int64_t *shortages)
{
    s_report_t r = {.last_issue = json_object(),
                    .shortages = json_array(),
                    .overstock = json_array(),
                    .slow = json_array(),
                    .valuable = json_array()};
    char index[CM_STORE_KEY_MAX];
    cm_doc_index_key(&item_type, NULL, NULL, index, sizeof index);
    int rc = s_walk(store, index, s_page, &r);
    json_decref(r.last_issue);
    json_decref(r.shortages);
    json_decref(r.overstock);
    json_decref(r.slow);
    json_decref(r.valuable);
    *items = (int64_t)r.items;
    *shortages = r.shortage_count;
    return rc;
}
