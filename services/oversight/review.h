// review — the heads' periodic reviews (regulations ch. 2 (二)1–2: 定期總結和
// 分析, 及時發現問題並提出改進措施): the station head for the station or any
// department, a deputy head for the departments they oversee, records a
// period's analysis, the problems found and improvement measures (text,
// owner, the owner's department, due time).
//
// A review is a draft (edited with PATCH, If-Match) until `publish`; then
// each measure becomes a dispatch work request (kind `measure`, key
// "<review>/<measure>", assigned to its owner) and is tracked until its
// owner or the reviewer marks it done (POST …/measures/{mid}/done with a
// result; the work order still open in dispatch is withdrawn). `close`
// ends a review whose measures are all done.
//
// Overdue measures escalate (durable timer sm:{oversight}:timers:measures,
// one member per published review, scored by its next escalation time and
// moved by the type's index callback): level 1 when the due time passes
// (to the owner's department head), level 2 oversight/escalate_after_ms
// later (to the reviewer, or the station head when the reviewer is no
// longer active). The tick leases due timers (cm_store_timer_claim) and
// commits version-checked on the review, so each level is published once
// whatever the replicas (oversight.measure.overdue).
#ifndef OVERSIGHT_REVIEW_H
#define OVERSIGHT_REVIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_field.h"
#include "cm_workflow.h"

#define REVIEW_TIMERS       "measures"
#define REVIEW_MEASURES_MAX 8 // a measure is an event at publish
#define REVIEW_STATES       "draft published closed"
#define REVIEW_TEXT_MAX     1000 // characters of a problem, measure or result

extern const cm_doc_type_t review_type;
extern const cm_workflow_t review_workflow;

// The bodies of POST /v1/reviews and PATCH /v1/reviews/{id} (review_body.c).
extern const cm_field_t review_create_fields[];
extern const cm_field_t review_update_fields[];

// Set the level-2 delay (oversight/escalate_after_ms) once at start.
void review_configure(int64_t escalate_after_ms);

// Escalate overdue measures (the tick): at most `limit` reviews per call.
// Returns the number of reviews handled.
size_t review_tick(cm_store_t *store, int64_t now_ms, size_t limit);

// Handlers: POST/GET /v1/reviews, GET …/{id}, PATCH …/{id}, GET
// …/{id}/history, POST …/{id}/{action}, GET …/{id}/measures/{mid}, POST
// …/{id}/measures/{mid}/done.
void review_create(cm_ctx_t *ctx);
void review_list(cm_ctx_t *ctx);
void review_get(cm_ctx_t *ctx);
void review_patch(cm_ctx_t *ctx);
void review_history(cm_ctx_t *ctx);
void review_act(cm_ctx_t *ctx);
void review_measure_get(cm_ctx_t *ctx);
void review_measure_done(cm_ctx_t *ctx);

#endif
