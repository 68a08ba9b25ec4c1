// cm_list — GET <collection>: the list of a document type (cm_doc.h),
// newest update first, filtered by the type's filters, a page at a time.
//
// Query: one parameter per filter, `limit` (1..200, default 50), `cursor`
// (from the previous page), `with_total=true`, `sort=updated_at:desc`.
// Anything else, a filter value outside its allowed values, a malformed
// cursor or limit: 400 naming the parameter. Reply:
//   {"items": [...], "next_cursor": "..." | null, "total": n?}
//
// Each filter has its own sorted-set index. One filter: that index is
// paged directly. Several: the first one present in the type's table is
// walked in batches and each item is checked against the others, at most
// CM_LIST_SCAN_MAX entries per call; a page may then hold fewer than
// `limit` items while next_cursor still says where to go on. A page also
// ends early, with a cursor, before its items pass CM_LIST_BYTES_MAX. Pages
// are built from the stored list items (one pipelined read per batch) and
// spliced into the reply as text, never parsed — unless the type has a
// need-to-know rule (may_read) that the scope did not waive
// (may_read_all), or a caller's view of items (item_view), which then sees
// every item, or an array filter (CM_FILTER_ARRAY) checked beside the
// index walked, which parses the items it checks. (Redis
// ZINTERSTORE would need a temporary key per request, a write on a read
// path; walking one index keeps reads read-only.)
#ifndef LIBCOMMON_CM_LIST_H
#define LIBCOMMON_CM_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define CM_LIST_LIMIT_DEFAULT 50
#define CM_LIST_LIMIT_MAX     200
#define CM_LIST_FILTERS_MAX   12   // filters of one type
#define CM_LIST_SCAN_MAX      1000 // index entries one call may walk
#define CM_LIST_SCAN_FIRST    2    // combined: first read, times `limit`
// Bytes of items one page may carry: a reply is at most 64 KiB.
#define CM_LIST_BYTES_MAX ((size_t)56 * 1024)

// A parsed list query.
typedef struct {
    const char *values[CM_LIST_FILTERS_MAX]; // per filter, NULL: any
    bool false_only[CM_LIST_FILTERS_MAX];    // boolean filter = false
    size_t limit;                            // 1..CM_LIST_LIMIT_MAX
    const char *cursor;                      // NULL for the first page
    bool with_total;                         // add `total`
    // Set by a scope that vouches the caller may read every document the
    // query selects (its own department's index): items are then spliced
    // without asking may_read, as for a type without one.
    bool may_read_all;
} cm_list_query_t;

// Narrow a query to what the caller may see (need-to-know): may set
// filter values (a technician's lists are their department's). NULL to go
// on, or a problem (403) to answer. Caller owns the result.
typedef json_t *(cm_list_scope_fn)(cm_ctx_t *ctx, const cm_doc_type_t *type,
                                   cm_list_query_t *query);

// Parse and check a query object (borrowed; strings borrowed from it).
// `extra` names more parameters the handler reads itself (space-separated,
// may be NULL). NULL when fine, else a 400 problem naming every bad
// parameter (caller owns it). Pure.
json_t *cm_list_parse(const cm_doc_type_t *type, const json_t *query,
                      const char *extra, cm_list_query_t *out);

// True when doc (a document or its list item) passes every filter. Pure.
bool cm_list_matches(const cm_doc_type_t *type, const cm_list_query_t *query,
                     const json_t *doc);

// Answer a list request with a parsed query (scope applied).
void cm_list_reply(cm_ctx_t *ctx, const cm_doc_type_t *type,
                   const cm_list_query_t *query);

// The whole GET <collection> handler: parse (no extra parameters), scope
// (may be NULL), reply.
void cm_list_run(cm_ctx_t *ctx, const cm_doc_type_t *type,
                 cm_list_scope_fn *scope);

// After a list reply: when the client asked for text/csv and the page was
// answered (200), answer the page's items as CSV under columns (NULL-ended,
// cm_csv) instead, with the next page's cursor in the X-Next-Cursor header
// (absent on the last page). A client exports a whole list page by page.
void cm_list_as_csv(cm_ctx_t *ctx, const char *const *columns);

#endif
