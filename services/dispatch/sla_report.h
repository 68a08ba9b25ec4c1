// sla_report — SLA compliance over a period (GET /v1/reports/sla): every
// clock stopped between from and to (sm:{dispatch}:idx:clocks_done, kept
// by clock_commit), per target (first_response, department_reply,
// resolution), optionally of one kind, severity or department: how many,
// on time (stopped by the deadline without a breach), breached, escalated
// past the department's head (level 2 or more), and the median and 90th
// percentile of the time from start to stop (wall milliseconds). JSON, or
// CSV with Accept: text/csv (one row per target).
// Readers: the station head and auditors, every department; a deputy head
// or a department head only for the departments they oversee or head
// (`department` defaults to the first of them; another is 403); others 403.
// A period holding more than SLA_REPORT_MAX clocks is a 422 (narrow it).
#ifndef DISPATCH_SLA_REPORT_H
#define DISPATCH_SLA_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define SLA_REPORT_MAX     50000         // clocks one report reads
#define SLA_REPORT_DONE    "clocks_done" // sm:{dispatch}:idx:clocks_done
#define SLA_REPORT_SPAN_MS (30LL * 24 * 3600 * 1000) // default period

// The key of the stopped-clock index into key (CM_STORE_KEY_MAX).
const char *sla_report_done_key(char *key);

// The report's rows over stopped clocks of [from_ms, to_ms] (kind,
// severity, department: NULL for any): one object per target {target,
// count, on_time, breached, escalated, median_ms, p90_ms} into *rows
// (caller owns). 0, CM_EBUSINESS when more than SLA_REPORT_MAX clocks
// stopped in the period, or a store status.
int sla_report_rows(cm_store_t *store, int64_t from_ms, int64_t to_ms,
                    const char *kind, const char *severity,
                    const char *department, json_t **rows);

void sla_report_get(cm_ctx_t *ctx);

// GET /v1/reports/workload?department=: each active member of the
// department (the org view) with their unfinished work orders, most loaded
// first, and whether they are on duty now; JSON or CSV. Readers as for
// the SLA report (the department defaults to the reader's own).
void sla_report_workload(cm_ctx_t *ctx);

#endif
