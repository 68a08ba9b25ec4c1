// candidate — people applying to an approved recruitment plan
// (recruitment.h), a cm_doc type: id CA-n at /v1/candidates.
//
//   {"plan": "RP-2", "department", "position" (the plan's), "name",
//    "channel": CANDIDATE_CHANNELS, "screening": {result, notes},
//    "interview": {score, interviewer, notes}, "test": {score, notes},
//    "offer": {note}, "staff" (once hired), "decline_reason"}
//
// Process: applied → screen (pass: screened; fail: rejected, final) →
// interview → interviewed → test → tested → offer → offered → hire →
// hired (final); decline from any open state → declined (final). Every
// step: the station head, the deputy head overseeing the plan's department
// or its head. `hire` creates the staff record in the same commit (name,
// the plan's department and position, the role and contract it takes,
// skills) with `training_status` "untrained" until safety-audit's
// three-level onboarding is done, and counts against the plan's headcount
// (409 `plan_filled` beyond it, 409 `plan_not_open` when the plan is no
// longer approved).
#ifndef PERSONNEL_CANDIDATE_H
#define PERSONNEL_CANDIDATE_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define CANDIDATE_CHANNELS                                                     \
    "job_fair website referral agency job_site social_media campus other"
#define CANDIDATE_STATES                                                       \
    "applied screened interviewed tested offered hired rejected declined"

extern const cm_doc_type_t candidate_type;
extern const cm_workflow_t candidate_workflow;

// Handlers: POST/GET /v1/candidates, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void candidate_create(cm_ctx_t *ctx);
void candidate_list(cm_ctx_t *ctx);
void candidate_get(cm_ctx_t *ctx);
void candidate_history(cm_ctx_t *ctx);
void candidate_act(cm_ctx_t *ctx);

#endif
