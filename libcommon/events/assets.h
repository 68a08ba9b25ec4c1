// events/assets.h — the event types the assets service publishes on
// sm:{assets}:outbox that other services consume (finance: disposal
// proceeds). Named here only; docs/asyncapi.yaml describes each one's data,
// and `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_ASSETS_H
#define LIBCOMMON_EVENTS_ASSETS_H

#define ASSETS_EVENT_SCRAP_DISPOSED "assets.scrap.disposed"

#endif
