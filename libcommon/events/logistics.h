// events/logistics.h — the event types logistics publishes on
// sm:{logistics}:outbox (relayed as evt.<type>). Logistics and every
// consumer name them here only; docs/asyncapi.yaml describes each one's
// data, and `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_LOGISTICS_H
#define LIBCOMMON_EVENTS_LOGISTICS_H

#define LOGISTICS_EVENT_VEHICLE_CREATED "logistics.vehicle.created"
#define LOGISTICS_EVENT_VEHICLE_UPDATED "logistics.vehicle.updated"
// A vehicle's service asked of dispatch as work
// (services/dispatch/work_request.h).
#define LOGISTICS_EVENT_VEHICLE_WORK_REQUESTED                                 \
    "logistics.vehicle.work_requested"

#define LOGISTICS_EVENT_TRIP_SUBMITTED "logistics.trip_request.submitted"
#define LOGISTICS_EVENT_TRIP_APPROVED  "logistics.trip_request.approved"
#define LOGISTICS_EVENT_TRIP_REJECTED  "logistics.trip_request.rejected"
#define LOGISTICS_EVENT_TRIP_ASSIGNED  "logistics.trip_request.assigned"
#define LOGISTICS_EVENT_TRIP_DEPARTED  "logistics.trip_request.departed"
#define LOGISTICS_EVENT_TRIP_RETURNED  "logistics.trip_request.returned"
#define LOGISTICS_EVENT_TRIP_CANCELLED "logistics.trip_request.cancelled"

// Hygiene and security rounds (services/logistics/round.h) and their
// records (round_record.h).
#define LOGISTICS_EVENT_ROUND_CREATED "logistics.round.created"
#define LOGISTICS_EVENT_ROUND_UPDATED "logistics.round.updated"
#define LOGISTICS_EVENT_ROUND_STOPPED "logistics.round.stopped"
#define LOGISTICS_EVENT_ROUND_RESUMED "logistics.round.resumed"
// A round fell due: one work order in dispatch per round and due time.
#define LOGISTICS_EVENT_ROUND_WORK_REQUESTED  "logistics.round.work_requested"
#define LOGISTICS_EVENT_ROUND_RECORD_OPENED   "logistics.round_record.opened"
#define LOGISTICS_EVENT_ROUND_RECORD_RECORDED "logistics.round_record.recorded"
// Failed items of a security round: safety-audit opens a hazard for each,
// all in one commit of its own (two documents each): so one event lists at
// most LOGISTICS_ROUND_FAILED_PER_EVENT items, and a record action with
// more failed items publishes several.
#define LOGISTICS_ROUND_FAILED_PER_EVENT 4
#define LOGISTICS_EVENT_ROUND_RECORD_SECURITY_FAILED                           \
    "logistics.round_record.security_failed"
// Failed items of a hygiene round: a follow-up work order in dispatch.
#define LOGISTICS_EVENT_ROUND_RECORD_WORK_REQUESTED                            \
    "logistics.round_record.work_requested"

#endif
