// case_list — GET /v1/cases: filters kind, state, department, assignee,
// customer, overdue; newest update first; cursor pagination (api.md).
//
// Every filter has its own sorted-set index (case_store.h). One filter:
// that index is paged directly. Several filters: the most selective kind
// of index (fixed order: assignee, customer, department, overdue, state,
// kind) is walked in batches and each case's list item is checked against
// the other filters, at most CASE_LIST_SCAN_MAX entries per call; a page
// may then hold fewer than `limit` items while next_cursor still says where
// to go on. A page also ends early, with a cursor, before its items pass
// CASE_LIST_BYTES_MAX. Pages are built from the stored list items (case_store:
// one pipelined read per batch), never from whole documents. (Redis ZINTERSTORE
// would need a temporary key per request and a write on a read path; walking
// one index keeps reads read-only.)
#ifndef INTAKE_CASE_LIST_H
#define INTAKE_CASE_LIST_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_ctx.h"

#define CASE_LIST_LIMIT_DEFAULT 50
#define CASE_LIST_LIMIT_MAX     200
#define CASE_LIST_SCAN_MAX      1000 // index entries one call may walk
#define CASE_LIST_SCAN_FIRST    2    // combined: first read, times `limit`
// Bytes of items one page may carry: a reply envelope is at most 64 KiB
// (design.md §4); a page that would pass this ends early with a cursor.
#define CASE_LIST_BYTES_MAX ((size_t)56 * 1024)
#define CASE_LIST_QUERY_KEYS                                                   \
    "kind state department assignee customer overdue limit cursor sort "       \
    "with_total"

// Parsed query.
typedef struct {
    const char *values[8]; // per case_store_filters() entry, NULL: any
    bool overdue_false;    // overdue=false: filter only, no index
    size_t limit;          // 1..CASE_LIST_LIMIT_MAX
    const char *cursor;    // NULL for the first page
    bool with_total;       // add `total` (size of the index walked)
} case_list_query_t;

// Parse and check a query object (borrowed; strings borrowed from it).
// NULL when fine, else a 400 problem naming every bad parameter (caller
// owns it).
json_t *case_list_parse(const json_t *query, case_list_query_t *out);

// Which filter's index to walk: its position in case_store_filters(), or
// -1 for the index of every case. Pure.
int case_list_pick_index(const case_list_query_t *query);

// True when doc (a case or its list item) passes every filter of query.
// Pure.
bool case_list_matches(const case_list_query_t *query, const json_t *doc);

// What a list item matching a query holds, as compact JSON text: one
// `"member":value` per filter set (jansson's encoding of the value), and
// whether `"overdue":true` must be absent.
typedef struct {
    char *texts[8];     // owned, `count` of them
    size_t count;       // filters set
    bool overdue_false; // the item must not hold `"overdue":true`
} case_list_needles_t;

// Fill self for query (borrowed). Release with case_list_needles_clear.
void case_list_needles_init(case_list_needles_t *self,
                            const case_list_query_t *query);

// Free what self owns; self may be initialised again.
void case_list_needles_clear(case_list_needles_t *self);

// case_list_matches for an item given as the compact JSON text jansson
// writes for a case_list_item (case_store_load_items): its keys are fixed
// names without quotes and every quote in a value is escaped, so a member's
// text occurs in it only as that member. Pure.
bool case_list_matches_text(const case_list_needles_t *needles,
                            const char *item);

// The handler.
void case_list_get(cm_ctx_t *ctx);

#endif
