// cm_csv — a report or a page as CSV (RFC 4180) for clients that ask for
// text/csv (cm_ctx_accepts, cm_ctx_reply_media): a header line of column
// names, then one line per row object with each column's member: strings
// as they are, numbers and booleans as JSON writes them, null or absent as
// an empty field; a field holding a comma, quote, CR or LF is quoted with
// its quotes doubled. A member that is an object or an array is written
// as its compact JSON (quoted). Lines end with CRLF.
#ifndef LIBCOMMON_CM_CSV_H
#define LIBCOMMON_CM_CSV_H

#include <jansson.h>

#define CM_CSV_MEDIA_TYPE "text/csv; charset=utf-8"

// The CSV of rows (an array of objects) under columns (NULL-ended).
// Caller owns the result (free()); NULL when out of memory.
char *cm_csv_rows(const char *const *columns, const json_t *rows);

#endif
