// listing — list requests: query parsing (limit, cursor, with_total,
// filters; unknown members → 400 naming them) and a page of an index
// turned into {"items": [...], "next_cursor": ..., "total"?}.
#ifndef PERSONNEL_LISTING_H
#define PERSONNEL_LISTING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"

#define LISTING_LIMIT_DEFAULT 50
#define LISTING_LIMIT_MAX     200
// Bytes of items one page may carry: a reply envelope is at most 64 KiB
// (design.md §4); a page that would pass this ends early with a cursor.
#define LISTING_BYTES_MAX ((size_t)56 * 1024)
// The one order lists have: newest first by creation (stable pages).
#define LISTING_SORT "created_at:desc"

// A parsed list query. Strings are borrowed from the query object.
typedef struct {
    size_t limit;       // 1..LISTING_LIMIT_MAX
    const char *cursor; // NULL for the first page
    bool with_total;    // add "total"
} listing_t;

// Turn one stored document into an item for the caller (version and
// actions added). Caller owns the result; NULL skips the item.
typedef json_t *(listing_present_fn)(cm_ctx_t *ctx, const json_t *doc,
                                     int64_t version);

// Parse the query (may be NULL). Members other than limit, cursor,
// with_total, sort and the space-separated `filters` are refused; filter
// values must be strings. Returns NULL, or a 400 problem naming every bad
// member (caller owns it).
json_t *listing_parse(const json_t *query, const char *filters,
                      listing_t *listing);

// Answer with a page of index `index_key` (sm:{personnel}:idx:...) whose
// members are ids of `kind` documents, each shown through present without
// its history (read one document for that). The page ends early when its
// items pass LISTING_BYTES_MAX.
void listing_reply(cm_ctx_t *ctx, const char *index_key,
                   const listing_t *listing, const char *kind,
                   listing_present_fn *present);

#endif
