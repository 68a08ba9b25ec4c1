// events/assets.h — the event types the assets service publishes on
// sm:{assets}:outbox (finance: disposal proceeds; dispatch: work requests).
// Named here only; docs/asyncapi.yaml describes each one's data, and `make
// lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_ASSETS_H
#define LIBCOMMON_EVENTS_ASSETS_H

// The equipment register: data is the equipment's list item.
#define ASSETS_EVENT_EQUIPMENT_REGISTERED     "assets.equipment.registered"
#define ASSETS_EVENT_EQUIPMENT_UPDATED        "assets.equipment.updated"
#define ASSETS_EVENT_EQUIPMENT_LAID_UP        "assets.equipment.laid_up"
#define ASSETS_EVENT_EQUIPMENT_PUT_IN_SERVICE "assets.equipment.put_in_service"
#define ASSETS_EVENT_EQUIPMENT_TRAINING_RECORDED                               \
    "assets.equipment.training_recorded"
#define ASSETS_EVENT_EQUIPMENT_OPERATOR_AUTHORISED                             \
    "assets.equipment.operator_authorised"
#define ASSETS_EVENT_EQUIPMENT_OPERATOR_REVOKED                                \
    "assets.equipment.operator_revoked"
// A fault or a repair moved the equipment's status (data: from, to, fault).
#define ASSETS_EVENT_EQUIPMENT_STATUS_CHANGED "assets.equipment.status_changed"

// Faults: reported by staff or from another system's equipment.fault; the
// repair work asked of dispatch (the family work_requested).
#define ASSETS_EVENT_FAULT_REPORTED       "assets.fault.reported"
#define ASSETS_EVENT_FAULT_WORK_REQUESTED "assets.fault.work_requested"
#define ASSETS_EVENT_FAULT_WORK_CANCELLED "assets.fault.work_cancelled"
#define ASSETS_EVENT_FAULT_REPAIR_STARTED "assets.fault.repair_started"
#define ASSETS_EVENT_FAULT_REPAIRED       "assets.fault.repaired"
#define ASSETS_EVENT_FAULT_ACCEPTED       "assets.fault.accepted"
#define ASSETS_EVENT_FAULT_REJECTED       "assets.fault.rejected"

// Maintenance plans: the work asked of dispatch for a due time (the family
// work_requested), a due time skipped while the equipment is out of
// service, a completion recorded in the equipment's file.
#define ASSETS_EVENT_MAINTENANCE_CREATED "assets.maintenance.created"
#define ASSETS_EVENT_MAINTENANCE_WORK_REQUESTED                                \
    "assets.maintenance.work_requested"
#define ASSETS_EVENT_MAINTENANCE_WORK_CANCELLED                                \
    "assets.maintenance.work_cancelled"
#define ASSETS_EVENT_MAINTENANCE_SKIPPED   "assets.maintenance.skipped"
#define ASSETS_EVENT_MAINTENANCE_COMPLETED "assets.maintenance.completed"
#define ASSETS_EVENT_MAINTENANCE_STOPPED   "assets.maintenance.stopped"

// Scrap requests: applied, each step of the chain, rejected, disposed (data
// proceeds and request: finance posts the proceeds).
#define ASSETS_EVENT_SCRAP_APPLIED   "assets.scrap.applied"
#define ASSETS_EVENT_SCRAP_APPRAISED "assets.scrap.appraised"
#define ASSETS_EVENT_SCRAP_REVIEWED  "assets.scrap.reviewed"
#define ASSETS_EVENT_SCRAP_APPROVED  "assets.scrap.approved"
#define ASSETS_EVENT_SCRAP_REJECTED  "assets.scrap.rejected"
#define ASSETS_EVENT_SCRAP_DISPOSED  "assets.scrap.disposed"
#define ASSETS_EVENT_SCRAP_RENEWED   "assets.scrap.renewed"

#endif
