// onboarding — the three-level safety training of every staff member
// (regulations ch. 8: station, department and team level). One document
// per person, its id the staff id, created untrained when personnel's
// personnel.staff.created reaches the service; `sign-off` with the level
// records each level, signed by its owner:
//
//   station      a safety officer
//   department   the head of the person's department
//   team         the team lead named on the document, or the department head
//
// untrained → in_training (first level) → complete (all three). Every
// change publishes a safety.onboarding.* event whose data (staff,
// department, state, levels, missing, complete) every service's org view
// keeps (cm_org), so dispatch can refuse field work to the untrained.
#ifndef SAFETY_ONBOARDING_H
#define SAFETY_ONBOARDING_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_events.h"

#define ONBOARDING_LEVELS "station department team"
#define ONBOARDING_STATES "untrained in_training complete"

extern const cm_doc_type_t onboarding_type;
extern const cm_workflow_t onboarding_workflow;

// A new untrained onboarding document for staff (personnel's staff data:
// id, name, department), made by actor (may be NULL). Caller owns it.
json_t *onboarding_new(const json_t *staff, const json_t *actor,
                       int64_t now_ms);

// The levels not yet signed off in doc, in order. Caller owns the result.
json_t *onboarding_missing(const json_t *doc);

// React to a personnel.staff.* event (envelope parsed): create the
// document of a new staff member, follow a department change. 0 or a
// negative cm_status_t.
int onboarding_on_staff(cm_store_t *store, const json_t *envelope,
                        cm_commit_t *commit);

// Handlers: GET /v1/onboarding, GET/PATCH …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void onboarding_list(cm_ctx_t *ctx);
void onboarding_get(cm_ctx_t *ctx);
void onboarding_patch(cm_ctx_t *ctx);
void onboarding_history(cm_ctx_t *ctx);
void onboarding_act(cm_ctx_t *ctx);

#endif
