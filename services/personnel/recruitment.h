// recruitment — recruitment plans (docs/domain.md, ch. 3), a cm_doc type
// under the approval engine: id RP-n at /v1/recruitment-plans.
//
//   {"position": "POS-3", "department" (the position's), "title" (the
//    position's), "headcount", "hired" (candidates hired so far),
//    "conditions", "period": {"start", "end"}, "budget_line" (finance's
//    line, "BU-1/L2"), "budget_amount" (fen, optional), "budget_check",
//    "requested_by", "approval", "decided_by", "decided_at"}
//
// Process: draft → submit → pending → approve (document
// `recruitment_plan` of config/approvals.cfg: the station head) → approved
// → close → closed; reject → returned → resubmit; draft or returned →
// withdraw. The station head's own plan is decided when submitted. A plan
// with a budget_amount is checked against finance's line at submit and
// resubmit (cm_call, POST /internal/budget/check): an unknown line or one
// that stops spending over its available amount refuses it (422), no
// answer is a 503; `budget_check` keeps finance's figures.
// Proposed by the station head, the deputy head overseeing the position's
// department or its head. Candidates (candidate.h) apply to an approved
// plan; each hire counts against the headcount in the hire's commit.
#ifndef PERSONNEL_RECRUITMENT_H
#define PERSONNEL_RECRUITMENT_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define RECRUITMENT_HEADCOUNT_MAX  100
#define RECRUITMENT_CONDITIONS_MAX 4000
#define RECRUITMENT_STATES         "draft pending returned approved closed withdrawn"

extern const cm_doc_type_t recruitment_type;
extern const cm_workflow_t recruitment_workflow;

// Check a create body's shape (period end not before start). NULL or a
// 400 problem naming every bad field. Pure; caller owns it.
json_t *recruitment_validate_create(const json_t *body);

// Handlers: POST/GET /v1/recruitment-plans, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void recruitment_create(cm_ctx_t *ctx);
void recruitment_list(cm_ctx_t *ctx);
void recruitment_get(cm_ctx_t *ctx);
void recruitment_history(cm_ctx_t *ctx);
void recruitment_act(cm_ctx_t *ctx);

#endif
