// logistics — the service definition (vehicles, trip requests, hygiene and
// security rounds) and what its modules share: the owner name and who runs
// logistics.
//
// Keys (hash tag {logistics}) besides the document types' own (cm_doc.h):
//   sm:{logistics}:plate:<plate>            the vehicle holding a plate
//   sm:{logistics}:idx:booking_vehicle:<v>  assigned or departed trips of
//                                           vehicle v, score = starts (ms)
//   sm:{logistics}:idx:booking_driver:<s>   the same per driver
//   sm:{logistics}:lock:vehicle|<v>         written by every assignment of
//   sm:{logistics}:lock:driver|<s>          v / s (version check: two
//                                           concurrent assignments of one
//                                           vehicle or driver cannot both
//                                           commit)
#ifndef LOGISTICS_LOGISTICS_H
#define LOGISTICS_LOGISTICS_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_service.h"

#define LOGISTICS_OWNER      "logistics"
#define LOGISTICS_DEPARTMENT "logistics" // the department that runs vehicles
// Who runs the vehicles: `logistics` staff of the logistics department,
// its head (as personnel names it), the station head. The roles a row
// names; the place is logistics_staff_guard's.
#define LOGISTICS_STAFF_ROLES "logistics dept_head station_head"
// Every role of a person on the staff (not auditors, not systems).
#define LOGISTICS_ANY_STAFF                                                    \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"

// The service definition.
extern const cm_service_def_t logistics_service;

// True when actor (the org view's, cm_org) runs logistics: the station
// head, a `logistics` member of the logistics department, or the head of
// the logistics department. Also a process-row guard.
bool logistics_staff_guard(const json_t *actor, const json_t *doc);

// logistics_staff_guard for the request's actor.
bool logistics_is_staff(cm_ctx_t *ctx);

// A logistics key "sm:{logistics}:<kind>:<id>" into buf
// (CM_STORE_KEY_MAX). Returns buf.
#define logistics_key(buf, kind, id)                                           \
    cm_store_key_fit(buf, LOGISTICS_OWNER, kind, id)

#endif
