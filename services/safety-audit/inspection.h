// inspection — inspection templates (checklists by area: equipment and
// facilities, fire safety, electrical, network security), schedules (a
// template for a department at a frequency) and inspections (regulations
// ch. 8). A due schedule opens an inspection and asks dispatch for its work
// order in one commit that also moves the schedule's next due date, so two
// replicas never open two. `record` takes pass/fail per item (with a note
// and an optional photo reference); every failed item opens a hazard in
// the same commit.
//
// Keys besides the document types' own:
//   sm:{safety-audit}:timers:inspection_schedules   active schedules by due
#ifndef SAFETY_INSPECTION_H
#define SAFETY_INSPECTION_H

#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define INSPECTION_AREAS                                                       \
    "equipment_facilities fire_safety electrical network_security"
#define INSPECTION_FREQUENCIES "daily weekly monthly quarterly yearly"
#define INSPECTION_ITEMS_MAX   50
#define INSPECTION_FAILED_MAX  14 // hazards one record opens (one commit)

extern const cm_doc_type_t template_type;
extern const cm_workflow_t template_workflow;
extern const cm_doc_type_t schedule_type;
extern const cm_workflow_t schedule_workflow;
extern const cm_doc_type_t inspection_type;
extern const cm_workflow_t inspection_workflow;

// Open the inspections of every schedule due by now_ms (the tick).
void inspection_tick(cm_store_t *store, int64_t now_ms);

// Handlers: POST/GET /v1/inspection-templates, GET …/{id}, …/history,
// POST …/{id}/{action}; the same for /v1/inspection-schedules and
// /v1/inspections.
void template_create(cm_ctx_t *ctx);
void template_list(cm_ctx_t *ctx);
void template_get(cm_ctx_t *ctx);
void template_history(cm_ctx_t *ctx);
void template_act(cm_ctx_t *ctx);
void schedule_create(cm_ctx_t *ctx);
void schedule_list(cm_ctx_t *ctx);
void schedule_get(cm_ctx_t *ctx);
void schedule_history(cm_ctx_t *ctx);
void schedule_act(cm_ctx_t *ctx);
void inspection_create(cm_ctx_t *ctx);
void inspection_list(cm_ctx_t *ctx);
void inspection_get(cm_ctx_t *ctx);
void inspection_history(cm_ctx_t *ctx);
void inspection_act(cm_ctx_t *ctx);

#endif
