// intake — the service that owns customers and cases (docs/domain.md): its
// configuration, shared state, route table and subscriptions. main.c puts
// them into a cm_service_def_t and runs cm_service_main.
#ifndef INTAKE_INTAKE_H
#define INTAKE_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_service.h"
#include "cm_store.h"

#define INTAKE_NAME             "intake"
#define INTAKE_DEPARTMENT_MAX   64
#define INTAKE_DAY_MS           (24LL * 3600 * 1000)
#define INTAKE_TICK_MS          1000
#define INTAKE_TIMER_BATCH      100
#define INTAKE_RETURN_VISIT_KEY "sm:{intake}:timers:return_visit"
#define INTAKE_TIMER_LEASE_MS   30000 // a claimed timer is due again after

// Who may call the routes that are not workflow actions (those live in
// case_flow's tables). The station head may do everything. What each
// reader sees is access.h's need-to-know.
#define INTAKE_ROLES_READ                                                      \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer auditor"
#define INTAKE_ROLES_RECORD   "station_head deputy_head cs_agent system"
#define INTAKE_ROLES_CUSTOMER "station_head deputy_head cs_agent"
#define INTAKE_ROLES_REPORT                                                    \
    "station_head deputy_head dept_head cs_agent auditor"
// Roles that act for the customer service desk only from the desk (the
// actor fact `desk`; intake_allow_desk).
#define INTAKE_ROLES_DESK "cs_agent deputy_head"

#define INTAKE_ATTACH_TEXT_MAX 512 // attachment directory and type list

// Service state, shared by every thread. The configuration values are set
// by intake_start before any thread runs and only read afterwards.
typedef struct {
    const cm_config_t *config; // borrowed
    int64_t return_visit_ms;   // intake/return_visit_days
    int64_t reopen_ms;         // intake/reopen_days
    char technical_department[INTAKE_DEPARTMENT_MAX]; // tech support's dept
    char desk_department[INTAKE_DEPARTMENT_MAX]; // the customer service desk
    char attach_dir[INTAKE_ATTACH_TEXT_MAX];     // intake/attachments_dir
    char attach_types[INTAKE_ATTACH_TEXT_MAX];   // intake/attachment_types
    size_t attach_max_bytes;                     // intake/attachment_max_bytes
} intake_t;

// The routes (ending with a NULL method), options and subscriptions of the
// service. Borrowed: static data.
extern const cm_route_t intake_routes[];
extern const cm_config_option_t intake_options[];
extern const cm_subscription_t intake_subscriptions[];

// Start hook: checks the workflow tables and reads the configuration into
// the intake_t of the definition's state. 0 or -1.
int intake_start(cm_service_t *service, cm_store_t *store);

// Tick: claims due return visits (leased), logs them (event
// case.return_visit_due), then removes them.
void intake_tick(cm_service_t *service, cm_store_t *store);

// The service's refresh_actor: the org view's actor (cm_org_refresh_actor)
// plus the fact `desk`: true when the actor's department is the customer
// service desk (intake/customer_service_department) or the actor is a
// deputy head overseeing it. 0, or -1 after answering (403 inactive, 503).
int intake_refresh_actor(cm_ctx_t *ctx);

// True when the caller's role is one of `roles`; otherwise answers 403
// (code "forbidden") and returns false.
bool intake_allow(cm_ctx_t *ctx, const char *roles);

// intake_allow, and a role of INTAKE_ROLES_DESK must be at the desk.
bool intake_allow_desk(cm_ctx_t *ctx, const char *roles);

#endif
