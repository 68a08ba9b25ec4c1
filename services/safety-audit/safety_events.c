#include "safety_events.h"

#include <string.h>

#include "audit.h"
#include "cm_log.h"
#include "cm_org.h"
#include "events/personnel.h"
#include "hazard.h"
#include "onboarding.h"
#include "safety.h"

static int
s_onboarding(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit)
{
    if (strncmp(event->type, PERSONNEL_EVENT_STAFF_PREFIX,
                strlen(PERSONNEL_EVENT_STAFF_PREFIX))
        != 0) {
        return 0;
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    if (!envelope) {
        cm_log_warn("event.unparseable", "type", event->type);
        return 0;
    }
    int rc = onboarding_on_staff(store, envelope, commit);
    json_decref(envelope);
    return rc;
}

int
safety_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                           cm_commit_t *commit, void *arg)
{
    int rc = cm_org_consume(store, event, commit, arg);
    rc = rc == 0 ? s_onboarding(store, event, commit) : rc;
    return rc == 0 ? audit_append(store, event, commit) : rc;
}

int
safety_events_on_own(cm_store_t *store, const cm_event_t *event,
                     cm_commit_t *commit, void *arg)
{
    int rc = cm_org_consume(store, event, commit, arg);
    return rc == 0 ? audit_append(store, event, commit) : rc;
}

int
safety_events_on_producer(cm_store_t *store, const cm_event_t *event,
                          cm_commit_t *commit, void *arg)
{
    (void)arg; // the chain needs no configuration
    return audit_append(store, event, commit);
}

int
safety_events_on_logistics(cm_store_t *store, const cm_event_t *event,
                           cm_commit_t *commit, void *arg)
{
    (void)arg; // nothing to configure
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    int rc = envelope ? hazard_on_round(store, envelope, commit) : 0;
    json_decref(envelope);
    return rc == 0 ? audit_append(store, event, commit) : rc;
}

int
safety_events_on_ingest(cm_store_t *store, const cm_event_t *event,
                        cm_commit_t *commit, void *arg)
{
    const safety_t *self = arg;
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    int rc = envelope ? hazard_on_ingest(store, envelope, commit,
                                         self->hazard_department)
                      : 0;
    json_decref(envelope);
    return rc == 0 ? audit_append(store, event, commit) : rc;
}
