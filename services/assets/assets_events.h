// assets_events — what assets does with other services' events:
// inventory's inventory.equipment.received registers the accepted
// equipment line once (equipment.h, equipment_on_received).
#ifndef ASSETS_ASSETS_EVENTS_H
#define ASSETS_ASSETS_EVENTS_H

#include "cm_events.h"
#include "cm_store.h"

// cm_consumer_fn for sm:{inventory}:outbox.
int assets_events_on_inventory(cm_store_t *store, const cm_event_t *event,
                               cm_commit_t *commit, void *arg);

// cm_consumer_fn for sm:{ingest}:outbox (other systems' events): an
// equipment.fault records a fault (fault.h, fault_on_ingest).
int assets_events_on_ingest(cm_store_t *store, const cm_event_t *event,
                            cm_commit_t *commit, void *arg);

#endif
