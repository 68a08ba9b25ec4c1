// cm_approval — the one approval engine of every service.
//
// The approval matrix is data (config/approvals.cfg, ZPL, read by every
// service at start; served at GET /v1/approval-rules): for a document type,
// an amount band (integer fen, [min, max)) and an item class, the ordered
// steps of the chain. A step is `name:role@scope`:
//   dept_head@requester  the head of the document's department
//   dept_head@finance    the head of the named department
//   deputy_head@requester  the deputy head overseeing the document's
//                          department
//   station_head@station the station head
//   finance@finance      a member of the named department with that role
//
//   rules
//       rule
//           document = expense_claim
//           min = 0
//           max = 500000
//           steps = check:dept_head@requester review:finance@finance
//
// A document under approval carries `approval`:
//   {"document_type", "department", "requester", "amount", "class",
//    "round": 1, "current": 0, "complete": false,
//    "steps": [{"name", "role", "scope", "decision"?, "by"?, "for"?, "at"?,
//               "reason"?, "code"?}], "rounds": [earlier rounds' steps]}
//
// Rules the engine enforces: steps are taken in order; nobody approves
// their own document (nor acts for its requester); nobody takes two steps
// of one round; the approver holds the step's role and scope at the time
// of approval (the org view's facts on the actor, cm_org); a rejection needs
// a reason and returns the document to its requester, who may correct and
// resubmit (a new round; history and `rounds` keep the old ones); under a
// delegation the step is recorded as "B for A" (`by` B, `for` A) and only
// while the delegation runs and covers the document type.
//
// In a process table: rows `submit`, `approve`, `reject`, `resubmit` use the
// effects below, and the approve/reject rows carry the guard
// CM_WORKFLOW_APPROVER (roles "*"), so `actions` lists them only for who
// may take the current step.
#ifndef LIBCOMMON_CM_APPROVAL_H
#define LIBCOMMON_CM_APPROVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_field.h"

typedef struct cm_approvals cm_approvals_t;
typedef struct cm_action cm_action_t;

#define CM_APPROVAL_STEPS_MAX 8
#define CM_APPROVAL_REJECT_CODES                                               \
    "missing_invoice over_standard not_business incomplete "                   \
    "over_budget wrong_step other"

// ---- the matrix

// Parse a matrix file. Caller owns the result; NULL after writing the
// reason into error (size bytes).
cm_approvals_t *cm_approvals_load(const char *path, char *error, size_t size);

// Parse matrix text (ZPL). As cm_approvals_load.
cm_approvals_t *cm_approvals_parse(const char *text, char *error, size_t size);

// Free; safe when *self_p is NULL.
void cm_approvals_destroy(cm_approvals_t **self_p);

// The matrix as JSON: {"rules": [{document, min, max, class, steps: [{name,
// role, scope}]}]}. Caller owns the result.
json_t *cm_approvals_to_json(const cm_approvals_t *self);

// The steps for a document type, amount and item class (NULL: any): the
// first matching rule's steps as an array of {name, role, scope}; NULL
// when no rule matches. Caller owns the result.
json_t *cm_approvals_chain(const cm_approvals_t *self, const char *document,
                           int64_t amount, const char *item_class);

// ---- documents under approval (pure: the doc and actor JSON)

// True when actor (with the org view's facts) may take the current step
// of doc's approval. When true and for_whom is not NULL, *for_whom is the
// delegator's id when acting under a delegation, else NULL (borrowed).
bool cm_approval_may_decide(const json_t *doc, const json_t *actor,
                            const char **for_whom);

// True when the last step was approved.
bool cm_approval_is_complete(const json_t *doc);

// The current step (borrowed from doc), NULL when none.
const json_t *cm_approval_current(const json_t *doc);

// ---- effects for process rows (cm_action)

// Start the chain on submit. The service sets before calling: the amount
// (fen) and item class; document type and department come from the
// arguments. A document type without a rule is 422 "no_approval_rule".
// With no steps the document is approved at once (next state
// `approved_state`). Returns NULL or a problem; sets action->next_state.
json_t *cm_approval_submit(cm_action_t *action, const char *document_type,
                           const char *department, int64_t amount,
                           const char *item_class, const char *pending_state,
                           const char *approved_state);

// Record an approval of the current step; the last one completes the chain
// (next state approved_state), others keep pending_state. NULL or a
// problem.
json_t *cm_approval_approve(cm_action_t *action, const char *pending_state,
                            const char *approved_state);

// Record a rejection of the current step (body: reason required, code one
// of CM_APPROVAL_REJECT_CODES, default "other"): the document returns to
// returned_state. NULL or a problem.
json_t *cm_approval_reject(cm_action_t *action, const char *returned_state);

// Restart the chain after a rejection (the old round moves to `rounds`):
// same rule, recomputed for the document's current amount. NULL or a
// problem; sets next state pending_state (or approved_state when no steps).
json_t *cm_approval_resubmit(cm_action_t *action, int64_t amount,
                             const char *pending_state,
                             const char *approved_state);

// The bodies approve and reject take (cm_field tables, static data):
// approve {note?}; reject {reason, code?, note?}.
extern const cm_field_t cm_approval_approve_fields[];
extern const cm_field_t cm_approval_reject_fields[];

#endif
