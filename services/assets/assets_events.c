#include "assets_events.h"

#include <string.h>

#include "cm_log.h"
#include "equipment.h"
#include "events/inventory.h"
#include "fault.h"

int
assets_events_on_inventory(cm_store_t *store, const cm_event_t *event,
                           cm_commit_t *commit, void *arg)
{
    (void)arg; // the configuration is read through assets_config
    if (strcmp(event->type, INVENTORY_EVENT_EQUIPMENT_RECEIVED) != 0) {
        return 0;
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        cm_log_warn("event.unparseable", "type", event->type);
        return 0;
    }
    int rc = equipment_on_received(store, envelope, commit);
    json_decref(envelope);
    return rc;
}

int
assets_events_on_ingest(cm_store_t *store, const cm_event_t *event,
                        cm_commit_t *commit, void *arg)
{
    (void)arg; // the configuration is read through assets_config
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        cm_log_warn("event.unparseable", "type", event->type);
        return 0;
    }
    int rc = fault_on_ingest(store, envelope, commit);
    json_decref(envelope);
    return rc;
}
