// learning — the station's learning resources (regulations 三(二)3; docs/
// domain.md, ch. 3): books, training materials and online courses staff
// study on their own, a cm_doc type: id LR-n at /v1/learning-resources.
//
//   {"title", "kind": LEARNING_KINDS, "link": http(s) URL | null,
//    "description" | null, "tags": [code], "roles": [role] (whom it is
//    meant for), "hours" | null, "department" (the owner department)}
//
// Added, edited and retired by the station head, the deputy head
// overseeing the owner department and that department's head (who record
// trainings, training.h); read by every staff member. A retired resource
// stays readable and cannot be marked studied.
//
// POST /v1/learning-resources/{id}/studied: the caller marks it studied
// (optional date, hours, note). That is a training record (training.h) of
// kind "self_study" with the resource's id and title, so it shows in the
// person's training record (GET /v1/staff/{id}/trainings) under the same
// need-to-know. Once per person and resource: a key
// sm:{personnel}:learning_studied:<resource>:<staff> names the record,
// written CM_VERSION_NEW with it; marking again answers 200 with the
// existing record.
//
// GET /v1/learning-resources?for_me=true: the active resources meant for
// the caller's role that they have not marked studied (the role's index,
// one read of the studied key per item walked, at most CM_LIST_SCAN_MAX).
// No title search (`q`) yet: the list filters are exact.
#ifndef PERSONNEL_LEARNING_H
#define PERSONNEL_LEARNING_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_workflow.h"

#define LEARNING_KINDS     "book material course"
#define LEARNING_ID_PREFIX "LR"
#define LEARNING_TITLE_MAX 200
#define LEARNING_LINK_MAX  2000
#define LEARNING_TAGS_MAX  20
#define LEARNING_TAG_MAX   40

// Who may update and retire a resource.
extern const cm_workflow_t learning_workflow;

// The document type.
extern const cm_doc_type_t learning_type;

// Check a create body's shape. NULL or a 400 problem naming every bad
// field. Pure; caller owns it.
json_t *learning_validate_create(const json_t *body);

// True when url is an http:// or https:// URL with a host, at most
// LEARNING_LINK_MAX characters, without spaces or control characters. Pure.
bool learning_link_is_valid(const char *url);

// POST/GET /v1/learning-resources, GET/PATCH /v1/learning-resources/{id},
// GET …/{id}/history, POST …/{id}/studied, POST …/{id}/{action} (retire).
void learning_create(cm_ctx_t *ctx);
void learning_list(cm_ctx_t *ctx);
void learning_get(cm_ctx_t *ctx);
void learning_patch(cm_ctx_t *ctx);
void learning_history(cm_ctx_t *ctx);
void learning_studied(cm_ctx_t *ctx);
void learning_act(cm_ctx_t *ctx);

#endif
