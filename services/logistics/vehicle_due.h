// vehicle_due — a vehicle's service falls due by date or by mileage: on its
// next service date, or when a return or a correction takes its odometer
// to its next service mark, the service asks dispatch for the maintenance
// work, once per date or mark, as a work request
// (services/dispatch/work_request.h: logistics.vehicle.work_requested, kind
// vehicle_service, department logistics, key "<vehicle>/<date>").
//
// Every vehicle with a next service date (and not retired) has a durable
// timer (sm:{logistics}:timers:service_due, score = 00:00 UTC of the date),
// moved in the commit of every change of the date or the status
// (vehicle_due_indexes). The tick claims due timers (each to one replica
// at a time, cm_store_timer_claim) and writes, in one commit at the
// vehicle's version, `service_requested_for` = the date, a history entry,
// the work request event and the timer's removal: whatever the replicas or
// retries, one request per vehicle and date (dispatch's key makes a second
// delivery one work order too).
#ifndef LOGISTICS_VEHICLE_DUE_H
#define LOGISTICS_VEHICLE_DUE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"

// By mileage: when the vehicle's odometer (doc, being changed) reached its
// `next_service_km` and that mark was not asked yet, set
// `service_requested_km` and return the work request's event data (key
// "<vehicle>/km<mark>"), to publish as logistics.vehicle.work_requested in
// the same commit. NULL otherwise. Caller owns the result.
json_t *vehicle_due_by_mileage(json_t *doc);

// The vehicle type's `indexes` hook: the service timer follows the date.
void vehicle_due_indexes(cm_commit_t *commit, const json_t *old,
                         const json_t *doc, int64_t now_ms);

// Ask for the service of every vehicle whose date has come (the tick).
void vehicle_due_tick(cm_store_t *store, int64_t now_ms);

#endif
