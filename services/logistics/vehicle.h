// vehicle — the station's vehicle register (regulations ch. 2, logistics:
// 車輛調度): plate (unique), kind, seats, the department that holds it,
// status (available, in_service, out_of_service, retired), next service
// date, insurance until, odometer (km). Registered and corrected by the
// logistics staff (logistics_staff_guard); read by everyone. The plate
// never changes (a new plate is a new vehicle); the odometer never goes
// back, and a trip's return moves it forward (trip.c).
#ifndef LOGISTICS_VEHICLE_H
#define LOGISTICS_VEHICLE_H

#include "cm_ctx.h"
#include "cm_doc.h"

#define VEHICLE_STATUSES "available in_service out_of_service retired"

extern const cm_doc_type_t vehicle_type;
extern const cm_workflow_t vehicle_workflow;

// Handlers: POST/GET /v1/vehicles, GET/PATCH …/{id}, GET …/{id}/history.
void vehicle_create(cm_ctx_t *ctx);
void vehicle_list(cm_ctx_t *ctx);
void vehicle_get(cm_ctx_t *ctx);
void vehicle_patch(cm_ctx_t *ctx);
void vehicle_history(cm_ctx_t *ctx);

#endif
