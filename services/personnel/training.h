// training — general training records (docs/domain.md, ch. 3; safety
// training is safety-audit's), a cm_doc type: id TRN-n at /v1/trainings,
// per person at GET /v1/staff/{id}/trainings.
//
//   {"staff", "staff_name", "department" (the person's), "course", "kind":
//    TRAINING_KINDS, "delivery": "internal" | "external", "hours",
//    "result": TRAINING_RESULTS, "certificate" | null, "date"}
//
// Self-study records (kind "self_study", learning.h) are the person's own:
// marking a learning resource studied writes one.
//
// Recorded by the station head, the deputy head overseeing the person's
// department or its head; read by the person, those managers and
// auditors (404 to the rest). A record is a fact: no actions. Records feed
// evaluation and promotion.
#ifndef PERSONNEL_TRAINING_H
#define PERSONNEL_TRAINING_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define TRAINING_KINDS "business_knowledge skills management"
// A learning resource marked studied (learning.h): delivery "self", result
// "studied", `resource` and `resource_kind` name it, hours may be null.
#define TRAINING_KIND_SELF_STUDY "self_study"
// Every kind a record may have (the list filter).
#define TRAINING_RECORD_KINDS TRAINING_KINDS " " TRAINING_KIND_SELF_STUDY
#define TRAINING_RESULTS      "passed failed attended"
#define TRAINING_HOURS_MAX    2000

extern const cm_doc_type_t training_type;

// Check a create body's shape. NULL or a 400 problem naming every bad
// field. Pure; caller owns it.
json_t *training_validate_create(const json_t *body);

// POST/GET /v1/trainings, GET /v1/trainings/{id},
// GET /v1/staff/{id}/trainings.
void training_create(cm_ctx_t *ctx);
void training_list(cm_ctx_t *ctx);
void training_get(cm_ctx_t *ctx);
void training_list_of_staff(cm_ctx_t *ctx);

#endif
