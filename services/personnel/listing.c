#include "listing.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_problem.h"
#include "cm_store.h"
#include "cm_validate.h"
#include "record.h"

static bool
s_parse_limit(const char *text, size_t *limit)
{
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > 3) {
        return false;
    }
    size_t value = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        value = value * 10 + (size_t)(text[i] - '0');
    }
    *limit = value;
    return value >= 1 && value <= LISTING_LIMIT_MAX;
}

static void
s_parse_member(const char *key, const json_t *value, const char *filters,
               listing_t *listing, json_t **problem)
{
    const char *text = json_string_value(value);
    if (strcmp(key, "limit") == 0) {
        if (!s_parse_limit(text, &listing->limit)) {
            cm_validate_fail(problem, key, "must be an integer from 1 to 200");
        }
    } else if (strcmp(key, "cursor") == 0) {
        listing->cursor = text;
        if (!text || !text[0]) {
            cm_validate_fail(problem, key, "must be a next_cursor value");
        }
    } else if (strcmp(key, "with_total") == 0) {
        listing->with_total = text && strcmp(text, "true") == 0;
        if (!text
            || (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)) {
            cm_validate_fail(problem, key, "must be true or false");
        }
    } else if (strcmp(key, "sort") == 0) {
        if (!text || strcmp(text, LISTING_SORT) != 0) {
            cm_validate_fail(problem, key, "must be " LISTING_SORT);
        }
    } else if (!cm_validate_name_in(filters, key)) {
        cm_validate_fail(problem, key, "is not a filter of this list");
    } else if (!text) {
        cm_validate_fail(problem, key, "must be a single value");
    }
}

json_t *
listing_parse(const json_t *query, const char *filters, listing_t *listing)
{
    assert(listing);
    memset(listing, 0, sizeof *listing);
    listing->limit = LISTING_LIMIT_DEFAULT;
    json_t *problem = NULL;
    const char *key;
    json_t *value;
    // json_object_foreach takes a non-const object but only reads it.
    json_object_foreach((json_t *)query, key, value)
    {
        s_parse_member(key, value, filters, listing, &problem);
    }
    return problem;
}

// The items of page, shown through present, without history; the
// documents are read in one round trip. Stops before the item that would
// pass LISTING_BYTES_MAX; *used is the number of page members consumed.
// NULL after answering a store failure.
static json_t *
s_items(cm_ctx_t *ctx, const cm_page_t *page, const char *kind,
        listing_present_fn *present, size_t *used)
{
    json_t **docs = calloc(page->count + 1, sizeof(json_t *));
    int64_t *versions = calloc(page->count + 1, sizeof *versions);
    assert(docs && versions);
    int rc = record_read_many(cm_ctx_store(ctx), kind,
                              (const char *const *)page->members, page->count,
                              docs, versions);
    json_t *items = rc == 0 ? json_array() : NULL;
    size_t bytes = 0;
    for (*used = 0; items && *used < page->count; (*used)++) {
        if (!docs[*used]) {
            continue; // an index entry without its document: skip it
        }
        json_t *item = present(ctx, docs[*used], versions[*used]);
        if (!item) {
            continue; // present chose to skip it
        }
        json_object_del(item, "history");
        bytes += json_dumpb(item, NULL, 0, JSON_COMPACT) + 1;
        if (bytes > LISTING_BYTES_MAX && json_array_size(items) > 0) {
            json_decref(item);
            break;
        }
        json_array_append_new(items, item);
    }
    for (size_t i = 0; i < page->count; i++) {
        json_decref(docs[i]);
    }
    free(docs);
    free(versions);
    if (rc != 0) {
        record_fail(ctx, rc, kind, NULL);
    }
    return items;
}

// The cursor after member i of page. Caller owns the result.
static json_t *
s_cursor_after(const cm_page_t *page, size_t i)
{
    size_t size = strlen(page->members[i]) + CM_CURSOR_EXTRA;
    char *cursor = malloc(size);
    assert(cursor);
    const char *text = cm_page_cursor(cursor, size, page, i);
    assert(text); // sized for the longest score
    json_t *value = json_string(text);
    free(cursor);
    return value;
}

void
listing_reply(cm_ctx_t *ctx, const char *index_key, const listing_t *listing,
              const char *kind, listing_present_fn *present)
{
    assert(ctx && index_key && listing && kind && present);
    cm_page_t page;
    int rc = cm_store_list(cm_ctx_store(ctx), index_key, listing->cursor,
                           listing->limit, listing->with_total, &page);
    if (rc == CM_EINVAL) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "cursor", "is not a next_cursor value");
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (rc != 0) {
        record_fail(ctx, rc, "list", NULL);
        return;
    }
    size_t used = 0;
    json_t *items = s_items(ctx, &page, kind, present, &used);
    if (items) {
        json_t *next = used < page.count  ? s_cursor_after(&page, used - 1)
                       : page.next_cursor ? json_string(page.next_cursor)
                                          : json_null();
        json_t *body =
            json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
        assert(body);
        if (listing->with_total) {
            json_object_set_new(body, "total", json_integer(page.total));
        }
        cm_ctx_reply(ctx, 200, body);
    }
    cm_page_clear(&page);
}
