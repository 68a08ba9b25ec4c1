// hazard — safety hazards (regulations ch. 8): found by an inspection (a
// failed checklist item), reported by staff, or raised by another system
// (`alarm.raised` on the ingest stream; one hazard per alarm however often
// it is delivered), or by a logistics security round (a failed item,
// once per record and item). Severity low, medium or high.
//
//   reported → assigned (owner, deadline; a high hazard needs an emergency
//   measure recorded first) → rectified (by the owner: what was done) →
//   verified (by someone other than the rectifier) → closed
//
// A hazard still assigned after its deadline escalates along the org
// chart as an SLA breach does: level 1 its department's head, 2 the
// deputy head over it, 3 the station head, one step per
// safety/escalation_step_ms (safety.hazard.escalated, warn
// hazard.escalated).
//
// Assigning asks dispatch for a rectification work order in the same
// commit (safety.hazard.work_requested, key = the hazard id, assignee = the
// owner, due at the deadline, field work).
//
// Keys besides the document type's own:
//   sm:{safety-audit}:alarm:<identity>   the hazard an alarm opened
//   sm:{safety-audit}:round_item:<record>|<item>  the hazard a round's
//                                        failed item opened
//   sm:{safety-audit}:timers:hazard_deadlines  assigned hazards by deadline
#ifndef SAFETY_HAZARD_H
#define SAFETY_HAZARD_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define HAZARD_SEVERITIES "low medium high"

extern const cm_doc_type_t hazard_type;
extern const cm_workflow_t hazard_workflow;

// A new hazard (not stored) with id, from `source` {type, id} (borrowed),
// reported by actor (borrowed). fields: title, description, location,
// department, severity (copied). Caller owns the result.
json_t *hazard_new(const char *id, const json_t *fields, const json_t *source,
                   const json_t *actor, int64_t now_ms);

// Add a new hazard with its created event to commit (outside a request:
// an inspection's failed item, an alarm). The next id is taken from the
// store. 0 or a negative cm_status_t; *id (CM_ID_MAX) gets the id.
int hazard_open(cm_store_t *store, cm_commit_t *commit, const json_t *fields,
                const json_t *source, const json_t *actor,
                const char *correlation_id, int64_t now_ms, char *id);

// Escalate every assigned hazard whose deadline (or last escalation step)
// passed by now_ms, one level per step_ms (the tick).
void hazard_tick(cm_store_t *store, int64_t step_ms, int64_t now_ms);

// React to an ingest event: alarm.raised opens a hazard (once per alarm).
// 0 or a negative cm_status_t.
int hazard_on_ingest(cm_store_t *store, const json_t *envelope,
                     cm_commit_t *commit, const char *department);

// React to logistics' events: logistics.round_record.security_failed opens
// one hazard per failed item of a security round (source round_record,
// severity the item's hazard level, location the round's area, department
// the round's), once per record and item however often the event is
// delivered (marker sm:{safety-audit}:round_item:<record>|<item>, written
// CM_VERSION_NEW with the hazard). 0 or a negative cm_status_t.
int hazard_on_round(cm_store_t *store, const json_t *envelope,
                    cm_commit_t *commit);

// Handlers: POST/GET /v1/hazards, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void hazard_create(cm_ctx_t *ctx);
void hazard_list(cm_ctx_t *ctx);
void hazard_get(cm_ctx_t *ctx);
void hazard_history(cm_ctx_t *ctx);
void hazard_act(cm_ctx_t *ctx);

#endif
