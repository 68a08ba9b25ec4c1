// staff — people of the station (docs/domain.md), a cm_doc type: id ST-n,
// name, role, department, status (active | suspended | left, also the
// document state), contact {phone, email}, position. Status and role
// change only through the actions of staff_action.h; PATCH edits the other
// fields. Lists filter by department, role and status.
#ifndef PERSONNEL_STAFF_H
#define PERSONNEL_STAFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"

#define STAFF_KIND           "staff"
#define STAFF_ID_PREFIX      "ST"
#define STAFF_STATUSES       "active suspended left"
#define STAFF_NAME_MAX       200
#define STAFF_PHONE_MAX      32
#define STAFF_EMAIL_MAX      254
#define STAFF_SKILL_MAX      32 // characters of a skill name
#define STAFF_SKILLS_MAX     20 // skills of one person
#define STAFF_CONTRACT_KINDS "permanent fixed_term probation part_time"

// The document type (its process: staff_workflow, staff_action.h).
extern const cm_doc_type_t staff_type;

// Check a create / patch body's shape (no store access). NULL or a 400
// problem naming every bad field; caller owns it.
json_t *staff_validate_create(const json_t *body);
json_t *staff_validate_patch(const json_t *body);

// A new, active staff document with id from a valid create body, created
// by actor (NULL: no history entry) at now_ms. Caller owns it.
json_t *staff_new_doc(const json_t *body, const char *id, const json_t *actor,
                      int64_t now_ms);

// Apply a valid patch body to doc (null clears contact and position).
void staff_apply_patch(json_t *doc, const json_t *body);

// True when skill is a skill name: 2-32 characters of a-z, 0-9 and _,
// starting with a letter.
bool staff_skill_is_valid(const char *skill);

// cm_field checks of a `contract` object and of one skill; errors name
// the field. True when fine.
bool staff_check_contract(const json_t *contract, const char *field,
                          json_t **problem);
bool staff_check_skill(const json_t *value, const char *field,
                       json_t **problem);

// Add "is listed twice" for each repeated item of body's `skills`.
void staff_check_skills_unique(const json_t *body, json_t **problem);

// Event data: id, name, role, department, status, position, contract,
// skills (cm_doc_event
// adds the version). Caller owns the result.
json_t *staff_event_data(const json_t *doc);

// The department and position body names must exist: NULL, or a problem
// (400 naming them, 503). Caller owns it.
json_t *staff_check_references(cm_store_t *store, const json_t *body);

// A 403 problem when staff is a station head and actor is not (only the
// station head acts on a station head's record and tokens), else NULL.
// Caller owns the result.
json_t *staff_refuse_top(const json_t *actor, const json_t *staff);

// Route handlers: POST/GET /v1/staff, GET/PATCH /v1/staff/{id},
// GET /v1/staff/{id}/history, POST /v1/staff/{id}/{action}.
void staff_create(cm_ctx_t *ctx);
void staff_list(cm_ctx_t *ctx);
void staff_get(cm_ctx_t *ctx);
void staff_patch(cm_ctx_t *ctx);
void staff_history(cm_ctx_t *ctx);
void staff_act(cm_ctx_t *ctx);

#endif
