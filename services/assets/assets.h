// assets — the service definition of assets and what its modules share:
// the owner name, the roles that act, the configuration read once at start,
// small predicates on the request's actor (refreshed from the org view,
// cm_org).
//
// Keys (hash tag {assets}) besides the document types' own (cm_doc.h):
//   sm:{assets}:tag:<tag>         {"equipment": id}: the tag is taken
//   sm:{assets}:serial:<serial>   {"equipment": id}: the serial is taken
#ifndef ASSETS_ASSETS_H
#define ASSETS_ASSETS_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_service.h"

#define ASSETS_OWNER "assets"
// The service's own actor (event reactions): a role no token carries.
#define ASSETS_SELF "assets"
// Every role a person may hold.
#define ASSETS_STAFF_ROLES                                                     \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor"
// The roles a keeper row names; the place is assets_keeper_guard's.
#define ASSETS_KEEPERS "technician dept_head station_head"

// Configuration, read once at start (assets/...). Read-only afterwards.
typedef struct {
    char technical_department[64]; // assets/technical_department
    char receiving_department[64]; // assets/receiving_department
    int64_t day_ms;                // assets/day_ms: a maintenance "day"
    size_t tick_batch;             // assets/tick_batch
} assets_t;

// The service definition.
extern const cm_service_def_t assets_service;

// The configuration of the request's service. Borrowed.
const assets_t *assets_of(cm_ctx_t *ctx);

// The configuration, for event reactions (set at start). Borrowed.
const assets_t *assets_config(void);

// True when actor (the org view's) keeps the register: the station head, a
// technician of the technical department, or that department's head. Also
// a process-row guard (cm_workflow_guard_fn).
bool assets_keeper_guard(const json_t *actor, const json_t *doc);

// True when the JSON array member `member` of object lists value.
bool assets_listed(const json_t *object, const char *member, const char *value);

// An assets key "sm:{assets}:<kind>:<id>" into buf (CM_STORE_KEY_MAX).
// Returns buf, NULL when it does not fit.
const char *assets_key(char *buf, const char *kind, const char *id);

#endif
