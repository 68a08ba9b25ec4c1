// round — scheduled hygiene and security rounds (regulations ch. 2,
// logistics: 環境衛生 and 安全保衛): a round is a kind (hygiene | security),
// an area, a schedule (every interval_days, or a calendar rule: the nth or
// last weekday of a month, libcommon/cm_schedule.h), a checklist (at most
// ROUND_CHECKLIST_MAX items: text, and for security items a hazard level),
// the department whose work queue does it (logistics by default) and
// optionally an assignee. Written by the logistics staff
// (logistics_staff_guard); read by every member of staff.
//
//   active --stop--> stopped --resume--> active     (PATCH while either)
//
// An active round's next due time is a durable timer
// (sm:{logistics}:timers:rounds, kept by the type's `indexes` hook, so every
// commit of the round moves it). The tick claims due timers (one replica
// each, cm_store_timer_claim) and writes, in one commit version-checked on
// the round: the occurrence's record (round_record.h, RR-n, CM_VERSION_NEW),
// the round's next due time, `logistics.round.work_requested` (key
// "<round>/<due time>", kind round, source the record) and the record's
// opened event. Whatever the replicas or retries: one record and one work
// order per round and due time. Due times missed meanwhile (a stopped
// service) make one occurrence, not a backlog.
#ifndef LOGISTICS_ROUND_H
#define LOGISTICS_ROUND_H

#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define ROUND_KINDS         "hygiene security"
#define ROUND_HAZARD_LEVELS "low medium high"
// A record action's events stay within CM_ACTION_EVENTS_MAX: at most four
// security_failed events (LOGISTICS_ROUND_FAILED_PER_EVENT items each) or
// one follow-up.
#define ROUND_CHECKLIST_MAX 15

extern const cm_doc_type_t round_type;
extern const cm_workflow_t round_workflow;

// Handle every due round (the tick): at most `limit` per call. Returns the
// number of rounds claimed.
size_t round_tick(cm_store_t *store, int64_t now_ms, size_t limit);

// Handlers: POST/GET /v1/rounds, GET/PATCH …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void round_create(cm_ctx_t *ctx);
void round_list(cm_ctx_t *ctx);
void round_get(cm_ctx_t *ctx);
void round_patch(cm_ctx_t *ctx);
void round_history(cm_ctx_t *ctx);
void round_act(cm_ctx_t *ctx);

#endif
