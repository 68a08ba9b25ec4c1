// safety — the service definition of safety-audit and what its modules
// share: the owner name, the roles that act, small predicates on the
// request's actor (refreshed from the org view, cm_org).
//
// Keys (hash tag {safety-audit}) besides the document types' own (cm_doc.h):
//   sm:{safety-audit}:onboarding:<staff id>   a staff member's onboarding
//                                             (document id = staff id)
//   sm:{safety-audit}:audit:…                 the audit chain (audit.h)
#ifndef SAFETY_SAFETY_H
#define SAFETY_SAFETY_H

#include <jansson.h>
#include <stdbool.h>

#include "checkpoint.h"
#include "cm_service.h"

#define SAFETY_OWNER   "safety-audit"
#define SAFETY_OFFICER "safety_officer"
// Every role a person may hold.
#define SAFETY_STAFF_ROLES                                                     \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor"

// Configuration and the signing key, set once at start; read-only
// afterwards except the checkpoint clock, which only the background
// thread's tick touches.
typedef struct {
    checkpoint_signer_t signer;     // the key and the checkpoint file
    int64_t checkpoint_interval_ms; // safety/checkpoint_interval_ms
    int64_t verify_max;             // entries one verify may check
    int64_t checkpoint_n;           // head of the last checkpoint (tick)
    int64_t next_checkpoint_ms;     // monotonic time of the next (tick)
    char hazard_department[64];     // safety/hazard_department
    int64_t escalation_step_ms;     // safety/escalation_step_ms
} safety_t;

// The service definition.
extern const cm_service_def_t safety_service;

// The service state of the request. Borrowed.
const safety_t *safety_of(cm_ctx_t *ctx);

// True when the JSON array member `member` of actor lists value.
bool safety_listed(const json_t *actor, const char *member, const char *value);

// True when the request's actor heads, or as deputy head oversees, the
// department `code`.
bool safety_heads_or_oversees(cm_ctx_t *ctx, const char *code);

#endif
