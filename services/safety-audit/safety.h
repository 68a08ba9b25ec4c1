// safety — the service definition of safety-audit and what its modules
// share: the owner name, the roles that act, small predicates on the
// request's actor (refreshed from the org view, cm_org).
//
// Keys (hash tag {safety-audit}) besides the document types' own (cm_doc.h):
//   sm:{safety-audit}:onboarding:<staff id>   a staff member's onboarding
//                                             (document id = staff id)
#ifndef SAFETY_SAFETY_H
#define SAFETY_SAFETY_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_service.h"

#define SAFETY_OWNER   "safety-audit"
#define SAFETY_OFFICER "safety_officer"
// Every role a person may hold.
#define SAFETY_STAFF_ROLES                                                     \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor"

// The service definition.
extern const cm_service_def_t safety_service;

// True when the JSON array member `member` of actor lists value.
bool safety_listed(const json_t *actor, const char *member, const char *value);

// True when the request's actor heads, or as deputy head oversees, the
// department `code`.
bool safety_heads_or_oversees(cm_ctx_t *ctx, const char *code);

#endif
