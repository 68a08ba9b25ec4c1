// events/webhooks.h — the event types of the webhooks service (stream
// sm:{webhooks}:outbox): subscriptions of other systems to the station's
// events and what became of their deliveries. The data of each type is in
// docs/asyncapi.yaml.
#ifndef LIBCOMMON_EVENTS_WEBHOOKS_H
#define LIBCOMMON_EVENTS_WEBHOOKS_H

// A webhook (a subscription): created, edited, switched on and off, deleted.
#define WEBHOOKS_EVENT_WEBHOOK_CREATED  "webhooks.webhook.created"
#define WEBHOOKS_EVENT_WEBHOOK_UPDATED  "webhooks.webhook.updated"
#define WEBHOOKS_EVENT_WEBHOOK_ENABLED  "webhooks.webhook.enabled"
#define WEBHOOKS_EVENT_WEBHOOK_DISABLED "webhooks.webhook.disabled"
#define WEBHOOKS_EVENT_WEBHOOK_DELETED  "webhooks.webhook.deleted"

// A delivery that used up its retries (or whose webhook went away) and
// waits in the dead-letter list for a redeliver.
#define WEBHOOKS_EVENT_DELIVERY_DEAD_LETTERED "webhooks.delivery.dead_lettered"

#endif
