// department — departments of the station (domain.md §0). The id is the
// department's code, a slug ("customer_service"), because it is what an
// actor's `department` and every other service's documents carry.
// Fields: name, code, head (staff id), deputy (the deputy head who
// oversees it), parent (a department id), all but name and code optional.
#ifndef PERSONNEL_DEPARTMENT_H
#define PERSONNEL_DEPARTMENT_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_ctx.h"
#include "cm_workflow.h"

#define DEPARTMENT_KIND     "department"
#define DEPARTMENT_CODE_MAX 32 // longest code, without NUL
#define DEPARTMENT_NAME_MAX 200

// Who may do what to a department (update: managers).
extern const cm_workflow_t department_workflow;

// True when text is a department code: [a-z][a-z0-9_]*, 2..32 characters.
bool department_code_is_valid(const char *text);

// Check a create / patch body's shape (no store access). NULL or a 400
// problem naming every bad field; caller owns it.
json_t *department_validate_create(const json_t *body);
json_t *department_validate_patch(const json_t *body);

// A new department document from a valid create body. Caller owns it.
json_t *department_new_doc(const json_t *body, const char *actor_id,
                           const char *now);

// Apply a valid patch body to doc (null clears head, deputy, parent).
void department_apply_patch(json_t *doc, const json_t *body);

// What the caller sees. Caller owns the result.
json_t *department_present(cm_ctx_t *ctx, const json_t *doc, int64_t version);

// Route handlers: POST /v1/departments, GET /v1/departments,
// GET /v1/departments/{id}, PATCH /v1/departments/{id}.
void department_create(cm_ctx_t *ctx);
void department_list(cm_ctx_t *ctx);
void department_get(cm_ctx_t *ctx);
void department_patch(cm_ctx_t *ctx);

// Add to commit the new department doc, its index entry and its event
// (shared with bootstrap).
void department_commit_create(cm_ctx_t *ctx, cm_commit_t *commit,
                              const json_t *doc);

#endif
