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

#define ASSETS_EVENT_SCRAP_DISPOSED "assets.scrap.disposed"

#endif
