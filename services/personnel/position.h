// position — posts in a department (id POS-n): title, department, grade;
// a cm_doc type. Created by the station head or the deputy head
// overseeing the department; edited also by the department's head.
#ifndef PERSONNEL_POSITION_H
#define PERSONNEL_POSITION_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_workflow.h"

#define POSITION_KIND      "position"
#define POSITION_ID_PREFIX "POS"
#define POSITION_TITLE_MAX 200
#define POSITION_GRADE_MIN 1
#define POSITION_GRADE_MAX 99

// Who may do what to a position (update: the department's head, its
// overseeing deputy, the station head).
extern const cm_workflow_t position_workflow;

// The document type.
extern const cm_doc_type_t position_type;

// Check a create / patch body's shape. NULL or a 400 problem naming every
// bad field; caller owns it.
json_t *position_validate_create(const json_t *body);
json_t *position_validate_patch(const json_t *body);

// A new position document from a valid create body, created by actor
// (NULL: no history entry) at now_ms. Caller owns it.
json_t *position_new_doc(const json_t *body, const char *id,
                         const json_t *actor, int64_t now_ms);

// Route handlers: POST/GET /v1/positions, GET/PATCH /v1/positions/{id},
// GET /v1/positions/{id}/history.
void position_create(cm_ctx_t *ctx);
void position_list(cm_ctx_t *ctx);
void position_get(cm_ctx_t *ctx);
void position_patch(cm_ctx_t *ctx);
void position_history(cm_ctx_t *ctx);

#endif
