// fault — faults of equipment (regulations ch. 6): reported by staff
// (POST /v1/faults) or by another system's equipment.fault event (matched
// by asset tag, else serial; the same event however often delivered makes
// one fault). The equipment is out of use (`faulty`) in the same commit,
// and a repair work order is asked of dispatch (assets.fault.work_requested,
// key the fault id, department the technical department, field work).
//
//   open → repairing (start-repair: equipment under_repair)
//        → repaired (repair: cause, actions, parts, hours; equipment
//          awaiting_acceptance)
//        → accepted (accept passed, by the using department, never the
//          repairer: equipment in_service)
//   repaired → repairing (accept failed, with the reason: equipment
//          under_repair)
//
// An event naming no known tag or serial is kept as an `unmatched` fault
// (warn fault.unknown_equipment); one on equipment that already has an open
// fault is kept as a `duplicate` naming it, one on scrapped equipment as
// `unmatched`. Staff get 422 / 409 for those instead.
//
// Keys besides the document type's own:
//   sm:{assets}:faultevent:<identity>   the fault an event opened
#ifndef ASSETS_FAULT_H
#define ASSETS_FAULT_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define FAULT_STATES "open repairing repaired accepted duplicate unmatched"

extern const cm_doc_type_t fault_type;
extern const cm_workflow_t fault_workflow;

// React to an ingest event: equipment.fault records a fault (once per
// event). 0 or a negative cm_status_t.
int fault_on_ingest(cm_store_t *store, const json_t *envelope,
                    cm_commit_t *commit);

// Handlers: POST/GET /v1/faults, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}; GET /v1/equipment/{id}/file (the dossier with MTBF
// and MTTR).
void fault_create(cm_ctx_t *ctx);
void fault_list(cm_ctx_t *ctx);
void fault_get(cm_ctx_t *ctx);
void fault_history(cm_ctx_t *ctx);
void fault_act(cm_ctx_t *ctx);
void fault_file(cm_ctx_t *ctx);

#endif
