// cm_summary — the figures a service gives for the station report
// (oversight's GET /v1/reports/station, regulations ch. 2 (二)1–2):
// GET /internal/summary?from=&to=&department= over the broker.
//
// The period is [from, to): dates YYYY-MM-DD (UTC), from before to, at
// most CM_SUMMARY_SPAN_DAYS days. department (optional) narrows what can
// be narrowed to one department. The answer:
//   {"from", "to", "department": code | null,
//    "period": {<section>: {<figure>: number | null}},   in the period
//    "now":    {<section>: {<figure>: number | null}}}   as of now
// Figures "now" (open hazards, stock shortages) have no value for a past
// period: the report gives them without a previous value. Only services
// (role system with `service`) may ask; anyone else 403.
#ifndef LIBCOMMON_CM_SUMMARY_H
#define LIBCOMMON_CM_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define CM_SUMMARY_PATH      "/internal/summary"
#define CM_SUMMARY_SPAN_DAYS 366
#define CM_SUMMARY_DAY_MS    86400000LL

// A summary being answered.
typedef struct {
    int64_t from_ms, to_ms; // [from_ms, to_ms), midnights UTC
    const char *department; // borrowed from the request; NULL: all
    json_t *period;         // owned
    json_t *now;            // owned
} cm_summary_t;

// Parse "YYYY-MM-DD" as its midnight UTC into *ms. 0, or -1 when text is
// not a date.
int cm_summary_parse_date(const char *text, int64_t *ms);

// Check the caller is a service and parse the query into s. False after
// answering 403 or 400 (naming the field); true: the caller answers with
// cm_summary_reply.
bool cm_summary_begin(cm_ctx_t *ctx, cm_summary_t *s);

// Set a figure of the period, or as of now (value stolen; NULL: null).
void cm_summary_period(cm_summary_t *s, const char *section, const char *figure,
                       json_t *value);
void cm_summary_now(cm_summary_t *s, const char *section, const char *figure,
                    json_t *value);

// Count the members of index (a cm_doc filter index, score = updated ms)
// whose score lies in [from_ms, to_ms) (from_ms < 0: every member) and,
// when also is not NULL, that are members of index `also` too (another
// filter's index: the department's). 0 with *count, or a status.
int cm_summary_count(cm_store_t *store, const char *index, const char *also,
                     int64_t from_ms, int64_t to_ms, int64_t *count);

// Answer 200 with the figures, or rc's status when rc is not 0; frees what
// s holds either way.
void cm_summary_reply(cm_ctx_t *ctx, cm_summary_t *s, int rc);

#endif
