// department — departments of the station (docs/domain.md), a cm_doc type.
// The id is the department's code, a slug ("customer_service"), because it
// is what an actor's `department` and every other service's documents
// carry. Fields: code, name, head (an active dept_head of the department),
// deputy (the active deputy head who oversees it), parent (a department).
// Lists filter by head and deputy: those indexes are how personnel knows
// what a caller heads and oversees (org.h).
#ifndef PERSONNEL_DEPARTMENT_H
#define PERSONNEL_DEPARTMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_workflow.h"

#define DEPARTMENT_KIND     "department"
#define DEPARTMENT_CODE_MAX 32 // longest code, without NUL
#define DEPARTMENT_NAME_MAX 200

// Who may do what to a department (update: its overseeing deputy; the
// station head).
extern const cm_workflow_t department_workflow;

// The document type.
extern const cm_doc_type_t department_type;

// True when text is a department code: [a-z][a-z0-9_]*, 2..32 characters.
bool department_code_is_valid(const char *text);

// Check a create / patch body's shape (no store access). NULL or a 400
// problem naming every bad field; caller owns it.
json_t *department_validate_create(const json_t *body);
json_t *department_validate_patch(const json_t *body);

// A new department document from a valid create body, created by actor
// (NULL: no history entry) at now_ms. Caller owns it.
json_t *department_new_doc(const json_t *body, const json_t *actor,
                           int64_t now_ms);

// Apply a valid patch body to doc (null clears head, deputy, parent).
void department_apply_patch(json_t *doc, const json_t *body);

// Route handlers: POST /v1/departments, GET /v1/departments,
// GET /v1/departments/{id}, PATCH /v1/departments/{id},
// GET /v1/departments/{id}/history.
void department_create(cm_ctx_t *ctx);
void department_list(cm_ctx_t *ctx);
void department_get(cm_ctx_t *ctx);
void department_patch(cm_ctx_t *ctx);
void department_history(cm_ctx_t *ctx);

#endif
