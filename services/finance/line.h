// line — a budget line in execution: its figures (amount, committed,
// actual, available = amount - committed - actual) are bounded counters on
// the line's hash, each change written in the same commit as an entry of
// the line's append-only movement stream, so the figures can always be
// recomputed from the movements and checked (line_verify).
//
// A line's reference is "<budget id>/<line id>" ("BU-1/L2").
#ifndef FINANCE_LINE_H
#define FINANCE_LINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_id.h"
#include "cm_store.h"

#define LINE_REF_MAX      (2 * CM_ID_MAX)
#define LINE_CONTROLS     "stop warn ignore"
#define LINE_MOVEMENTS    "commit release pay adjust"
#define LINE_FIELD_AVAIL  "available" // the counter a stop line bounds
#define LINE_FIELD_CLOSED "closed"    // the fiscal year's flag
#define LINE_PAGE         1000        // movements read per round trip

// A line as read. Caller owns info (line_clear).
typedef struct {
    char ref[LINE_REF_MAX]; // "BU-1/L2"
    json_t *info;           // {id, budget, year, category, department, period,
                            // control, threshold_pct, account}
    int64_t amount;         // counters
    int64_t committed;      //
    int64_t actual;         //
    int64_t available;      //
    int64_t closed;         // the fiscal year is closed (1)
} line_t;

// One movement of a line. Strings are borrowed.
typedef struct {
    const char *kind;     // one of LINE_MOVEMENTS
    int64_t amount;       // delta of the line's amount (adjust)
    int64_t committed;    // delta of committed
    int64_t actual;       // delta of actual
    const char *doc_type; // what caused it: "expense_claim"
    const char *doc_id;   // "EC-4"
    const char *step;     // "review", "pay", a reservation
    const char *actor;    // who
    const char *note;     // may be NULL
} line_movement_t;

// The keys of a line and of its movements into buf (CM_STORE_KEY_MAX).
const char *line_key(const char *ref, char *buf);
const char *line_movements_key(const char *ref, char *buf);
const char *line_year_key(int year, char *buf);

// Split "BU-1/L2" into budget and line ids (CM_ID_MAX each). True when the
// reference is well formed.
bool line_ref_split(const char *ref, char *budget, char *line);

// Read a line (its data from its budget document, which must be approved
// or closed, and its counters): 0, CM_ENOTFOUND, CM_EUNAVAILABLE or
// CM_EINTERNAL.
int line_read(cm_store_t *store, const char *ref, line_t *line);

// Free what a line holds.
void line_clear(line_t *line);

// The line's static member (NULL when absent). Borrowed.
const char *line_text(const line_t *line, const char *member);

// Add a movement to commit: the ledger entry and the counters. available
// must stay >= 0 when the line is in `stop` control or the movement moves
// budget away (adjust with a negative amount); committed and actual never
// go below 0; the fiscal year must be open (the commit then ends
// CM_COMMIT_LIMIT naming LINE_FIELD_AVAIL or LINE_FIELD_CLOSED).
void line_commit_movement(cm_commit_t *commit, const line_t *line,
                          const line_movement_t *movement, int64_t now_ms);

// Open a line on budget approval: the opening movement (adjust +amount).
// info holds the line's data with `year` (its budget document keeps it).
void line_commit_open(cm_commit_t *commit, const char *ref, const json_t *info,
                      int64_t amount, const char *budget, const char *actor,
                      int64_t now_ms);

// The figures of a line as JSON {line, amount, committed, actual,
// available, percent_used}. Caller owns the result.
json_t *line_figures(const line_t *line);

// Recompute a line's figures from its movements and compare: *report gets
// {line, stored: {...}, recomputed: {...}, movements, consistent}. 0 or a
// store status. Caller owns *report.
int line_verify(cm_store_t *store, const line_t *line, json_t **report);

#endif
