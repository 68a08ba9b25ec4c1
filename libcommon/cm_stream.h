// cm_stream — reading append-only streams page by page: document history,
// ledgers, journals (written by cm_commit_ledger, field `entry`, never
// trimmed). A cursor is the stream id of the last entry of the previous
// page, so pages stay stable while the stream grows.
#ifndef LIBCOMMON_CM_STREAM_H
#define LIBCOMMON_CM_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"

#define CM_STREAM_PAGE_MAX 1000 // entries in one page, at most

// One page of a stream. Caller owns it (cm_stream_page_clear).
typedef struct {
    json_t *entries;   // array of the parsed `entry` values, in order
    char **ids;        // their stream ids
    size_t count;      // entries on this page
    char *next_cursor; // the last id when more may follow, else NULL
} cm_stream_page_t;

// True when text is a stream id "<ms>-<seq>" (digits only).
bool cm_stream_id_is_valid(const char *text);

// Up to limit (1..CM_STREAM_PAGE_MAX) entries of stream `key` after the id
// `after` (NULL: from the start; with reverse: from the end, going back,
// and `after` is then the id to go below), between min_id and max_id when
// they are not NULL ("<ms>" or "<ms>-<seq>", inclusive). 0, CM_EINVAL (a
// malformed cursor or bound), CM_EUNAVAILABLE or CM_EINTERNAL (an entry
// that is not JSON). An entry stamped by cm_commit_ledger_stamped has its
// stamp as an integer member. Caller owns *page on success.
int cm_stream_read(cm_store_t *store, const char *key, const char *after,
                   const char *min_id, const char *max_id, size_t limit,
                   bool reverse, cm_stream_page_t *page);

// Free what a page holds and zero it.
void cm_stream_page_clear(cm_stream_page_t *page);

// The number of entries of a stream (XLEN): 0, CM_EUNAVAILABLE.
int cm_stream_length(cm_store_t *store, const char *key, int64_t *length);

#endif
