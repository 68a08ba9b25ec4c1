// onboarding — a staff record's `training_status` follows safety-audit's
// three-level onboarding: personnel consumes safety.onboarding.* events
// ({staff, complete, …}) and sets the person's status "trained" when
// complete is true, else "untrained" (people hired through recruitment
// start "untrained", candidate.h). The change is a staff update (history
// entry by safety-audit, personnel.staff.updated with changed
// "training_status"); an event about an unknown person, or one that
// changes nothing, is acknowledged and ignored.
#ifndef PERSONNEL_ONBOARDING_H
#define PERSONNEL_ONBOARDING_H

#include "cm_events.h"

// cm_consumer_fn for the safety-audit producer.
int onboarding_on_event(cm_store_t *store, const cm_event_t *event,
                        cm_commit_t *commit, void *arg);

#endif
