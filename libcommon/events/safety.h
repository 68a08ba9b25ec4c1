// events/safety.h — the event types of the safety service that other
// services consume: every service's org view (cm_org) keeps each staff
// member's onboarding training from safety.onboarding.* events. Named here
// only; docs/asyncapi.yaml describes their data.
#ifndef LIBCOMMON_EVENTS_SAFETY_H
#define LIBCOMMON_EVENTS_SAFETY_H

#define SAFETY_EVENT_ONBOARDING_PREFIX "safety.onboarding."

#endif
