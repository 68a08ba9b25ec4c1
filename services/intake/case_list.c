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

// `"member":value` for a filter set to value (validated: from parsed JSON).
static char *
s_needle(const case_filter_t *filter, const char *value)
{
    char *encoded = NULL;
    if (strcmp(filter->name, "overdue") == 0) {
        encoded = strdup("true"); // a boolean member; "false" filters apart
    } else {
        json_t *string = json_string(value);
        assert(string); // query strings come from parsed JSON: valid UTF-8
        encoded = json_dumps(string, JSON_ENCODE_ANY);
        json_decref(string);
    }
    assert(encoded);
    size_t size = strlen(filter->member) + strlen(encoded) + 4;
    char *needle = malloc(size);
    assert(needle);
    snprintf(needle, size, "\"%s\":%s", filter->member, encoded);
    free(encoded);
    return needle;
}

void
case_list_needles_init(case_list_needles_t *self,
                       const case_list_query_t *query)
{
    assert(self && query);
    memset(self, 0, sizeof *self);
    const case_filter_t *filters = case_store_filters();
    for (size_t i = 0; filters[i].name; i++) {
        if (query->values[i]) {
            self->texts[self->count++] =
                s_needle(&filters[i], query->values[i]);
        }
    }
    self->overdue_false = query->overdue_false;
}

void
case_list_needles_clear(case_list_needles_t *self)
{
    assert(self);
    for (size_t i = 0; i < self->count; i++) {
        free(self->texts[i]);
    }
    memset(self, 0, sizeof *self);
}

bool
case_list_matches_text(const case_list_needles_t *needles, const char *item)
{
    assert(needles && item);
    for (size_t i = 0; i < needles->count; i++) {
        if (!strstr(item, needles->texts[i])) {
            return false;
        }
    }
    return !(needles->overdue_false && strstr(item, "\"overdue\":true"));
}

// A walk over one index.
typedef struct {
    cm_store_t *store;                  // borrowed
    const case_list_query_t *query;     // borrowed
    const case_list_needles_t *needles; // borrowed: the query as texts
    const char *index;                  // borrowed key
    bool combined;                      // check each case against the filters
    char *page;                         // owned: the reply body so far
    size_t page_size;                   // bytes in page, without NUL
    size_t page_capacity;               // bytes allocated for page
    size_t count;                       // items in page
    char last[S_CURSOR_MAX];            // position of the last entry walked
    bool more;                          // entries follow `last`
    size_t scanned;                     // entries walked
    size_t bytes;                       // compact JSON size of items
    bool bytes_full;                    // the next item would pass the bound
    int64_t total;                      // index size, -1 when not asked
} s_walk_t;

static void
s_walk_append(s_walk_t *w, const char *data, size_t size)
{
    if (w->page_size + size + 1 > w->page_capacity) {
        size_t capacity = w->page_capacity ? w->page_capacity : 4096;
        while (capacity < w->page_size + size + 1) {
            capacity *= 2;
        }
        w->page = realloc(w->page, capacity);
        assert(w->page);
        w->page_capacity = capacity;
    }
    memcpy(w->page + w->page_size, data, size);
    w->page_size += size;
    w->page[w->page_size] = '\0';
}

static bool
s_walk_full(const s_walk_t *w)
{
    return w->count >= w->query->limit || w->scanned >= CASE_LIST_SCAN_MAX
           || w->bytes_full;
}

// Take item (owned text, may be NULL) into the page when it matches and
// fits. False when it did not fit: the page ends before it.
static bool
s_walk_take(s_walk_t *w, char *item)
{
    // A member without its case is skipped: the index and the case are
    // written together, so it is one being deleted.
    if (!item || (w->combined && !case_list_matches_text(w->needles, item))) {
        free(item);
        return true;
    }
    size_t size = strlen(item);
    if (w->bytes + size + 1 > CASE_LIST_BYTES_MAX && w->count > 0) {
        free(item);
        w->bytes_full = true;
        return false;
    }
    w->bytes += size + 1;
    if (w->count++ > 0) {
        s_walk_append(w, ",", 1);
    }
    s_walk_append(w, item, size);
    free(item);
    return true;
}

// Take the items of page's members that match into the page, in order,
// until it is full; `last` follows the members walked. 0 or a status.
static int
s_walk_page(s_walk_t *w, const cm_page_t *page)
{
    char **loaded = calloc(page->count + 1, sizeof(char *));
    assert(loaded);
    int rc = case_store_load_items(w->store, (const char *const *)page->members,
                                   page->count, loaded);
    for (size_t i = 0; rc == 0 && i < page->count && !s_walk_full(w); i++) {
        char *item = loaded[i];
        loaded[i] = NULL;
        if (!s_walk_take(w, item)) {
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
        free(loaded[i]);
    }
    free(loaded);
    return rc;
}

// How many index entries to read next. One filter: the items still wanted.
// Combined filters: CASE_LIST_SCAN_FIRST times that at first, then as many
// as the match rate so far says should fill the page, plus a quarter; never
// past CASE_LIST_SCAN_MAX in all.
static size_t
s_fetch_size(const s_walk_t *w)
{
    size_t want = w->query->limit - w->count;
    if (!w->combined) {
        return want;
    }
    size_t matched = w->count;
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

// Close the page's text: `{"items":[…],"next_cursor":…[,"total":n]}`, the
// same members in the same order as the JSON body this replaced. Caller
// owns the result; w->page is taken.
static char *
s_list_text(s_walk_t *w)
{
    static const char next[] = "],\"next_cursor\":";
    s_walk_append(w, next, sizeof next - 1);
    if (w->more) {
        json_t *cursor = json_string(w->last);
        assert(cursor); // cm_page_cursor copies an index member: a case id
        char *text = json_dumps(cursor, JSON_ENCODE_ANY);
        assert(text);
        s_walk_append(w, text, strlen(text));
        free(text);
        json_decref(cursor);
    } else {
        s_walk_append(w, "null", 4);
    }
    if (w->query->with_total) {
        char total[48];
        int n = snprintf(total, sizeof total, ",\"total\":%lld",
                         (long long)w->total);
        assert(n > 0 && (size_t)n < sizeof total);
        s_walk_append(w, total, (size_t)n);
    }
    s_walk_append(w, "}", 1);
    char *text = w->page;
    w->page = NULL;
    return text;
}

static void
s_list_reply(cm_ctx_t *ctx, s_walk_t *walk)
{
    int rc = s_walk(walk);
    if (rc == CM_EINVAL) {
        json_t *bad = cm_problem_new(400, "validation_failed", NULL);
        cm_problem_add_error(bad, "cursor", "is not a cursor of this list");
        cm_ctx_fail(ctx, bad);
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the case index is unreadable");
    } else {
        cm_ctx_reply_raw(ctx, 200, s_list_text(walk));
    }
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
    case_list_needles_t needles;
    case_list_needles_init(&needles, &query);
    s_walk_t walk = {.store = cm_ctx_store(ctx),
                     .query = &query,
                     .needles = &needles,
                     .index = index,
                     .combined = s_is_combined(&query, picked),
                     .total = -1};
    static const char head[] = "{\"items\":[";
    s_walk_append(&walk, head, sizeof head - 1);
    s_list_reply(ctx, &walk);
    free(walk.page);
    case_list_needles_clear(&needles);
}
