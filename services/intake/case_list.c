#include "case_list.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_flow.h"
#include "case_store.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_validate.h"
#include "intake.h"

#define S_CURSOR_MAX 256

// Index preference for combined filters, as filter names.
static const char *const s_preference[] = {
    "assignee", "customer", "department", "overdue", "state", "kind",
};

static void
s_parse_limit(const char *text, case_list_query_t *out, json_t **problem)
{
    out->limit = CASE_LIST_LIMIT_DEFAULT;
    if (!text) {
        return;
    }
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (!*text || *end || value < 1 || value > CASE_LIST_LIMIT_MAX) {
        cm_validate_fail(problem, "limit", "must be an integer 1..200");
        return;
    }
    out->limit = (size_t)value;
}

static void
s_parse_filters(const json_t *query, case_list_query_t *out, json_t **problem)
{
    const case_filter_t *filters = case_store_filters();
    for (size_t i = 0; filters[i].name; i++) {
        json_t *value = json_object_get(query, filters[i].name);
        const char *text = json_string_value(value);
        if (value && (!text || !*text)) {
            cm_validate_fail(problem, filters[i].name,
                             "must be a non-empty string");
        }
        out->values[i] = text && *text ? text : NULL;
    }
    cm_validate_enum(query, "kind", CASE_KINDS, CM_VALIDATE_OPTIONAL, problem);
    cm_validate_enum(query, "overdue", "true false", CM_VALIDATE_OPTIONAL,
                     problem);
    cm_validate_enum(query, "with_total", "true false", CM_VALIDATE_OPTIONAL,
                     problem);
    cm_validate_enum(query, "sort", "updated_at:desc", CM_VALIDATE_OPTIONAL,
                     problem);
}

json_t *
case_list_parse(const json_t *query, case_list_query_t *out)
{
    assert(out);
    memset(out, 0, sizeof *out);
    json_t *problem = NULL;
    json_t *empty = json_object();
    if (!query) {
        query = empty;
    }
    cm_validate_keys(query, CASE_LIST_QUERY_KEYS, &problem);
    s_parse_filters(query, out, &problem);
    s_parse_limit(json_string_value(json_object_get(query, "limit")), out,
                  &problem);
    out->cursor = json_string_value(json_object_get(query, "cursor"));
    const char *total = json_string_value(json_object_get(query, "with_total"));
    out->with_total = total && strcmp(total, "true") == 0;
    const case_filter_t *filters = case_store_filters();
    for (size_t i = 0; filters[i].name; i++) {
        if (strcmp(filters[i].name, "overdue") == 0 && out->values[i]
            && strcmp(out->values[i], "false") == 0) {
            out->overdue_false = true;
            out->values[i] = NULL;
        }
    }
    json_decref(empty);
    return problem;
}

static int
s_filter_position(const char *name)
{
    const case_filter_t *filters = case_store_filters();
    for (int i = 0; filters[i].name; i++) {
        if (strcmp(filters[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

int
case_list_pick_index(const case_list_query_t *query)
{
    for (size_t i = 0; i < sizeof s_preference / sizeof s_preference[0]; i++) {
        int at = s_filter_position(s_preference[i]);
        if (at >= 0 && query->values[at]) {
            return at;
        }
    }
    return -1;
}

bool
case_list_matches(const case_list_query_t *query, const json_t *doc)
{
    const case_filter_t *filters = case_store_filters();
    for (size_t i = 0; filters[i].name; i++) {
        const char *value = case_store_index_value(doc, &filters[i]);
        if (query->values[i]
            && (!value || strcmp(value, query->values[i]) != 0)) {
            return false;
        }
    }
    return !(query->overdue_false
             && json_is_true(json_object_get(doc, "overdue")));
}

static bool
s_is_combined(const case_list_query_t *query, int picked)
{
    const case_filter_t *filters = case_store_filters();
    for (int i = 0; filters[i].name; i++) {
        if (i != picked && query->values[i]) {
            return true;
        }
    }
    return query->overdue_false;
}

// A walk over one index.
typedef struct {
    cm_store_t *store;              // borrowed
    const case_list_query_t *query; // borrowed
    const char *index;              // borrowed key
    bool combined;                  // check each case against the filters
    json_t *items;                  // owned: the page
    char last[S_CURSOR_MAX];        // position of the last entry walked
    bool more;                      // entries follow `last`
    size_t scanned;                 // entries walked
    size_t bytes;                   // compact JSON size of items
    bool bytes_full;                // the next item would pass the bound
    int64_t total;                  // index size, -1 when not asked
} s_walk_t;

static bool
s_walk_full(const s_walk_t *w)
{
    return json_array_size(w->items) >= w->query->limit
           || w->scanned >= CASE_LIST_SCAN_MAX || w->bytes_full;
}

// Take item (owned, may be NULL) into the page when it matches and fits.
// False when it did not fit: the page ends before it.
static bool
s_walk_take(s_walk_t *w, json_t *item, size_t bytes)
{
    // A member without its case is skipped: the index and the case are
    // written together, so it is one being deleted.
    if (!item || (w->combined && !case_list_matches(w->query, item))) {
        json_decref(item);
        return true;
    }
    if (w->bytes + bytes + 1 > CASE_LIST_BYTES_MAX
        && json_array_size(w->items) > 0) {
        json_decref(item);
        w->bytes_full = true;
        return false;
    }
    w->bytes += bytes + 1;
    json_array_append_new(w->items, item);
    return true;
}

// Take the items of page's members that match into the page, in order,
// until it is full; `last` follows the members walked. 0 or a status.
static int
s_walk_page(s_walk_t *w, const cm_page_t *page)
{
    json_t **loaded = calloc(page->count + 1, sizeof(json_t *));
    size_t *bytes = calloc(page->count + 1, sizeof *bytes);
    assert(loaded && bytes);
    int rc = case_store_load_items(w->store, (const char *const *)page->members,
                                   page->count, loaded, bytes);
    for (size_t i = 0; rc == 0 && i < page->count && !s_walk_full(w); i++) {
        json_t *item = loaded[i];
        loaded[i] = NULL;
        if (!s_walk_take(w, item, bytes[i])) {
            w->more = true; // resume at this member: `last` is the one before
            break;
        }
        w->scanned++;
        if (!cm_page_cursor(w->last, sizeof w->last, page, i)) {
            rc = CM_EINTERNAL; // an index member longer than any case id
        }
        w->more = i + 1 < page->count || page->next_cursor;
    }
    for (size_t i = 0; i < page->count; i++) {
        json_decref(loaded[i]);
    }
    free(loaded);
    free(bytes);
    return rc;
}

// How many index entries to read next. One filter: the items still wanted.
// Combined filters: CASE_LIST_SCAN_FIRST times that at first, then as many
// as the match rate so far says should fill the page, plus a quarter; never
// past CASE_LIST_SCAN_MAX in all.
static size_t
s_fetch_size(const s_walk_t *w)
{
    size_t want = w->query->limit - json_array_size(w->items);
    if (!w->combined) {
        return want;
    }
    size_t matched = json_array_size(w->items);
    size_t fetch = want * CASE_LIST_SCAN_FIRST;
    if (w->scanned > 0) {
        fetch = matched == 0 ? w->scanned * 2
                             : want * w->scanned / matched * 5 / 4 + 1;
    }
    size_t room = CASE_LIST_SCAN_MAX - w->scanned;
    fetch = fetch < want ? want : fetch;
    return fetch > room ? room : fetch;
}

static int
s_walk(s_walk_t *w)
{
    char *cursor = w->query->cursor ? strdup(w->query->cursor) : NULL;
    bool first = true;
    int rc = 0;
    w->more = true;
    while (rc == 0 && w->more && !s_walk_full(w)) {
        cm_page_t page;
        rc = cm_store_list(w->store, w->index, cursor, s_fetch_size(w),
                           first && w->query->with_total, &page);
        if (rc == 0) {
            w->total = first ? page.total : w->total;
            w->more = false;
            rc = s_walk_page(w, &page);
            free(cursor);
            cursor = page.next_cursor ? strdup(page.next_cursor) : NULL;
            cm_page_clear(&page);
        }
        first = false;
    }
    free(cursor);
    return rc;
}

static json_t *
s_list_body(const s_walk_t *w)
{
    json_t *body = json_pack("{s:O, s:o}", "items", w->items, "next_cursor",
                             w->more ? json_string(w->last) : json_null());
    assert(body);
    if (w->query->with_total) {
        json_object_set_new(body, "total", json_integer(w->total));
    }
    return body;
}

void
case_list_get(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    case_list_query_t query;
    json_t *problem = case_list_parse(cm_ctx_query_object(ctx), &query);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    int picked = case_list_pick_index(&query);
    char index[CM_STORE_KEY_MAX];
    const case_filter_t *filters = case_store_filters();
    if (!case_store_index_key(index, sizeof index,
                              picked < 0 ? NULL : filters[picked].index,
                              picked < 0 ? NULL : query.values[picked])) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "filter value too long");
        return;
    }
    s_walk_t walk = {.store = cm_ctx_store(ctx),
                     .query = &query,
                     .index = index,
                     .combined = s_is_combined(&query, picked),
                     .items = json_array(),
                     .total = -1};
    int rc = s_walk(&walk);
    if (rc == CM_EINVAL) {
        json_t *bad = cm_problem_new(400, "validation_failed", NULL);
        cm_problem_add_error(bad, "cursor", "is not a cursor of this list");
        cm_ctx_fail(ctx, bad);
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the case index is unreadable");
    } else {
        cm_ctx_reply(ctx, 200, s_list_body(&walk));
    }
    json_decref(walk.items);
}
