// events/external.h — the event types other systems publish (POST
// /v1/events on the gateway, or PUB to the hub's XSUB) that Stationmaster
// reacts to. Both entry points store them on sm:{ingest}:outbox. Consumers
// name them here only; docs/asyncapi.yaml describes each one's data, and
// `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_EXTERNAL_H
#define LIBCOMMON_EVENTS_EXTERNAL_H

// A contact: intake records an inquiry (channel phone, email, chat).
#define EXTERNAL_EVENT_CALL_RECEIVED  "call.received"
#define EXTERNAL_EVENT_EMAIL_RECEIVED "email.received"
#define EXTERNAL_EVENT_CHAT_STARTED   "chat.started"

// The building-management system: a fault on an asset, a hazard.
#define EXTERNAL_EVENT_EQUIPMENT_FAULT "equipment.fault"
#define EXTERNAL_EVENT_ALARM_RAISED    "alarm.raised"

// A bank or payroll system: finance opens a reconciliation.
#define EXTERNAL_EVENT_BANK_STATEMENT "bank.statement"

#endif
