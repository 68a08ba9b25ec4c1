// trip — trip requests (regulations ch. 2, logistics: 車輛調度): a member
// of staff asks for a vehicle (purpose, from, to, a time window, how many
// passengers); the request is approved per the approval matrix
// (trip_request: the requester's department head; a department head's own
// request by the deputy head overseeing the department, a deputy head's by
// the station head, the station head's needs none); the logistics staff
// assign a vehicle and a driver; the trip departs (odometer, fuel) and
// returns (odometer, fuel; the vehicle's odometer moves forward in the
// same commit); until it departs the requester or the logistics staff may
// cancel it.
//
// Double booking: an assignment is refused (409 naming the conflicting
// trip) when the vehicle or the driver already has an assigned or departed
// trip whose window overlaps this one (an index of such trips per vehicle
// and per driver, logistics.h). Every assignment also rewrites a lock
// record of its vehicle and its driver at the version read before those
// indexes, so of two concurrent assignments of one vehicle or driver only
// one commits; the other is answered 409 and, retried, names the winner.
#ifndef LOGISTICS_TRIP_H
#define LOGISTICS_TRIP_H

#include "cm_ctx.h"
#include "cm_doc.h"

extern const cm_doc_type_t trip_type;
extern const cm_workflow_t trip_workflow;

// Handlers: POST/GET /v1/trip-requests, GET …/{id}, GET …/{id}/history,
// POST …/{id}/{action}.
void trip_create(cm_ctx_t *ctx);
void trip_list(cm_ctx_t *ctx);
void trip_get(cm_ctx_t *ctx);
void trip_history(cm_ctx_t *ctx);
void trip_act(cm_ctx_t *ctx);

#endif
