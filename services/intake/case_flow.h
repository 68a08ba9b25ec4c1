// case_flow — the three customer processes of docs/domain.md, one cm_workflow
// table per kind. Each row is one action in one place: states, who may
// take it (roles and guards), the body it takes (a cm_field table with the
// documented maxima), its effect (case_actions), the next state and its
// event. Pure: no I/O.
//
// Who acts for the customer service desk: a cs_agent whose department is
// the desk's (intake/customer_service_department) or a deputy head
// overseeing it (the actor fact `desk`, set by intake_refresh_actor); the
// station head may do everything.
#ifndef INTAKE_CASE_FLOW_H
#define INTAKE_CASE_FLOW_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_workflow.h"

#define CASE_SEVERITIES "low medium high critical"
#define CASE_NATURES    "service quality staff_conduct billing other"
// What kind of problem a technical support case is (judged at triage,
// with its severity, before it goes to the technical staff).
#define CASE_TECH_NATURES "equipment software network facility other"
#define CASE_FINAL_STATES "closed cancelled"

// States in which the customer, not the station, has to answer next.
#define CASE_AWAITING_CUSTOMER_STATES "answered relayed presented reported"

// The workflow table of a kind ("inquiry", "complaint", "tech_support"), or
// NULL for an unknown kind. Borrowed: static data.
const cm_workflow_t *case_flow_for_kind(const char *kind);

// The table of a case document (its kind): the type's workflow_for.
const cm_workflow_t *case_flow_for(const json_t *doc);

// Check every table (cm_workflow_check). 0 or -1 (logged).
int case_flow_check(void);

// The state a confirm leads to, from the kind, the state confirmed in and
// the customer's answer. Borrowed static string; NULL when no rule.
const char *case_flow_confirm_next(const char *kind, const char *state,
                                   bool satisfied);

// True when a case in `state` waits for the customer.
bool case_flow_awaits_customer(const char *state);

// The guard of the desk's rows: the actor works at (or oversees) the
// customer service desk.
bool case_flow_at_desk(const json_t *actor, const json_t *doc);

#endif
