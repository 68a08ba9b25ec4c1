// round_record — one occurrence of a round (round.h): opened by the tick
// when the round falls due, with the round's checklist copied as items
// (each {item, text, hazard_level?, result, note, by, at}). The assignee
// of the round, or the logistics staff, record items one or several at a
// time (`record`: results [{item, result ok|failed, note}]; a failed item
// needs a note; each item once); when every item has its result the record
// is `completed`.
//
//   open --record--> open | completed
//
// In the commit of a `record`:
// - failed items of a security round: `logistics.round_record.security_failed`
//   listing them (item, text, note, hazard_level); safety-audit opens one
//   hazard per item (once per record and item however often the event is
//   delivered);
// - failed items of a hygiene round: one follow-up work request to dispatch
//   for the items failed in that action
//   (`logistics.round_record.work_requested`, key
//   "<record>/followup/<first failed item>", kind round, the round's queue
//   and assignee).
#ifndef LOGISTICS_ROUND_RECORD_H
#define LOGISTICS_ROUND_RECORD_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t round_record_type;
extern const cm_workflow_t round_record_workflow;

// A new record (not stored) of round (borrowed) for due time `due` (RFC
// 3339), by actor (borrowed). Caller owns the result.
json_t *round_record_new(const char *id, const json_t *round, const char *due,
                         const json_t *actor, int64_t now_ms);

// Handlers: GET /v1/round-records, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void round_record_list(cm_ctx_t *ctx);
void round_record_get(cm_ctx_t *ctx);
void round_record_history(cm_ctx_t *ctx);
void round_record_act(cm_ctx_t *ctx);

#endif
