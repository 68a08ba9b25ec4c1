// dispatch — the service object: definition (routes, options,
// subscriptions, start, tick) and the state shared by its handlers.
#ifndef DISPATCH_DISPATCH_H
#define DISPATCH_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_service.h"
#include "cm_store.h"

#define DISPATCH_OWNER       "dispatch"
#define DISPATCH_NAME_MAX    64  // department, policy and calendar names
#define DISPATCH_TICK_MS     250 // how often due timers are claimed
#define DISPATCH_TIMER_BATCH 100 // timers claimed per tick

// A claimed timer falls due again this long after its claim unless the
// escalation's commit moved or removed it (a replica died meanwhile).
#define DISPATCH_TIMER_LEASE_MS 30000

// What every handler, event reaction and tick reads. Written once by the
// start hook before any thread runs; read-only afterwards.
typedef struct {
    const cm_config_t *config;                  // borrowed: process lifetime
    bool auto_assign;                           // dispatch/auto_assign
    char assign_policy[DISPATCH_NAME_MAX];      // dispatch/assign_policy
    int64_t escalation_step_ms;                 // 0: the target's duration
    char default_department[DISPATCH_NAME_MAX]; // queue of case clocks
} dispatch_t;

// The service definition main.c runs.
extern const cm_service_def_t dispatch_service;

#endif
