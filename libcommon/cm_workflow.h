// cm_workflow — declarative transition tables and the engine that applies
// them. Every rule of docs/domain.md that says who may do what, when, lives in
// such a table; the engine decides permission, required body fields, the
// next state and the event type. The service code does the data effects.
//
// A row: state(s), action, roles, guards on the actor's relation to the
// document, required body fields, next state, event type. Lists are one
// string of names separated by spaces (as in cm_validate). Example: the
// inquiry process of docs/domain.md.
//
//   static const cm_workflow_row_t inquiry_rows[] = {
//       // state(s), action, roles, guards, required, next, event
//       {"recorded", "answer", "cs_agent", 0, "answer", "answered",
//        "intake.case.answered"},
//       {"recorded", "forward", "cs_agent", 0, "department reply_by",
//        "forwarded", "intake.case.forwarded"},
//       {"forwarded", "reply", "dept_head", CM_WORKFLOW_DEPARTMENT, "answer",
//        "replied", "intake.case.replied"},
//       {"forwarded", "reply", "technician cs_agent", CM_WORKFLOW_ASSIGNEE,
//        "answer", "replied", "intake.case.replied"},
//       {"replied", "relay", "cs_agent", 0, NULL, "relayed",
//        "intake.case.relayed"},
//       {"answered relayed", "confirm", "cs_agent", 0, "satisfied",
//        CM_WORKFLOW_BY_CODE, "intake.case.confirmed"},
//       {"*", "note", "cs_agent dept_head", 0, "note", CM_WORKFLOW_STAY,
//        "intake.case.noted"},
//       {"*", "cancel", "cs_agent", 0, "reason", "cancelled",
//        "intake.case.cancelled"},
//       {"closed", "reopen", "cs_agent", 0, "reason", "recorded",
//        "intake.case.reopened"},
//   };
//   static const cm_workflow_t inquiry = {
//       .name = "case.inquiry",
//       .rows = inquiry_rows,
//       .row_count = CM_WORKFLOW_ROW_COUNT(inquiry_rows),
//       .final_states = "closed cancelled",
//       .superuser_role = "station_head",
//   };
//
// Rules:
// - "*" matches every state that is not final. A final state allows only
//   the rows that name it (above: `reopen` from `closed`); `cancelled`
//   allows nothing.
// - Several rows may share a state and action (above: `reply` by the dept
//   head of the case's department, or by the assignee); the first row in
//   table order that lets the actor act wins.
// - Guards are ANDed. The superuser role may take every row, skipping roles,
//   CM_WORKFLOW_ASSIGNEE and CM_WORKFLOW_DEPARTMENT, unless the row has
//   CM_WORKFLOW_STRICT; CM_WORKFLOW_NOT_REQUESTER holds for the superuser
//   too (nobody approves their own request).
// - cm_workflow_apply checks in this order and stops at the first failure:
//   1. the action appears in no row          → 404 "unknown_action"
//   2. no row for this action in this state  → 409 "invalid_transition"
//   3. no such row lets this actor act       → 403 "forbidden"
//   4. required body fields missing or blank → 400 "validation_failed"
//      (with a `fields` table: every member checked, cm_field_check)
//   409 and 403 carry `state` and `allowed_actions` (what this actor may do
//   now); 400 has one errors[] entry per missing field ("is required").
//   Permission comes before fields so a caller who may not act learns
//   nothing about the body.
//
// Actor: {"id": "ST-17", "role": "cs_agent", "department": "customer_service"}.
// Relations compare actor values with document fields using json_equal, so
// ids may be strings or integers; a missing value never matches.
#ifndef LIBCOMMON_CM_WORKFLOW_H
#define LIBCOMMON_CM_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_field.h"

// Row state matching every state that is not final.
#define CM_WORKFLOW_ANY_STATE "*"

// Next state: the document keeps its state (a note, an edit).
#define CM_WORKFLOW_STAY "="

// Next state: the service decides from the body (confirm: satisfied →
// closed, unsatisfied → back to the department).
#define CM_WORKFLOW_BY_CODE "?"

// Number of rows in a static array of rows.
#define CM_WORKFLOW_ROW_COUNT(rows) (sizeof(rows) / sizeof((rows)[0]))

// Guards on a row, combined with |. Document field names come from the table.
typedef enum {
    CM_WORKFLOW_ASSIGNEE = 1 << 0,      // actor id == doc assignee field
    CM_WORKFLOW_DEPARTMENT = 1 << 1,    // actor department == doc department
    CM_WORKFLOW_NOT_REQUESTER = 1 << 2, // actor id != doc requester field
    CM_WORKFLOW_STRICT = 1 << 3,        // no superuser bypass on this row
    // The org view's facts about the actor (cm_org_actor adds them): the
    // departments the actor heads (`heads`) or oversees as deputy
    // (`oversees`) include the document's department.
    CM_WORKFLOW_HEAD = 1 << 4,
    CM_WORKFLOW_OVERSEES = 1 << 5,
    // The actor may take the current step of the document's approval chain
    // (cm_approval_may_decide); replaces roles, binds the superuser too.
    CM_WORKFLOW_APPROVER = 1 << 6,
} cm_workflow_guard_t;

typedef struct cm_action cm_action_t; // cm_action.h

// What an action does beyond copying fields and moving the state: reads and
// edits action->doc, adds to action->commit, may set action->next_state
// (rows with CM_WORKFLOW_BY_CODE must). NULL to go on, or a problem to
// answer (nothing is written). Caller owns the result.
typedef json_t *(cm_effect_fn)(cm_action_t *action);

// A service's own relation between the actor and the document, for what
// the guard flags cannot say (the actor works at the service's desk).
// True when the actor may take the row. Pure: reads only its arguments.
typedef bool(cm_workflow_guard_fn)(const json_t *actor, const json_t *doc);

// One transition. All strings are static; lists are space-separated names.
typedef struct {
    const char *state;      // one or more states, or CM_WORKFLOW_ANY_STATE
    const char *action;     // "forward"
    const char *roles;      // roles that may act: "cs_agent dept_head"
    unsigned guards;        // cm_workflow_guard_t flags, 0 for none
    const char *required;   // body fields that must have a value, or NULL
    const char *next_state; // a state, CM_WORKFLOW_STAY or CM_WORKFLOW_BY_CODE
    const char *event_type; // "intake.case.forwarded", or NULL for none
    // The body the action takes (cm_field.h), or NULL: then only the
    // `required` names are checked here and the service checks the rest.
    // With a table, every member is checked: unknown, missing, wrong type,
    // too long.
    const cm_field_t *fields;
    cm_effect_fn *effect; // the action's own effect (cm_action), or NULL
    // One more guard, ANDed with the flags; like CM_WORKFLOW_DEPARTMENT the
    // superuser passes it unless the row is CM_WORKFLOW_STRICT. NULL: none.
    cm_workflow_guard_fn *guard;
} cm_workflow_row_t;

// A process. Static data: the engine never copies or frees it.
typedef struct {
    const char *name;              // "case.inquiry", for logs
    const cm_workflow_row_t *rows; // borrowed: static array
    size_t row_count;              // CM_WORKFLOW_ROW_COUNT(rows)
    const char *final_states;      // "closed cancelled"
    const char *superuser_role;    // "station_head", or NULL for none
    const char *assignee_field;    // NULL: "assignee"
    const char *department_field;  // NULL: "department"
    const char *requester_field;   // NULL: "requested_by"
} cm_workflow_t;

// What an allowed action does. Every pointer is borrowed from the table or
// from the `state` argument of cm_workflow_apply.
typedef struct {
    const cm_workflow_row_t *row; // the row that allowed the action
    const char *next_state;       // NULL when CM_WORKFLOW_BY_CODE
    const char *event_type;       // NULL when the row publishes no event
} cm_workflow_step_t;

// Check a table once at start: every row has a state, action, roles and
// next state, and no name is too long. Returns 0, or -1 after logging the
// first bad row (a bug: the service should refuse to start).
int cm_workflow_check(const cm_workflow_t *self);

// True when `state` is one of the table's final states.
bool cm_workflow_is_final(const cm_workflow_t *self, const char *state);

// Apply `action` to a document in `state` for `actor`, with the request
// `body` (actor, doc and body may be NULL). Returns NULL and fills *step when
// allowed; otherwise a problem (404, 409, 403 or 400, see above) and *step
// is zeroed. Caller owns the result.
json_t *cm_workflow_apply(const cm_workflow_t *self, const char *state,
                          const char *action, const json_t *actor,
                          const json_t *doc, const json_t *body,
                          cm_workflow_step_t *step);

// The actions `actor` may take now on a document in `state`, each once, in
// table order: the `actions` member of every document. Caller owns the
// result (an array, empty when nothing is allowed).
json_t *cm_workflow_actions(const cm_workflow_t *self, const char *state,
                            const json_t *actor, const json_t *doc);

#endif
