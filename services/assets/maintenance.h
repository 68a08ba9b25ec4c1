// maintenance — maintenance plans (regulations ch. 6): equipment, an
// interval (days, or a calendar rule: the nth weekday of every month, e.g.
// the first Monday; libcommon/cm_schedule.h), counted from the due date or
// from the last completion (`basis`), a checklist of tasks (clean, lubricate,
// tighten, adjust, inspect, or a free item).
//
// An active plan's next due time is a durable timer
// (sm:{assets}:timers:maintenance, kept by the type's index callback so
// every commit of the plan moves it). The tick leases due timers
// (cm_store_timer_claim) and, per plan, commits version-checked on the
// plan: the work request to dispatch (assets.maintenance.work_requested,
// key "<plan>/<due time>", kind maintenance) and the plan's next due time —
// or, while the equipment is not in service, the skipped due time
// (assets.maintenance.skipped). So one work order per plan and due time,
// whatever restarts or replicas. `complete` records each checklist item's
// result and notes as a maintenance record (MR-n) in the equipment's file;
// a plan counted from completion is due again one interval after it.
// "A day" is assets/day_ms long (86,400,000; tests make it shorter).
#ifndef ASSETS_MAINTENANCE_H
#define ASSETS_MAINTENANCE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define MAINTENANCE_TIMERS "maintenance"
#define MAINTENANCE_TASKS  "clean lubricate tighten adjust inspect other"

extern const cm_doc_type_t maintenance_type;
extern const cm_doc_type_t record_type;
extern const cm_workflow_t maintenance_workflow;

// Handle every due plan (the tick): at most `limit` per call. Returns the
// number of plans handled.
size_t maintenance_tick(cm_store_t *store, int64_t now_ms, size_t limit);

// Handlers: POST/GET /v1/maintenance-plans, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void maintenance_create(cm_ctx_t *ctx);
void maintenance_list(cm_ctx_t *ctx);
void maintenance_get(cm_ctx_t *ctx);
void maintenance_history(cm_ctx_t *ctx);
void maintenance_act(cm_ctx_t *ctx);

#endif
