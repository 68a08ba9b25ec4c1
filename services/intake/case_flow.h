// case_flow — the three customer processes of domain.md §1 as cm_workflow
// tables (one per kind), plus the per-action body rules: which members an
// action accepts and how they are checked. Pure: no I/O.
#ifndef INTAKE_CASE_FLOW_H
#define INTAKE_CASE_FLOW_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_workflow.h"

#define CASE_KINDS        "inquiry complaint tech_support"
#define CASE_CHANNELS     "phone email chat web api event"
#define CASE_SEVERITIES   "low medium high critical"
#define CASE_NATURES      "service quality staff_conduct billing other"
#define CASE_FINAL_STATES "closed cancelled"

// States in which the customer, not the station, has to answer next.
#define CASE_AWAITING_CUSTOMER_STATES "answered relayed presented reported"

// The workflow table of a kind ("inquiry", "complaint", "tech_support"), or
// NULL for an unknown kind. Borrowed: static data.
const cm_workflow_t *case_flow_for_kind(const char *kind);

// Check every table (cm_workflow_check). 0 or -1 (logged).
int case_flow_check(void);

// Check the body of `action` beyond the workflow's required fields: unknown
// members, types, enums, ranges, reply_by in the future (now_ms). Returns
// NULL when fine, else a 400 problem naming every bad field (caller owns
// it). An action without rules accepts an empty body or {"note"}.
json_t *case_flow_check_body(const char *action, const json_t *body,
                             long long now_ms);

// The state a confirm leads to, from the kind, the state confirmed in and
// the customer's answer. Borrowed static string.
const char *case_flow_confirm_next(const char *kind, const char *state,
                                   bool satisfied);

// True when a case in `state` waits for the customer.
bool case_flow_awaits_customer(const char *state);

#endif
