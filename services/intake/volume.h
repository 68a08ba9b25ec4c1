// volume — cases opened, closed and open (backlog) per day: the report
// GET /v1/reports/volume?from=&to=&department= (JSON, or CSV with
// Accept: text/csv).
//
// A case is open in every state but closed and cancelled. It counts in the
// bucket "<department>|<kind>" ("-" before it has a department). Every
// commit of a case (cm_doc_type_t.indexes) adds, in the same commit:
//   sm:{intake}:volume:day:<YYYY-MM-DD>  hash, per bucket:
//       <bucket>|opened    cases recorded that day (UTC)
//       <bucket>|closed    cases closed or cancelled that day
//       <bucket>|reopened  cases reopened that day
//       <bucket>|received  open cases that came to the bucket's department
//                          from another (forwarded) that day
//       <bucket>|net       change of the bucket's open cases that day
//                          (recorded, closed, reopened, and moves between
//                          buckets: forwarded to another department,
//                          reclassified)
//   sm:{intake}:volume:open             hash, <bucket> = open cases now
// With department=, `opened` is what came to that department: recorded
// with it, or received (cases are recorded at the desk and forwarded).
// The backlog at the end of day D is the open cases now less the net
// changes of the days after D: a report reads one hash per day from `from`
// to today and never a case. Counting starts when this version first
// runs: cases recorded before it are not in the figures.
#ifndef INTAKE_VOLUME_H
#define INTAKE_VOLUME_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define VOLUME_SPAN_MAX     366  // days one report covers
#define VOLUME_SPAN_DEFAULT 30   // days when from is not given
#define VOLUME_HISTORY_MAX  3660 // days back `from` may go (ten years)

// Add the counters of a case's change from old (NULL: a new case) to doc,
// on the UTC day of now_ms.
void volume_commit(cm_commit_t *commit, const json_t *old, const json_t *doc,
                   int64_t now_ms);

// The report of days from..to (day numbers since the epoch, UTC; from <=
// to, at most VOLUME_SPAN_MAX days) for department (NULL: all): {from, to,
// department, days: [{date, opened, closed, reopened, backlog, kinds:
// {<kind>: {opened, closed, backlog}}}], totals: {opened, closed}} into
// *report (caller owns), one flat row per day appended to rows. 0 or a
// status (nothing in *report).
int volume_report(cm_store_t *store, int64_t from, int64_t to,
                  const char *department, json_t **report, json_t *rows);

// GET /v1/reports/volume?from=&to=&department= handler.
void volume_get_report(cm_ctx_t *ctx);

#endif
