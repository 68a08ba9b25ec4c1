// sanction — rewards and punishments (docs/domain.md, ch. 3), a cm_doc type
// under the approval engine: id SAN-n at /v1/sanctions.
//
//   {"staff": "ST-7", "staff_name", "department" (the person's, when
//    proposed), "kind": SANCTION_REWARDS | SANCTION_PUNISHMENTS,
//    "category": "reward" | "punishment", "reason", "evidence": [refs],
//    "amount": fen (bonus, fine, raise) | null, "role": the new role
//    (promotion, demotion) | null, "previous_role", "response": {text, at}
//    | null, "requested_by", "approval", "decided_by", "decided_at",
//    "notice": NT-n | null}
//
// Process: draft → submit → pending → approve (the chain of
// config/approvals.cfg, document `sanction`: the station head) → approved
// → publish → published (final); reject → returned → resubmit; draft or
// returned → withdraw. When the station head proposes, submitting is their
// decision (nobody approves their own request, and nobody is above them).
// The person may `respond` before the decision. `publish` makes it
// effective: a promotion or demotion changes the staff record's role, a
// dismissal marks the person left (posts released, events
// personnel.staff.role_changed / left), and a public notice (notice.h) is
// written in the same commit; personnel.sanction.published carries kind,
// amount and staff for finance's journal.
//
// Who proposes: the station head, the deputy head overseeing the person's
// department, the head of that department; never about oneself or the
// station head. Who publishes: the station head or the deputy head
// overseeing the department.
#ifndef PERSONNEL_SANCTION_H
#define PERSONNEL_SANCTION_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define SANCTION_REWARDS      "bonus honour_certificate promotion raise"
#define SANCTION_PUNISHMENTS  "criticism warning fine demotion dismissal"
#define SANCTION_KINDS        SANCTION_REWARDS " " SANCTION_PUNISHMENTS
#define SANCTION_STATES       "draft pending returned approved published withdrawn"
#define SANCTION_REASON_MAX   2000
#define SANCTION_EVIDENCE_MAX 20

extern const cm_doc_type_t sanction_type;
extern const cm_workflow_t sanction_workflow;

// The rank of a role: station head 3, deputy head 2, department head 1,
// every other 0. A change of rank is a promotion or a demotion. Pure.
int sanction_role_rank(const char *role);

// Check a create body's shape and the rules between its members (amount
// for bonus, fine and raise only; role for promotion and demotion only).
// NULL or a 400 problem naming every bad field. Pure; caller owns it.
json_t *sanction_validate_create(const json_t *body);

// Handlers: POST/GET /v1/sanctions, GET /v1/sanctions/{id},
// GET /v1/sanctions/{id}/history, POST /v1/sanctions/{id}/{action}.
void sanction_create(cm_ctx_t *ctx);
void sanction_list(cm_ctx_t *ctx);
void sanction_get(cm_ctx_t *ctx);
void sanction_history(cm_ctx_t *ctx);
void sanction_act(cm_ctx_t *ctx);

#endif
