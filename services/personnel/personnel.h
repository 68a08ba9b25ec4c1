// personnel — the service definition: routes, options, the start hook
// (workflow table checks and bootstrap), and names shared by its nouns.
#ifndef PERSONNEL_PERSONNEL_H
#define PERSONNEL_PERSONNEL_H

#include "cm_service.h"

// The service name: MDP service, log `svc`, hash tag of every key.
#define PERSONNEL_OWNER "personnel"

// Every role of domain.md §0.
#define PERSONNEL_ROLES                                                        \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor system"

// Roles that manage departments, positions, staff and others' tokens.
#define PERSONNEL_MANAGERS "station_head deputy_head"

// The role above every other; only it may grant it.
#define PERSONNEL_TOP_ROLE "station_head"

// The definition cm_service_main runs.
extern const cm_service_def_t personnel_service;

#endif
