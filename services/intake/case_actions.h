// case_actions — the effects of the case processes' rows (cm_effect_fn,
// cm_action.h): what an action does beyond copying its fields into the
// case. Every effect ends with case_action_settle, which keeps the members
// that follow from the next state (awaiting_customer, closed_at and the
// intake.case.closed event). The rows themselves are in case_flow.
#ifndef INTAKE_CASE_ACTIONS_H
#define INTAKE_CASE_ACTIONS_H

#include <jansson.h>

#include "cm_action.h"

// Members that follow from the next state. NULL (never refuses).
json_t *case_action_settle(cm_action_t *action);

// The actor becomes the case's last handler (handled_by), then settle.
json_t *case_action_handle(cm_action_t *action);

// Forward: the department must be one the org view knows and has not
// dissolved (else 422 unknown_department), then settle.
json_t *case_action_forward(cm_action_t *action);

// Assign a technical support case: the technician must be an active
// technician of the case's department in the org view (else 422
// not_assignable naming `technician`), then settle.
json_t *case_action_assign(cm_action_t *action);

// Reclassify a recorded case: its kind changes (409 same_kind when it
// would not), so the process of the new kind applies from now on; the
// event and the history entry keep previous_kind.
json_t *case_action_reclassify(cm_action_t *action);

// Tech support triage: the case goes to intake/technical_department.
json_t *case_action_triage(cm_action_t *action);

// Confirm: the next state from the customer's answer, a satisfaction
// entry (kept inline, in the ledger and indexes), another round when
// unsatisfied, the return visit of a resolved complaint.
json_t *case_action_confirm(cm_action_t *action);

// Return visit: recorded on the case, its timer removed; a new issue
// becomes a new case of the same customer, linked both ways. A problem
// (503, 422) when the new case cannot be prepared.
json_t *case_action_return_visit(cm_action_t *action);

// Reopen within intake/reopen_days of closing (else 409
// reopen_window_passed): another round.
json_t *case_action_reopen(cm_action_t *action);

// Summarize: the technician's summary (root cause, improvement measures).
json_t *case_action_summarize(cm_action_t *action);

#endif
