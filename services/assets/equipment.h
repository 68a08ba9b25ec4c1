// equipment — the equipment register (regulations ch. 6): asset tag
// (unique), name, specification, model, serial (unique when given),
// supplier, purchase date and cost (fen), after-sales terms and warranty
// end, location, department, custodian, operating procedure (document
// reference and version), the trainings completed on it and its
// authorised operators, and its status:
//
//   in_service ⇄ idle (lay-up, put-in-service)
//   faulty, under_repair, awaiting_acceptance (faults and repairs),
//   scrapping → scrapped (scrap requests) — not built yet
//
// Registered by hand by the register's keepers (assets_keeper_guard), or
// by the service itself from inventory's inventory.equipment.received,
// once per accepted line of a receipt (the tag is derived from the order,
// the line and the order's version, so a redelivery finds it taken).
// A person becomes an authorised operator only with a completed training
// recorded on the equipment (record-training, then authorise).
#ifndef ASSETS_EQUIPMENT_H
#define ASSETS_EQUIPMENT_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define EQUIPMENT_STATES                                                       \
    "in_service faulty under_repair awaiting_acceptance idle scrapping "       \
    "scrapped"
// Trainings and operators kept on one equipment document, at most.
#define EQUIPMENT_LIST_MAX 100

extern const cm_doc_type_t equipment_type;
extern const cm_workflow_t equipment_workflow;

// Register the equipment line of an inventory.equipment.received envelope
// (borrowed) into commit, once. 0 or a negative cm_status_t; a malformed
// event is logged and acknowledged (0).
int equipment_on_received(cm_store_t *store, const json_t *envelope,
                          cm_commit_t *commit);

// The equipment whose tag, or else serial, is `ref` into id (CM_ID_MAX).
// 0, CM_ENOTFOUND, or another negative cm_status_t.
int equipment_find(cm_store_t *store, const char *ref, char *id);

// A change of the equipment's status made by a fault or a repair.
typedef struct {
    const char *id;     // the equipment
    const char *from;   // the states it may be in (space-separated)
    const char *to;     // its new state
    const char *fault;  // the open fault to set, "" to clear, NULL: keep
    const char *action; // its history entry's action ("fault")
    const char *note;   // its history entry's note, or NULL
} equipment_move_t;

// Add the move to commit: the equipment read at its version and written
// back version-checked with a history entry and the event
// assets.equipment.status_changed (in ctx's request when ctx is not NULL,
// else as actor with correlation). 0; CM_ENOTFOUND; CM_ECONFLICT when it is
// not in `from` (*state, CM_VALIDATE_NAME_MAX bytes, gets its state); or
// another negative cm_status_t.
int equipment_move(cm_ctx_t *ctx, cm_store_t *store, cm_commit_t *commit,
                   const equipment_move_t *move, const json_t *actor,
                   const char *correlation, int64_t now_ms, char *state);

// Handlers: POST/GET /v1/equipment, GET/PATCH …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void equipment_create(cm_ctx_t *ctx);
void equipment_list(cm_ctx_t *ctx);
void equipment_get(cm_ctx_t *ctx);
void equipment_patch(cm_ctx_t *ctx);
void equipment_history(cm_ctx_t *ctx);
void equipment_act(cm_ctx_t *ctx);

#endif
