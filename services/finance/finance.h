// finance — the service definition (budgets, expense claims, the journal,
// reconciliation, major expenditure) and what its modules share: the owner
// name, the roles that act, and the configuration read once at start.
//
// Keys (hash tag {finance}) besides the document types' own (cm_doc.h):
//   sm:{finance}:line:<budget>/<line>         a budget line: doc (its
//       static data), counters amount, committed, actual, available,
//       threshold:<period>
//   sm:{finance}:ledger:movements:<budget>/<line>  its movements, forever
//   sm:{finance}:lineindex:<year>             the approved budget's lines by
//                                             category|department
//   sm:{finance}:fiscalyear:<year>            counter closed (0 or 1)
//   sm:{finance}:invoice:<number>             which claim holds an invoice
//   sm:{finance}:ledger:journal               every journal entry, in order
//   sm:{finance}:ledger:account:<code>        an account's postings with
//                                             the running balance
//   sm:{finance}:entry:<JE-n>                 one journal entry
//   sm:{finance}:ledger:statement:<RC-n>      a reconciliation's statement
//   sm:{finance}:ledger:differences:<RC-n>:<run>  unmatched items of a run
//   sm:{finance}:timers:commitments           pending commitments' expiry
#ifndef FINANCE_FINANCE_H
#define FINANCE_FINANCE_H

#include <stdint.h>

#include <jansson.h>
#include <stdbool.h>

#include "cm_service.h"

#define FINANCE_OWNER      "finance"
#define FINANCE_DEPARTMENT "finance" // the department whose head reviews
#define FINANCE_SYSTEM     "system"  // the role of other services
// Every role a person may hold (claimants, requesters).
#define FINANCE_STAFF_ROLES                                                    \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"
// Who keeps the books: finance staff of the finance department, its head
// (as personnel names it), the station head. The roles a row names; the
// place is finance_keeper_guard's.
#define FINANCE_KEEPERS "finance dept_head station_head"
// Who may read finance documents that are not their own.
#define FINANCE_READERS "finance station_head deputy_head auditor"

#define FINANCE_MAJOR_DEFAULT "5000000" // 50,000 yuan in fen
#define FINANCE_TTL_DEFAULT   "900000"  // a pending commitment: 15 min

// Configuration, read once at start (finance/...). Read-only afterwards.
typedef struct {
    int64_t major_expenditure_fen; // at or above: an approved request needed
    int64_t reservation_ttl_ms;    // a pending commitment expires after it
    int match_window_days;         // statement vs book date distance
    int invoice_max_age_days;      // oldest invoice a claim may carry
} finance_t;

// The service definition.
extern const cm_service_def_t finance_service;

// The configuration of the request's service. Borrowed.
const finance_t *finance_of(cm_ctx_t *ctx);

// True when actor (the org view's, cm_org) keeps the books: the station
// head, a `finance` member of the finance department, or the head of the
// finance department. Also a process-row guard (cm_workflow_guard_fn).
bool finance_keeper_guard(const json_t *actor, const json_t *doc);

// finance_keeper_guard for the request's actor.
bool finance_is_keeper(cm_ctx_t *ctx);

// True when the request's actor is another service (role system).
bool finance_is_system(cm_ctx_t *ctx);

// A finance key "sm:{finance}:<kind>:<id>" into buf (CM_STORE_KEY_MAX).
// Returns buf.
#define finance_key(buf, kind, id)                                             \
    cm_store_key_fit(buf, FINANCE_OWNER, kind, id)

#endif
