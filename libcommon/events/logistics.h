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

#endif
