// satisfaction — what customers said at every confirm (docs/domain.md) and
// the report GET /v1/reports/satisfaction.
//
// Each confirm adds, in the case's commit:
//   sm:{intake}:ledger:satisfaction                  stream, full entry
//   sm:{intake}:idx:satisfaction                     sorted sets, score =
//   sm:{intake}:idx:satisfaction_department:<dept>   time of the confirm,
//   sm:{intake}:idx:satisfaction_staff:<staff id>    member = the entry
// The member is the compact entry itself ({case, round, satisfied, score,
// department, staff, kind}, unique per case and round), so a report reads
// only the index of its filter over [from, to] and never the case
// documents: cost grows with the confirms in the period, not with cases.
#ifndef INTAKE_SATISFACTION_H
#define INTAKE_SATISFACTION_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define SATISFACTION_PAGE         1000                  // index page read
#define SATISFACTION_DEFAULT_SPAN (30LL * 24 * 3600000) // from = to - 30 d

// The entry of a confirm on case doc (its state before the change): round,
// satisfied, score, comment, department, staff (assignee, else the last
// handler), kind, by, at. Caller owns the result.
json_t *satisfaction_entry(const json_t *doc, const json_t *body,
                           const json_t *actor, int64_t now_ms);

// Add the ledger entry and index members of entry (borrowed) to commit.
void satisfaction_commit(cm_commit_t *commit, const json_t *entry,
                         int64_t now_ms);

// Running totals of a report.
typedef struct {
    int64_t count;       // confirms
    int64_t satisfied;   // of which satisfied
    int64_t unsatisfied; // of which not: each sent the case another round
    int64_t score_sum;   // for the average
    json_t *cases;       // owned: set of case ids (object keys)
} satisfaction_totals_t;

// Fold one index member (the compact entry) into totals when it matches
// department and staff (NULL: any). Returns 0, or -1 for a member that is
// not an entry (skipped). Pure.
int satisfaction_fold(satisfaction_totals_t *totals, const char *member,
                      const char *department, const char *staff);

// The report body from totals (borrowed) and the query. Caller owns it.
json_t *satisfaction_report(const satisfaction_totals_t *totals,
                            int64_t from_ms, int64_t to_ms,
                            const char *department, const char *staff);

// The confirms of [from_ms, to_ms] (both included) of department (NULL:
// all) into totals, as the report reads them (caller clears
// totals->cases). 0 or a status.
int satisfaction_period(cm_store_t *store, int64_t from_ms, int64_t to_ms,
                        const char *department, satisfaction_totals_t *totals);

// GET /v1/reports/satisfaction?from=&to=&department=&staff= handler.
void satisfaction_get_report(cm_ctx_t *ctx);

// POST /internal/satisfaction {staff, from, to} (RFC 3339): the report of
// one person's confirms for a service (cm_call; personnel's evaluations):
// the same figures GET /v1/reports/satisfaction?staff=&from=&to= gives.
void satisfaction_internal(cm_ctx_t *ctx);

#endif
