// access — who may read what in intake (need-to-know; docs/api.md "Who may
// read what"). Reads are by role and place, from the actor the org view
// refreshed (cm_org: department, heads, oversees) plus intake's own fact
// `desk` (the actor works at or, as deputy head, oversees the customer
// service desk; intake_refresh_actor):
// - cases: the station head, auditors and the desk read every case; anyone
//   else the cases of the departments they belong to, head or oversee,
//   and the cases assigned to them. Anything else answers 404.
// - customer contact details (phone, email, notes, and a case's customer
//   phone and email): the station head, auditors, deputy heads and the
//   desk; others see a customer's id and name only, and may not list or
//   search customers (403).
#ifndef INTAKE_ACCESS_H
#define INTAKE_ACCESS_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_list.h"

// True when the actor reads every case.
bool access_reads_all_cases(const json_t *actor);

// True when the actor reads customers' contact details.
bool access_reads_contacts(const json_t *actor);

// True when dept is one of the actor's departments (department, heads,
// oversees).
bool access_in_departments(const json_t *actor, const char *dept);

// The actor's departments (department, heads, oversees), each once.
// Caller owns the result.
json_t *access_departments(const json_t *actor);

// cm_doc_type_t.may_read of cases (a case or its list item).
bool access_may_read_case(cm_ctx_t *ctx, const json_t *doc);

// cm_doc_type_t.decorate of cases: the customer's contacts left out for
// who may not read them.
void access_decorate_case(cm_ctx_t *ctx, const json_t *doc, json_t *view);

// cm_doc_type_t.decorate of customers: id, name, state and times only for
// who may not read contact details.
void access_decorate_customer(cm_ctx_t *ctx, const json_t *doc, json_t *view);

// cm_list scope of cases: every case for who reads all; otherwise a caller
// with one department walks that department's index (unless the query
// names one of their departments or assignee=<themselves>), and may_read
// checks every item of any other walk.
json_t *access_case_scope(cm_ctx_t *ctx, const cm_doc_type_t *type,
                          cm_list_query_t *query);

// Need-to-know of the desk's reports (satisfaction, volume): the station
// head, auditors and the desk read every department's; a dept_head or
// deputy_head their own departments' (*department defaults to their own);
// anyone else nothing. NULL, or a 403 problem (caller owns it).
json_t *access_report_scope(cm_ctx_t *ctx, const char **department);

#endif
