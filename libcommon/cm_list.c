#include "cm_list.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_csv.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_validate.h"

#define S_CURSOR_MAX    256
#define S_VERSION_BYTES 32 // ,"version":<int64>} and NUL, at most
#define S_VALUE_MAX     128
#define S_QUERY_KEYS    "limit cursor sort with_total"

// ---- the query

static size_t
s_filter_count(const cm_doc_type_t *type)
{
    size_t n = 0;
    while (type->filters && type->filters[n].param) {
        n++;
    }
    assert(n <= CM_LIST_FILTERS_MAX);
    return n;
}

static const char *
s_member(const cm_filter_t *f)
{
    return f->member ? f->member : f->param;
}

static void
s_parse_limit(const char *text, cm_list_query_t *out, json_t **problem)
{
    out->limit = CM_LIST_LIMIT_DEFAULT;
    if (!text) {
        return;
    }
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (!*text || *end || value < 1 || value > CM_LIST_LIMIT_MAX) {
        cm_validate_fail(problem, "limit", "must be an integer 1..200");
        return;
    }
    out->limit = (size_t)value;
}

// A filter value: allowed values when listed, else a code of 1-128
// printable characters without spaces.
static void
s_parse_filter(const cm_filter_t *f, const json_t *value, size_t i,
               cm_list_query_t *out, json_t **problem)
{
    const char *text = json_string_value(value);
    if (!value) {
        return;
    }
    const char *values =
        (f->flags & CM_FILTER_BOOLEAN) ? "true false" : f->values;
    if (values) {
        json_t *holder = json_pack("{s:O}", f->param, value);
        bool fine = cm_validate_enum(holder, f->param, values,
                                     CM_VALIDATE_REQUIRED, problem);
        json_decref(holder);
        if (!fine) {
            return;
        }
    } else if (!text || !*text || strlen(text) >= S_VALUE_MAX
               || strpbrk(text, " \t\r\n")) {
        cm_validate_fail(problem, f->param,
                         "must be 1-127 characters without spaces");
        return;
    }
    if ((f->flags & CM_FILTER_BOOLEAN) && strcmp(text, "false") == 0) {
        out->false_only[i] = true;
        return;
    }
    out->values[i] = text;
}

static void
s_check_keys(const cm_doc_type_t *type, const json_t *query, const char *extra,
             json_t **problem)
{
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach((json_t *)query, key, value)
    {
        bool known = cm_validate_name_in(S_QUERY_KEYS, key)
                     || cm_validate_name_in(extra, key);
        for (size_t i = 0; !known && i < s_filter_count(type); i++) {
            known = strcmp(type->filters[i].param, key) == 0;
        }
        if (!known) {
            cm_validate_fail(problem, key, "is not a parameter of this list");
        }
    }
}

json_t *
cm_list_parse(const cm_doc_type_t *type, const json_t *query, const char *extra,
              cm_list_query_t *out)
{
    assert(type && out);
    memset(out, 0, sizeof *out);
    json_t *problem = NULL;
    json_t *empty = json_object();
    query = query ? query : empty;
    s_check_keys(type, query, extra, &problem);
    for (size_t i = 0; i < s_filter_count(type); i++) {
        s_parse_filter(&type->filters[i],
                       json_object_get(query, type->filters[i].param), i, out,
                       &problem);
    }
    s_parse_limit(json_string_value(json_object_get(query, "limit")), out,
                  &problem);
    out->cursor = json_string_value(json_object_get(query, "cursor"));
    cm_validate_enum(query, "with_total", "true false", CM_VALIDATE_OPTIONAL,
                     &problem);
    cm_validate_enum(query, "sort", "updated_at:desc", CM_VALIDATE_OPTIONAL,
                     &problem);
    const char *total = json_string_value(json_object_get(query, "with_total"));
    out->with_total = total && strcmp(total, "true") == 0;
    json_decref(empty);
    return problem;
}

bool
cm_list_matches(const cm_doc_type_t *type, const cm_list_query_t *query,
                const json_t *doc)
{
    assert(type && query);
    for (size_t i = 0; i < s_filter_count(type); i++) {
        const cm_filter_t *f = &type->filters[i];
        const json_t *value = json_object_get(doc, s_member(f));
        if (query->false_only[i] && json_is_true(value)) {
            return false;
        }
        if (!query->values[i]) {
            continue;
        }
        if (f->flags & CM_FILTER_LIST) {
            bool held = false;
            for (size_t k = 0; !held && k < json_array_size(value); k++) {
                const char *item = json_string_value(json_array_get(value, k));
                held = item && strcmp(item, query->values[i]) == 0;
            }
            if (!held) {
                return false;
            }
            continue;
        }
        const char *text = (f->flags & CM_FILTER_BOOLEAN)
                               ? (json_is_true(value) ? "true" : NULL)
                               : json_string_value(value);
        if (!text || strcmp(text, query->values[i]) != 0) {
            return false;
        }
    }
    return true;
}

// ---- items

// A stored item (compact JSON object text) with `,"version":N` before its
// closing brace. NULL when the text is not shaped like an object.
static char *
s_item_text(const char *stored, int64_t version)
{
    size_t size = strlen(stored);
    if (size < 2 || stored[0] != '{' || stored[size - 1] != '}') {
        return NULL;
    }
    size_t total = size + S_VERSION_BYTES;
    char *text = malloc(total);
    assert(text);
    int n = snprintf(text, total, "%.*s%s\"version\":%lld}", (int)(size - 1),
                     stored, size > 2 ? "," : "", (long long)version);
    assert(n > 0 && (size_t)n < total);
    return text;
}

// The item of a document stored without one, built from the document.
static char *
s_item_of_doc(const cm_doc_type_t *type, cm_store_t *store, const char *id,
              int *rc)
{
    json_t *doc = NULL;
    int64_t version = 0;
    *rc = cm_doc_read(store, type, id, &doc, &version);
    if (*rc == CM_ENOTFOUND) {
        *rc = 0;
        return NULL;
    }
    if (*rc != 0) {
        return NULL;
    }
    json_t *item = cm_doc_list_item(type, doc);
    json_object_set_new(item, "version", json_integer(version));
    char *text = json_dumps(item, JSON_COMPACT);
    assert(text);
    json_decref(item);
    json_decref(doc);
    return text;
}

// The item texts of n documents (one pipelined read); items[i] NULL when
// the document is gone. 0 or a status.
static int
s_load_items(const cm_doc_type_t *type, cm_store_t *store,
             const char *const *ids, size_t n, char **items)
{
    char **keys = calloc(n + 1, sizeof(char *));
    cm_doc_t *docs = calloc(n + 1, sizeof *docs);
    assert(keys && docs);
    for (size_t i = 0; i < n; i++) {
        char key[CM_STORE_KEY_MAX];
        keys[i] = strdup(cm_doc_key(type, ids[i], key, sizeof key) ? key : "");
        assert(keys[i]);
    }
    int rc =
        cm_store_get_many(store, (const char *const *)keys, n, "item", docs);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (docs[i].json) {
            items[i] = s_item_text(docs[i].json, docs[i].version);
            rc = items[i] ? 0 : CM_EINTERNAL;
        } else if (docs[i].version > 0) {
            items[i] = s_item_of_doc(type, store, ids[i], &rc);
        }
    }
    cm_docs_clear(docs, n);
    free(docs);
    cm_store_strings_free(&keys, n);
    return rc;
}

// ---- matching item texts without parsing

// What a matching item holds: one `"member":value` per filter set, and the
// boolean members that must not be true.
typedef struct {
    char *texts[CM_LIST_FILTERS_MAX];
    size_t count;
    char *not_true[CM_LIST_FILTERS_MAX];
    size_t not_true_count;
} s_needles_t;

static char *
s_needle(const char *member, const char *encoded)
{
    size_t size = strlen(member) + strlen(encoded) + 4;
    char *needle = malloc(size);
    assert(needle);
    snprintf(needle, size, "\"%s\":%s", member, encoded);
    return needle;
}

static void
s_needles_init(s_needles_t *self, const cm_doc_type_t *type,
               const cm_list_query_t *query)
{
    memset(self, 0, sizeof *self);
    for (size_t i = 0; i < s_filter_count(type); i++) {
        const cm_filter_t *f = &type->filters[i];
        if (query->false_only[i]) {
            self->not_true[self->not_true_count++] =
                s_needle(s_member(f), "true");
        }
        if (!query->values[i] || (f->flags & CM_FILTER_LIST)) {
            continue; // a list filter is first in its table: the walked one
        }
        if (f->flags & CM_FILTER_BOOLEAN) {
            self->texts[self->count++] = s_needle(s_member(f), "true");
            continue;
        }
        json_t *string = json_string(query->values[i]);
        assert(string); // query strings come from parsed JSON: valid UTF-8
        char *encoded = json_dumps(string, JSON_ENCODE_ANY);
        assert(encoded);
        self->texts[self->count++] = s_needle(s_member(f), encoded);
        free(encoded);
        json_decref(string);
    }
}

static void
s_needles_clear(s_needles_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        free(self->texts[i]);
    }
    for (size_t i = 0; i < self->not_true_count; i++) {
        free(self->not_true[i]);
    }
    memset(self, 0, sizeof *self);
}

static bool
s_matches_text(const s_needles_t *needles, const char *item)
{
    for (size_t i = 0; i < needles->count; i++) {
        if (!strstr(item, needles->texts[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < needles->not_true_count; i++) {
        if (strstr(item, needles->not_true[i])) {
            return false;
        }
    }
    return true;
}

// ---- the walk over one index

typedef struct {
    cm_ctx_t *ctx;                // borrowed
    const cm_doc_type_t *type;    // borrowed
    const cm_list_query_t *query; // borrowed
    const s_needles_t *needles;   // borrowed: the query as texts
    const char *index;            // borrowed key
    bool combined;                // check each item against the filters
    char *page;                   // owned: the reply body so far
    size_t page_size;             // bytes in page, without NUL
    size_t page_capacity;         // bytes allocated for page
    size_t count;                 // items in page
    char last[S_CURSOR_MAX];      // position of the last entry walked
    bool more;                    // entries follow `last`
    size_t scanned;               // entries walked
    size_t bytes;                 // compact JSON size of items
    bool bytes_full;              // the next item would pass the bound
    int64_t total;                // index size, -1 when not asked
} s_walk_t;

static void
s_append(s_walk_t *w, const char *data, size_t size)
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
s_full(const s_walk_t *w)
{
    return w->count >= w->query->limit || w->scanned >= CM_LIST_SCAN_MAX
           || w->bytes_full;
}

// Need-to-know and the caller's view of a stored item: the text to page
// (owned), or NULL when the caller may not read it. Takes item. Items are
// parsed only for a type with may_read (unless the scope waived it) or
// item_view.
static char *
s_caller_item(const s_walk_t *w, char *item)
{
    bool check = w->type->may_read && !w->query->may_read_all;
    if (!check && !w->type->item_view) {
        return item;
    }
    json_t *parsed = json_loads(item, 0, NULL);
    if (!parsed || (check && !w->type->may_read(w->ctx, parsed))) {
        json_decref(parsed);
        free(item);
        return NULL;
    }
    if (w->type->item_view) {
        w->type->item_view(w->ctx, parsed);
        free(item);
        item = json_dumps(parsed, JSON_COMPACT);
        assert(item);
    }
    json_decref(parsed);
    return item;
}

// Take item (owned text, may be NULL) into the page when it matches and
// fits. False when it did not fit: the page ends before it.
static bool
s_take(s_walk_t *w, char *item)
{
    // A member without its document is skipped: the index and the document
    // are written together, so it is one being deleted.
    if (item && w->combined && !s_matches_text(w->needles, item)) {
        free(item);
        return true;
    }
    item = item ? s_caller_item(w, item) : NULL;
    if (!item) {
        return true;
    }
    size_t size = strlen(item);
    if (w->bytes + size + 1 > CM_LIST_BYTES_MAX && w->count > 0) {
        free(item);
        w->bytes_full = true;
        return false;
    }
    w->bytes += size + 1;
    if (w->count++ > 0) {
        s_append(w, ",", 1);
    }
    s_append(w, item, size);
    free(item);
    return true;
}

static int
s_walk_page(s_walk_t *w, const cm_page_t *page)
{
    char **loaded = calloc(page->count + 1, sizeof(char *));
    assert(loaded);
    int rc =
        s_load_items(w->type, cm_ctx_store(w->ctx),
                     (const char *const *)page->members, page->count, loaded);
    for (size_t i = 0; rc == 0 && i < page->count && !s_full(w); i++) {
        char *item = loaded[i];
        loaded[i] = NULL;
        if (!s_take(w, item)) {
            w->more = true; // resume at this member: `last` is the one before
            break;
        }
        w->scanned++;
        if (!cm_page_cursor(w->last, sizeof w->last, page, i)) {
            rc = CM_EINTERNAL; // an index member longer than any id
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
// Combined filters: CM_LIST_SCAN_FIRST times that at first, then as many as
// the match rate so far says should fill the page, plus a quarter; never
// past CM_LIST_SCAN_MAX in all.
static size_t
s_fetch_size(const s_walk_t *w)
{
    size_t want = w->query->limit - w->count;
    if (!w->combined && (!w->type->may_read || w->query->may_read_all)) {
        return want;
    }
    size_t matched = w->count;
    size_t fetch = want * CM_LIST_SCAN_FIRST;
    if (w->scanned > 0) {
        fetch = matched == 0 ? w->scanned * 2
                             : want * w->scanned / matched * 5 / 4 + 1;
    }
    size_t room = CM_LIST_SCAN_MAX - w->scanned;
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
    while (rc == 0 && w->more && !s_full(w)) {
        cm_page_t page;
        rc = cm_store_list(cm_ctx_store(w->ctx), w->index, cursor,
                           s_fetch_size(w), first && w->query->with_total,
                           &page);
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

// Close the page's text: `{"items":[…],"next_cursor":…[,"total":n]}`.
// Caller owns the result; w->page is taken.
static char *
s_list_text(s_walk_t *w)
{
    static const char next[] = "],\"next_cursor\":";
    s_append(w, next, sizeof next - 1);
    if (w->more) {
        json_t *cursor = json_string(w->last);
        assert(cursor); // cm_page_cursor copies an index member: an id
        char *text = json_dumps(cursor, JSON_ENCODE_ANY);
        assert(text);
        s_append(w, text, strlen(text));
        free(text);
        json_decref(cursor);
    } else {
        s_append(w, "null", 4);
    }
    if (w->query->with_total) {
        char total[48];
        int n = snprintf(total, sizeof total, ",\"total\":%lld",
                         (long long)w->total);
        assert(n > 0 && (size_t)n < sizeof total);
        s_append(w, total, (size_t)n);
    }
    s_append(w, "}", 1);
    char *text = w->page;
    w->page = NULL;
    return text;
}

// The filter whose index is walked: the first set, or -1 for all.
static int
s_pick_index(const cm_doc_type_t *type, const cm_list_query_t *query)
{
    for (size_t i = 0; i < s_filter_count(type); i++) {
        if (query->values[i]) {
            return (int)i;
        }
    }
    return -1;
}

static bool
s_is_combined(const cm_doc_type_t *type, const cm_list_query_t *query,
              int picked)
{
    for (size_t i = 0; i < s_filter_count(type); i++) {
        if (((int)i != picked && query->values[i]) || query->false_only[i]) {
            return true;
        }
    }
    return false;
}

void
cm_list_reply(cm_ctx_t *ctx, const cm_doc_type_t *type,
              const cm_list_query_t *query)
{
    assert(ctx && type && query);
    int picked = s_pick_index(type, query);
    char index[CM_STORE_KEY_MAX];
    if (!cm_doc_index_key(type, picked < 0 ? NULL : type->filters[picked].param,
                          picked < 0 ? NULL : query->values[picked], index,
                          sizeof index)) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "filter value too long");
        return;
    }
    s_needles_t needles;
    s_needles_init(&needles, type, query);
    s_walk_t walk = {.ctx = ctx,
                     .type = type,
                     .query = query,
                     .needles = &needles,
                     .index = index,
                     .combined = s_is_combined(type, query, picked),
                     .total = -1};
    static const char head[] = "{\"items\":[";
    s_append(&walk, head, sizeof head - 1);
    int rc = s_walk(&walk);
    if (rc == CM_EINVAL) {
        json_t *bad = cm_problem_new(400, "validation_failed", NULL);
        cm_problem_add_error(bad, "cursor", "is not a cursor of this list");
        cm_ctx_fail(ctx, bad);
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the list is unreadable");
    } else {
        cm_ctx_reply_raw(ctx, 200, s_list_text(&walk));
    }
    free(walk.page);
    s_needles_clear(&needles);
}

void
cm_list_run(cm_ctx_t *ctx, const cm_doc_type_t *type, cm_list_scope_fn *scope)
{
    assert(ctx && type);
    cm_list_query_t query;
    json_t *problem =
        cm_list_parse(type, cm_ctx_query_object(ctx), NULL, &query);
    if (!problem && scope) {
        problem = scope(ctx, type, &query);
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    cm_list_reply(ctx, type, &query);
}

void
cm_list_as_csv(cm_ctx_t *ctx, const char *const *columns)
{
    assert(ctx && columns);
    if (!cm_ctx_accepts(ctx, "text/csv") || cm_ctx_status(ctx) != 200) {
        return;
    }
    json_t *reply = cm_ctx_reply_envelope(ctx);
    const json_t *page = json_object_get(reply, "body");
    char *csv = cm_csv_rows(columns, json_object_get(page, "items"));
    const char *next = json_string_value(json_object_get(page, "next_cursor"));
    if (!csv) {
        cm_ctx_fail(ctx, cm_problem_new(500, "reply_unencodable",
                                        "the page has no CSV"));
    } else {
        if (next) {
            cm_ctx_header(ctx, "X-Next-Cursor", next);
        }
        cm_ctx_reply_media(ctx, 200, CM_CSV_MEDIA_TYPE, csv);
    }
    json_decref(reply);
}
