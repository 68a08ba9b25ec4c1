// events/safety.h — the event types of the safety-audit service (stream
// sm:{safety-audit}:outbox). Every service's org view (cm_org) keeps each
// staff member's onboarding training from safety.onboarding.* events; the
// data of each type is in docs/asyncapi.yaml.
#ifndef LIBCOMMON_EVENTS_SAFETY_H
#define LIBCOMMON_EVENTS_SAFETY_H

// Onboarding: the three-level safety training of a staff member.
#define SAFETY_EVENT_ONBOARDING_CREATED    "safety.onboarding.created"
#define SAFETY_EVENT_ONBOARDING_SIGNED_OFF "safety.onboarding.signed_off"
#define SAFETY_EVENT_ONBOARDING_COMPLETED  "safety.onboarding.completed"
#define SAFETY_EVENT_ONBOARDING_UPDATED    "safety.onboarding.updated"

#define SAFETY_EVENT_ONBOARDING_PREFIX "safety.onboarding."

// Procedures: versioned safety rules and operating procedures.
#define SAFETY_EVENT_PROCEDURE_CREATED        "safety.procedure.created"
#define SAFETY_EVENT_PROCEDURE_REVISED        "safety.procedure.revised"
#define SAFETY_EVENT_PROCEDURE_REVIEWED       "safety.procedure.reviewed"
#define SAFETY_EVENT_PROCEDURE_RETIRED        "safety.procedure.retired"
#define SAFETY_EVENT_PROCEDURE_REVIEW_OVERDUE "safety.procedure.review_overdue"

// Safety training sessions.
#define SAFETY_EVENT_TRAINING_CREATED   "safety.training.created"
#define SAFETY_EVENT_TRAINING_RECORDED  "safety.training.recorded"
#define SAFETY_EVENT_TRAINING_CANCELLED "safety.training.cancelled"

#endif
