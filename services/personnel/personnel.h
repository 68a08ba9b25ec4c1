// personnel — who is who and who may do what (docs/domain.md, ch. 3): the
// service's routes, options, state and start hook, and names its nouns
// share. main.c holds the definition cm_service_main runs.
#ifndef PERSONNEL_PERSONNEL_H
#define PERSONNEL_PERSONNEL_H

#include <stdint.h>

#include "cm_ctx.h"
#include "cm_service.h"

// The service name: MDP service, log `svc`, hash tag of every key.
#define PERSONNEL_OWNER "personnel"

// Every role of docs/domain.md.
#define PERSONNEL_ROLES                                                        \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor system"

// Roles that manage departments, positions, staff and others' tokens.
#define PERSONNEL_MANAGERS "station_head deputy_head"

// The role above every other; only it acts on its holder's record and
// tokens, and only it grants PERSONNEL_MANAGERS roles.
#define PERSONNEL_TOP_ROLE "station_head"

// Longest delegation, in days, by default (personnel/delegation_max_days).
#define PERSONNEL_DELEGATION_DAYS_DEFAULT "90"
#define PERSONNEL_DAY_MS                  (24LL * 3600 * 1000)

// The service's state: what start read from the configuration. Handlers
// get it through cm_ctx_state.
typedef struct {
    int64_t delegation_max_ms; // longest delegation
} personnel_t;

// Routes, options (ending with NULL entries) and hooks of the definition.
extern const cm_route_t personnel_routes[];
extern const cm_config_option_t personnel_options[];

// Check the tables (a bad one is a bug: refuse to start), read the
// options into the state, then bootstrap. 0 or -1.
int personnel_start(cm_service_t *service, cm_store_t *store);

// GET /v1/approval-rules: the approval matrix every service loaded.
void personnel_approval_rules(cm_ctx_t *ctx);

#endif
