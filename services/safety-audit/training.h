// training — safety training sessions (regulations ch. 8): topic (laws and
// regulations, procedures, accident case studies, equipment operation),
// date, trainer, attendees and, once held, attendance and the assessment
// result of each attendee. planned → held (`record`) or cancelled.
#ifndef SAFETY_TRAINING_H
#define SAFETY_TRAINING_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define TRAINING_TOPICS                                                        \
    "laws_regulations procedures accident_cases equipment_operation"

extern const cm_doc_type_t training_type;
extern const cm_workflow_t training_workflow;

// Handlers: POST/GET /v1/safety-trainings, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void training_create(cm_ctx_t *ctx);
void training_list(cm_ctx_t *ctx);
void training_get(cm_ctx_t *ctx);
void training_history(cm_ctx_t *ctx);
void training_act(cm_ctx_t *ctx);

#endif
