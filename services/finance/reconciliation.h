// reconciliation — a bank account's book against a bank statement
// (regulations ch. 7 (三) 2): the statement is imported (CSV in a JSON
// string member `csv`, or JSON `lines`; statement.h documents the layout;
// or a `bank.statement` event through the ingest stream), matched with the
// account's postings (matcher.h: amount, a date window, reference), and
// what stays unmatched on either side is listed with the difference. Every
// difference needs an explanation before the close is submitted; the
// finance head approves the close (approval matrix).
//
// States: importing → (match) matched → (submit) pending → (approve)
// closed; reject returns it to matched.
#ifndef FINANCE_RECONCILIATION_H
#define FINANCE_RECONCILIATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define RECONCILIATION_INLINE_MAX 200   // differences a document lists
#define RECONCILIATION_CSV_MAX    60000 // characters of one `csv` member

extern const cm_doc_type_t reconciliation_type;
extern const cm_workflow_t reconciliation_workflow;

// Match the statement of doc (RC-n) with its account's postings and write
// the outcome into doc: matched, unmatched counts, differences (each
// {item, side, date, amount, reference}), difference (statement minus
// book, unmatched only). window_days: most days apart. 0 or
// a store status.
int reconciliation_run(cm_store_t *store, json_t *doc, int window_days);

// Open a reconciliation from a bank.statement event (data {account,
// period_start, period_end, lines | csv, statement_balance?}) into commit.
// A malformed event is logged and acknowledged. 0 or a store status.
int reconciliation_from_event(cm_store_t *store, const json_t *envelope,
                              cm_commit_t *commit);

// The statement stream of reconciliation id into buf (CM_STORE_KEY_MAX).
// Returns buf.
const char *reconciliation_statement_key(const char *id, char *buf);

// The statement lines of a body: from `csv` or `lines` (not both; neither
// is an empty array when none_ok, else 400). NULL with *problem set, or
// the lines (caller owns).
json_t *reconciliation_body_lines(const json_t *body, bool none_ok,
                                  json_t **problem);

// Handlers: POST/GET /v1/reconciliations, GET …/{id},
// POST …/{id}/{action}, GET …/{id}/history, GET …/{id}/statement.
void reconciliation_create(cm_ctx_t *ctx);
void reconciliation_list(cm_ctx_t *ctx);
void reconciliation_get(cm_ctx_t *ctx);
void reconciliation_act(cm_ctx_t *ctx);
void reconciliation_history(cm_ctx_t *ctx);
void reconciliation_statement(cm_ctx_t *ctx);

#endif
