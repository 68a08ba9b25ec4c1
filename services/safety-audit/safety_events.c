#include "safety_events.h"

#include <string.h>

#include "cm_log.h"
#include "cm_org.h"
#include "events/personnel.h"
#include "onboarding.h"

int
safety_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                           cm_commit_t *commit, void *arg)
{
    int rc = cm_org_consume(store, event, commit, arg);
    if (rc != 0
        || strncmp(event->type, PERSONNEL_EVENT_STAFF_PREFIX,
                   strlen(PERSONNEL_EVENT_STAFF_PREFIX))
               != 0) {
        return rc;
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        cm_log_warn("event.unparseable", "type", event->type);
        return 0;
    }
    rc = onboarding_on_staff(store, envelope, commit);
    json_decref(envelope);
    return rc;
}
