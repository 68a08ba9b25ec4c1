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

#define S_DIFF_MAX 200 // differences a verify report lists

// ---- verify

typedef struct {
    size_t items;       // items checked
    int64_t entries;    // ledger entries added up
    size_t differences; // balances that differ from their sum
    json_t *report;     // up to S_DIFF_MAX differences
} s_verify_t;

// Sum the ledger of item per location into sums ({location: n}).
static int
s_sum_ledger(cm_store_t *store, const char *item, json_t *sums,
             int64_t *entries)
{
    char key[CM_STORE_KEY_MAX];
    stock_ledger_key(key, item);
    char after[CM_STREAM_ID_MAX] = "";
    for (;;) {
        cm_stream_page_t page;
        int rc = cm_stream_read(store, key, *after ? after : NULL, NULL, NULL,
                                CM_STREAM_PAGE_MAX, false, &page);
        if (rc != 0) {
            return rc;
        }
        for (size_t i = 0; i < page.count; i++) {
            const json_t *entry = json_array_get(page.entries, i);
            const char *location = cm_doc_text(entry, "location");
            int64_t sum = cm_doc_integer(sums, location);
            json_object_set_new(
                sums, location,
                json_integer(sum + cm_doc_integer(entry, "quantity")));
            (*entries)++;
        }
        bool more = page.next_cursor != NULL;
        if (more) {
            snprintf(after, sizeof after, "%s", page.next_cursor);
        }
        cm_stream_page_clear(&page);
        if (!more) {
            return 0;
        }
    }
}

static void
s_difference(s_verify_t *v, const char *item, const char *location,
             int64_t book, int64_t ledger)
{
    if (book == ledger) {
        return;
    }
    v->differences++;
    if (json_array_size(v->report) < S_DIFF_MAX) {
        json_array_append_new(
            v->report, json_pack("{s:s, s:s?, s:I, s:I}", "item", item,
                                 "location", location, "book", (json_int_t)book,
                                 "ledger", (json_int_t)ledger));
    }
}

// Compare every balance of item with its ledger.
static int
s_verify_item(cm_store_t *store, const char *item, s_verify_t *v)
{
    json_t *sums = json_object();
    cm_page_t page = {0};
    int rc = s_sum_ledger(store, item, sums, &v->entries);
    if (rc == 0) {
        char key[CM_STORE_KEY_MAX];
        rc = cm_store_list(store, stock_locations_key(key, item), NULL,
                           STOCK_LOCATIONS_MAX, false, &page);
    }
    int64_t total = 0, sum_total = 0;
    json_t *book = NULL;
    if (rc == 0) {
        rc = stock_balances(store, item, page.members, page.count, &total,
                            &book);
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(book); i++) {
        const json_t *at = json_array_get(book, i);
        const char *location = cm_doc_text(at, "location");
        int64_t sum = cm_doc_integer(sums, location);
        s_difference(v, item, location, cm_doc_integer(at, "on_hand"), sum);
        json_object_del(sums, location);
    }
    const char *location;
    json_t *value;
    json_object_foreach(sums, location, value)
    {
        s_difference(v, item, location, 0, json_integer_value(value));
    }
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        sum_total += cm_doc_integer(json_array_get(book, i), "on_hand");
    }
    if (rc == 0) {
        s_difference(v, item, NULL, total, sum_total);
        v->items++;
    }
    cm_page_clear(&page);
    json_decref(book);
    json_decref(sums);
    return rc;
}

static int
s_verify_all(cm_store_t *store, s_verify_t *v)
{
    char index[CM_STORE_KEY_MAX];
    cm_doc_index_key(&item_type, NULL, NULL, index, sizeof index);
    char *cursor = NULL;
    int rc = 0;
    do {
        cm_page_t page;
        rc = cm_store_list(store, index, cursor, CM_STORE_PAGE_MAX, false,
                           &page);
        free(cursor);
        cursor = NULL;
        for (size_t i = 0; rc == 0 && i < page.count; i++) {
            rc = s_verify_item(store, page.members[i], v);
        }
        if (rc == 0 && page.next_cursor) {
            cursor = strdup(page.next_cursor);
        }
        if (rc == 0) {
            cm_page_clear(&page);
        }
    } while (rc == 0 && cursor);
    return rc;
}

void
stock_verify(cm_ctx_t *ctx)
{
    if (!inventory_is_keeper(ctx)
        && strcmp(cm_ctx_actor_role(ctx), "auditor") != 0) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "store keepers and auditors verify the stock");
        return;
    }
    if (json_object_size(cm_ctx_body(ctx)) > 0) {
        json_t *problem = NULL;
        cm_validate_fail(
            &problem, json_object_iter_key(json_object_iter(cm_ctx_body(ctx))),
            "is not a member of this request");
        cm_ctx_fail(ctx, problem);
        return;
    }
    s_verify_t v = {.report = json_array()};
    int rc = s_verify_all(cm_ctx_store(ctx), &v);
    if (rc != 0) {
        json_decref(v.report);
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    cm_log_info("inventory.stock.verified", "#items", CM_LOG_INT(v.items),
                "#differences", CM_LOG_INT(v.differences));
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:I, s:I, s:I, s:b, s:o}", "items_checked",
                           (json_int_t)v.items, "entries_checked",
                           (json_int_t)v.entries, "difference_count",
                           (json_int_t)v.differences, "consistent",
                           v.differences == 0, "differences", v.report));
}
